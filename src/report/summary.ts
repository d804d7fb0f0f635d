import type { CheckResult } from '../engine/run.js';

/** Counts of findings by severity. */
export function summarizeCheck(result: CheckResult): { files: number; objects: number; errors: number; warnings: number; infos: number } {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const f of result.findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
    else infos++;
  }
  return { files: result.files, objects: result.objects, errors, warnings, infos };
}
