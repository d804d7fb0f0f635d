/**
 * Rules that change or follow the LB's backends agree with the propagation budget: switching to
 * ENI backends is offered only when no preStop becomes too short by it, and a drain timeout outlasts
 * the preStop from the earliest deregistration (the simulator shows the cuts otherwise).
 */
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../src/engine/run.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';

function deployment(preStop: number | undefined, grace: number): string {
  const hook = preStop === undefined ? '' : `\n        lifecycle: {preStop: {sleep: {seconds: ${preStop}}}}`;
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: ${grace}
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80}]
        readinessProbe: {tcpSocket: {port: 80}, periodSeconds: 5}${hook}
`;
}

function check(text: string, profileName: string) {
  const profile = findBuiltinProfile(profileName);
  if (!profile) throw new Error(profileName);
  return checkSources([{ path: 'in.yaml', text }], { profile }).findings;
}

const SERVICE = `---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
`;

describe('eni-backend-recommended', () => {
  it('offers ENI backends when the preStop already covers the CLB deregistration', () => {
    const eni = check(deployment(35, 65) + SERVICE, 'ack-terway').filter((f) => f.ruleId === 'eni-backend-recommended');
    expect(eni.map((f) => [f.fixable, f.path])).toEqual([[true, '/spec/type']]);
    expect(eni[0]?.fix).toEqual({ kind: 'patch', description: 'use ENI backends', operations: [{ op: 'add', path: '/metadata/annotations', value: { 'service.beta.kubernetes.io/backend-type': 'eni' } }] });
  });

  it('in Cluster mode a 15 s preStop is enough, but not behind ENI: no automatic switch, and it says why', () => {
    const findings = check(deployment(15, 45) + SERVICE, 'ack-terway');
    expect(findings.filter((f) => f.ruleId.startsWith('prestop'))).toEqual([]);
    const eni = findings.filter((f) => f.ruleId === 'eni-backend-recommended');
    expect(eni.map((f) => f.fixable)).toEqual([false]);
    expect(eni[0]?.message).toContain('but only together with a preStop of at least the CLB deregistration (30 s): the preStop of Deployment shop/web is 15 s, and with it the switch drops more requests than it saves (no automatic fix; raise the preStop first)');
  });
});

describe('lb-connection-drain-missing', () => {
  const eni = SERVICE.replace('metadata: {name: web, namespace: shop}', 'metadata:\n  name: web\n  namespace: shop\n  annotations: {service.beta.kubernetes.io/backend-type: eni}');
  /** The timeout the fix writes (the annotation's add operation, or inside a new annotations map). */
  const timeoutOf = (text: string, profile: string): unknown => {
    const fix = check(text, profile).find((f) => f.ruleId === 'lb-connection-drain-missing')?.fix as { operations: { path: string; value: unknown }[] } | undefined;
    const key = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout';
    for (const op of fix?.operations ?? []) {
      if (op.path.endsWith('connection-drain-timeout')) return op.value;
      if (op.path === '/metadata/annotations') return (op.value as Record<string, string>)[key];
    }
    return undefined;
  };

  // The earliest deregistration is the 0.1st percentile of the CLB's log-normal (p50 20 s, p99 30 s): 11.7 s.
  it('behind ENI backends the drain outlasts a long preStop from the earliest deregistration (60 − 11.7 → 49 s)', () => {
    expect(timeoutOf(deployment(60, 90) + eni, 'ack-terway')).toBe('49');
    // A preStop the recommended 30 s already covers keeps it.
    expect(timeoutOf(deployment(35, 65) + eni, 'ack-terway')).toBe('30');
  });

  it('in Cluster mode the CLB removes no node during a rollout: the recommended 30 s', () => {
    expect(timeoutOf(deployment(60, 90) + SERVICE, 'ack-flannel')).toBe('30');
  });
});
