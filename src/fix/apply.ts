/**
 * Applies fixes (data: RFC 6902 operations on one document, or a new document) to a YAML stream's
 * text. Pure: no Node imports. Every applied fix is checked afterwards: the edited document must
 * parse (as Kubernetes reads YAML) to exactly the value the operations mean, and keep every
 * comment; a fix that fails the check is refused, never half-applied.
 */
import jsYaml from 'js-yaml';
import type { Fix } from '../rules/types.js';
import { documentChunks } from '../load/parse.js';
import { KUBERNETES_YAML_SCHEMA } from '../load/yaml11.js';
import { commentsOf, editDocument, memoByText, parseForEdit } from './edit.js';
import { deepEqual, footprint, footprintsOverlap } from './patch.js';
import { detectStyle, indentLines, renderDocument, type Style } from './render.js';
import { isRollsafeError, RollsafeError } from '../errors.js';

/** A fix and the 0-based index of the document it applies to (as `documentChunks` numbers them). */
export interface TargetedFix {
  readonly document: number;
  readonly fix: Fix;
}

/**
 * What became of one fix: applied; deferred to the next pass because it overlaps a fix applied
 * before it; or refused because it cannot be applied safely (`reason` says why).
 */
export type FixOutcome = { readonly status: 'applied' } | { readonly status: 'deferred' } | { readonly status: 'refused'; readonly reason: string };

export interface ApplyResult {
  readonly text: string;
  /** Fixes applied. */
  readonly applied: number;
  /** Fixes not applied: deferred (overlapping) or refused (unsafe). */
  readonly skipped: number;
  /** One outcome per input fix, in input order. */
  readonly outcomes: readonly FixOutcome[];
}

const APPLIED: FixOutcome = { status: 'applied' };
const DEFERRED: FixOutcome = { status: 'deferred' };

function refused(reason: string): FixOutcome {
  return { status: 'refused', reason };
}

/** Parses one document the way the loader does (Kubernetes' YAML 1.1 scalars). Shared: operations copy it (applyOperation), never change it. */
const loadValue: (text: string) => unknown = memoByText(64, (text) => jsYaml.load(text, { schema: KUBERNETES_YAML_SCHEMA }));

/** Counts comments by their text. Shared: never change it. */
const commentCounts: (text: string) => ReadonlyMap<string, number> = memoByText(64, (text) => {
  const counts = new Map<string, number>();
  for (const c of commentsOf(text)) counts.set(c.source, (counts.get(c.source) ?? 0) + 1);
  return counts;
});

/** Throws unless `text` parses to `expected` and still holds every comment of the original. */
function verify(text: string, expected: unknown, comments: ReadonlyMap<string, number>): void {
  parseForEdit(text);
  let actual: unknown;
  try {
    actual = loadValue(text);
  } catch (error: unknown) {
    throw new RollsafeError('unsafe-fix', `the edited document does not parse (${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)})`);
  }
  if (!deepEqual(actual, expected)) throw new RollsafeError('unsafe-fix', 'the edited text does not read back as the fixed object');
  const after = commentCounts(text);
  for (const [comment, count] of comments) {
    if ((after.get(comment) ?? 0) < count) throw new RollsafeError('unsafe-fix', `the edit would lose the comment \`${comment}\``);
  }
}

function reasonOf(error: unknown): string {
  if (isRollsafeError(error, 'unsafe-fix')) return error.message;
  // Anything else is a defect of the editor, not of the input: refuse the fix and say so.
  return `the editor failed on this document (${error instanceof Error ? error.message : String(error)})`;
}

/** What one fix does alone to a document's text: the text it leaves and its outcome. */
interface Alone {
  readonly source: string;
  readonly text: string;
  readonly outcome: FixOutcome;
}

/**
 * Each fix's result alone on the document text it was last applied to, as fixDocument met it on
 * the way: a fix taken while the text is still the original (no earlier fix of the list applied)
 * is exactly that fix applied alone. `report` fixes the input, then shows each fix's own diff.
 */
const aloneResults = new WeakMap<Fix, Alone>();

/** Applies the fixes of one document to its text; outcomes in the order of `fixes`. */
function fixDocument(text: string, fixes: readonly Fix[]): { text: string; outcomes: FixOutcome[] } {
  const only = fixes.length === 1 ? fixes[0] : undefined;
  const known = only === undefined ? undefined : aloneResults.get(only);
  if (known !== undefined && known.source === text) return { text: known.text, outcomes: [known.outcome] };
  let original: unknown;
  let style: Style;
  try {
    if (/\r(?!\n)/.test(text)) throw new RollsafeError('unsafe-fix', 'the document has old Mac (CR) line breaks');
    original = loadValue(text);
    style = detectStyle(text, parseForEdit(text).contents);
  } catch (error: unknown) {
    const reason = isRollsafeError(error, 'unsafe-fix') ? error.message : 'the document does not parse';
    return { text, outcomes: fixes.map(() => refused(reason)) };
  }
  const comments = commentCounts(text);
  const claimed: string[][] = [];
  let current = { text, value: original };
  const added: string[] = [];
  const initial = current;
  const lead = (body: string): string => (body.endsWith('\n') ? '' : style.eol);
  const outcomes = fixes.map((fix): FixOutcome => {
    // Alone, a document fix adds its document to the original text; a patch meets the original
    // text as long as no fix before it was applied.
    let rendered: string | undefined;
    const untouched = fix.kind === 'document' || current === initial;
    const outcome = ((): FixOutcome => {
      try {
        if (fix.kind === 'document') {
          const lines = renderDocument(fix.document, style);
          const document = `---${style.eol}${indentLines(lines, 0, style)}${style.eol}`;
          verify(document, fix.document, new Map());
          added.push(document);
          rendered = document;
          return APPLIED;
        }
        if (fix.operations.length === 0) return refused('the fix has no operations');
        const footprints = fix.operations.map((op) => footprint(original, op));
        if (footprints.some((a) => claimed.some((b) => footprintsOverlap(a, b)))) return DEFERRED;
        let next = current;
        for (const op of fix.operations) next = editDocument(next.text, next.value, op, style);
        if (next.text === current.text) return refused('the fix changes nothing');
        verify(next.text, next.value, comments);
        current = next;
        claimed.push(...footprints);
        return APPLIED;
      } catch (error: unknown) {
        return refused(reasonOf(error));
      }
    })();
    if (untouched) {
      const after = outcome.status !== 'applied' ? text : rendered !== undefined ? text + lead(text) + rendered : current.text;
      aloneResults.set(fix, { source: text, text: after, outcome });
    }
    return outcome;
  });
  if (added.length === 0) return { text: current.text, outcomes };
  return { text: current.text + lead(current.text) + added.join(''), outcomes };
}

/**
 * Applies fixes to a YAML stream. Fixes are taken in order; a patch whose operations touch a
 * path that an earlier applied fix of the same pass touched (the same node, an ancestor or a
 * descendant; for list insertions and removals, the whole list) is deferred to the next pass.
 * Each document's text is edited surgically (see edit.ts); documents without an applied fix stay
 * byte for byte as they were. A `document` fix adds `---` and the new document right after its
 * document's text.
 */
export function applyFixes(text: string, fixes: readonly TargetedFix[]): ApplyResult {
  const chunks = documentChunks(text);
  const outcomes: FixOutcome[] = fixes.map(() => DEFERRED);
  const byDocument = new Map<number, number[]>();
  fixes.forEach((f, i) => {
    if (!Number.isInteger(f.document) || f.document < 0 || f.document >= chunks.length) {
      outcomes[i] = refused(`the file has no document ${f.document}`);
      return;
    }
    const list = byDocument.get(f.document);
    if (list) list.push(i);
    else byDocument.set(f.document, [i]);
  });
  const edited = new Map<number, string>();
  for (const [document, indexes] of byDocument) {
    const chunk = chunks[document];
    if (!chunk) continue;
    const result = fixDocument(chunk.text, indexes.map((i) => (fixes[i] as TargetedFix).fix));
    indexes.forEach((fixIndex, k) => {
      outcomes[fixIndex] = result.outcomes[k] ?? DEFERRED;
    });
    if (result.text !== chunk.text) edited.set(document, result.text);
  }
  // From the last document to the first, so earlier offsets stay valid.
  let out = text;
  for (const document of [...edited.keys()].sort((a, b) => b - a)) {
    const chunk = chunks[document];
    if (chunk) out = out.slice(0, chunk.offset) + (edited.get(document) ?? chunk.text) + out.slice(chunk.offset + chunk.text.length);
  }
  const applied = outcomes.filter((o) => o.status === 'applied').length;
  return { text: out, applied, skipped: outcomes.length - applied, outcomes };
}
