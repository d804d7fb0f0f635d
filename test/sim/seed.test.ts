/**
 * The seed article, reproduced by the simulator over the examples/ manifests: each of its four
 * causes drops requests with the "before" config and none with its fix; ENI (pod-direct) mode and
 * Cluster mode drop none; Local mode before ProxyTerminatingEndpoints drops requests on a node
 * exactly when the rollout leaves that node without a Ready pod.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixSources } from '../../src/fix/driver.js';
import { loadSources } from '../../src/load/objects.js';
import { buildGraph } from '../../src/model/graph.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { withK8sVersion } from '../../src/profiles/load.js';
import type { Profile } from '../../src/profiles/types.js';
import { simInput, simulate, simulateRun, simulateSources, type SimOverrides, type Timeline } from '../../src/sim/index.js';
import { ROOT } from '../helpers.js';
import { nodesLosingAllReadyPods } from './timeline.js';
import { simulated } from './inputs.js';

const RUNS = 60;

function profile(name: string, version = '1.30'): Profile {
  const p = findBuiltinProfile(name);
  if (!p) throw new Error(name);
  return withK8sVersion(p, version);
}

function read(path: string): string {
  return readFileSync(ROOT + path, 'utf8');
}

/**
 * The article's "after" configs with its two mistakes corrected (probes on 5084 while nginx
 * serves 80; `- 30` as a number, which the API server rejects); everything else as printed.
 */
function corrected(path: string): string {
  return read(path).replaceAll('port: 5084', 'port: 80').replace(/^(\s*)- 30$/m, '$1- "30"');
}

function summary(text: string, p: Profile, overrides: SimOverrides = {}) {
  const result = simulateSources([{ path: 'in.yaml', text }], { profile: p, runs: RUNS, seed: 7, ...overrides });
  expect(result.skipped).toEqual([]);
  expect(result.workloads).toHaveLength(1);
  return (result.workloads[0] as (typeof result.workloads)[number]).summary;
}

/** The golden `rollsafe fix` output for a "before" file (test/fixtures/fix/golden). */
function fixed(name: string, version: string): string {
  return read(`test/fixtures/fix/golden/${name}${version === '1.30' ? '' : `.k8s-${version}`}.yaml`);
}

describe('the seed\'s four causes: failures before, none after the fix', () => {
  it('cause 1: a new pod without readinessProbe gets traffic before nginx listens', () => {
    const before = summary(read('examples/seed/before/new-pod-no-readiness.yaml'), profile('ack-flannel'));
    expect(before.byCause['refused-before-ready']).toBeGreaterThan(100);
    expect(before.pAnyFailure).toBe(1);
    // Without readiness the rollout races through: each new pod counts as available on start.
    expect(before.rolloutSeconds.p50).toBe(3);
    const after = summary(fixed('new-pod-no-readiness', '1.30'), profile('ack-flannel'));
    expect(after.failed).toEqual({ mean: 0, p50: 0, p95: 0, max: 0 });
    // With the probe: three steps of 11 s (start 1 s, nginx listens 10 s later), each plus the new
    // pod's readiness phase in [0, 10) s (period 10 s, ticking from the pod's own admission).
    expect(after.rolloutSeconds.p50).toBeGreaterThan(33);
    expect(after.rolloutSeconds.p95).toBeLessThan(63);
  });

  it('cause 2: an old pod without preStop stops before kube-proxy stops sending to it', () => {
    const before = summary(read('examples/seed/before/old-pod-no-prestop.yaml'), profile('ack-flannel'));
    // kube-proxy takes about a second (p50 1 s, p99 3 s): the pods that exit at SIGTERM are still
    // routed to that long on each node.
    expect(before.byCause['refused-after-stop']).toBe(71.78);
    expect(before.failed.mean).toBe(before.byCause['refused-after-stop']);
    const after = summary(fixed('old-pod-no-prestop', '1.30'), profile('ack-flannel'));
    expect(after.pAnyFailure).toBe(0);
  });

  it('cause 3: Local mode before ProxyTerminatingEndpoints: a node with no local endpoint', () => {
    const before = summary(read('examples/seed/before/local-mode-no-inplace.yaml'), profile('ack-flannel', '1.18'));
    expect(before.byCause['no-local-endpoint']).toBeGreaterThan(50);
    // From 1.26 kube-proxy falls back to the serving terminating pod: no node-routing failure.
    const pte = summary(read('examples/seed/before/local-mode-no-inplace.yaml'), profile('ack-flannel', '1.30'));
    expect(pte.byCause['no-local-endpoint']).toBe(0);
  });

  it('cause 4: the SLB cuts long connections of a node it removes; draining (the fix) cuts none', () => {
    // maxUnavailable 1 + no affinity: a replacement often lands on another node, the CCM removes
    // the emptied node from the SLB and cuts the keep-alive connections still pinned to it.
    const before = summary(read('examples/seed/before/local-mode-no-inplace.yaml'), profile('ack-flannel', '1.30'));
    expect(before.byCause['cut-by-lb']).toBeGreaterThan(0);
    expect(before.failed.mean).toBe(before.byCause['cut-by-lb']);
    const after = summary(fixed('local-mode-no-inplace', '1.30'), profile('ack-flannel', '1.30'));
    expect(after.pAnyFailure).toBe(0);
  });

  it('Cluster mode keeps every node as a backend: the SLB removes and cuts nothing during a rollout', () => {
    const s = summary(read('examples/seed/before/lb-no-drain.yaml'), profile('ack-flannel', '1.30'));
    expect(s.byCause['cut-by-lb']).toBe(0);
    expect(s.pAnyFailure).toBe(0);
  });
});

describe('the seed\'s recommended configs (its mistakes corrected) drop nothing', () => {
  it('Cluster mode (Flannel, few SLBs, no source IP), before and after ProxyTerminatingEndpoints', () => {
    for (const version of ['1.18', '1.30']) {
      const s = summary(corrected('examples/seed/after/cluster-mode.yaml'), profile('ack-flannel', version));
      expect(s.pAnyFailure).toBe(0);
      expect(s.incomplete).toBe(0);
    }
  });

  it('ENI mode (Terway): pods are the SLB backends, no kube-proxy hop', () => {
    for (const version of ['1.18', '1.30']) {
      const s = summary(corrected('examples/seed/after/eni-mode.yaml'), profile('ack-terway', version));
      expect(s.pAnyFailure).toBe(0);
    }
  });

  it('the article\'s uncorrected configs are not simulated: their probes never pass', () => {
    const result = simulateSources([{ path: 'a.yaml', text: read('examples/seed/after/cluster-mode.yaml') }], { profile: profile('ack-flannel'), runs: 1 });
    expect(result.workloads).toEqual([]);
    expect(result.skipped).toEqual([
      {
        resource: 'Deployment/after-cluster/nginx',
        reason: 'its readinessProbe checks port 5084, where container `nginx` does not listen (it listens on 80): the pods never become Ready, so the Service has no endpoint before the rollout either',
      },
    ]);
  });
});

describe('Local mode before ProxyTerminatingEndpoints: the seed\'s in-place rollout', () => {
  const p = profile('ack-flannel', '1.18');
  const graphOf = (text: string) => buildGraph(loadSources([{ path: 'x.yaml', text }], p.k8sVersion).resources);

  it('the in-place rollout keeps a Ready pod on every node in every run: 0 node-routing failures over 200 seeds', () => {
    // The article's in-place Deployment: 4 replicas, maxSurge 50 % (2, one per labelled node),
    // maxUnavailable 0, preferred node affinity to the nodes labelled deploy=nginx: two of the
    // three here. The scheduler spreads the new ReplicaSet's pods (old pods do not count), one
    // surge pod per labelled node, each scheduled against the pods placed before it; an old pod
    // goes only once a new one is available, and kube-proxy sees the new pod before the old one
    // leaves (a watch delivers in order).
    const graph = graphOf(corrected('examples/seed/after/local-inplace.yaml'));
    const input = simulated(simInput(graph, p, graph.workloads[0] as (typeof graph.workloads)[number], { labelledNodes: 2 }));
    expect([input.eligibleNodes, input.preferredNodes]).toEqual([3, 2]);
    for (let seed = 1; seed <= 200; seed++) {
      const run = simulateRun(input, seed, { timeline: true });
      const timeline = run.timeline as Timeline;
      expect(nodesLosingAllReadyPods(timeline), `seed ${seed}`).toEqual([]);
      expect(run.result.byCause['no-local-endpoint'], `seed ${seed}`).toBe(0);
      // The preference is a score: every pod on a labelled node, one new pod per node per step.
      expect(new Set(timeline.pods.map((pod) => pod.node)), `seed ${seed}`).toEqual(new Set(['node-1', 'node-2']));
    }
  });

  it('a run drops node-routing requests exactly when some node is left without a Ready pod', () => {
    // maxUnavailable 1, maxSurge 0, no affinity: an old pod goes before its replacement exists.
    const graph = graphOf(read('examples/seed/before/local-mode-no-inplace.yaml'));
    const input = simulated(simInput(graph, p, graph.workloads[0] as (typeof graph.workloads)[number]));
    let kept = 0;
    let lost = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const run = simulateRun(input, seed, { timeline: true });
      const losing = nodesLosingAllReadyPods(run.timeline as Timeline);
      const failedNodes = new Set((run.timeline as Timeline).failures.filter((f) => f.cause === 'no-local-endpoint').map((f) => f.node));
      if (losing.length === 0) {
        kept++;
        expect(run.result.byCause['no-local-endpoint']).toBe(0);
      } else {
        lost++;
        expect(run.result.byCause['no-local-endpoint']).toBeGreaterThan(0);
        expect([...failedNodes].sort()).toEqual(losing);
      }
    }
    expect(lost).toBeGreaterThan(0);
    expect(kept + lost).toBe(60);
  });

  it('the in-place rollout drops far fewer requests than the rollout that deletes before it creates', () => {
    const inPlace = summary(corrected('examples/seed/after/local-inplace.yaml'), p, { labelledNodes: 2 });
    const notInPlace = summary(read('examples/seed/before/local-mode-no-inplace.yaml'), p);
    expect(notInPlace.pAnyFailure).toBe(1);
    expect(inPlace.byCause['no-local-endpoint']).toBe(0);
    expect(inPlace.failed.mean * 3).toBeLessThan(notInPlace.failed.mean);
  });

  it('the same input and seed give the same result', () => {
    const graph = graphOf(read('examples/seed/before/local-mode-no-inplace.yaml'));
    const input = simulated(simInput(graph, p, graph.workloads[0] as (typeof graph.workloads)[number]));
    expect(simulate(input, { runs: 5, seed: 3 })).toEqual(simulate(input, { runs: 5, seed: 3 }));
    expect(simulate(input, { runs: 5, seed: 3 }).summary).not.toEqual(simulate(input, { runs: 5, seed: 4 }).summary);
  });
});

describe('fix, then simulate', () => {
  it('rollsafe fix turns every seed "before" file into one that drops no request (1.30)', () => {
    for (const name of ['new-pod-no-readiness', 'old-pod-no-prestop', 'lb-no-drain']) {
      const source = { path: `${name}.yaml`, text: read(`examples/seed/before/${name}.yaml`) };
      const result = fixSources([source], { profile: profile('ack-flannel') });
      const text = result.files[0]?.after ?? '';
      expect(summary(text, profile('ack-flannel')).pAnyFailure).toBe(0);
    }
  });
});
