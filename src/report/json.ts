import type { CheckResult } from '../engine/run.js';
import { summarizeCheck } from './summary.js';
import { VERSION } from '../version.js';

/** The stable JSON shape other tools read. */
export function formatJson(result: CheckResult): string {
  return JSON.stringify(
    {
      version: VERSION,
      profile: result.profile,
      summary: summarizeCheck(result),
      findings: result.findings.map((f) => ({
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
      })),
      notes: result.notes,
    },
    null,
    2,
  ) + '\n';
}
