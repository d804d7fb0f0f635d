/**
 * The timing facts shared by check, simulate and advise: how the simulator draws a latency from a
 * profile's p50 and p99, and the preStop and drain rollsafe proposes from the same distribution.
 */
import { describe, expect, it } from 'vitest';
import { drainCoveringPreStop, latencyQuantile, recommendedPreStopSeconds } from '../../src/domain/prestop.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { propagationBudget, type Profile } from '../../src/profiles/types.js';
import { createRandom } from '../../src/sim/random.js';

function builtin(name: string): Profile {
  const p = findBuiltinProfile(name);
  if (!p) throw new Error(name);
  return p;
}

describe('latency draws', () => {
  // kubernetes#92836 made minSyncPeriod 1 s: kube-proxy takes about a second, p99 3 s. The draw
  // caps at p99 and keeps the fast side: no floor at p1 (0.33 s) or anywhere above 0.
  it('kube-proxy (p50 1 s, p99 3 s): half the draws under a second, none above 3 s, 1 % under p1', () => {
    const random = createRandom(1);
    const draws = Array.from({ length: 100_000 }, () => random.latency({ p50: 1, p99: 3 }));
    const share = (f: (x: number) => boolean): number => Math.round((draws.filter(f).length / draws.length) * 1000) / 1000;
    expect(share((x) => x < 1)).toBe(0.5);
    expect(share((x) => x < 1 / 3)).toBe(0.01);
    expect(Math.max(...draws)).toBe(3);
    expect(share((x) => x === 3)).toBe(0.01);
    expect(Math.min(...draws)).toBeLessThan(0.2);
  });
});

describe('the proposed preStop: the slowest path\'s 99.9th percentile, rounded up', () => {
  it.each([
    // [profile, via the LB, budget, 99.9th percentile, proposed preStop]
    ['generic', false, 3, 4.3, 5],
    ['gke-neg', false, 10, 12.56, 13],
    ['ack-flannel', true, 30, 34.27, 35],
    ['eks-alb-ip', true, 25, 26.9, 27],
    ['eks-nlb-ip', true, 120, 131.89, 132],
    ['gke-neg', true, 40, 43.96, 44],
    ['aks', true, 13, 14.95, 15],
    ['eks-instance', true, 33, 36.89, 37],
  ] as const)('%s (LB: %s): budget %d s, p99.9 %d s → %d s', (name, viaLoadBalancer, seconds, p999, preStop) => {
    const budget = propagationBudget(builtin(name), { viaLoadBalancer, viaIngress: false });
    expect(budget.seconds).toBe(seconds);
    expect(Math.round(latencyQuantile(budget.latency, 3.090232306167813) * 100) / 100).toBe(p999);
    expect(recommendedPreStopSeconds(budget)).toBe(preStop);
  });

  it('a degenerate latency (p50 = p99) proposes its p99', () => {
    expect(recommendedPreStopSeconds({ seconds: 10, latency: { p50: 10, p99: 10 } })).toBe(10);
  });
});

describe('the proposed drain: it outlasts the preStop from the earliest deregistration (0.1st percentile)', () => {
  it('NLB IP targets: 132 s preStop − 61.4 s → 71 s; ACK: the recommended 30 s covers 35 − 11.7 s', () => {
    expect(Math.round(latencyQuantile({ p50: 90, p99: 120 }, -3.090232306167813) * 10) / 10).toBe(61.4);
    expect(drainCoveringPreStop(builtin('eks-nlb-ip').loadBalancer?.deregister, 30, 132)).toBe(71);
    expect(drainCoveringPreStop(builtin('ack-terway').loadBalancer?.deregister, 30, 35)).toBe(30);
    expect(drainCoveringPreStop(builtin('ack-terway').loadBalancer?.deregister, 30, 60)).toBe(49);
    // An LB that removes no serving backend (undefined) needs the drain to cover the whole preStop.
    expect(drainCoveringPreStop(undefined, 30, 60)).toBe(60);
  });
});
