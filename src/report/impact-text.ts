/** How a finding's simulated impact reads in text. */
import type { FindingImpact } from '../rules/types.js';

/**
 * The impact line under a finding: "≈ 37 failed requests per rollout at 100 rps", or what the
 * simulator found instead (nothing saved, or worse).
 */
export function impactText(impact: FindingImpact): string {
  const rps = impact.rps.toLocaleString('en-US');
  if (impact.verdict === 'worse') {
    const n = Math.max(1, Math.round(-impact.failedRequests));
    return `its fix would add ≈ ${n.toLocaleString('en-US')} failed request${n === 1 ? '' : 's'} per rollout at ${rps} rps: not offered`;
  }
  const n = impact.verdict === 'nothing' ? 0 : Math.round(impact.failedRequests);
  const head = `≈ ${n.toLocaleString('en-US')} failed request${n === 1 ? '' : 's'} per rollout at ${rps} rps`;
  return impact.verdict === 'nothing' ? `${head}: under the model ${impact.advice ? 'its advice' : 'its fix'} saves nothing (at most a warning)` : head;
}

/** The simulation behind the number: "simulated: 753 → 0 with the fix; 1 other fix applied on both sides". */
export function impactBasis(impact: FindingImpact): string {
  const others = impact.otherFixes === 0 ? '' : `; ${impact.otherFixes} other fix${impact.otherFixes === 1 ? '' : 'es'} applied on both sides`;
  return `simulated: ${impact.before} → ${impact.after} with ${impact.advice ?? 'the fix'}${others}`;
}
