/**
 * Cloud LB health checks in the simulator: they run on the LB's own clock, so `threshold` checks
 * in a row take ((threshold − 1)·interval, threshold·interval] from the change; a newly
 * registered target "must pass one health check to be considered healthy" (AWS ALB docs, "Health
 * checks for your target groups"), while healthyThreshold applies to an unhealthy target that
 * recovers; with a readiness gate the controller registers the pod once its containers are ready
 * (aws-load-balancer-controller#3197).
 */
import { describe, expect, it } from 'vitest';
import { nextCheck, simulateCluster, type World } from '../../src/sim/cluster.js';
import type { SimInput } from '../../src/sim/params.js';
import { createRandom } from '../../src/sim/random.js';
import { simInputOf, type PodOverrides } from './inputs.js';

const SEEDS = 300;
const healthCheck = { intervalSeconds: 5, healthyThreshold: 3, unhealthyThreshold: 2 };
const fixed = (s: number) => ({ p50: s, p99: s });

/** Times of the runs' first matching view event, over the seeds. */
function times(input: SimInput, pick: (w: World) => number | undefined): number[] {
  const out: number[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const t = pick(simulateCluster(input, createRandom(seed)));
    if (t === undefined) throw new Error(`seed ${seed}: no event`);
    out.push(t);
  }
  return out;
}

/** Every value in (lo, hi], and the values cover it: within 2 % of the interval of both ends. */
function expectUniformIn(values: number[], lo: number, hi: number): void {
  for (const v of values) {
    expect(v).toBeGreaterThan(lo);
    expect(v).toBeLessThanOrEqual(hi + 1e-9);
  }
  expect(Math.min(...values)).toBeLessThan(lo + 0.02 * (hi - lo));
  expect(Math.max(...values)).toBeGreaterThan(hi - 0.02 * (hi - lo));
  // Not always the maximum: the mean sits near the middle.
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  expect(Math.abs(mean - (lo + hi) / 2)).toBeLessThan(0.1 * (hi - lo));
}

describe('the LB\'s own health-check clock', () => {
  it('checks fall every interval from the target\'s phase, strictly after the change', () => {
    expect(nextCheck(1.5, 5, 1)).toBe(1.5);
    expect(nextCheck(1.5, 5, 1.5)).toBe(6.5);
    expect(nextCheck(1.5, 5, 7)).toBe(11.5);
  });

  it('Local policy: a node without a ready local endpoint is marked down 1 + (5, 10] s after the pod\'s deletion, and up again (10, 15] s after kube-proxy sees the new one', () => {
    // One node, maxSurge 0: the old pod is deleted at 0; kube-proxy drops it at 1 (sync 1 s):
    // unhealthyThreshold 2 × interval 5. The new pod is Ready at 31 (nginx listens 30 s after
    // its start), kube-proxy has it at 32; the node is still a backend (deregistration 1,000 s),
    // so it recovers after healthyThreshold 3 checks.
    const input = simInputOf(
      {
        replicas: 1,
        nodes: 1,
        strategy: { kind: 'Deployment', type: 'RollingUpdate', surge: 0, unavailable: 1 },
        entry: { kind: 'lb-node', policy: 'Local' },
        lb: { deregister: fixed(1000), register: fixed(2), healthCheck },
        proxy: { sync: fixed(1), terminatingEndpoints: false },
      },
      { appStartupSeconds: 30 },
    );
    const lbNode = (w: World, state: 'ready' | 'absent') => w.viewEvents.find((e) => e.layer === 'lb-node' && e.state === state && e.time >= 0)?.time;
    expectUniformIn(times(input, (w) => lbNode(w, 'absent')), 1 + 5, 1 + 10);
    expectUniformIn(times(input, (w) => lbNode(w, 'ready')), 32 + 10, 32 + 15);
  });
});

describe('a new pod target passes one health check', () => {
  const podTargets = (pod: PodOverrides = {}): SimInput =>
    simInputOf(
      { replicas: 1, strategy: { kind: 'Deployment', type: 'RollingUpdate', surge: 1, unavailable: 0 }, entry: { kind: 'lb-pod' }, lb: { deregister: fixed(3), register: fixed(2), healthCheck } },
      pod,
    );
  const newTargetIn = (w: World) => {
    const fresh = w.pods.find((p) => p.rev === 'new');
    return w.viewEvents.find((e) => e.layer === 'lb-pod' && e.pod === fresh?.id && e.state === 'ready')?.time;
  };

  it('without a readiness gate: in service (0, 5] s after its registration, not after healthyThreshold × interval', () => {
    // Ready at 4, registered 2 s later, then the first check.
    expectUniformIn(times(podTargets(), newTargetIn), 6, 11);
  });

  it('with a readiness gate: the gate\'s clock starts at container readiness, and Pod Ready waits for the first good check', () => {
    const input = podTargets({ lbReadinessGate: true });
    expectUniformIn(times(input, (w) => w.pods.find((p) => p.rev === 'new')?.readySince), 6, 11);
    // The LB sends to the target from the moment the gate turns true.
    for (let seed = 1; seed <= 20; seed++) {
      const w = simulateCluster(input, createRandom(seed));
      expect(newTargetIn(w)).toBe(w.pods.find((p) => p.rev === 'new')?.readySince);
    }
  });
});
