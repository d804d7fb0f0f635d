/**
 * Reports in pieces. A large input's report is tens of MB (bench corpus B: 54.5 MB of JSON, more
 * as SARIF), and one string of it, or a pipe's backlog of it, was held several times over: `check`
 * writes each piece once stdout has taken the one before (cli/io.ts writeChunks). Every format's
 * pieces add up to exactly the text it wrote as one string (test/report/formats.test.ts).
 */

/**
 * Findings per piece: 100 make 50–150 KB of text. Pieces of 1,000 (0.5–1.5 MB) are allocated
 * outside V8's young generation and wait for a full collection: bench corpus B peaked at 477 MiB
 * as JSON and 548 MiB as SARIF with them, 440 and 465 MiB with pieces of 100 (one run each).
 */
export const CHUNK = 100;

/** `JSON.stringify(value, null, 2)` for a value nested `depth` levels deep (JSON strings hold no raw newline, so indenting every line is safe). */
export function nested(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replaceAll('\n', `\n${'  '.repeat(depth)}`);
}

/**
 * An array nested `depth` levels deep as `JSON.stringify(…, null, 2)` writes it, CHUNK items a
 * piece (`text` writes one item at depth + 1), with `close` after its `]`.
 */
export function* arrayChunks<T>(items: readonly T[], text: (item: T) => string, depth: number, close: string): Generator<string> {
  if (items.length === 0) {
    yield `[]${close}`;
    return;
  }
  const indent = '  '.repeat(depth + 1);
  yield '[\n';
  for (let i = 0; i < items.length; i += CHUNK) {
    let chunk = '';
    const end = Math.min(items.length, i + CHUNK);
    for (let k = i; k < end; k++) chunk += `${indent}${text(items[k] as T)}${k === items.length - 1 ? '\n' : ',\n'}`;
    yield chunk;
  }
  yield `${'  '.repeat(depth)}]${close}`;
}
