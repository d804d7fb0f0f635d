/** The preStop delay and LB drain timeout that rollsafe proposes. */
import type { Profile } from '../profiles/types.js';
import { hasSleepAction } from './versions.js';

/**
 * The preStop sleep rollsafe proposes: the propagation budget (p99) plus a 5 s margin (one more
 * kube-proxy sync at the low end of the 5–10 s guidance, knowledge/cloud-load-balancers.md §5),
 * rounded up to whole seconds.
 */
export function recommendedPreStopSeconds(budgetSeconds: number): number {
  return Math.ceil(budgetSeconds + 5);
}

/** The preStop hook to add: native sleep where the version has it, else exec sleep (strings). */
export function preStopHook(version: string, seconds: number): Record<string, unknown> {
  return hasSleepAction(version) ? { sleep: { seconds } } : { exec: { command: ['sleep', String(seconds)] } };
}

/**
 * A connection-drain timeout long enough that the LB does not cut a removed backend's connections
 * before its pod closes them itself after a `preStop`-second sleep: the LB removes the backend at
 * the earliest after the low end of its deregistration latency (p1 = p50² / p99, the range the
 * simulator draws from), so the drain must last `preStop − p1`; never less than `recommended`.
 */
export function drainCoveringPreStop(profile: Profile, recommended: number, preStop: number): number {
  const deregister = profile.loadBalancer?.deregister;
  const earliest = deregister && deregister.p99 > 0 ? (deregister.p50 * deregister.p50) / deregister.p99 : 0;
  return Math.max(recommended, Math.ceil(preStop - earliest));
}
