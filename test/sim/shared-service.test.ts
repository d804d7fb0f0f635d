/**
 * A Service that selects the pods of several workloads (versioned or canary Deployments behind
 * one Service) has all of them as endpoints: kube-proxy, the ingress and the LB split its traffic
 * over every ready one (Kubernetes docs, "Service": the controller "continuously scans for Pods
 * that match its selector"). The other workloads' pods keep serving while one rolls.
 */
import { describe, expect, it } from 'vitest';
import { loadSources } from '../../src/load/objects.js';
import { buildGraph } from '../../src/model/graph.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { simInput, simulateRun } from '../../src/sim/index.js';
import type { SimInput } from '../../src/sim/params.js';
import { simInputOf, simulated } from './inputs.js';

const deployment = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web, track: ${name} } }
  template:
    metadata: { labels: { app: web, track: ${name} } }
    spec:
      containers:
      - name: app
        image: nginx
        ports: [{ containerPort: 80 }]
        readinessProbe: { tcpSocket: { port: 80 } }
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 80 }]
`;

describe('a Service shared by several workloads', () => {
  it('the other workloads the Service selects are the rolled one\'s peers, with their replicas', () => {
    const profile = findBuiltinProfile('ack-flannel');
    if (!profile) throw new Error('profile');
    const text = [deployment('stable', 3), deployment('canary', 1), SERVICE].join('---\n');
    const graph = buildGraph(loadSources([{ path: 'x.yaml', text }], profile.k8sVersion).resources);
    const canary = graph.workloads.find((w) => w.resource.name === 'canary');
    if (!canary) throw new Error('canary');
    expect(simulated(simInput(graph, profile, canary)).peers).toEqual([{ resource: 'Deployment/default/stable', replicas: 3 }]);
    const alone = buildGraph(loadSources([{ path: 'y.yaml', text: [deployment('canary', 1), SERVICE].join('---\n') }], profile.k8sVersion).resources);
    expect(simulated(simInput(alone, profile, alone.workloads[0] as (typeof alone.workloads)[number])).peers).toBeUndefined();
  });

  it('a one-replica Recreate rollout next to 3 serving pods drops its quarter for the kube-proxy lag, not everything', () => {
    // 100 rps of 0.1 s requests, kube-proxy syncs in exactly 1 s. The one pod exits at 0 (no
    // preStop, exit on SIGTERM); the new one is Ready at 4 and in kube-proxy at 5.
    const input = (peers: SimInput['peers']): SimInput =>
      simInputOf(
        {
          replicas: 1,
          strategy: { kind: 'Deployment', type: 'Recreate' },
          proxy: { sync: { p50: 1, p99: 1 }, terminatingEndpoints: true },
          traffic: { rps: 100, keepAliveShare: 0, requestSeconds: 0.1 },
          ...(peers ? { peers } : {}),
        },
        { preStopSeconds: 0, sigterm: 'exit' },
      );
    const alone = simulateRun(input(undefined), 1, { expected: true }).result;
    // Alone: every request to the stopped pod until kube-proxy drops it (100), then no endpoint
    // until the new pod is in (4 s: 400), and those in flight at the exit (10).
    expect(alone.byCause['refused-after-stop']).toBeCloseTo(100, 6);
    expect(alone.byCause['no-endpoint']).toBeCloseTo(400, 6);
    expect(alone.byCause['killed-in-flight']).toBeCloseTo(10, 6);
    const shared = simulateRun(input([{ resource: 'Deployment/default/stable', replicas: 3 }]), 1, { expected: true }).result;
    // With 3 peers: a quarter of that for the first second, then the peers serve everything.
    expect(shared.byCause['refused-after-stop']).toBeCloseTo(25, 6);
    expect(shared.byCause['no-endpoint']).toBe(0);
    expect(shared.byCause['killed-in-flight']).toBeCloseTo(2.5, 6);
    expect(shared.failed).toBeCloseTo(27.5, 6);
  });
});
