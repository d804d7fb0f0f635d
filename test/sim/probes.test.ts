/**
 * The kubelet's probes in the simulator against pkg/kubelet/prober: a worker ticks every period
 * from the pod's admission (worker.go run); initialDelaySeconds skips ticks too early after the
 * container start (worker.go doProbe); the manager triggers an extra readiness probe when it
 * updates the status of a started container that is not ready (prober_manager.go
 * UpdatePodStatus); readiness keeps probing during termination.
 *
 * Inputs as test/sim/inputs.ts: created at c, container running at c + 1, app listening at c + 4,
 * ticks from c unless the pod's phase is random.
 */
import { describe, expect, it } from 'vitest';
import { killingTick, probeTick, readinessPassesAt, simulateCluster, type World } from '../../src/sim/cluster.js';
import type { ProbeInput, SimInput } from '../../src/sim/params.js';
import { createRandom } from '../../src/sim/random.js';
import { simInputOf, type PodOverrides } from './inputs.js';

const probe = (over: Partial<ProbeInput> = {}): ProbeInput => ({ ok: true, initialDelay: 0, period: 10, successThreshold: 1, failureThreshold: 3, ...over });

/** One replica replaced (surge 1): the new pod is created at 0. */
function one(pod: PodOverrides, overrides: Partial<SimInput> = {}): World {
  return simulateCluster(simInputOf({ replicas: 1, strategy: { kind: 'Deployment', type: 'RollingUpdate', surge: 1, unavailable: 0 }, ...overrides }, pod), createRandom(1));
}
const fresh = (w: World) => w.pods.find((p) => p.rev === 'new');
const old = (w: World) => w.pods.find((p) => p.rev === 'old');

describe('probe ticks (worker.go)', () => {
  it('ticks fall every period from the worker start', () => {
    expect(probeTick(0.4, 10, 11)).toBeCloseTo(20.4, 9);
    expect(probeTick(0.4, 10, 10.4)).toBeCloseTo(10.4, 9);
    expect(probeTick(5, 10, 2)).toBe(5);
  });

  it('initialDelaySeconds skips ticks: period 10, delay 15 → the tick at 20, not container start + 15 = 16', () => {
    // Ticks at 0, 10, 20; the container started at 1: at 10 only 9 s have passed.
    expect(readinessPassesAt(probe({ initialDelay: 15 }), 0, 1, 1, 4)).toBe(20);
    expect(fresh(one({ readiness: probe({ initialDelay: 15 }) }))?.readySince).toBe(20);
  });

  it('the app listens between ticks: ready at the next tick (10), not when it listens (4)', () => {
    expect(fresh(one({ readiness: probe() }))?.readySince).toBe(10);
  });

  it('the status update at container start triggers a readiness probe at once: an app listening at start is ready at 1, not at the tick at 10', () => {
    expect(readinessPassesAt(probe(), 0, 1, 1, 1)).toBe(1);
    expect(fresh(one({ readiness: probe(), appStartupSeconds: 0 }))?.readySince).toBe(1);
    // Not when initialDelaySeconds has not passed: the manual probe is skipped like a tick.
    expect(readinessPassesAt(probe({ initialDelay: 5 }), 0, 1, 1, 1)).toBe(10);
  });

  it('the startup probe\'s success triggers a readiness probe at once', () => {
    // Startup ticks every 3 s from 0: the app listens at 4, the startup probe passes at 6, and
    // the readiness probe runs then rather than at its own tick at 10.
    const w = one({ startup: probe({ period: 3, failureThreshold: 30 }), readiness: probe() });
    expect(fresh(w)?.readySince).toBe(6);
  });

  it('successThreshold 3: three successes in a row, the first at the tick after listening', () => {
    expect(fresh(one({ readiness: probe({ period: 1, successThreshold: 3 }) }))?.readySince).toBe(6);
  });

  it('no lockstep: pods created together become ready at their own phase, each on its own ticks', () => {
    const input = simInputOf({ replicas: 3, strategy: { kind: 'Deployment', type: 'RollingUpdate', surge: 3, unavailable: 0 } }, { readiness: probe(), randomProbePhase: true });
    const w = simulateCluster(input, createRandom(3));
    const created = w.pods.filter((p) => p.rev === 'new' && p.created === 0);
    expect(created).toHaveLength(3);
    for (const p of created) {
      // Ready at the first tick of its own clock at or after listening (4): within one period.
      expect(p.readySince).toBeGreaterThanOrEqual(4);
      expect(p.readySince).toBeLessThan(14);
      const k = (p.readySince - p.probeOrigin) / 10;
      expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-9);
    }
    expect(new Set(created.map((p) => p.readySince)).size).toBe(3);
  });
});

describe('startup and liveness probes during a slow start', () => {
  it('a liveness probe that fails failureThreshold times before the app listens restarts the container', () => {
    // Ticks at 0, 10, 20; the container started at 1 and listens at 41: failures at 10, 20, 30.
    expect(killingTick(probe(), 0, 1, 41)).toBe(30);
    // Listening at 25, the tick at 30 passes: no restart.
    expect(killingTick(probe(), 0, 1, 25)).toBeUndefined();
    // A probe on a port nobody listens on fails whatever the app does.
    expect(killingTick(probe({ ok: false }), 0, 1, 4)).toBe(30);
  });

  it('a new pod whose liveness probe kills it before it listens crash-loops: the rollout never completes and the run ends at the progress deadline', () => {
    const w = one({ readiness: probe(), liveness: probe(), appStartupSeconds: 40 }, { progressDeadlineSeconds: 120 });
    const f = fresh(w);
    expect(f?.readySince).toBe(Infinity);
    // Killed at 30 (failures at 10, 20, 30), back 10 s later; killed at 60 (ticks 40, 50, 60),
    // back 20 s later; killed at 100 (80, 90, 100), due back at 140; the run ends at the
    // deadline, 120 s after the pod's creation.
    expect(f?.restarts).toBe(3);
    expect(f?.phases.filter((ph) => ph.phase === 'starting').map((ph) => [ph.start, ph.end])).toEqual([[1, 30], [40, 60], [80, 100]]);
    expect(w.completed).toBe(false);
    expect(w.progressDeadlineExceededAt).toBe(120);
    expect(w.end).toBe(120);
  });
});

describe('readiness during termination', () => {
  it('keeps probing on the pod\'s own ticks: not ready at the failureThreshold-th failing tick after SIGTERM', () => {
    // The old pod, created at −900 (ticks at −900 + 10k), is deleted at 10 when the new one is
    // ready; preStop 5 → SIGTERM at 15, the app stops listening; failing ticks at 20, 30, 40 →
    // not ready at 40 (failureThreshold 3). A 40 s drain (grace 60) keeps the process alive until 55.
    const w = one({ readiness: probe(), appDrainSeconds: 40, graceSeconds: 60 });
    const o = old(w);
    expect(o?.deletedAt).toBe(10);
    const notReady = w.viewEvents.find((e) => e.layer === 'endpoints' && e.pod === o?.id && e.state === 'absent');
    expect(notReady?.time).toBe(40);
    expect(o?.gone).toBe(55);
  });
});
