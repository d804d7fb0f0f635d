/**
 * The rule tester every rule goes through, after ESLint's RuleTester: valid inputs on which the
 * rule reports nothing, invalid inputs with every finding stated exactly (message, JSON Pointer,
 * line, column, severity), and the text after the fix. Each case runs the real pipeline (the
 * loader with positions, the graph, the engine with its served scope and suppression) with only
 * the rule under test, on input objects and a profile frozen deeply so that a rule that mutates what
 * it reads fails.
 *
 * For every finding with a fix it also checks, by itself: that the rule's meta says `fixable`; that
 * the fix is valid RFC 6902 against the object (fast-json-patch, an implementation independent of
 * the fixer); that the fixer applies it alone; and that re-checking the fixed text reports that
 * finding no more and no finding of the rule at a place (object and pointer) that had none. The
 * whole case is then fixed by the real multi-pass fixer and compared with `output`, which is
 * required whenever a finding has a fix; re-checking the output leaves exactly the findings that
 * had none.
 *
 * Test-only: the catalog (src/rules/index.ts) is closed, so nothing outside this repository writes
 * rules the tester would serve.
 */
import jsonPatch from 'fast-json-patch';
import jsYaml from 'js-yaml';
import { describe, expect, test } from 'vitest';
import { checkLoaded } from '../../src/engine/run.js';
import type { Finding, Rule, Severity } from '../../src/rules/types.js';
import { applyFixes } from '../../src/fix/apply.js';
import { runPasses } from '../../src/fix/driver.js';
import { loadSources } from '../../src/load/objects.js';
import type { SourceText } from '../../src/document/types.js';
import { RULES } from '../../src/rules/index.js';
import { profileOf } from './helpers.js';

/** One finding as a case states it; every field is compared exactly. */
interface ExpectedFinding {
  readonly message: string;
  /** JSON Pointer of the offending field inside its document. */
  readonly path: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly severity: Severity;
}

/** The input of a case: YAML text (one or more documents) or objects, and the cluster it is judged for. */
interface CaseInput {
  /** Shown in the test's name; the input's first line when absent. */
  readonly name?: string;
  /** The input as YAML (multi-document allowed). */
  readonly yaml?: string;
  /** The input as objects, written out as one YAML document each. */
  readonly objects?: readonly Readonly<Record<string, unknown>>[];
  /** Display path of the input, as findings carry it in `file`; `input.yaml` when absent. */
  readonly file?: string;
  /** A built-in profile; `generic` when absent. */
  readonly profile?: string;
  /** The cluster's Kubernetes version; the profile's when absent. */
  readonly k8sVersion?: string;
}

export type ValidCase = CaseInput;

export interface InvalidCase extends CaseInput {
  /** Every finding of the rule, in the order the engine sorts them (file, line, column). */
  readonly findings: readonly ExpectedFinding[];
  /** The text after the fixer applied every fix of the rule; required when any finding has a fix, forbidden otherwise. */
  readonly output?: string;
}

export interface RuleTests {
  readonly valid: readonly ValidCase[];
  readonly invalid: readonly InvalidCase[];
}

/** Freezes a value and everything under it. */
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

/** The case's input text. */
function textOf(c: CaseInput): string {
  if ((c.yaml === undefined) === (c.objects === undefined)) throw new Error('a case needs exactly one of `yaml` and `objects`');
  if (c.yaml !== undefined) return c.yaml;
  return (c.objects ?? []).map((o) => jsYaml.dump(o, { lineWidth: -1, noRefs: true })).join('---\n');
}

function caseName(c: CaseInput, index: number): string {
  if (c.name !== undefined) return c.name;
  const first = textOf(c).split('\n').find((l) => l.trim() !== '' && l.trim() !== '---') ?? '';
  return `#${index + 1} ${first.trim().slice(0, 60)}`;
}

/** What identifies a case's input: two cases with the same key test the same thing. */
function caseKey(c: CaseInput): string {
  return JSON.stringify([textOf(c), c.file ?? '', c.profile ?? 'generic', c.k8sVersion ?? '']);
}

/** Identifies a finding across two checks of different texts (positions move when a fix edits). */
function identity(f: Finding): string {
  return JSON.stringify([f.resource.kind, f.resource.namespace, f.resource.name, f.path, f.message]);
}

/** Where the finding is, without what it says. */
function place(f: Finding): string {
  return JSON.stringify([f.resource.kind, f.resource.namespace, f.resource.name, f.path]);
}

function expected(f: Finding): ExpectedFinding {
  return { message: f.message, path: f.path, line: f.line, column: f.column, severity: f.severity };
}

/** Runs one rule through the engine on frozen input and a frozen profile: its findings and the load problems. */
function checker(rule: Rule, c: CaseInput): { check: (sources: readonly SourceText[]) => Finding[]; problems: (sources: readonly SourceText[]) => string[] } {
  const profile = structuredClone(profileOf(c.profile ?? 'generic', c.k8sVersion));
  deepFreeze(profile);
  const load = (sources: readonly SourceText[]): ReturnType<typeof loadSources> => {
    const loaded = loadSources(sources, profile.k8sVersion);
    for (const r of loaded.resources) deepFreeze(r.doc.value);
    return loaded;
  };
  return {
    check: (sources) => checkLoaded(load(sources), sources.length, { profile, rules: [rule] }).findings,
    problems: (sources) => load(sources).problems.map((p) => `${p.line}:${p.column} ${p.code} ${p.message}`),
  };
}

/** The document value a finding's fix applies to. */
function documentValue(text: string, file: string, document: number): unknown {
  const loaded = loadSources([{ path: file, text }]);
  const resource = loaded.resources.find((r) => r.doc.index === document);
  if (resource === undefined) throw new Error(`no object in document ${document}`);
  return resource.doc.value;
}

function checkFixOf(rule: Rule, c: CaseInput, source: SourceText, finding: Finding, before: readonly Finding[]): void {
  const { check } = checker(rule, c);
  const fix = finding.fix;
  const document = finding.document;
  if (fix === undefined || document === undefined) return;
  if (fix.kind === 'patch') {
    expect(fix.operations.length, `${finding.message}: a patch with no operation`).toBeGreaterThan(0);
    // RFC 6902 against the object, by an implementation that is not the fixer's.
    const error = jsonPatch.validate(fix.operations.map((op) => ({ ...op })) as jsonPatch.Operation[], structuredClone(documentValue(source.text, source.path, document)));
    expect(error?.message, `the fix of "${finding.message}" is not valid RFC 6902 against its object`).toBeUndefined();
  } else {
    expect(typeof fix.document['apiVersion'] === 'string' && typeof fix.document['kind'] === 'string', 'a new document needs apiVersion and kind').toBe(true);
  }
  const applied = applyFixes(source.text, [{ document, fix }]);
  expect(applied.outcomes, `the fixer refused the fix of "${finding.message}"`).toEqual([{ status: 'applied' }]);
  const after = check([{ path: source.path, text: applied.text }]);
  expect(after.map(identity), 'the finding is gone after its fix').not.toContain(identity(finding));
  // New: at a place (object and pointer) that had no finding. A finding elsewhere may change its
  // wording or severity when the fix changes what it depends on (another container's probe).
  const known = new Set(before.map(place));
  expect(after.filter((f) => !known.has(place(f))).map(expected), 'no new finding of the rule after the fix').toEqual([]);
}

/** Throws unless `c` is a valid case of the rule: it loads without problems and the rule reports nothing on it. */
export function assertValid(ruleId: string, rule: Rule, c: ValidCase): void {
  const source = { path: c.file ?? 'input.yaml', text: textOf(c) };
  const { check, problems } = checker(rule, c);
  if (ruleId !== 'invalid-manifest') expect(problems([source]), 'the input loads without problems').toEqual([]);
  expect(check([source]).map(expected)).toEqual([]);
}

/**
 * Throws unless the rule reports exactly the case's findings, each fix is valid RFC 6902 against
 * its object and removes its finding without bringing a new one, and the fixer's whole output is
 * the case's `output`.
 */
export function assertInvalid(ruleId: string, rule: Rule, c: InvalidCase): void {
  if (c.findings.length === 0) throw new Error(`rule tester: invalid case ${caseName(c, 0)} of ${ruleId} states no finding (a case without findings is valid)`);
  const source = { path: c.file ?? 'input.yaml', text: textOf(c) };
  const { check, problems } = checker(rule, c);
  if (ruleId !== 'invalid-manifest') expect(problems([source]), 'the input loads without problems').toEqual([]);
  const findings = check([source]);
  expect(findings.map((f) => [f.ruleId, f.file])).toEqual(findings.map(() => [ruleId, source.path]));
  expect(findings.map(expected)).toEqual(c.findings);
  for (const f of findings) expect(f.fixable, `fixable says whether "${f.message}" has a fix`).toBe(f.fix !== undefined);
  const fixable = findings.filter((f) => f.fix !== undefined);
  if (fixable.length > 0) expect(rule.meta.fixable, `${ruleId} offers fixes: its meta says fixable`).toBe(true);
  if (fixable.length === 0) {
    expect(c.output, 'no finding has a fix: the case states no output').toBeUndefined();
    return;
  }
  if (c.output === undefined) throw new Error(`rule tester: invalid case ${caseName(c, 0)} of ${ruleId}: a finding has a fix, so the case needs \`output\``);
  for (const f of fixable) checkFixOf(rule, c, source, f, findings);
  const fixed = runPasses([source], check);
  expect(fixed.stop).toBe('done');
  expect(fixed.unfixed.map((u) => `${u.finding.message}: ${u.reason}`)).toEqual([]);
  expect(fixed.files[0]?.after).toBe(c.output);
  expect(fixed.remaining.map(place).sort(), 'after fixing, only the findings without a fix are left').toEqual(findings.filter((f) => f.fix === undefined).map(place).sort());
}

/** Throws on a suite that asserts nothing or asserts twice: no valid or no invalid case, an invalid case without findings, a duplicate case. */
export function assertSuite(ruleId: string, rule: Rule, tests: RuleTests): void {
  if (rule.meta.id !== ruleId) throw new Error(`rule tester: the rule's id is ${rule.meta.id}, not ${ruleId}`);
  if (tests.valid.length === 0) throw new Error(`rule tester: ${ruleId} has no valid case`);
  if (tests.invalid.length === 0) throw new Error(`rule tester: ${ruleId} has no invalid case`);
  const seen = new Set<string>();
  for (const c of [...tests.valid, ...tests.invalid]) {
    const key = caseKey(c);
    if (seen.has(key)) throw new Error(`rule tester: ${ruleId} has a duplicate case: ${caseName(c, 0)}`);
    seen.add(key);
  }
  tests.invalid.forEach((c, i) => {
    if (c.findings.length === 0) throw new Error(`rule tester: invalid case ${caseName(c, i)} of ${ruleId} states no finding (a case without findings is valid)`);
  });
}

/**
 * Defines the tests of one catalog rule (vitest `describe`/`test`), one per case. Throws at once,
 * before any test runs, on a suite that asserts nothing ({@link assertSuite}) or a rule that is
 * not the catalog's rule of that id.
 */
export function run(ruleId: string, rule: Rule, tests: RuleTests): void {
  assertSuite(ruleId, rule, tests);
  if (RULES.get(ruleId) !== rule) throw new Error(`rule tester: ${ruleId} is not the catalog's rule of that id`);
  describe(`${ruleId} (rule tester)`, () => {
    describe('valid', () => {
      tests.valid.forEach((c, i) => test(caseName(c, i), () => assertValid(ruleId, rule, c)));
    });
    describe('invalid', () => {
      tests.invalid.forEach((c, i) => test(caseName(c, i), () => assertInvalid(ruleId, rule, c)));
    });
  });
}

/** The rule tester, as ESLint names it: `ruleTester.run(ruleId, rule, { valid, invalid })`. */
export const ruleTester = { run } as const;
