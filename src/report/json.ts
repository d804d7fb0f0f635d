import type { CheckResult } from '../engine/run.js';
import type { Finding } from '../rules/types.js';
import { summarizeCheck } from './summary.js';
import { VERSION } from '../version.js';

/** A finding as the JSON report shows it. */
function shown(f: Finding): Record<string, unknown> {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    category: f.category,
    message: f.message,
    file: f.file,
    line: f.line,
    column: f.column,
    resource: f.resource,
    path: f.path,
    fixable: f.fixable,
    ...(f.impact ? { impact: f.impact } : {}),
  };
}

/** `JSON.stringify(value, null, 2)` for a value nested `depth` levels deep (JSON strings hold no raw newline, so indenting every line is safe). */
function nested(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replaceAll('\n', `\n${'  '.repeat(depth)}`);
}

/** Findings per chunk: a large report is written in pieces instead of one string several times its size. */
const CHUNK = 1000;

/** A top-level array of the report as `JSON.stringify(…, null, 2)` writes it, CHUNK items at a time, then `close`. */
function* array<T>(items: readonly T[], show: (item: T) => unknown, close: string): Generator<string> {
  if (items.length === 0) {
    yield `[]${close}`;
    return;
  }
  yield '[\n';
  for (let i = 0; i < items.length; i += CHUNK) {
    let chunk = '';
    const end = Math.min(items.length, i + CHUNK);
    for (let k = i; k < end; k++) chunk += `    ${nested(show(items[k] as T), 2)}${k === items.length - 1 ? '\n' : ',\n'}`;
    yield chunk;
  }
  yield `  ]${close}`;
}

/**
 * The stable JSON shape other tools read, in chunks whose concatenation is exactly
 * `JSON.stringify(report, null, 2) + '\n'` (tested against it).
 */
export function* jsonChunks(result: CheckResult): Generator<string> {
  yield `{\n  "version": ${JSON.stringify(VERSION)},\n  "profile": ${JSON.stringify(result.profile)},\n  "summary": ${nested(summarizeCheck(result), 1)},\n  "findings": `;
  yield* array(result.findings, shown, ',\n');
  yield '  "notes": ';
  yield* array(result.notes, (note) => note, '\n}\n');
}

/** The stable JSON shape other tools read. */
export function formatJson(result: CheckResult): string {
  return [...jsonChunks(result)].join('');
}
