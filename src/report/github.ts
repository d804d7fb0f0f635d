import type { CheckResult } from '../engine/run.js';
import type { Finding } from '../rules/types.js';
import { CHUNK } from './chunks.js';

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function annotation(f: Finding): string {
  const level = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
  return `::${level} file=${escapeProperty(f.file)},line=${f.line},col=${f.column},title=${escapeProperty(`rollsafe ${f.ruleId}`)}::${escapeData(f.message)}\n`;
}

/** GitHub Actions workflow commands: one annotation per finding, CHUNK a piece (report/chunks.ts). */
export function* githubChunks(result: CheckResult): Generator<string> {
  for (let i = 0; i < result.findings.length; i += CHUNK) yield result.findings.slice(i, i + CHUNK).map(annotation).join('');
}

/** The annotations as one string (see {@link githubChunks}). */
export function formatGithub(result: CheckResult): string {
  return [...githubChunks(result)].join('');
}
