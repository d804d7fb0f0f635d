/** unifiedDiff diffs from three lines above the first difference: the same text as the whole-file diff. */
import { createRequire } from 'node:module';
import type * as Diff from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/fix/diff.js';

const { FILE_HEADERS_ONLY, formatPatch, structuredPatch } = createRequire(import.meta.url)('diff') as typeof Diff;

function wholeFile(path: string, before: string, after: string): string {
  return formatPatch(structuredPatch(path, path, before, after, undefined, undefined, { context: 3 }), FILE_HEADERS_ONLY);
}

/** Texts of few distinct lines (so that lines repeat and the diff has choices to make), any line ends. */
const text = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', '', '  d: 1'), fc.constantFrom('\n', '\n', '\r\n')), { maxLength: 30 }).chain((lines) =>
  fc.boolean().map((endsWithBreak) => {
    const joined = lines.map(([line, end]) => line + end).join('');
    return endsWithBreak || lines.length === 0 ? joined : joined.replace(/\r?\n$/, '');
  }),
);

describe('unifiedDiff', () => {
  it('equals the diff of the whole texts', () => {
    fc.assert(
      fc.property(text, text, text, (prefix, before, after) => {
        expect(unifiedDiff([{ path: 'f.yaml', before: prefix + before, after: prefix + after }])).toBe(prefix + before === prefix + after ? '' : wholeFile('f.yaml', prefix + before, prefix + after));
      }),
      { numRuns: 2000 },
    );
  });

  it('numbers the lines of the whole file', () => {
    const before = Array.from({ length: 10 }, (_, i) => `line ${i + 1}\n`).join('');
    const after = before.replace('line 8\n', 'line eight\n');
    expect(unifiedDiff([{ path: 'f', before, after }])).toBe('--- f\n+++ f\n@@ -5,6 +5,6 @@\n line 5\n line 6\n line 7\n-line 8\n+line eight\n line 9\n line 10\n');
  });
});
