/** Unified diffs of fixed files (`diff -u` format, three lines of context), for `rollsafe fix` without --write. */
import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from 'diff';
import type { FixedFile } from './driver.js';

/** One unified diff per changed file, concatenated; '' when nothing changed. */
export function unifiedDiff(files: readonly FixedFile[]): string {
  return files
    .filter((f) => f.after !== f.before)
    .map((f) => formatPatch(structuredPatch(f.path, f.path, f.before, f.after, undefined, undefined, { context: 3 }), FILE_HEADERS_ONLY))
    .join('');
}
