/**
 * Hand-built simulator output for the report tests: the seed's figure 3 (old pods stop while the
 * endpoints, kube-proxy and the LB still route to them) before the fix, and the clean rollout after.
 */
import type { Simulate, SimulatedWorkload } from '../../src/report/html/build.js';
import { CAUSES, type Cause, type FailureWindow, type PodTimeline, type SimulationSummary, type Timeline, type ViewInterval } from '../../src/sim/types.js';

const NODES = ['node-a', 'node-b'];

function byCause(values: Partial<Record<Cause, number>>): Record<Cause, number> {
  return Object.fromEntries(CAUSES.map((c) => [c, values[c] ?? 0])) as Record<Cause, number>;
}

/**
 * A rolling update of `replicas` pods, one at a time: new pod i starts at 10·i s, old pod i is
 * deleted when new pod i is ready. With `fixed`, the old pod's preStop (30 s) outlasts the routing
 * views; without it, the app stops at once while the views route to it for 2–25 s more.
 */
export function rolloutTimeline(options: { replicas?: number; fixed?: boolean; podName?: (revision: 'old' | 'new', i: number) => string } = {}): Timeline {
  const replicas = options.replicas ?? 3;
  const fixed = options.fixed ?? false;
  const name = options.podName ?? ((revision, i) => `web-${revision === 'old' ? '5d9f' : '7c2b'}-${String.fromCharCode(97 + i)}x${i}`);
  const pods: PodTimeline[] = [];
  const views: ViewInterval[] = [];
  const failures: FailureWindow[] = [];
  let end = 0;
  for (let i = 0; i < replicas; i++) {
    const node = NODES[i % NODES.length] ?? 'node-a';
    const created = i * 10;
    const ready = created + 6;
    const listening = created + 4;
    const deleted = ready;
    const oldName = name('old', i);
    const newName = name('new', i);
    const stop = fixed ? deleted + 30 : deleted; // preStop 30 s, or SIGTERM at once
    const gone = stop + 2;
    end = Math.max(end, gone + 5, deleted + 27);
    pods.push({
      name: newName,
      revision: 'new',
      node,
      phases: [
        { phase: 'pending', start: created, end: created + 2 },
        { phase: 'starting', start: created + 2, end: ready },
        { phase: 'ready', start: ready, end: 999 },
      ],
      listening: [{ start: listening, end: 999 }],
    });
    pods.push({
      name: oldName,
      revision: 'old',
      node,
      phases: [
        { phase: 'ready', start: 0, end: deleted },
        ...(fixed ? [{ phase: 'prestop' as const, start: deleted, end: stop }] : []),
        { phase: 'draining', start: stop, end: gone },
        { phase: 'gone', start: gone, end: gone + 5 },
      ],
      listening: [{ start: 0, end: stop }],
    });
    // Endpoint removal after 1 s, kube-proxy after 2–3 s, the LB after 25 s.
    views.push({ layer: 'endpoints', backend: oldName, state: 'ready', start: 0, end: deleted + 1 });
    views.push({ layer: 'endpoints', backend: newName, state: 'ready', start: ready + 0.5, end: 999 });
    for (const [k, n] of NODES.entries()) {
      views.push({ layer: 'kube-proxy', node: n, backend: oldName, state: 'ready', start: 0, end: deleted + 2 + k });
      views.push({ layer: 'kube-proxy', node: n, backend: newName, state: 'ready', start: ready + 1 + k, end: 999 });
    }
    views.push({ layer: 'load-balancer', backend: oldName, state: 'ready', start: 0, end: deleted + 20 });
    views.push({ layer: 'load-balancer', backend: oldName, state: 'serving-terminating', start: deleted + 20, end: deleted + 25 });
    views.push({ layer: 'load-balancer', backend: newName, state: 'ready', start: ready + 8, end: 999 });
    if (!fixed) {
      failures.push({ cause: 'refused-after-stop', start: deleted, end: deleted + 25, count: 40, pod: oldName, node, layer: 'app' });
      failures.push({ cause: 'killed-in-flight', start: stop, end: stop, count: 3, pod: oldName, node, layer: 'app' });
      failures.push({ cause: 'cut-by-lb', start: deleted + 25, end: deleted + 25.5, count: 2.5, node, layer: 'load-balancer' });
    }
  }
  const clip = <T extends { start: number; end: number }>(x: T): T => ({ ...x, end: Math.min(x.end, end) });
  return {
    end,
    rolloutSeconds: (replicas - 1) * 10 + 6,
    completed: true,
    nodes: NODES,
    pods: pods.map((p) => ({ ...p, phases: p.phases.map(clip), listening: p.listening.map(clip) })),
    views: views.map(clip),
    failures,
  };
}

export function summaryOf(resource: string, timeline: Timeline, runs = 20): SimulationSummary {
  const counts: Partial<Record<Cause, number>> = {};
  for (const f of timeline.failures) counts[f.cause] = (counts[f.cause] ?? 0) + f.count;
  const failed = timeline.failures.reduce((n, f) => n + f.count, 0);
  return {
    resource,
    runs,
    requests: 10_000,
    failed: { mean: failed, p50: failed, p95: failed * 1.2, max: failed * 1.5 },
    pAnyFailure: failed > 0 ? 1 : 0,
    byCause: byCause(counts),
    rolloutSeconds: { p50: timeline.rolloutSeconds, p95: timeline.rolloutSeconds + 2 },
    incomplete: 0,
  };
}

function simulatedWorkload(resource: string, timeline: Timeline): SimulatedWorkload {
  return { resource, summary: summaryOf(resource, timeline), timeline };
}

/**
 * A stand-in for the simulator: every Deployment of the input gets the figure-3 timeline, "fixed"
 * when the text has a preStop hook. Enough to drive the page from real manifests.
 */
export const fakeSimulate: Simulate = (sources) => {
  const workloads: SimulatedWorkload[] = [];
  for (const source of sources) {
    const fixed = /preStop:/.test(source.text);
    for (const match of source.text.matchAll(/kind: Deployment\nmetadata:\n(?:  .*\n)*?  name: (.+)\n(?:  .*\n)*?  namespace: (.+)\n/g)) {
      const resource = `Deployment/${match[2]?.trim() ?? 'default'}/${match[1]?.trim() ?? ''}`;
      workloads.push(simulatedWorkload(resource, rolloutTimeline({ fixed })));
    }
  }
  return { workloads };
};
