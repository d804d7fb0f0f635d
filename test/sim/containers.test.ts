/**
 * Pods with more than one serving container: the kubelet runs each one's readiness probe, preStop
 * and SIGTERM on its own. Pod Ready waits for every container (pkg/kubelet/prober/prober_manager.go
 * UpdatePodStatus; Kubernetes docs, "Pod conditions"); on deletion the containers are killed in
 * parallel, each after its own preStop, within the shared grace period
 * (pkg/kubelet/kuberuntime/kuberuntime_container.go killContainersWithSyncResult, killContainer).
 * A Service port's requests go to the container that listens on its targetPort.
 */
import { describe, expect, it } from 'vitest';
import { loadSources } from '../../src/load/objects.js';
import { buildGraph } from '../../src/model/graph.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { isNotSimulated, simInput, simulateRun } from '../../src/sim/index.js';
import type { ServingContainerInput, SimInput } from '../../src/sim/params.js';
import { simInputOf } from './inputs.js';

const surgeOne = { kind: 'Deployment', type: 'RollingUpdate', surge: 1, unavailable: 0 } as const;

/** A second serving container `grpc` with the first's values but for `more`, half the traffic each. */
function twoContainers(more: Partial<ServingContainerInput>, input: Partial<Omit<SimInput, 'pod'>> = {}, pod: Partial<SimInput['pod']> = {}): SimInput {
  const base = simInputOf({ replicas: 1, strategy: surgeOne, traffic: { rps: 100, keepAliveShare: 0, requestSeconds: 0.1 }, ...input }, pod);
  const second: ServingContainerInput = {
    name: 'grpc',
    share: 0.5,
    appStartupSeconds: base.pod.appStartupSeconds,
    ...(base.pod.readiness ? { readiness: base.pod.readiness } : {}),
    preStopSeconds: base.pod.preStopSeconds,
    sigterm: base.pod.sigterm,
    appDrainSeconds: base.pod.appDrainSeconds,
    ...more,
  };
  return { ...base, pod: { ...base.pod, serving: { name: 'rest', share: 0.5, more: [second] } } };
}

describe('two serving containers', () => {
  it('the second container without a preStop drops requests on its port only', () => {
    // Old pod deleted at 4 (the new pod Ready): `rest` sleeps 5 s, `grpc` gets SIGTERM at once and
    // stops listening while kube-proxy still routes to the pod (sync p50 1 s, p99 2 s).
    const run = simulateRun(twoContainers({ preStopSeconds: 0 }), 1, { expected: true, timeline: true });
    const failures = run.timeline?.failures ?? [];
    const r2 = (n: number) => Math.round(n * 100) / 100;
    expect(failures.map((w) => [w.container, w.cause, w.pod, r2(w.start), r2(w.end), r2(w.count)])).toEqual([['grpc', 'refused-after-stop', 'web-a01', 4, 4.9, 40.58]]);
    expect(r2(run.result.byCause['refused-after-stop'])).toBe(40.58);
    expect(run.result.failed).toBe(run.result.byCause['refused-after-stop']);
    const old = run.world.pods.find((p) => p.rev === 'old');
    // Each container stops listening when its own SIGTERM comes: `grpc` at 4, `rest` after its 5 s sleep.
    expect(old?.containers?.map((c) => c.listening.map((l) => l.end))).toEqual([[9], [4]]);
    expect(old?.gone).toBe(10);
    // With the preStop on both, nothing is refused.
    expect(simulateRun(twoContainers({}), 1, { expected: true }).result.failed).toBe(0);
  });

  it('the pod is Ready when both containers are: a later readiness probe holds it', () => {
    // The new pod is created at 0 and runs at 1; `rest` listens and passes its probe at 4, `grpc`
    // only probes from initialDelaySeconds 10 after its start: Ready at 11.
    const slow = twoContainers({ readiness: { ok: true, initialDelay: 10, period: 1, successThreshold: 1, failureThreshold: 3 } });
    const run = simulateRun(slow, 1, { expected: true });
    const fresh = run.world.pods.find((p) => p.rev === 'new');
    expect(fresh?.readySince).toBe(11);
    expect(run.world.rolloutSeconds).toBe(11);
    expect(run.result.failed).toBe(0);
    // One container alone: Ready at 4.
    expect(simulateRun(simInputOf({ replicas: 1, strategy: surgeOne }), 1).world.pods.find((p) => p.rev === 'new')?.readySince).toBe(4);
  });

  it('a container without a readiness probe is ready once started, and the pod waits for the other', () => {
    // `grpc` has no probe and its app listens 10 s after the start: the pod is Ready at 4 on
    // `rest`'s probe and `grpc` refuses its port's requests from when kube-proxy routes to the pod
    // (4.69: its sync latency) until 11.
    const run = simulateRun(twoContainers({ appStartupSeconds: 10 }), 1, { expected: true });
    const probed = twoContainers({ appStartupSeconds: 10 });
    const { readiness: _, ...noProbe } = (probed.pod.serving as NonNullable<SimInput['pod']['serving']>).more[0] as ServingContainerInput;
    const bare: SimInput = { ...probed, pod: { ...probed.pod, serving: { name: 'rest', share: 0.5, more: [noProbe] } } };
    const unprobed = simulateRun(bare, 1, { expected: true, timeline: true });
    expect(unprobed.world.pods.find((p) => p.rev === 'new')?.readySince).toBe(4);
    expect((unprobed.timeline?.failures ?? []).map((w) => [w.container, w.cause, Math.round(w.start * 100) / 100, Math.round(w.end * 100) / 100])).toEqual([['grpc', 'refused-before-ready', 4.69, 11]]);
    // With its probe, the pod waits for it: Ready at 11, nothing refused.
    expect(run.world.pods.find((p) => p.rev === 'new')?.readySince).toBe(11);
    expect(run.result.failed).toBe(0);
  });

  it('each container gets SIGKILL at its own deadline within the shared grace period', () => {
    // Grace 30: `rest` ignores SIGTERM after a 29 s sleep (SIGKILL at 29 + 2), `grpc` ignores it
    // with no hook (SIGKILL at 30); the pod is gone with the last one, 31 s after its deletion.
    const run = simulateRun(twoContainers({ preStopSeconds: 0, sigterm: 'ignore' }, {}, { preStopSeconds: 29, sigterm: 'ignore' }), 1, { expected: true });
    const old = run.world.pods.find((p) => p.rev === 'old');
    expect(old?.deletedAt).toBe(4);
    expect(old?.containers?.map((c) => c.listening.map((l) => l.end))).toEqual([[35], [34]]);
    expect(old?.gone).toBe(35);
  });
});

describe('parameters of two serving containers (params.ts)', () => {
  it('each container keeps its own preStop and probe; each Service port carries an equal share', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: { name: gw }
spec:
  replicas: 2
  selector: { matchLabels: { app: gw } }
  template:
    metadata: { labels: { app: gw } }
    spec:
      containers:
      - name: rest
        image: registry.example.com/rest:1
        ports: [{ name: http, containerPort: 8080 }]
        readinessProbe: { httpGet: { path: /ready, port: http }, periodSeconds: 5 }
        lifecycle: { preStop: { sleep: { seconds: 10 } } }
      - name: grpc
        image: registry.example.com/grpc:1
        ports: [{ name: grpc, containerPort: 9090 }]
---
apiVersion: v1
kind: Service
metadata: { name: gw }
spec:
  selector: { app: gw }
  ports:
  - { name: http, port: 80, targetPort: http }
  - { name: grpc, port: 9090, targetPort: grpc }
`;
    const profile = findBuiltinProfile('generic');
    if (!profile) throw new Error('no generic profile');
    const graph = buildGraph(loadSources([{ path: 'gw.yaml', text }], profile.k8sVersion).resources);
    const input = simInput(graph, profile, graph.workloads[0] as never);
    if (isNotSimulated(input)) throw new Error(input.notSimulated);
    expect(input.pod.preStopSeconds).toBe(10);
    expect(input.pod.readiness?.period).toBe(5);
    expect(input.pod.serving).toEqual({
      name: 'rest',
      share: 0.5,
      more: [{ name: 'grpc', share: 0.5, appStartupSeconds: profile.app.startupSeconds, preStopSeconds: 0, sigterm: profile.app.sigterm, appDrainSeconds: profile.app.drainSeconds }],
    });
  });
});
