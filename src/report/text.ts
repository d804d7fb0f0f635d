import { impactBasis, impactText } from './impact-text.js';
import type { CheckResult } from '../engine/run.js';
import type { Severity } from '../rules/types.js';
import { summarizeCheck } from './summary.js';

export interface TextOptions {
  readonly color: boolean;
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

/** Findings grouped by file, one line each, then a summary line. */
export function formatText(result: CheckResult, options: TextOptions): string {
  const { color } = options;
  const lines: string[] = [];
  let file: string | undefined;
  for (const f of result.findings) {
    if (f.file !== file) {
      if (file !== undefined) lines.push('');
      file = f.file;
      lines.push(paint(color, 'underline', f.file));
    }
    const where = `${f.line}:${f.column}`.padEnd(8);
    const fix = f.fixable ? paint(color, 'dim', ' (fixable)') : '';
    lines.push(`  ${paint(color, 'dim', where)} ${severityLabel(f.severity, color)} ${f.message}  ${paint(color, 'dim', f.ruleId)}${fix}`);
    if (f.impact) lines.push(`  ${' '.repeat(8)} ${paint(color, 'bold', impactText(f.impact))} ${paint(color, 'dim', `(${impactBasis(f.impact)})`)}`);
  }
  for (const note of result.notes) lines.push(paint(color, 'dim', `note: ${note.file}:${note.line}: ${note.message}`));
  const s = summarizeCheck(result);
  const total = s.errors + s.warnings + s.infos;
  const fixable = result.findings.filter((f) => f.fixable).length;
  if (lines.length > 0) lines.push('');
  const head = total === 0 ? paint(color, 'bold', '✔ no findings') : paint(color, 'bold', `✖ ${plural(total, 'finding')} (${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${s.infos} info)`);
  lines.push(`${head} in ${plural(s.files, 'file')}, ${plural(s.objects, 'object')} · profile ${result.profile}${fixable > 0 ? ` · ${fixable} fixable` : ''}`);
  return lines.join('\n') + '\n';
}
