/** The finding categories in the order a rollout meets them (where requests fail), for the summary table. */
import type { Category } from '../../rules/types.js';

export const CATEGORIES: readonly { readonly id: Category; readonly where: string }[] = [
  { id: 'startup', where: 'new pod gets traffic too early' },
  { id: 'termination', where: 'old pod stops too early' },
  { id: 'node-routing', where: 'node without a local pod' },
  { id: 'lb-drain', where: 'load balancer cuts connections' },
  { id: 'capacity', where: 'too few pods during the rollout' },
  { id: 'disruption', where: 'node drains and evictions' },
  { id: 'config', where: 'broken or inconsistent configuration' },
];
