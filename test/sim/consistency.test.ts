/**
 * One source of truth: `check` and `simulate` judge the same rollout alike. For profiles ×
 * exposures × preStop values, a preStop that `check` calls too short (prestop-too-short, or
 * prestop-missing for none) drops requests in the simulator, and one it accepts drops none in 100
 * runs. Every other cause is kept out of the way (readiness probe, maxUnavailable 0, a graceful
 * app, the LB's drain longer than the pod lives, the AWS readiness gate injected), so the count is
 * the propagation race alone; the numbers are those of seed 1.
 */
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../src/engine/run.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { simulateSources } from '../../src/sim/index.js';

const RUNS = 100;

type Exposure = 'cluster-ip' | 'lb-cluster' | 'lb-eni' | 'lb-nlb-ip' | 'ingress-alb-ip' | 'ingress-alb-instance' | 'ingress-neg' | 'ingress-nginx';

const DRAIN: Partial<Record<Exposure, Record<string, string>>> = {
  'lb-cluster': {},
  'lb-eni': { 'service.beta.kubernetes.io/backend-type': 'eni' },
  'lb-nlb-ip': {
    'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
    'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
    'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'deregistration_delay.timeout_seconds=300',
  },
  'ingress-neg': { 'cloud.google.com/neg': '{"ingress": true}', 'cloud.google.com/backend-config': '{"default": "web"}' },
};

const ACK_DRAIN = {
  'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain': 'on',
  'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout': '300',
};

/** Namespace, Service (and Ingress, BackendConfig), and a 3-replica Deployment with the given preStop. */
function manifests(profile: string, exposure: Exposure, preStop: number): string {
  const lb = exposure.startsWith('lb-');
  const annotations = { ...DRAIN[exposure], ...(lb && profile.startsWith('ack-') ? ACK_DRAIN : {}) };
  const serviceAnnotations = Object.keys(annotations).length > 0 ? `  annotations:\n${Object.entries(annotations).map(([k, v]) => `    ${k}: '${v}'`).join('\n')}\n` : '';
  const gate = exposure === 'ingress-alb-ip' || exposure === 'lb-nlb-ip';
  const targetType = exposure === 'ingress-alb-ip' ? 'ip' : 'instance';
  const ingress = exposure.startsWith('ingress-')
    ? `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
${exposure === 'ingress-neg' || exposure === 'ingress-nginx' ? '' : `  annotations:\n    alb.ingress.kubernetes.io/target-type: ${targetType}\n    alb.ingress.kubernetes.io/target-group-attributes: deregistration_delay.timeout_seconds=300\n`}spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 80
`
    : '';
  const backendConfig = exposure === 'ingress-neg' ? '---\napiVersion: cloud.google.com/v1\nkind: BackendConfig\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  connectionDraining:\n    drainingTimeoutSec: 300\n' : '';
  const hook = preStop > 0 ? `          lifecycle:\n            preStop:\n              sleep:\n                seconds: ${preStop}\n` : '';
  return `apiVersion: v1
kind: Namespace
metadata:
  name: shop
${gate ? '  labels:\n    elbv2.k8s.aws/pod-readiness-gate-inject: enabled\n' : ''}---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
${serviceAnnotations}spec:
  type: ${lb ? 'LoadBalancer' : 'ClusterIP'}
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
${ingress}${backendConfig}---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  strategy:
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app: web
    spec:
      terminationGracePeriodSeconds: ${preStop + 30}
      containers:
        - name: web
          image: registry.example.com/shop/web:1.0.0
          ports:
            - containerPort: 8080
          readinessProbe:
            tcpSocket:
              port: 8080
            periodSeconds: 2
${hook}`;
}

/** What `check` says of the preStop (the budget it names, or undefined when it accepts it) and what the simulator drops. */
function judge(profileName: string, exposure: Exposure, preStop: number): { budget: number | undefined; failed: number; causes: string[] } {
  const profile = findBuiltinProfile(profileName);
  if (!profile) throw new Error(profileName);
  const sources = [{ path: 'in.yaml', text: manifests(profileName, exposure, preStop) }];
  const short = checkSources(sources, { profile }).findings.find((f) => f.ruleId === 'prestop-too-short' || f.ruleId === 'prestop-missing');
  const budget = short ? Number(/(\d+(?:\.\d+)?) s propagation budget|for up to (\d+(?:\.\d+)?) s/.exec(short.message)?.slice(1).find((m) => m !== undefined)) : undefined;
  const result = simulateSources(sources, { profile, runs: RUNS, seed: 1 });
  expect(result.skipped).toEqual([]);
  const summary = result.workloads[0]?.summary;
  if (!summary) throw new Error('not simulated');
  return { budget, failed: summary.failed.mean, causes: Object.entries(summary.byCause).filter(([, n]) => n > 0).map(([c]) => c) };
}

/** [profile, exposure, preStop, the budget check names (undefined: accepted), mean failed requests per rollout]. */
const MATRIX: readonly (readonly [string, Exposure, number, number | undefined, number])[] = [
  // kube-proxy only (p50 1 s, p99 3 s): accepted from 3 s, the proposed 5 s included.
  ['generic', 'cluster-ip', 0, 3, 70.82],
  ['generic', 'cluster-ip', 1, 3, 21.42],
  ['generic', 'cluster-ip', 2, 3, 3.06],
  ['generic', 'cluster-ip', 3, undefined, 0],
  ['generic', 'cluster-ip', 5, undefined, 0],
  // A Cluster-policy LB on node backends keeps every node: kube-proxy's budget, also on ACK and AKS.
  ['ack-flannel', 'lb-cluster', 1, 3, 21.72],
  ['ack-flannel', 'lb-cluster', 3, undefined, 0],
  ['aks', 'lb-cluster', 1, 3, 21.78],
  ['aks', 'lb-cluster', 3, undefined, 0],
  // An ALB Ingress on instance targets: every node stays a target, so kube-proxy's budget; the
  // 15 s preStop that check once called short of a 70 s budget drops nothing.
  ['eks-instance', 'ingress-alb-instance', 1, 3, 21.42],
  ['eks-instance', 'ingress-alb-instance', 3, undefined, 0],
  ['eks-instance', 'ingress-alb-instance', 15, undefined, 0],
  // Pods as LB backends: the LB's deregistration (ACK CLB 30 s, ALB 25 s, NLB 120 s, NEG 40 s).
  ['ack-terway', 'lb-eni', 0, 30, 1271.06],
  ['ack-terway', 'lb-eni', 5, 30, 894.05],
  ['ack-terway', 'lb-eni', 20, 30, 82.98],
  ['ack-terway', 'lb-eni', 30, undefined, 0],
  ['ack-terway', 'lb-eni', 35, undefined, 0],
  ['eks-alb-ip', 'ingress-alb-ip', 5, 25, 566.07],
  ['eks-alb-ip', 'ingress-alb-ip', 15, 25, 190.93],
  ['eks-alb-ip', 'ingress-alb-ip', 25, undefined, 0],
  ['eks-alb-ip', 'ingress-alb-ip', 27, undefined, 0],
  ['eks-nlb-ip', 'lb-nlb-ip', 60, 120, 1142.22],
  ['eks-nlb-ip', 'lb-nlb-ip', 120, undefined, 0],
  ['eks-nlb-ip', 'lb-nlb-ip', 132, undefined, 0],
  ['gke-neg', 'ingress-neg', 20, 40, 382.82],
  ['gke-neg', 'ingress-neg', 40, undefined, 0],
  ['gke-neg', 'ingress-neg', 44, undefined, 0],
  // ingress-nginx routes to pod IPs after its own sync (at most one per 3.3 s, then the Lua
  // balancer's 1 s): p99 5 s, proposed 7 s.
  ['ingress-nginx', 'ingress-nginx', 2, 5, 48.4],
  ['ingress-nginx', 'ingress-nginx', 4, 5, 1.42],
  ['ingress-nginx', 'ingress-nginx', 5, undefined, 0],
  ['ingress-nginx', 'ingress-nginx', 7, undefined, 0],
  // GKE's kube-proxy syncs at most every 10 s (kube-up --iptables-min-sync-period=10s).
  ['gke-neg', 'cluster-ip', 5, 10, 61.25],
  ['gke-neg', 'cluster-ip', 10, undefined, 0],
  ['gke-neg', 'cluster-ip', 13, undefined, 0],
];

describe('check and simulate agree on the preStop', () => {
  it.each(MATRIX)('%s, %s, preStop %d s: check budget %s, simulated failures %d', (profile, exposure, preStop, budget, failed) => {
    const got = judge(profile, exposure, preStop);
    expect(got).toEqual({ budget, failed, causes: failed > 0 ? ['refused-after-stop'] : [] });
    // The invariant itself: too short for check ⇔ failures in the simulator.
    expect(got.budget !== undefined).toBe(got.failed > 0);
  });
});

describe('eni-backend-recommended: the switch needs its preStop', () => {
  // Switching to ENI backends makes the CLB's deregistration (30 s) part of every termination:
  // without a preStop that covers it, the switch drops far more than the kube-proxy race it removes.
  it('without a preStop ENI drops 18 times what Cluster mode drops; with a 5 s preStop Cluster drops none and ENI 894', () => {
    expect(judge('ack-terway', 'lb-cluster', 0).failed).toBe(71.03);
    expect(judge('ack-terway', 'lb-eni', 0).failed).toBe(1271.06);
    expect(judge('ack-terway', 'lb-cluster', 5).failed).toBe(0);
    expect(judge('ack-terway', 'lb-eni', 5).failed).toBe(894.05);
    expect(judge('ack-terway', 'lb-eni', 35).failed).toBe(0);
  });
});

describe('generic profile, externalTrafficPolicy Local: the gap does not vanish because the profile names no cloud', () => {
  // A Local LoadBalancer Service has a healthCheckNodePort for some LB to check the nodes; the
  // domain assumes a generic L4 LB (GCE's 8 s × 3 check after kube-proxy: 27 s) that takes a node
  // out by its health check alone (open connections go on, as with GCE and Azure).
  const local = (version: string, preStop: number): { findings: string[]; failed: number; byCause: Record<string, number>; notes: readonly string[] } => {
    const base = findBuiltinProfile('generic');
    if (!base) throw new Error('generic');
    const profile = { ...base, k8sVersion: version };
    const text = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  # Deletes before it creates: the rollout empties a node in every run.
  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: ${preStop + 30}
      containers:
      - name: web
        image: registry.example.com/shop/web:1.0.0
        ports: [{containerPort: 8080}]
        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 2}
${preStop > 0 ? `        lifecycle: {preStop: {sleep: {seconds: ${preStop}}}}\n` : ''}`;
    const sources = [{ path: 'in.yaml', text }];
    const findings = checkSources(sources, { profile }).findings.filter((f) => ['local-traffic-policy-gap', 'prestop-too-short', 'prestop-missing'].includes(f.ruleId)).map((f) => `${f.ruleId} ${f.severity}`);
    const result = simulateSources(sources, { profile, runs: RUNS, seed: 1 });
    const w = result.workloads[0];
    if (!w) throw new Error('not simulated');
    return { findings, failed: w.summary.failed.mean, byCause: Object.fromEntries(Object.entries(w.summary.byCause).filter(([, n]) => n > 0)), notes: w.notes };
  };

  it('1.22 (no ProxyTerminatingEndpoints): an error, and 485 no-local-endpoint failures even with a 30 s preStop', () => {
    expect(local('1.22', 30)).toEqual({
      findings: ['local-traffic-policy-gap error'],
      failed: 484.78,
      byCause: { 'no-local-endpoint': 484.78 },
      notes: ['profile generic has no cloud load balancer: externalTrafficPolicy Local means one health-checks the nodes; a generic L4 LB is assumed (health check every 8 s, 3 failures)'],
    });
  });

  it('1.30: a preStop under 27 s is a warning and drops requests (26.4 at 20 s); from 27 s both are silent', () => {
    expect(local('1.30', 20)).toMatchObject({ findings: ['local-traffic-policy-gap warning', 'prestop-too-short error'], failed: 26.43, byCause: { 'refused-after-stop': 26.42, 'no-local-endpoint': 0.01 } });
    expect(local('1.30', 27)).toMatchObject({ findings: [], failed: 0, byCause: {} });
    expect(local('1.30', 30)).toMatchObject({ findings: [], failed: 0, byCause: {} });
  });
});

describe('ALB registration: a new target passes one health check', () => {
  // AWS ALB docs: "After your target is registered, it must pass one health check to be considered
  // healthy"; the healthy threshold (2) is for an unhealthy target. The profile's `register` is
  // the time to registration (the controller path, 20 s / 25 s); the simulator adds the one check
  // on the LB's clock. Deriving it from the threshold (+ 2 × 15 s, 50 s / 55 s) slowed the gated
  // 3-replica rollout by the extra checks.
  it('eks-alb-ip with the gate: rollout p50 118.1 s (registered at 20 s / 25 s, then one check) against 207.9 s (50 s / 55 s)', () => {
    const base = findBuiltinProfile('eks-alb-ip');
    if (!base?.loadBalancer) throw new Error('eks-alb-ip');
    const threshold = { ...base, loadBalancer: { ...base.loadBalancer, register: { p50: 50, p99: 55 } } };
    const sources = [{ path: 'in.yaml', text: manifests('eks-alb-ip', 'ingress-alb-ip', 27) }];
    const rollout = (profile: typeof base): unknown => simulateSources(sources, { profile, runs: RUNS, seed: 1 }).workloads[0]?.summary.rolloutSeconds;
    expect(base.loadBalancer.register).toEqual({ p50: 20, p99: 25 });
    expect(rollout(base)).toEqual({ p50: 118.1, p95: 130.9 });
    expect(rollout(threshold)).toEqual({ p50: 207.9, p95: 220.8 });
  });
});
