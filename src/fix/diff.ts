/** Unified diffs of fixed files (`diff -u` format, three lines of context), for `rollsafe fix` without --write. */
import { createRequire } from 'node:module';
import type * as Diff from 'diff';
import type { FixedFile } from './driver.js';

/** Lines of context around each change. */
const CONTEXT = 3;

/**
 * Where to start diffing two texts, and how many lines come before it: the start of the line
 * CONTEXT lines above the first line that differs. The diff (Myers, from the start) follows the
 * lines both texts begin with before it looks at anything else, so leaving out all but the
 * context lines of that common start changes nothing but the line numbers.
 */
function commonStart(before: string, after: string): { offset: number; lines: number } {
  const length = Math.min(before.length, after.length);
  let same = 0;
  while (same < length && before.charCodeAt(same) === after.charCodeAt(same)) same++;
  // Line starts (after a \n) within the common part, the last CONTEXT + 1 of them kept.
  const starts: number[] = [];
  let lines = 0;
  for (let i = before.indexOf('\n'); i !== -1 && i < same; i = before.indexOf('\n', i + 1)) {
    lines++;
    starts.push(i + 1);
    if (starts.length > CONTEXT + 1) starts.shift();
  }
  // The line holding the first difference starts at starts[last]; keep CONTEXT lines above it.
  if (starts.length <= CONTEXT) return { offset: 0, lines: 0 };
  return { offset: starts[0] as number, lines: lines - CONTEXT };
}

/** One unified diff per changed file, concatenated; '' when nothing changed. */
export function unifiedDiff(files: readonly FixedFile[]): string {
  // Loaded on first use: only fix and report show diffs, and every run of the CLI would pay its start-up.
  const { FILE_HEADERS_ONLY, formatPatch, structuredPatch } = createRequire(import.meta.url)('diff') as typeof Diff;
  return files
    .filter((f) => f.after !== f.before)
    .map((f) => {
      const { offset, lines } = commonStart(f.before, f.after);
      const patch = structuredPatch(f.path, f.path, f.before.slice(offset), f.after.slice(offset), undefined, undefined, { context: CONTEXT });
      const hunks = patch.hunks.map((h) => ({ ...h, oldStart: h.oldStart + lines, newStart: h.newStart + lines }));
      return formatPatch({ ...patch, hunks }, FILE_HEADERS_ONLY);
    })
    .join('');
}
