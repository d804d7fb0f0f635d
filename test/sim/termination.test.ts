/**
 * Termination and scale-down in the simulator against their sources: the kubelet's SIGTERM and
 * SIGKILL times (pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer,
 * minimumGracePeriodInSeconds), the ReplicaSet's deletion order (pkg/controller/controller_utils.go
 * ActivePodsWithRanks, replica_set.go getPodsToDelete) and progressDeadlineSeconds, which only
 * sets a condition (pkg/controller/deployment/progress.go).
 */
import { describe, expect, it } from 'vitest';
import { deletionOrder, simulateCluster, terminationTimes, type SimPod } from '../../src/sim/cluster.js';
import { controlOf } from '../../src/sim/params.js';
import { createRandom } from '../../src/sim/random.js';
import { simInputOf } from './inputs.js';

const surgeOne = { kind: 'Deployment', type: 'RollingUpdate', surge: 1, unavailable: 0 } as const;

describe('SIGTERM and SIGKILL after deletion (killContainer)', () => {
  it('preStop gets at most the grace period; SIGKILL at max(grace, min(preStop, grace) + 2)', () => {
    expect(terminationTimes(5, 30)).toEqual({ sigterm: 5, kill: 30 });
    expect(terminationTimes(29, 30)).toEqual({ sigterm: 29, kill: 31 });
    expect(terminationTimes(30, 30)).toEqual({ sigterm: 30, kill: 32 });
    expect(terminationTimes(45, 30)).toEqual({ sigterm: 30, kill: 32 });
    expect(terminationTimes(0, 30)).toEqual({ sigterm: 0, kill: 30 });
    expect(terminationTimes(0, 1)).toEqual({ sigterm: 0, kill: 2 });
    // executePreStopHook returns whole seconds: a 5.5 s hook leaves 30 − 5 = 25 s.
    expect(terminationTimes(5.5, 30)).toEqual({ sigterm: 5.5, kill: 30.5 });
  });

  it('an app that ignores SIGTERM after a 29 s preStop (grace 30) is killed 31 s after its deletion', () => {
    const w = simulateCluster(simInputOf({ replicas: 1, strategy: surgeOne }, { preStopSeconds: 29, sigterm: 'ignore' }), createRandom(1));
    const old = w.pods.find((p) => p.rev === 'old') as SimPod;
    expect(old.deletedAt).toBe(4);
    expect(old.gone).toBe(35);
    expect(old.phases.filter((ph) => ph.phase === 'prestop' || ph.phase === 'draining').map((ph) => [ph.phase, ph.start, ph.end])).toEqual([
      ['prestop', 4, 33],
      ['draining', 33, 35],
    ]);
  });
});

describe('progressDeadlineSeconds only sets Progressing=False', () => {
  it('a rollout that makes no progress for longer than the deadline goes on and completes', () => {
    // The new pod is created at 0 (progress), listens at 21 and is Ready then: 21 s without
    // progress against a 10 s deadline.
    const w = simulateCluster(simInputOf({ replicas: 1, strategy: surgeOne, progressDeadlineSeconds: 10 }, { appStartupSeconds: 20 }), createRandom(1));
    expect(w.progressDeadlineExceededAt).toBe(10);
    expect(w.completed).toBe(true);
    expect(w.rolloutSeconds).toBe(21);
  });

  it('without a deadline (extensions/v1beta1 stores MaxInt32) a stalled rollout ends the run when nothing is left to happen', () => {
    // maxSurge 0 and maxUnavailable 0 as given (params.ts would force unavailable 1): nothing moves.
    const stalled = simInputOf({ replicas: 1, strategy: { kind: 'Deployment', type: 'RollingUpdate', surge: 0, unavailable: 0 }, progressDeadlineSeconds: 2_147_483_647 });
    const w = simulateCluster(stalled, createRandom(1));
    expect(w.completed).toBe(false);
    expect(w.progressDeadlineExceededAt).toBe(Infinity);
    expect(w.end).toBe(1);
  });

  it('a rollout within its deadline never exceeds it', () => {
    const w = simulateCluster(simInputOf({ replicas: 1, strategy: surgeOne, progressDeadlineSeconds: 30 }, { appStartupSeconds: 20 }), createRandom(1));
    expect(w.progressDeadlineExceededAt).toBe(Infinity);
  });
});

describe('which pod the ReplicaSet deletes (ActivePodsWithRanks.Less)', () => {
  const NOW = 1000;
  /** A running pod on `node`, ready `readyFor` seconds (undefined: not ready). */
  const pod = (name: string, fields: { readyFor?: number; uid: number; cost?: number; node?: number; restarts?: number; created?: number }): SimPod =>
    ({
      name,
      startedAt: 0,
      ready: fields.readyFor !== undefined,
      readySince: fields.readyFor !== undefined ? NOW - fields.readyFor : Infinity,
      uid: fields.uid,
      deletionCost: fields.cost ?? 0,
      node: fields.node ?? 0,
      restarts: fields.restarts ?? 0,
      created: fields.created ?? 0,
    }) as SimPod;
  const names = (pods: SimPod[]): string[] => pods.map((p) => p.name);
  const flat = (): number => 1;

  it('ready time in log₂ buckets of nanoseconds from 1.22, the same bucket decided by UID; exact before', () => {
    // 3 s → bucket 31 (log₂ 3e9 = 31.5); 5 s and 6 s → bucket 32 (32.2, 32.5).
    const pods = [pod('ready-6s', { readyFor: 6, uid: 0.1 }), pod('ready-5s', { readyFor: 5, uid: 0.5 }), pod('ready-3s', { readyFor: 3, uid: 0.9 })];
    expect(names(deletionOrder(pods, flat, NOW, controlOf('1.22')))).toEqual(['ready-3s', 'ready-6s', 'ready-5s']);
    expect(names(deletionOrder(pods, flat, NOW, controlOf('1.21')))).toEqual(['ready-3s', 'ready-5s', 'ready-6s']);
  });

  it('not ready before ready, then a lower pod-deletion-cost first (1.22+), then doubled-up nodes first', () => {
    const pods = [
      pod('cheap-alone', { readyFor: 100, uid: 0.1, cost: -5, node: 1 }),
      pod('doubled', { readyFor: 100, uid: 0.2, node: 0 }),
      pod('alone', { readyFor: 100, uid: 0.3, node: 1 }),
      pod('not-ready-costly', { uid: 0.4, cost: 1000, node: 1 }),
    ];
    const rank = (p: SimPod): number => (p.node === 0 ? 2 : 1);
    expect(names(deletionOrder(pods, rank, NOW, controlOf('1.30')))).toEqual(['not-ready-costly', 'cheap-alone', 'doubled', 'alone']);
    // Before PodDeletionCost the annotation is ignored: the doubled-up pod goes first.
    expect(names(deletionOrder(pods, rank, NOW, controlOf('1.21')))).toEqual(['not-ready-costly', 'doubled', 'cheap-alone', 'alone']);
  });

  it('then more restarts first, then newer first', () => {
    const pods = [pod('old', { readyFor: 100, uid: 0.1, created: -500 }), pod('restarted', { readyFor: 100, uid: 0.2, restarts: 2, created: -500 }), pod('newer', { readyFor: 100, uid: 0.3, created: -1 })];
    expect(names(deletionOrder(pods, flat, NOW, controlOf('1.30')))).toEqual(['restarted', 'newer', 'old']);
  });

  it('the pod template\'s pod-deletion-cost reaches the pods', () => {
    const w = simulateCluster(simInputOf({ replicas: 2, strategy: surgeOne }, { deletionCost: 7 }), createRandom(1));
    expect(w.pods.map((p) => p.deletionCost)).toEqual([7, 7, 7, 7]);
  });
});
