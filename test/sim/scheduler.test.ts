/**
 * The simulated kube-scheduler (src/sim/cluster.ts scoreNodes) against its sources: the default
 * score plugins and weights (pkg/scheduler/apis/config/v1/default_plugins.go), PodTopologySpread's
 * scoring of the system default constraints (podtopologyspread/scoring.go), SelectorSpread before
 * 1.20 (selectorspread/selector_spread.go), preferred node affinity as a score.
 */
import { describe, expect, it } from 'vitest';
import { scoreNodes, selectorSpreadScores, simulateCluster, topologySpreadScores, type SimPod } from '../../src/sim/cluster.js';
import { controlOf } from '../../src/sim/params.js';
import { createRandom } from '../../src/sim/random.js';
import { simInputOf } from './inputs.js';

/** The fields scoreNodes reads, for a pod of `rev` on `node`. */
function pod(rev: 'old' | 'new', node: number, deleted = false): SimPod {
  return { rev, node, deletedAt: deleted ? 0 : Infinity, gone: Infinity } as SimPod;
}

describe('PodTopologySpread scores (never filters) the hostname default constraint', () => {
  it('per node round(count · ln(nodes + 2) + maxSkew − 1), normalised to 100 · (max + min − s) / max', () => {
    // 2 nodes: ln 4 = 1.386; counts 1, 0 → 3, 2 → 100 · 2 / 3 = 66, 100 · 3 / 3 = 100.
    expect(topologySpreadScores([1, 0])).toEqual([66, 100]);
    // Equal counts score equal: 3 nodes with no pod → 2 each → 100.
    expect(topologySpreadScores([0, 0, 0])).toEqual([100, 100, 100]);
    // 3 nodes: ln 5 = 1.609; counts 4, 0, 0 → 8, 2, 2 → 25, 100, 100.
    expect(topologySpreadScores([4, 0, 0])).toEqual([25, 100, 100]);
  });

  it('before 1.20 SelectorSpread: 100 · (max − count) / max', () => {
    expect(selectorSpreadScores([1, 0, 0])).toEqual([0, 100, 100]);
    expect(selectorSpreadScores([2, 1, 0])).toEqual([0, 50, 100]);
    expect(selectorSpreadScores([0, 0])).toEqual([100, 100]);
    // The system default constraints came on by default with DefaultPodTopologySpread's beta in
    // 1.20 (alpha, off, in 1.19: kubernetes/enhancements#1258).
    expect(controlOf('1.19').spreading).toBe('selector');
    expect(controlOf('1.20').spreading).toBe('topology');
  });

  it('counts only the pod\'s own ReplicaSet and skips terminating pods', () => {
    const input = simInputOf({ nodes: 3, eligibleNodes: 3 });
    // Node 0 holds three old pods, node 1 a terminating new pod; a new pod's spread sees no pod
    // anywhere, so the emptier nodes win only by the resource scores.
    const pods = [pod('old', 0), pod('old', 0), pod('old', 0), pod('new', 1, true)];
    // Spread 100 · 2 everywhere; LeastAllocated (cpu, memory averaged) and BalancedAllocation by
    // pods on the node (+1 for the new one): 4 → 92, 97; 2 → 95, 99; 1 → 97, 99.
    expect(scoreNodes(input, pods, 'new')).toEqual([200 + 92 + 97, 200 + 95 + 99, 200 + 97 + 99]);
    // An old pod's spread does count the three old pods on node 0: 7, 2, 2 → 28, 100, 100.
    expect(scoreNodes(input, pods, 'old')).toEqual([2 * 28 + 92 + 97, 200 + 95 + 99, 200 + 97 + 99]);
  });

  it('ScheduleAnyway: a preferred node affinity outweighs a skew beyond maxSkew 3', () => {
    const input = simInputOf({ nodes: 3, eligibleNodes: 3, preferredNodes: 1 });
    const pods = [pod('new', 0), pod('new', 0), pod('new', 0), pod('new', 0)];
    // Node 0: spread 25 · 2 + affinity 100 · 2 + 90 + 96 = 436; nodes 1, 2: 200 + 0 + 97 + 99 = 396.
    expect(scoreNodes(input, pods, 'new')).toEqual([436, 396, 396]);
  });
});

describe('pods created together are scheduled one at a time', () => {
  it('three surge pods on three equal nodes land one per node, in every run', () => {
    const input = simInputOf({ replicas: 3, strategy: { kind: 'Deployment', type: 'RollingUpdate', surge: 3, unavailable: 0 } });
    for (let seed = 1; seed <= 100; seed++) {
      const w = simulateCluster(input, createRandom(seed));
      const fresh = w.pods.filter((p) => p.rev === 'new' && p.created === 0);
      expect(fresh.map((p) => p.node).sort(), `seed ${seed}`).toEqual([0, 1, 2]);
    }
  });

  it('ties are broken at random: the first of them goes to every node over the seeds', () => {
    const input = simInputOf({ replicas: 3, strategy: { kind: 'Deployment', type: 'RollingUpdate', surge: 1, unavailable: 0 } });
    const first = new Set<number>();
    for (let seed = 1; seed <= 30; seed++) first.add(simulateCluster(input, createRandom(seed)).pods.find((p) => p.rev === 'new')?.node ?? -1);
    expect([...first].sort()).toEqual([0, 1, 2]);
  });

  it('required node affinity filters: every pod on the eligible nodes', () => {
    const input = simInputOf({ replicas: 6, nodes: 3, eligibleNodes: 2 });
    const w = simulateCluster(input, createRandom(1));
    expect(new Set(w.pods.map((p) => p.node))).toEqual(new Set([0, 1]));
    // The settled layout before the rollout: 3 and 3.
    expect(w.pods.filter((p) => p.rev === 'old').map((p) => p.node)).toEqual([0, 1, 0, 1, 0, 1]);
  });
});
