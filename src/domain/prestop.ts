/** The preStop delay and LB drain timeout that rollsafe proposes. */
import type { Budget, Latency } from '../profiles/types.js';
import { hasSleepAction } from './versions.js';

/** z of the 99th and 99.9th percentiles of the standard normal distribution. */
const Z99 = 2.3263478740408408;
const Z999 = 3.090232306167813;

/**
 * The q-quantile of the log-normal fitted to a latency's p50 and p99 (the distribution the
 * simulator draws from, src/sim/random.ts), given the standard normal's z of q.
 */
export function latencyQuantile(latency: Latency, z: number): number {
  if (latency.p50 <= 0 || latency.p99 <= latency.p50) return latency.p99;
  const sigma = (Math.log(latency.p99) - Math.log(latency.p50)) / Z99;
  return latency.p50 * Math.exp(sigma * z);
}

/**
 * The preStop sleep rollsafe proposes: the 99.9th percentile of the slowest path's latency,
 * rounded up to whole seconds, and never less than the budget (its p99). The budget is where
 * the simulator's draws stop; the proposal leaves room for the tail a real cluster has beyond
 * it: of a thousand endpoint changes, one reaches that layer later. (Kube-proxy with p50 1 s and
 * p99 3 s: 5 s; an ALB with IP targets, 20 s / 25 s: 27 s.)
 */
export function recommendedPreStopSeconds(budget: Pick<Budget, 'seconds' | 'latency'>): number {
  return Math.ceil(Math.max(budget.seconds, latencyQuantile(budget.latency, Z999)) - 1e-9);
}

/** The preStop hook to add: native sleep where the version has it, else exec sleep (strings). */
export function preStopHook(version: string, seconds: number): Record<string, unknown> {
  return hasSleepAction(version) ? { sleep: { seconds } } : { exec: { command: ['sleep', String(seconds)] } };
}

/**
 * A connection-drain timeout long enough that the LB does not cut a removed backend's connections
 * before its pod closes them itself after a `preStop`-second sleep: the LB removes the backend at
 * the earliest after the 0.1st percentile of its deregistration latency (the mirror of the
 * proposed preStop's 99.9th), so the drain must last `preStop` minus that; never less than
 * `recommended`.
 */
export function drainCoveringPreStop(deregister: Latency | undefined, recommended: number, preStop: number): number {
  const earliest = deregister && deregister.p99 > 0 ? latencyQuantile(deregister, -Z999) : 0;
  return Math.max(recommended, Math.ceil(preStop - earliest - 1e-9));
}
