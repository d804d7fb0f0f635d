/** Unified diffs of fixed files (`diff -u` format, three lines of context), for `rollsafe fix` without --write. */
import { createRequire } from 'node:module';
import type * as Diff from 'diff';
import type { FixedFile } from './driver.js';

/** One unified diff per changed file, concatenated; '' when nothing changed. */
export function unifiedDiff(files: readonly FixedFile[]): string {
  // Loaded on first use: only fix and report show diffs, and every run of the CLI would pay its start-up.
  const { FILE_HEADERS_ONLY, formatPatch, structuredPatch } = createRequire(import.meta.url)('diff') as typeof Diff;
  return files
    .filter((f) => f.after !== f.before)
    .map((f) => formatPatch(structuredPatch(f.path, f.path, f.before, f.after, undefined, undefined, { context: 3 }), FILE_HEADERS_ONLY))
    .join('');
}
