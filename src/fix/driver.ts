/**
 * The multi-pass fixer: check, apply the fixes that do not overlap, check the new text again, until
 * nothing more applies (at most MAX_PASSES passes, and never the same texts twice). Pure.
 */
import { checkSources, type CheckOptions } from '../engine/run.js';
import type { Finding } from '../rules/types.js';
import type { SourceText } from '../document/types.js';
import { applyFixes, type FixOutcome } from './apply.js';

/** Passes after which the fixer stops even if fixes still apply (as ESLint does). */
export const MAX_PASSES = 10;

export interface FixOptions extends CheckOptions {
  /** Only these rules' fixes are applied (and only their findings are reported); all when absent. */
  readonly only?: readonly string[];
}

/** One input file before and after fixing. */
export interface FixedFile {
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

/** A finding that still has a fix after fixing, and why the fix was not applied. */
interface Unfixed {
  readonly finding: Finding;
  readonly reason: string;
}

/** A fix that was applied, with the file and document it was applied to. */
interface AppliedFix {
  readonly file: string;
  readonly finding: Finding;
}

/** Why the passes stopped. */
type StopReason = 'done' | 'max-passes' | 'cycle';

export interface FixResult {
  /** Every input, in input order. */
  readonly files: FixedFile[];
  /** Passes that changed something. */
  readonly passes: number;
  /** Fixes applied over all passes. */
  readonly applied: number;
  /** The fixes applied, in the order they were applied: pass by pass, and within a pass in the order of the check's findings. */
  readonly appliedFixes: AppliedFix[];
  /** The findings left after fixing (of the `only` rules, when given). */
  readonly remaining: Finding[];
  /** The remaining findings that carry a fix, with the reason it was not applied. */
  readonly unfixed: Unfixed[];
  readonly stop: StopReason;
}

/** A 53-bit hash of a string (cyrb53): cycle detection keeps hashes, not whole texts. */
function hash(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

function stateKey(texts: readonly string[]): string {
  return texts.map((t, i) => `${hash(t, i)}:${t.length}`).join(',');
}

function inScope(finding: Finding, only: ReadonlySet<string> | undefined): boolean {
  return only === undefined || only.has(finding.ruleId);
}

/** The fixable findings of one file, in the order the check sorted them. */
function fixableOf(findings: readonly Finding[], path: string, only: ReadonlySet<string> | undefined): Finding[] {
  return findings.filter((f) => f.file === path && f.fix !== undefined && f.document !== undefined && inScope(f, only));
}

/** Identifies a finding across two checks of the same text. */
function findingKey(f: Finding): string {
  return `${f.file}\u0000${f.ruleId}\u0000${f.document ?? -1}\u0000${f.path}\u0000${f.message}`;
}

/**
 * The passes, with the check given as a function (fixSources passes the rule engine): check,
 * apply the fixable findings' fixes, repeat until nothing applies, a state repeats, or MAX_PASSES.
 */
export function runPasses(sources: readonly SourceText[], check: (sources: readonly SourceText[]) => Finding[], only?: readonly string[]): FixResult {
  const scope = only === undefined ? undefined : new Set(only);
  let current: readonly SourceText[] = sources;
  const seen = new Set([stateKey(current.map((s) => s.text))]);
  let passes = 0;
  let applied = 0;
  const appliedFixes: AppliedFix[] = [];
  let stop: StopReason = 'done';
  let findings = check(current);
  /** Why each fix of the last check was refused, by finding. */
  let reasons = new Map<string, string>();
  for (;;) {
    if (passes >= MAX_PASSES) {
      stop = 'max-passes';
      break;
    }
    reasons = new Map();
    let appliedNow = 0;
    const appliedInPass: AppliedFix[] = [];
    const next = current.map((source) => {
      const fixable = fixableOf(findings, source.path, scope);
      if (fixable.length === 0) return source;
      const result = applyFixes(source.text, fixable.map((f) => ({ document: f.document ?? 0, fix: f.fix as NonNullable<Finding['fix']> })));
      result.outcomes.forEach((outcome: FixOutcome, i) => {
        if (outcome.status === 'refused') reasons.set(findingKey(fixable[i] as Finding), outcome.reason);
        else if (outcome.status === 'applied') appliedInPass.push({ file: source.path, finding: fixable[i] as Finding });
      });
      appliedNow += result.applied;
      return result.text === source.text ? source : { path: source.path, text: result.text };
    });
    if (next.every((s, i) => s === current[i])) break;
    passes++;
    applied += appliedNow;
    appliedFixes.push(...appliedInPass);
    current = next;
    findings = check(current);
    const key = stateKey(current.map((s) => s.text));
    if (seen.has(key)) {
      stop = 'cycle';
      break;
    }
    seen.add(key);
  }
  const remaining = findings.filter((f) => inScope(f, scope));
  const fallback =
    stop === 'cycle' ? 'the fixes undo each other (the text came back to an earlier state)' : stop === 'max-passes' ? `still fixable after ${MAX_PASSES} passes: the fixes do not converge` : 'the fix could not be applied';
  const unfixed = remaining.filter((f) => f.fix !== undefined).map((finding) => ({ finding, reason: reasons.get(findingKey(finding)) ?? fallback }));
  return {
    files: sources.map((s, i) => ({ path: s.path, before: s.text, after: current[i]?.text ?? s.text })),
    passes,
    applied,
    appliedFixes,
    remaining,
    unfixed,
    stop,
  };
}

/**
 * Fixes the sources: runs the rules, applies every fix it safely can, and repeats on the new text
 * until nothing more applies. Returns the texts before and after, and what is left.
 */
export function fixSources(sources: readonly SourceText[], options: FixOptions): FixResult {
  const check: CheckOptions = { profile: options.profile, ...(options.ruleSeverities === undefined ? {} : { ruleSeverities: options.ruleSeverities }) };
  return runPasses(sources, (current) => checkSources(current, check).findings, options.only);
}
