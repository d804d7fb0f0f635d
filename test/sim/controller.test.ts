/**
 * Controller fidelity of the simulator's control plane (src/sim/cluster.ts) against the worked
 * examples of the Kubernetes controllers' source: Deployment RollingUpdate fenceposts and the pod
 * counts after each step (rolling.go, deployment_util.go), minReadySeconds (IsPodAvailable),
 * Recreate (recreate.go), the ReplicaSet's deletion order (controller_utils.go), StatefulSet
 * (pkg/controller/statefulset) and DaemonSet (pkg/controller/daemon/update.go).
 *
 * Every input is built by hand (no profile), so every number is under the test's control. Pod
 * timing with the defaults below, for a pod created at time c: container running at c + 1, app
 * listening at c + 4, readiness probe (initialDelay 0, period 1) first succeeds at c + 4, so the
 * pod is Ready (and, with minReadySeconds 0, available) at c + 4. A deleted pod runs its 5 s
 * preStop, gets SIGTERM, drains for 1 s and is gone at deletion + 6 s.
 *
 * Times are read from World.pods: `created`, `deletedAt` (deletionTimestamp set), `gone` (process
 * exited) and `readySince` (Pod Ready turned true). Several controller passes can happen at one
 * simulated instant; the World records their combined effect at that instant, so the counts below
 * are the state after all events of an instant.
 */
import { describe, expect, it } from 'vitest';
import { resolveFenceposts } from '../../src/model/intstr.js';
import { simulateCluster, type SimPod, type World } from '../../src/sim/cluster.js';
import type { SimInput, StrategyInput } from '../../src/sim/params.js';
import { createRandom } from '../../src/sim/random.js';
import { simInputOf, type InputOverrides, type PodOverrides } from './inputs.js';

/** Seconds from creation to Ready with the default pod below. */
const READY_AFTER = 4;
/** Seconds from deletion to gone with the default pod below (preStop 5 + drain 1). */
const GONE_AFTER = 6;

/** The shared default input (test/sim/inputs.ts). */
function input(overrides: InputOverrides = {}, pod: PodOverrides = {}): SimInput {
  return simInputOf(overrides, pod);
}

/** A Deployment RollingUpdate strategy from maxSurge / maxUnavailable, resolved as params.ts does. */
function rolling(maxSurge: unknown, maxUnavailable: unknown, replicas: number): StrategyInput {
  const f = resolveFenceposts(maxSurge, maxUnavailable, replicas);
  if (!f) throw new Error('invalid fenceposts');
  return { kind: 'Deployment', type: 'RollingUpdate', surge: f.surge, unavailable: f.unavailable };
}

function run(sim: SimInput, seed = 1): World {
  return simulateCluster(sim, createRandom(seed));
}

const old = (w: World): SimPod[] => w.pods.filter((p) => p.rev === 'old');
const fresh = (w: World): SimPod[] => w.pods.filter((p) => p.rev === 'new');

/** Not deleted and not gone at t (state after every event at t). */
function isActive(p: SimPod, t: number): boolean {
  return p.created <= t && p.deletedAt > t && p.gone > t;
}

/** Ready for at least minReadySeconds and not deleted at t (pkg/api/v1/pod/util.go IsPodAvailable). */
function isAvailable(p: SimPod, t: number, minReady: number): boolean {
  return p.readySince + minReady <= t && p.deletedAt > t && p.gone > t;
}

/** Every instant at which some pod changes (from the rollout's start on). */
function eventTimes(w: World, minReady = 0): number[] {
  const times = new Set<number>([0]);
  for (const p of w.pods) {
    for (const t of [p.created, p.deletedAt, p.gone, p.readySince, p.readySince + minReady]) if (Number.isFinite(t) && t >= 0) times.add(t);
  }
  return [...times].sort((a, b) => a - b);
}

/** Counts of the pods created / deleted at each instant, by revision: `time → "+new -old"`. */
function steps(w: World): Record<string, string> {
  const out: Record<string, { created: number; deleted: number; newCreated: number; oldDeleted: number }> = {};
  const at = (t: number): { created: number; deleted: number; newCreated: number; oldDeleted: number } => (out[String(t)] ??= { created: 0, deleted: 0, newCreated: 0, oldDeleted: 0 });
  for (const p of w.pods) {
    if (p.created >= 0 && p.rev === 'new') at(p.created).newCreated++;
    if (Number.isFinite(p.deletedAt) && p.rev === 'old') at(p.deletedAt).oldDeleted++;
    if (Number.isFinite(p.deletedAt) && p.rev === 'new') at(p.deletedAt).deleted++;
    if (p.created >= 0 && p.rev === 'old') at(p.created).created++;
  }
  const result: Record<string, string> = {};
  for (const [t, c] of Object.entries(out)) {
    // Only new pods are ever created and only old pods deleted in these rollouts.
    expect(c.created, `old pod created at ${t}`).toBe(0);
    expect(c.deleted, `new pod deleted at ${t}`).toBe(0);
    result[t] = `+${c.newCreated} -${c.oldDeleted}`;
  }
  return result;
}

describe('resolveFenceposts: percentage rounding (deployment_util.go ResolveFenceposts)', () => {
  it('replicas 10 at 25 % / 25 %: surge ceil(2.5) = 3, unavailable floor(2.5) = 2', () => {
    expect(resolveFenceposts('25%', '25%', 10)).toEqual({ surge: 3, unavailable: 2, forced: false });
  });
  it('replicas 3 at 25 % / 25 %: surge 1, unavailable 0', () => {
    expect(resolveFenceposts('25%', '25%', 3)).toEqual({ surge: 1, unavailable: 0, forced: false });
  });
  it('replicas 1 at 25 % / 25 %: surge 1, unavailable 0', () => {
    expect(resolveFenceposts('25%', '25%', 1)).toEqual({ surge: 1, unavailable: 0, forced: false });
  });
  it('replicas 1 at maxSurge 0 % / maxUnavailable 25 %: both round to 0, unavailable forced to 1', () => {
    expect(resolveFenceposts('0%', '25%', 1)).toEqual({ surge: 0, unavailable: 1, forced: true });
  });
  it('absolute 0 / 0 is forced the same way; the defaults are 25 % / 25 %', () => {
    expect(resolveFenceposts(0, 0, 1)).toEqual({ surge: 0, unavailable: 1, forced: true });
    expect(resolveFenceposts(undefined, undefined, 10)).toEqual({ surge: 3, unavailable: 2, forced: false });
  });
  it('maxUnavailable is clamped to the replica count', () => {
    expect(resolveFenceposts(0, 5, 2)).toEqual({ surge: 0, unavailable: 2, forced: false });
  });
  it('malformed values are rejected', () => {
    expect(resolveFenceposts('25', '25%', 10)).toBeUndefined();
    expect(resolveFenceposts(-1, '25%', 10)).toBeUndefined();
  });
});

describe('Deployment RollingUpdate (pkg/controller/deployment/rolling.go)', () => {
  it('10 replicas at 25 % / 25 %: the worked example, step by step', () => {
    const sim = input({ strategy: rolling('25%', '25%', 10) });
    expect(sim.strategy).toEqual({ kind: 'Deployment', type: 'RollingUpdate', surge: 3, unavailable: 2 });
    const w = run(sim);
    expect(w.completed).toBe(true);
    // Before the rollout: 10 old pods, all available.
    expect(old(w)).toHaveLength(10);
    expect(w.pods.filter((p) => isAvailable(p, -1, 0))).toHaveLength(10);
    // Time 0: newRS → 3 (13 pods), maxScaledDown = 13 - 8 - 3 = 2 → old 10 → 8 (11 pods, 8
    // available), then newRS → 5 (the source comment's "oldRS scaled to 8, newRS to 5"): 13 pods.
    // At t = 4 the first 5 new pods are available: old 8 → 3, new 5 → 10; at t = 8 the next 5
    // are: old 3 → 0.
    expect(steps(w)).toEqual({ '0': '+5 -2', [READY_AFTER]: '+5 -5', [2 * READY_AFTER]: '+0 -3' });
    const at0 = w.pods.filter((p) => isActive(p, 0));
    expect(at0.filter((p) => p.rev === 'old')).toHaveLength(8);
    expect(at0.filter((p) => p.rev === 'new')).toHaveLength(5);
    expect(w.pods.filter((p) => isAvailable(p, 0, 0))).toHaveLength(8);
    const at4 = w.pods.filter((p) => isActive(p, READY_AFTER));
    expect(at4.filter((p) => p.rev === 'old')).toHaveLength(3);
    expect(at4.filter((p) => p.rev === 'new')).toHaveLength(10);
    expect(w.pods.filter((p) => isAvailable(p, READY_AFTER, 0))).toHaveLength(8);
    expect(w.rolloutSeconds).toBe(2 * READY_AFTER);
    // Old pods are gone GONE_AFTER seconds after their deletion.
    for (const p of old(w)) expect(p.gone - p.deletedAt).toBe(GONE_AFTER);
  });

  it('10 replicas with maxSurge 3 / maxUnavailable 0: surge first, one old pod per available new pod', () => {
    const w = run(input({ strategy: rolling(3, 0, 10) }));
    // t=0: newRS → 3, maxScaledDown = 13 - 10 - 3 = 0: nothing deleted. Each new pod that becomes
    // available frees one old pod, and the freed slot goes to one more new pod.
    expect(steps(w)).toEqual({ '0': '+3 -0', '4': '+3 -3', '8': '+3 -3', '12': '+1 -3', '16': '+0 -1' });
    expect(w.completed).toBe(true);
  });

  it('the ResolveFenceposts doc-comment sequences for 2 replicas', () => {
    // "2 desired, max unavailable 1%, surge 0% - should scale old(-1), then new(+1), then old(-1), then new(+1)"
    const down = run(input({ replicas: 2, strategy: rolling('0%', '1%', 2) }));
    expect(down.input.strategy).toEqual({ kind: 'Deployment', type: 'RollingUpdate', surge: 0, unavailable: 1 });
    expect(steps(down)).toEqual({ '0': '+1 -1', '4': '+1 -1' });
    // "2 desired, max unavailable 25%, surge 1% - should scale new(+1), then old(-1), then new(+1), then old(-1)"
    const up = run(input({ replicas: 2, strategy: rolling('1%', '25%', 2) }));
    expect(up.input.strategy).toEqual({ kind: 'Deployment', type: 'RollingUpdate', surge: 1, unavailable: 0 });
    expect(steps(up)).toEqual({ '0': '+1 -0', '4': '+1 -1', '8': '+0 -1' });
    for (const w of [down, up]) {
      for (const t of eventTimes(w)) expect(w.pods.filter((p) => isActive(p, t)).length).toBeLessThanOrEqual(w === up ? 3 : 2);
    }
  });

  it('1 replica with maxSurge 0 / maxUnavailable 0 → unavailable 1: the old pod is deleted, then the new one created', () => {
    const strategy = rolling(0, 0, 1);
    expect(strategy).toEqual({ kind: 'Deployment', type: 'RollingUpdate', surge: 0, unavailable: 1 });
    const w = run(input({ replicas: 1, strategy }));
    const [o] = old(w);
    const [n] = fresh(w);
    expect(fresh(w)).toHaveLength(1);
    expect(o?.deletedAt).toBe(0);
    expect(n?.created).toBe(0);
    // Deleted before the new one was created: never two non-deleted pods, and no available pod
    // until the new one is Ready (the downtime this configuration causes).
    for (const t of eventTimes(w)) expect(w.pods.filter((p) => isActive(p, t)).length).toBeLessThanOrEqual(1);
    expect(w.pods.filter((p) => isAvailable(p, 0, 0))).toHaveLength(0);
    expect(n?.readySince).toBe(READY_AFTER);
    expect(w.completed).toBe(true);
  });

  it('1 replica at 25 % / 25 % (surge 1, unavailable 0): the new pod first, the old one deleted when it is available', () => {
    const w = run(input({ replicas: 1, strategy: rolling('25%', '25%', 1) }));
    expect(steps(w)).toEqual({ '0': '+1 -0', '4': '+0 -1' });
    for (const t of eventTimes(w)) expect(w.pods.filter((p) => isAvailable(p, t, 0)).length).toBeGreaterThanOrEqual(1);
  });

  it('invariants for every small fencepost combination: ≤ replicas + surge pods, ≥ replicas − unavailable available', () => {
    let cases = 0;
    for (let replicas = 1; replicas <= 12; replicas++) {
      for (let surge = 0; surge <= 3; surge++) {
        for (let unavailable = 0; unavailable <= Math.min(3, replicas); unavailable++) {
          if (surge === 0 && unavailable === 0) continue;
          for (const minReady of [0, 3]) {
            const seed = replicas * 100 + surge * 10 + unavailable + minReady;
            const w = run(input({ replicas, strategy: { kind: 'Deployment', type: 'RollingUpdate', surge, unavailable }, minReadySeconds: minReady }), seed);
            const label = `replicas ${replicas} surge ${surge} unavailable ${unavailable} minReady ${minReady} seed ${seed}`;
            expect(w.completed, label).toBe(true);
            for (const t of eventTimes(w, minReady)) {
              const active = w.pods.filter((p) => isActive(p, t)).length;
              const available = w.pods.filter((p) => isAvailable(p, t, minReady)).length;
              expect(active, `${label} t=${t}`).toBeLessThanOrEqual(replicas + surge);
              expect(available, `${label} t=${t}`).toBeGreaterThanOrEqual(replicas - unavailable);
            }
            // The end: exactly `replicas` new pods, all available, and no old pod.
            const end = w.rolloutSeconds;
            expect(fresh(w).filter((p) => isAvailable(p, end, minReady)), label).toHaveLength(replicas);
            expect(old(w).filter((p) => isActive(p, end)), label).toHaveLength(0);
            expect(fresh(w).every((p) => p.deletedAt === Infinity), label).toBe(true);
            cases++;
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(300);
  });

  it('minReadySeconds delays each scale-down of old pods by that many seconds after a new pod is Ready', () => {
    const base = run(input({ strategy: rolling('25%', '25%', 10) }));
    const delayed = run(input({ strategy: rolling('25%', '25%', 10), minReadySeconds: 5 }));
    const deletions = (w: World): number[] => old(w).map((p) => p.deletedAt).sort((a, b) => a - b);
    // Without: 2 at 0, 5 when the first new pods are Ready (4), 3 when the next are (8).
    expect(deletions(base)).toEqual([0, 0, 4, 4, 4, 4, 4, 8, 8, 8]);
    // With 5 s: the first new pods are Ready at 4 but available at 9; the next ones are created at
    // 9, Ready at 13 and available at 18.
    expect(deletions(delayed)).toEqual([0, 0, 9, 9, 9, 9, 9, 18, 18, 18]);
    // Every scale-down after the first step happens exactly when a new pod turns available.
    const availableAt = new Set(fresh(delayed).map((p) => p.readySince + 5));
    for (const p of old(delayed)) if (p.deletedAt > 0) expect(availableAt.has(p.deletedAt)).toBe(true);
    expect(delayed.completed).toBe(true);
    expect(delayed.rolloutSeconds).toBe(18);
  });
});

describe('Deployment Recreate (pkg/controller/deployment/recreate.go)', () => {
  for (const sigterm of ['graceful', 'ignore'] as const) {
    it(`no new pod is created before every old pod is gone (SIGTERM ${sigterm})`, () => {
      for (let seed = 1; seed <= 5; seed++) {
        const w = run(input({ strategy: { kind: 'Deployment', type: 'Recreate' } }, { sigterm }), seed);
        const lastGone = Math.max(...old(w).map((p) => p.gone));
        // All old pods are deleted at once; graceful: gone after preStop + drain; ignore: SIGKILL at the grace deadline.
        expect(old(w).every((p) => p.deletedAt === 0)).toBe(true);
        expect(lastGone).toBe(sigterm === 'graceful' ? GONE_AFTER : 30);
        expect(fresh(w)).toHaveLength(10);
        for (const p of fresh(w)) expect(p.created).toBe(lastGone);
        // In between no pod is available: the downtime of Recreate.
        expect(w.pods.filter((p) => isAvailable(p, lastGone, 0))).toHaveLength(0);
        expect(w.completed).toBe(true);
        expect(w.rolloutSeconds).toBe(lastGone + READY_AFTER);
      }
    });
  }
});

describe('ReplicaSet deletion order (controller_utils.go ActivePodsWithRanks)', () => {
  it('a pod doubled up on a node is deleted before one alone on its node', () => {
    // 3 replicas on 2 nodes: node 0 holds two old pods, node 1 one. maxSurge 0 / maxUnavailable 1:
    // one old pod is deleted at time 0, before any new pod exists; all are Ready equally long.
    for (let seed = 1; seed <= 20; seed++) {
      const w = run(input({ replicas: 3, nodes: 2, strategy: { kind: 'Deployment', type: 'RollingUpdate', surge: 0, unavailable: 1 } }), seed);
      expect(old(w).map((p) => p.node)).toEqual([0, 1, 0]);
      const first = old(w).filter((p) => p.deletedAt === 0);
      expect(first, `seed ${seed}`).toHaveLength(1);
      expect(first[0]?.node, `seed ${seed}`).toBe(0);
    }
  });

  it('with 5 pods on 3 nodes (2, 2, 1) the 2 deleted first come from the doubled-up nodes', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const w = run(input({ replicas: 5, nodes: 3, strategy: { kind: 'Deployment', type: 'RollingUpdate', surge: 0, unavailable: 2 } }), seed);
      const first = old(w).filter((p) => p.deletedAt === 0);
      expect(first, `seed ${seed}`).toHaveLength(2);
      for (const p of first) expect(p.node, `seed ${seed}`).not.toBe(2);
    }
  });

  it('not-ready (and pending) old pods are deleted before Ready (and running) ones, on many seeds', () => {
    // The LB readiness gate holds Pod Ready until the LB registered the pod; with a registration
    // latency around the warm-up time, some old pods are Ready at time 0 and others not, at random.
    const sim = input(
      {
        strategy: rolling('25%', '25%', 10),
        entry: { kind: 'lb-pod' },
        lb: { deregister: { p50: 5, p99: 10 }, register: { p50: 900, p99: 1000 }, healthCheck: { intervalSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 2 } },
        progressDeadlineSeconds: 10_000,
      },
      { lbReadinessGate: true },
    );
    const runningAt = (p: SimPod): number => p.created + sim.pod.containerStartSeconds;
    let instants = 0;
    let mixed = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const w = run(sim, seed);
      const times = [...new Set(old(w).map((p) => p.deletedAt).filter(Number.isFinite))];
      for (const t of times) {
        const deleted = old(w).filter((p) => p.deletedAt === t);
        const kept = old(w).filter((p) => p.created < t && p.deletedAt > t && p.gone > t);
        instants++;
        for (const d of deleted) {
          for (const k of kept) {
            const label = `seed ${seed} t=${t}: kept ${k.name} deleted ${d.name}`;
            // Ties (a change at the very instant) are not observable from the World: skipped.
            if (runningAt(k) > t && runningAt(d) < t) expect.fail(`pending pod kept, running one deleted: ${label}`);
            if (k.readySince > t && d.readySince < t) expect.fail(`not-ready pod kept, Ready one deleted: ${label}`);
            if (k.readySince < t && d.readySince > t) mixed++;
          }
        }
      }
    }
    expect(instants).toBeGreaterThan(30);
    // The scenario does exercise the rule: Ready pods were kept while not-ready ones were deleted.
    expect(mixed).toBeGreaterThan(10);
  });
});

describe('StatefulSet RollingUpdate (Kubernetes docs, StatefulSets, "Rolling Updates")', () => {
  const sts = (partition: number, replicas = 4): SimInput => input({ resource: 'StatefulSet/default/db', replicas, strategy: { kind: 'StatefulSet', partition } });

  it('replaces one pod at a time from the highest ordinal down; each new pod after its old one is gone', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const w = run(sts(0), seed);
      expect(w.completed).toBe(true);
      const byOrdinal = (pods: SimPod[], i: number): SimPod => pods.find((p) => p.ordinal === i) as SimPod;
      expect(old(w).map((p) => p.ordinal)).toEqual([0, 1, 2, 3]);
      expect(fresh(w).map((p) => p.ordinal)).toEqual([3, 2, 1, 0]);
      for (let i = 3; i >= 0; i--) {
        const o = byOrdinal(old(w), i);
        const n = byOrdinal(fresh(w), i);
        // No surge: the new pod with this ordinal is created when the old one is gone.
        expect(n.created).toBe(o.gone);
        expect(o.gone - o.deletedAt).toBe(GONE_AFTER);
        // The next lower ordinal is touched only once this one's new pod is Running and Ready.
        if (i > 0) expect(byOrdinal(old(w), i - 1).deletedAt).toBe(n.readySince);
      }
      expect(byOrdinal(old(w), 3).deletedAt).toBe(0);
      // Step length: preStop + drain, then start to Ready.
      expect(old(w).map((p) => p.deletedAt)).toEqual([30, 20, 10, 0]);
      // At most one ordinal is without an available pod at any time.
      for (const t of eventTimes(w)) {
        const down = [0, 1, 2, 3].filter((i) => !w.pods.some((p) => p.ordinal === i && isAvailable(p, t, 0)));
        expect(down.length, `seed ${seed} t=${t}`).toBeLessThanOrEqual(1);
      }
      expect(w.rolloutSeconds).toBe(40);
    }
  });

  it('partition: ordinals below it keep the old revision', () => {
    const w = run(sts(2));
    expect(w.completed).toBe(true);
    expect(fresh(w).map((p) => p.ordinal)).toEqual([3, 2]);
    for (const p of old(w)) {
      if (p.ordinal < 2) expect(p.deletedAt, p.name).toBe(Infinity);
      else expect(p.deletedAt, p.name).toBeLessThan(Infinity);
    }
    // Partition ≥ replicas: nothing is updated.
    const none = run(sts(4));
    expect(fresh(none)).toHaveLength(0);
    expect(old(none).every((p) => p.deletedAt === Infinity)).toBe(true);
  });
});

describe('DaemonSet RollingUpdate (pkg/controller/daemon/update.go)', () => {
  const ds = (surge: number, unavailable: number, nodes = 4): SimInput =>
    input({ resource: 'DaemonSet/default/agent', replicas: nodes, nodes, strategy: { kind: 'DaemonSet', surge, unavailable } });
  /** Nodes without an available pod at t. */
  const downAt = (w: World, t: number): number => Array.from({ length: w.nodes }, (_, n) => n).filter((n) => !w.pods.some((p) => p.node === n && isAvailable(p, t, 0))).length;

  for (const unavailable of [1, 2]) {
    it(`maxUnavailable ${unavailable}, maxSurge 0: at most ${unavailable} node(s) without an available pod; delete, then create`, () => {
      for (let seed = 1; seed <= 5; seed++) {
        const w = run(ds(0, unavailable), seed);
        expect(w.completed).toBe(true);
        expect(old(w).map((p) => p.node)).toEqual([0, 1, 2, 3]);
        expect(fresh(w).map((p) => p.node).sort()).toEqual([0, 1, 2, 3]);
        let worst = 0;
        for (const t of eventTimes(w)) {
          const down = downAt(w, t);
          worst = Math.max(worst, down);
          expect(down, `seed ${seed} t=${t}`).toBeLessThanOrEqual(unavailable);
        }
        expect(worst).toBe(unavailable);
        for (let n = 0; n < 4; n++) {
          const o = old(w).find((p) => p.node === n) as SimPod;
          const f = fresh(w).find((p) => p.node === n) as SimPod;
          expect(f.created).toBe(o.gone);
        }
        // Exactly `unavailable` old pods are deleted at time 0.
        expect(old(w).filter((p) => p.deletedAt === 0)).toHaveLength(unavailable);
      }
    });
  }

  it('maxSurge 1: the new pod on a node is created before the old one is deleted, one node at a time', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const w = run(ds(1, 0), seed);
      expect(w.completed).toBe(true);
      for (let n = 0; n < 4; n++) {
        const o = old(w).find((p) => p.node === n) as SimPod;
        const f = fresh(w).find((p) => p.node === n) as SimPod;
        expect(f.created).toBeLessThan(o.deletedAt);
        // The old pod goes when the new one is available.
        expect(o.deletedAt).toBe(f.readySince);
      }
      for (const t of eventTimes(w)) {
        expect(downAt(w, t), `seed ${seed} t=${t}`).toBe(0);
        const surging = Array.from({ length: 4 }, (_, n) => n).filter((n) => w.pods.filter((p) => p.node === n && isActive(p, t)).length > 1);
        expect(surging.length, `seed ${seed} t=${t}`).toBeLessThanOrEqual(1);
      }
      expect(fresh(w).map((p) => p.created)).toEqual([0, 4, 8, 12]);
    }
  });
});
