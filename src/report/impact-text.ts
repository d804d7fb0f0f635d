/** How a finding's simulated impact reads in text. */
import type { FindingImpact } from '../engine/types.js';

/** "≈ 37 failed requests per rollout at 100 rps". */
export function impactText(impact: FindingImpact): string {
  const n = Math.max(0, Math.round(impact.failedRequests));
  return `≈ ${n.toLocaleString('en-US')} failed request${n === 1 ? '' : 's'} per rollout at ${impact.rps.toLocaleString('en-US')} rps`;
}
