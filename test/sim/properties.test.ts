/**
 * Invariants of the rollout simulator (DESIGN.md §6, issue 4) as property tests over generated,
 * profile-free SimInputs (fast-check): every workload kind and strategy, probes, preStop, grace,
 * SIGTERM behaviour, every entry path (pod-backend LB, node-backend LB with Cluster or Local
 * policy, ClusterIP, ingress), traffic from 0 to 500 rps with and without keep-alive, 1–5 nodes.
 *
 * - No request is counted twice and failures never exceed requests.
 * - Zero traffic gives zero requests and zero failures.
 * - Determinism: the same input and seed give the same result and timeline.
 * - A longer preStop (grace raised to keep grace ≥ preStop + drain) never increases termination
 *   failures (refused after stop, killed in flight, keep-alive race).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runSeed, simulate, simulateRun } from '../../src/sim/index.js';
import type { EntryInput, ProbeInput, SimInput, StrategyInput } from '../../src/sim/params.js';
import { CAUSES, type Cause, type RunResult } from '../../src/sim/types.js';
import { simInputOf, type InputOverrides, type PodOverrides } from './inputs.js';

const probeArb = (ok: fc.Arbitrary<boolean>): fc.Arbitrary<ProbeInput> =>
  fc.record({
    ok,
    initialDelay: fc.integer({ min: 0, max: 10 }),
    period: fc.integer({ min: 1, max: 10 }),
    successThreshold: fc.integer({ min: 1, max: 3 }),
    failureThreshold: fc.integer({ min: 1, max: 5 }),
  });

/** Seconds on a 0.01 s grid in [min, max] (fc.double favours extremes such as 5e-323, which no profile has). */
const seconds = (min: number, max: number): fc.Arbitrary<number> => fc.integer({ min: Math.round(min * 100), max: Math.round(max * 100) }).map((n) => n / 100);

/** A latency distribution: p50 ≤ p99 ≤ 5 × p50, now and then zero (views that update at once: see bug B below). */
const latencyArb = (maxP50: number): fc.Arbitrary<{ p50: number; p99: number }> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant({ p50: 0, p99: 0 }) },
    { weight: 9, arbitrary: fc.record({ p50: seconds(0.05, maxP50), factor: fc.constantFrom(1, 1.5, 2, 3, 5) }).map(({ p50, factor }) => ({ p50, p99: Math.round(p50 * factor * 100) / 100 })) },
  );

const lbArb = fc.record(
  {
    deregister: latencyArb(10),
    register: latencyArb(30),
    healthCheck: fc.record({ intervalSeconds: fc.integer({ min: 2, max: 10 }), healthyThreshold: fc.integer({ min: 1, max: 3 }), unhealthyThreshold: fc.integer({ min: 1, max: 3 }) }),
    drainSeconds: fc.integer({ min: 0, max: 60 }),
  },
  { requiredKeys: ['deregister', 'register', 'healthCheck'] },
);

const entryArb: fc.Arbitrary<EntryInput> = fc.oneof(
  fc.constant<EntryInput>({ kind: 'lb-pod' }),
  fc.constant<EntryInput>({ kind: 'lb-node', policy: 'Cluster' }),
  fc.constant<EntryInput>({ kind: 'lb-node', policy: 'Local' }),
  fc.constant<EntryInput>({ kind: 'cluster-ip' }),
  fc.constant<EntryInput>({ kind: 'ingress' }),
);

type Kind = 'rolling' | 'recreate' | 'statefulset' | 'daemonset';

/**
 * A startup or liveness probe that tolerates the app's start: one that fails failureThreshold
 * times before the app listens restarts the container in a loop until the progress deadline
 * (test/sim/probes.test.ts), which these properties are not about.
 */
function coverStart(probe: ProbeInput, appStartupSeconds: number): ProbeInput {
  return { ...probe, failureThreshold: Math.max(probe.failureThreshold, Math.ceil(appStartupSeconds / probe.period) + 1) };
}

/** A simulator input as params.ts would resolve it, with every number generated. */
const inputArb: fc.Arbitrary<SimInput> = fc
  .record({
    kind: fc.constantFrom<Kind>('rolling', 'rolling', 'recreate', 'statefulset', 'daemonset'),
    replicas: fc.integer({ min: 1, max: 12 }),
    surge: fc.integer({ min: 0, max: 3 }),
    unavailable: fc.integer({ min: 0, max: 3 }),
    partition: fc.integer({ min: 0, max: 3 }),
    nodes: fc.integer({ min: 1, max: 5 }),
    eligibleShare: seconds(0, 1),
    minReadySeconds: fc.constantFrom(0, 0, 5),
    containerStartSeconds: seconds(0.5, 3),
    appStartupSeconds: seconds(0, 20),
    readiness: fc.option(probeArb(fc.constant(true)), { nil: undefined }),
    startup: fc.option(probeArb(fc.constant(true)), { nil: undefined }),
    // Probes that can pass: simInput() refuses workloads whose probes check a port nobody listens
    // on (not simulated, with the reason); a liveness probe that never passes hangs the simulator (see the skipped
    // test at the end).
    liveness: fc.option(probeArb(fc.constant(true)), { nil: undefined }),
    preStopSeconds: fc.integer({ min: 0, max: 40 }),
    graceSeconds: fc.integer({ min: 1, max: 90 }),
    sigterm: fc.constantFrom<'graceful' | 'exit' | 'ignore'>('graceful', 'exit', 'ignore'),
    appDrainSeconds: seconds(0, 20),
    lbReadinessGate: fc.boolean(),
    entry: entryArb,
    proxySync: latencyArb(3),
    terminatingEndpoints: fc.boolean(),
    ingressSync: latencyArb(5),
    lb: lbArb,
    rps: fc.oneof(fc.integer({ min: 0, max: 500 }), seconds(0, 500)),
    keepAliveShare: fc.oneof(fc.constant(0), fc.constant(1), seconds(0, 1)),
    requestSeconds: seconds(0.01, 2),
  })
  .map((g): SimInput => {
    const eligibleNodes = Math.max(1, Math.ceil(g.eligibleShare * g.nodes));
    let strategy: StrategyInput;
    let replicas = g.replicas;
    let resource = 'Deployment/default/web';
    if (g.kind === 'rolling') {
      const unavailable = Math.min(g.unavailable, replicas);
      strategy = { kind: 'Deployment', type: 'RollingUpdate', surge: g.surge, unavailable: g.surge === 0 && unavailable === 0 ? 1 : unavailable };
    } else if (g.kind === 'recreate') strategy = { kind: 'Deployment', type: 'Recreate' };
    else if (g.kind === 'statefulset') {
      strategy = { kind: 'StatefulSet', partition: Math.min(g.partition, replicas) };
      resource = 'StatefulSet/default/db';
    } else {
      const surge = Math.min(g.surge, 1);
      strategy = { kind: 'DaemonSet', surge, unavailable: surge === 0 && g.unavailable === 0 ? 1 : g.unavailable };
      replicas = eligibleNodes;
      resource = 'DaemonSet/default/agent';
    }
    const lb = g.entry.kind === 'lb-pod' || g.entry.kind === 'lb-node';
    return {
      resource,
      strategy,
      replicas,
      minReadySeconds: g.minReadySeconds,
      progressDeadlineSeconds: 600,
      pod: {
        containerStartSeconds: g.containerStartSeconds,
        appStartupSeconds: g.appStartupSeconds,
        ...(g.readiness ? { readiness: g.readiness } : {}),
        ...(g.startup ? { startup: { ...coverStart(g.startup, g.appStartupSeconds), successThreshold: 1 } } : {}),
        ...(g.liveness ? { liveness: { ...coverStart(g.liveness, g.appStartupSeconds), successThreshold: 1 } } : {}),
        preStopSeconds: g.preStopSeconds,
        graceSeconds: g.graceSeconds,
        sigterm: g.sigterm,
        appDrainSeconds: g.appDrainSeconds,
        lbReadinessGate: g.entry.kind === 'lb-pod' && g.lbReadinessGate,
      },
      entry: g.entry,
      proxy: { sync: g.proxySync, terminatingEndpoints: g.terminatingEndpoints },
      ...(g.entry.kind === 'ingress' ? { ingress: { sync: g.ingressSync } } : {}),
      ...(lb ? { lb: g.lb } : {}),
      nodes: g.nodes,
      eligibleNodes,
      traffic: { rps: g.rps, keepAliveShare: g.keepAliveShare, requestSeconds: g.requestSeconds },
      notes: [],
    };
  });

const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

/** Termination failures: the causes a preStop hook is there to prevent. */
const TERMINATION: readonly Cause[] = ['refused-after-stop', 'killed-in-flight', 'keep-alive-race'];
const termination = (r: RunResult): number => TERMINATION.reduce((s, c) => s + r.byCause[c], 0);

function expectConsistent(result: RunResult, integers: boolean, label: string): void {
  const sum = CAUSES.reduce((s, c) => s + result.byCause[c], 0);
  for (const c of CAUSES) {
    expect(result.byCause[c], `${label} ${c}`).toBeGreaterThanOrEqual(0);
    if (integers) expect(Number.isInteger(result.byCause[c]), `${label} ${c} = ${result.byCause[c]}`).toBe(true);
  }
  if (integers) {
    expect(Number.isInteger(result.requests), `${label} requests`).toBe(true);
    expect(sum, label).toBe(result.failed);
    expect(result.failed, label).toBeLessThanOrEqual(result.requests);
  } else {
    expect(sum, label).toBeCloseTo(result.failed, 6);
    expect(result.failed, label).toBeLessThanOrEqual(result.requests * (1 + 1e-9) + 1e-9);
  }
  expect(result.requests, label).toBeGreaterThanOrEqual(0);
}

describe('simulator invariants (fast-check)', () => {
  it('failures by cause add up to failed ≤ requests; counts are integers when sampled', () => {
    fc.assert(
      fc.property(inputArb, seedArb, (input, seed) => {
        const label = JSON.stringify({ seed, input });
        expectConsistent(simulateRun(input, seed).result, true, `sampled ${label}`);
        expectConsistent(simulateRun(input, seed, { expected: true }).result, false, `expected ${label}`);
      }),
      { numRuns: 60, seed: 4, endOnFailure: true },
    );
  });

  it('per-request model: the same bookkeeping holds request by request', () => {
    // The request model draws every request: keep the traffic small so this stays fast.
    fc.assert(
      fc.property(inputArb, seedArb, (input, seed) => {
        const small = { ...input, traffic: { ...input.traffic, rps: Math.min(input.traffic.rps, 30) } };
        expectConsistent(simulateRun(small, seed, { model: 'request' }).result, true, JSON.stringify({ seed, input: small }));
      }),
      { numRuns: 25, seed: 5, endOnFailure: true },
    );
  });

  it('no request counted twice: without keep-alive the expected requests are exactly rps × simulated time, and the failure windows add up to the failures', () => {
    fc.assert(
      fc.property(inputArb, seedArb, (generated, seed) => {
        const input = { ...generated, traffic: { ...generated.traffic, keepAliveShare: 0 } };
        const run = simulateRun(input, seed, { expected: true, timeline: true });
        const label = JSON.stringify({ seed, input });
        const span = run.world.end - run.world.start;
        expect(run.result.requests, label).toBeCloseTo(input.traffic.rps * span, 6);
        const windows = run.timeline?.failures ?? [];
        const inWindows = windows.reduce((s, w) => s + w.count, 0);
        expect(inWindows, label).toBeCloseTo(run.result.failed, 6);
        for (const c of CAUSES) expect(windows.filter((w) => w.cause === c).reduce((s, w) => s + w.count, 0), `${label} ${c}`).toBeCloseTo(run.result.byCause[c], 6);
      }),
      { numRuns: 50, seed: 6, endOnFailure: true },
    );
  });

  it('no request counted twice with keep-alive: every connection request counted once (mean requests ≈ rps × time)', () => {
    fc.assert(
      fc.property(inputArb, seedArb, (generated, seed) => {
        const input = { ...generated, traffic: { ...generated.traffic, rps: Math.max(50, generated.traffic.rps), keepAliveShare: 1 } };
        const run = simulateRun(input, seed, { expected: true, timeline: true });
        const label = JSON.stringify({ seed, input });
        const expected = input.traffic.rps * (run.world.end - run.world.start);
        // Keep-alive requests are per-connection draws (exponential gaps), so the count varies
        // around rps × time; a request counted twice would double it.
        expect(run.result.requests, label).toBeGreaterThan(expected * 0.8);
        expect(run.result.requests, label).toBeLessThan(expected * 1.2);
        const inWindows = (run.timeline?.failures ?? []).reduce((s, w) => s + w.count, 0);
        expect(inWindows, label).toBeCloseTo(run.result.failed, 6);
      }),
      { numRuns: 40, seed: 7, endOnFailure: true },
    );
  });

  it('zero traffic: no requests and no failures, in every model', () => {
    fc.assert(
      fc.property(inputArb, seedArb, (generated, seed) => {
        const input = { ...generated, traffic: { ...generated.traffic, rps: 0 } };
        const zero = { requests: 0, failed: 0, byCause: Object.fromEntries(CAUSES.map((c) => [c, 0])) };
        for (const options of [{}, { expected: true }, { model: 'request' as const }]) {
          const { result } = simulateRun(input, seed, options);
          expect({ requests: result.requests, failed: result.failed, byCause: result.byCause }, JSON.stringify({ seed, options, input })).toEqual(zero);
        }
      }),
      { numRuns: 40, seed: 8, endOnFailure: true },
    );
  });

  it('determinism: the same input and seed give deep-equal results and timelines', () => {
    fc.assert(
      fc.property(inputArb, seedArb, fc.constantFrom<'rate' | 'request'>('rate', 'rate', 'request'), (generated, seed, model) => {
        const input = model === 'request' ? { ...generated, traffic: { ...generated.traffic, rps: Math.min(generated.traffic.rps, 30) } } : generated;
        const a = simulateRun(input, seed, { model, timeline: true });
        const b = simulateRun(input, seed, { model, timeline: true });
        expect(b.result).toEqual(a.result);
        expect(b.timeline).toEqual(a.timeline);
        expect(b.world.pods).toEqual(a.world.pods);
        expect(b.world.viewEvents).toEqual(a.world.viewEvents);
      }),
      { numRuns: 40, seed: 9, endOnFailure: true },
    );
    fc.assert(
      fc.property(inputArb, seedArb, (input, seed) => {
        expect(simulate(input, { runs: 3, seed })).toEqual(simulate(input, { runs: 3, seed }));
      }),
      { numRuns: 10, seed: 10, endOnFailure: true },
    );
  });

  /*
   * A longer preStop never increases termination failures. Two things keep this from holding
   * for arbitrary pairs of preStop values, neither of them a failure of the property's intent:
   *
   * - Probe phase. After SIGTERM a graceful app stops listening, and its endpoint keeps serving
   *   until the readiness probe fails: the next probe tick plus (failureThreshold − 1) periods.
   *   Ticks are fixed by the pod's start, so the refused-after-stop window depends on SIGTERM's
   *   phase within the probe period, and a longer preStop can land on a worse phase (e.g. a
   *   Recreate with period 7: preStop 3 → 7 s window, preStop 35 → 10 s). The preStops compared
   *   therefore differ by whole readiness periods.
   * - Random draws. Latencies, scheduling and the pod each keep-alive connection pins to are
   *   drawn from one stream, consumed in a different order when the timings differ. With
   *   keep-alive off, expected values (rate model) of one seed compare exactly; with keep-alive on,
   *   one seed's pinning can put more connections on the pod that dies later (seen: 285 → 297
   *   killed in flight), so there the means over RUNS runs are compared.
   */
  const pair = fc.record({ input: inputArb, short: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 40 })), periods: fc.integer({ min: 1, max: 8 }), seed: seedArb });
  function preStops(p: { input: SimInput; short: number; periods: number }): [SimInput, SimInput] {
    const long = p.short + p.periods * (p.input.pod.readiness?.period ?? 1);
    const withPreStop = (preStopSeconds: number): SimInput => ({
      ...p.input,
      pod: { ...p.input.pod, preStopSeconds, graceSeconds: Math.max(p.input.pod.graceSeconds, Math.ceil(preStopSeconds + p.input.pod.appDrainSeconds)) },
    });
    return [withPreStop(p.short), withPreStop(long)];
  }
  it('a longer preStop (grace ≥ preStop + drain) never increases termination failures: same seed, no keep-alive, expected values', () => {
    let compared = 0;
    let fewer = 0;
    fc.assert(
      fc.property(pair, (p) => {
        const input = { ...p.input, traffic: { ...p.input.traffic, keepAliveShare: 0 } };
        const [short, long] = preStops({ ...p, input });
        const a = simulateRun(short, p.seed, { expected: true });
        const b = simulateRun(long, p.seed, { expected: true });
        compared++;
        if (termination(b.result) < termination(a.result) - 1e-6) fewer++;
        expect(termination(b.result), JSON.stringify({ seed: p.seed, a: a.result.byCause, b: b.result.byCause, short, long })).toBeLessThanOrEqual(termination(a.result) + 1e-6);
      }),
      { numRuns: 120, seed: 11, endOnFailure: true },
    );
    // Not vacuous: in a good share of the cases the longer preStop removed failures.
    expect(compared).toBeGreaterThan(100);
    expect(fewer).toBeGreaterThan(10);
  });

  it('a longer preStop never increases mean termination failures, keep-alive included (30 runs each)', () => {
    const RUNS = 30;
    let compared = 0;
    let failing = 0;
    fc.assert(
      fc.property(pair, (p) => {
        const [short, long] = preStops(p);
        let a = 0;
        let b = 0;
        for (let i = 0; i < RUNS; i++) {
          const ra = simulateRun(short, runSeed(p.seed, i), { expected: true });
          const rb = simulateRun(long, runSeed(p.seed, i), { expected: true });
            a += termination(ra.result) / RUNS;
          b += termination(rb.result) / RUNS;
        }
        compared++;
        if (a > 0) failing++;
        // 2 % + 0.1 request of slack for the draws: over ~800 generated cases (30 runs each) the
        // largest excess seen was 0.03 requests (196.23 → 196.26, keep-alive share 0.22).
        expect(b, JSON.stringify({ seed: p.seed, a, b, short, long })).toBeLessThanOrEqual(a * 1.02 + 0.1);
      }),
      { numRuns: 12, seed: 12, endOnFailure: true },
    );
    expect(compared).toBe(12);
    expect(failing).toBeGreaterThan(3);
  });
});

/** Simulator bugs the properties above found, fixed; these keep them fixed. */
describe('fixed simulator bugs', () => {
  /** One replica, one node, ClusterIP, 100 rps of 1 s requests, an app that exits on SIGTERM. */
  const one = (strategy: StrategyInput, overrides: InputOverrides = {}, pod: PodOverrides = {}): SimInput =>
    simInputOf(
      { strategy, replicas: 1, nodes: 1, proxy: { sync: { p50: 1, p99: 1 }, terminatingEndpoints: true }, traffic: { rps: 100, keepAliveShare: 0, requestSeconds: 1 }, ...overrides },
      { preStopSeconds: 0, sigterm: 'exit', appDrainSeconds: 0, ...pod },
    );

  // Bug A: traffic is integrated from t = 0 only, so requests in flight when the rollout starts
  // are never counted. An old pod deleted at t = 0 whose app exits on SIGTERM (preStop 0) takes
  // 100 rps × 1 s = 100 requests down with it, but killed-in-flight is 0; with preStop 0.5 it is
  // 50 (only those sent in [0, 0.5)), with preStop ≥ 1 it is 100. Likewise keep-alive connections
  // only start opening after t = 0, so none is pinned to a pod that dies at once. Effect: failures
  // of rollouts that terminate pods at once (Recreate, maxSurge 0, StatefulSet, DaemonSet
  // maxSurge 0) are undercounted for short preStops, and a longer preStop can look worse (e.g.
  // Recreate, 2 replicas, preStop 0 → 1: termination failures 100 → 200).
  it('bug A: requests in flight at t = 0 are killed when an old pod exits at once', () => {
    const { result } = simulateRun(one({ kind: 'Deployment', type: 'RollingUpdate', surge: 0, unavailable: 1 }), 1, { expected: true });
    expect(result.byCause['refused-after-stop']).toBeCloseTo(100, 6);
    expect(result.byCause['killed-in-flight']).toBeCloseTo(100, 6);
  });

  // Bug B: the run ends at the last event (World.end = max(last event, completion)); with zero
  // view latencies the last event is the old pod's own exit, and traffic.ts files a keep-alive
  // connection whose abrupt close time is ≥ World.end under reason 'end' (no failure). The 10
  // keep-alive connections pinned to the old pod die with it: 100 requests killed in flight with
  // a kube-proxy sync of 0.001 s, none with 0 s.
  it('bug B: keep-alive connections killed by the last exit are counted when views update at once', () => {
    const surge = { kind: 'Deployment', type: 'RollingUpdate', surge: 1, unavailable: 0 } as const;
    const keepAlive = { traffic: { rps: 100, keepAliveShare: 1, requestSeconds: 1 } };
    const slow = simulateRun(one(surge, { ...keepAlive, proxy: { sync: { p50: 0.001, p99: 0.001 }, terminatingEndpoints: true } }, { preStopSeconds: 5 }), 1, { expected: true });
    expect(slow.result.byCause['killed-in-flight']).toBeCloseTo(100, 6);
    const instant = simulateRun(one(surge, { ...keepAlive, proxy: { sync: { p50: 0, p99: 0 }, terminatingEndpoints: true } }, { preStopSeconds: 5 }), 1, { expected: true });
    // The run goes on for the views' settling time (here 1 s) after the last exit.
    expect(instant.world.end).toBe(10);
    expect(instant.result.byCause['killed-in-flight']).toBeCloseTo(100, 6);
  });

  // Bug C: a liveness probe that never passes (ok: false) makes simulateCluster loop forever.
  // Pods become Ready, are restarted by the probe, become Ready again; every new pod turning
  // Ready counts as progress (cluster.ts becomeReady → progress()), so the progress deadline
  // never fires, the rollout never completes (the new pods are never all Ready at once) and the
  // event loop has no time limit. Reproduction: 3 replicas, maxSurge 1 / maxUnavailable 0, the
  // defaults above, liveness { ok: false, initialDelay 0, period 5, failureThreshold 3 }, any
  // seed: simulated time passed 7 000 000 s within 20 s of wall time. simInput() never builds
  // such an input (it returns a NotSimulated reason for a probe on an unserved port), so only direct
  // callers of simulateCluster/simulateRun could hit it. Fixed: only a new pod's first
  // readiness is progress, and no run simulates more than a day. The probe period here is 3 s:
  // probes tick from the pod's admission (worker.go), so with 5 s the first failure came at
  // creation + 5 and the restart at + 15, after this 12 s rollout had completed.
  it('bug C: a liveness probe that never passes still ends the simulation', () => {
    const input = one({ kind: 'Deployment', type: 'RollingUpdate', surge: 1, unavailable: 0 }, { replicas: 3 }, {
      sigterm: 'graceful',
      preStopSeconds: 5,
      appDrainSeconds: 1,
      liveness: { ok: false, initialDelay: 0, period: 3, successThreshold: 1, failureThreshold: 3 },
    });
    const { result } = simulateRun(input, 1);
    expect(result.completed).toBe(false);
  });
});
