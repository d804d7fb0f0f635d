/**
 * The load balancer in front of a Service is decided once (src/domain/routing.ts) for the rules,
 * the simulator and advise: the Service's own annotations win over the profile.
 */
import { describe, expect, it } from 'vitest';
import { budgetFor, loadBalancerFor } from '../../src/domain/routing.js';
import { checkSources } from '../../src/engine/run.js';
import { loadSources } from '../../src/load/objects.js';
import { buildGraph } from '../../src/model/graph.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import type { Profile } from '../../src/profiles/types.js';

function profile(name: string): Profile {
  const p = findBuiltinProfile(name);
  if (!p) throw new Error(name);
  return p;
}

/** A Service with the given annotations (and an Ingress to it when `ingress`), and a Deployment it selects. */
function context(profileName: string, annotations: Record<string, string>, options: { ingress?: boolean; local?: boolean; loadBalancerClass?: string } = {}) {
  const ann = Object.entries(annotations).map(([k, v]) => `    ${k}: "${v}"`).join('\n');
  const text = `apiVersion: v1
kind: Service
metadata:
  name: web
${ann ? `  annotations:\n${ann}\n` : ''}spec:
  type: ${options.ingress ? 'NodePort' : 'LoadBalancer'}
${options.local ? '  externalTrafficPolicy: Local\n' : ''}${options.loadBalancerClass ? `  loadBalancerClass: ${options.loadBalancerClass}\n` : ''}  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: example/web:1, ports: [{containerPort: 8080}]}]
${options.ingress ? `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
` : ''}`;
  const graph = buildGraph(loadSources([{ path: 'in.yaml', text }], '1.30').resources);
  const ctx = { graph, profile: profile(profileName) };
  const service = graph.services[0];
  const workload = graph.workloads[0];
  if (!service || !workload) throw new Error('no objects');
  const lb = loadBalancerFor(ctx, service);
  return { kind: lb?.kind, backend: lb?.backend, budget: budgetFor(ctx, workload).seconds };
}

const TYPE = 'service.beta.kubernetes.io/aws-load-balancer-type';
const TARGET = 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type';

describe('AWS: the Service\'s annotations decide the LB and its targets, whatever the profile', () => {
  it.each([
    // [profile, annotations, options, kind, backend, budget]
    // The in-tree cloud provider's NLB registers instances (cloud-provider-aws).
    ['eks-nlb-ip', { [TYPE]: 'nlb' }, {}, 'nlb', 'node', 3],
    ['eks-nlb-ip', { [TYPE]: 'nlb' }, { local: true }, 'nlb', 'node', 33],
    // The controller's `external` and its loadBalancerClass default to instance targets (LBC annotations doc).
    ['eks-nlb-ip', { [TYPE]: 'external' }, {}, 'nlb', 'node', 3],
    ['eks-nlb-ip', {}, { loadBalancerClass: 'service.k8s.aws/nlb' }, 'nlb', 'node', 3],
    ['eks-nlb-ip', { [TYPE]: 'external', [TARGET]: 'ip' }, {}, 'nlb', 'pod', 120],
    // The legacy `nlb-ip`.
    ['eks-instance', { [TYPE]: 'nlb-ip' }, {}, 'nlb', 'pod', 120],
    // An NLB Service under an ALB profile is an NLB, with the NLB's numbers.
    ['eks-alb-ip', { [TYPE]: 'external', [TARGET]: 'ip' }, {}, 'nlb', 'pod', 120],
    // An Ingress under the NLB profile is an ALB: IP targets by the profile, 25 s.
    ['eks-nlb-ip', {}, { ingress: true }, 'alb', 'pod', 25],
    // ALB instance targets keep every node: kube-proxy's budget, whatever the profile.
    ['eks-alb-ip', { 'alb.ingress.kubernetes.io/target-type': 'instance' }, { ingress: true }, 'alb', 'node', 3],
    // No annotation: the controller the AWS profiles model makes an NLB for every LoadBalancer
    // Service from v2.5 (its webhook sets loadBalancerClass service.k8s.aws/nlb), instance targets
    // by default — whatever LB the profile names for Ingresses.
    ['eks-alb-ip', {}, {}, 'nlb', 'node', 3],
    ['eks-nlb-ip', {}, {}, 'nlb', 'node', 3],
    ['eks-instance', {}, { local: true }, 'nlb', 'node', 33],
  ] as const)('%s %j %j → %s with %s targets, budget %d s', (name, annotations, options, kind, backend, budget) => {
    expect(context(name, annotations, options)).toEqual({ kind, backend, budget });
  });
});

describe('a profile with no load balancer', () => {
  it('a Local LoadBalancer Service meets the generic L4 LB; a Cluster one and a NodePort one meet none', () => {
    expect(context('generic', {}, { local: true })).toEqual({ kind: 'l4', backend: 'node', budget: 27 });
    expect(context('generic', {}, {})).toEqual({ kind: undefined, backend: undefined, budget: 3 });
    expect(context('generic', {}, { ingress: true })).toEqual({ kind: undefined, backend: undefined, budget: 3 });
  });
});

describe('the messages name the LB a plain LoadBalancer Service gets, not the profile\'s ALB', () => {
  it('eks-instance, `type: LoadBalancer` with externalTrafficPolicy: Local and no annotation: an NLB with instance targets', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 60
      containers:
      - name: app
        image: example/web:1.0
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {tcpSocket: {port: http}}
        lifecycle: {preStop: {sleep: {seconds: 15}}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
`;
    const findings = checkSources([{ path: 'in.yaml', text }], { profile: profile('eks-instance') }).findings;
    expect(findings.filter((f) => f.ruleId !== 'pdb-missing').map((f) => [f.ruleId, f.severity, f.message])).toEqual([
      ['prestop-too-short', 'error', 'preStop sleep 15 s of container `app` is shorter than the 33 s propagation budget of profile eks-instance (endpoint → NLB deregistration, p99)'],
      ['lb-drain-exceeds-grace', 'warning', 'the AWS NLB drains connections for 300 s (provider default), but pods of Deployment web are killed after 60 s (terminationGracePeriodSeconds): connections still draining are cut by SIGKILL'],
      [
        'local-traffic-policy-gap',
        'warning',
        'Service web uses externalTrafficPolicy: Local; when the rollout of Deployment web (maxSurge 1, maxUnavailable 0) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop (15 s) is shorter than the NLB that Service web gets under profile eks-instance needs to take the node out (33 s = kube-proxy 3 s, p99, then 10 s × 3 failed health checks)',
      ],
    ]);
    // lb-connection-drain-missing reads the NLB's own default (300 s, on): no finding.
    expect(findings.filter((f) => f.ruleId === 'lb-connection-drain-missing')).toEqual([]);
  });
});
