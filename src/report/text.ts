import { impactBasis, impactText } from './impact-text.js';
import type { CheckResult } from '../engine/run.js';
import type { Finding, Severity } from '../rules/types.js';
import { CHUNK } from './chunks.js';
import { summarizeCheck } from './summary.js';
import { wrapLine } from './wrap.js';

export interface TextOptions {
  readonly color: boolean;
  /** Columns to wrap at (continuation lines indented under the message); 0 or absent: one line per finding. */
  readonly width?: number;
}

const CODES = { red: 31, yellow: 33, blue: 34, dim: 2, bold: 1, underline: 4 } as const;

function paint(on: boolean, code: keyof typeof CODES, text: string): string {
  return on ? `\u001b[${CODES[code]}m${text}\u001b[0m` : text;
}

function severityLabel(severity: Severity, color: boolean): string {
  const padded = severity.padEnd(7);
  return severity === 'error' ? paint(color, 'red', padded) : severity === 'warning' ? paint(color, 'yellow', padded) : paint(color, 'blue', padded);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Joins two words that must not be wrapped apart; printed as a space. */
const KEEP = '\u0000';

/** A parenthesis that explains a number by the profile: it names the profile or one of its `app.` settings. */
const EXPLANATION = /\bprofile\b|\bapp\.[a-z]\w*/;

/** The top-level parentheses of a message, with their position. */
function parentheses(message: string): { start: number; end: number; text: string }[] {
  const out: { start: number; end: number; text: string }[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < message.length; i++) {
    const c = message[i];
    if (c === '(') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === ')' && depth > 0) {
      depth--;
      if (depth === 0) out.push({ start, end: i + 1, text: message.slice(start + 1, i) });
    }
  }
  return out;
}

/**
 * The profile explanations that more than one finding repeats, numbered in order of appearance:
 * the text output prints each once, as a note, and `[n]` where the findings had it.
 */
export function repeatedExplanations(messages: readonly string[]): Map<string, number> {
  const count = new Map<string, number>();
  for (const message of messages) {
    for (const p of new Set(parentheses(message).map((x) => x.text))) if (EXPLANATION.test(p)) count.set(p, (count.get(p) ?? 0) + 1);
  }
  const numbered = new Map<string, number>();
  for (const [text, n] of count) if (n > 1) numbered.set(text, numbered.size + 1);
  return numbered;
}

function withNoteMarks(message: string, notes: ReadonlyMap<string, number>, color: boolean): string {
  let out = '';
  let at = 0;
  for (const p of parentheses(message)) {
    const n = notes.get(p.text);
    if (n === undefined) continue;
    out += message.slice(at, p.start) + paint(color, 'dim', `[${n}]`);
    at = p.end;
  }
  return out + message.slice(at);
}

/**
 * Findings grouped by file, one line each (wrapped at `width`), then the profile explanations
 * they share and a summary line. In pieces of CHUNK findings (report/chunks.ts), each ending at a
 * line's end.
 */
export function* textChunks(result: CheckResult, options: TextOptions): Generator<string> {
  const { color } = options;
  const width = options.width ?? 0;
  const notes = repeatedExplanations(result.findings.map((f) => f.message));
  let lines: string[] = [];
  let any = false;
  let file: string | undefined;
  for (let i = 0; i < result.findings.length; i++) {
    const f = result.findings[i] as Finding;
    if (f.file !== file) {
      if (file !== undefined) lines.push('');
      file = f.file;
      lines.push(paint(color, 'underline', f.file));
    }
    const where = `${f.line}:${f.column}`.padEnd(8);
    // The rule id and "(fixable)" stay on one line: joined by a placeholder while wrapping.
    const fix = f.fixable ? paint(color, 'dim', `${KEEP}(fixable)`) : '';
    const text = `${withNoteMarks(f.message, notes, color)}  ${paint(color, 'dim', f.ruleId)}${fix}`;
    lines.push(`  ${paint(color, 'dim', where)} ${severityLabel(f.severity, color)} ${wrapLine(text, width, ' '.repeat(19), 19).replaceAll(KEEP, ' ')}`);
    if (f.impact) lines.push(`  ${' '.repeat(8)} ${wrapLine(`${paint(color, 'bold', impactText(f.impact))} ${paint(color, 'dim', `(${impactBasis(f.impact)})`)}`, width, ' '.repeat(11), 11)}`);
    if ((i + 1) % CHUNK === 0) {
      yield lines.join('\n') + '\n';
      lines = [];
      any = true;
    }
  }
  for (const note of result.notes) lines.push(paint(color, 'dim', wrapLine(`note: ${note.file}:${note.line}: ${note.message}`, width, '      ')));
  const s = summarizeCheck(result);
  const total = s.errors + s.warnings + s.infos;
  const fixable = result.findings.filter((f) => f.fixable).length;
  if (any || lines.length > 0) lines.push('');
  for (const [text, n] of notes) lines.push(wrapLine(`${paint(color, 'dim', `[${n}]`)} ${text}`, width, '    '));
  const head = total === 0 ? paint(color, 'bold', '✔ no findings') : paint(color, 'bold', `✖ ${plural(total, 'finding')} (${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${s.infos} info)`);
  lines.push(wrapLine(`${head} in ${plural(s.files, 'file')}, ${plural(s.objects, 'object')} · profile ${result.profile}${fixable > 0 ? ` · ${fixable} fixable` : ''}`, width, '  '));
  yield lines.join('\n') + '\n';
}

/** The text report as one string (see {@link textChunks}). */
export function formatText(result: CheckResult, options: TextOptions): string {
  return [...textChunks(result, options)].join('');
}
