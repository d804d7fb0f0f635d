/** `check --impact`: the simulated cost of a finding, with and without its fix. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

interface JsonFinding {
  ruleId: string;
  category: string;
  impact?: { failedRequests: number; before: number; after: number; rps: number; workloads: string[]; advice?: string };
}

function findings(argv: string[]): JsonFinding[] {
  const run = runCli(['check', '--format', 'json', '--fail-on', 'none', ...argv]);
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings;
}

describe('check --impact', () => {
  it('a missing preStop costs what the simulator drops without it, and nothing with the fix', () => {
    const list = findings(['--impact', '-p', 'ack-flannel', 'examples/seed/before/old-pod-no-prestop.yaml']);
    expect(list.map((f) => [f.ruleId, f.impact === undefined])).toEqual([
      ['pdb-missing', true], // category disruption: not simulated
      ['prestop-missing', false],
      ['lb-connection-drain-missing', false],
    ]);
    const prestop = list[1]?.impact;
    expect(prestop?.workloads).toEqual(['Deployment/before-prestop/nginx']);
    expect(prestop?.rps).toBe(100);
    expect(prestop?.after).toBe(0);
    expect(prestop?.failedRequests).toBe(prestop?.before);
    expect(prestop?.failedRequests).toBeGreaterThan(300);
    // Cluster mode: the SLB never removes a node during the rollout, so draining saves nothing here.
    expect(list[2]?.impact?.failedRequests).toBe(0);
  });

  it('without --impact the JSON shape has no impact key', () => {
    const list = findings(['-p', 'ack-flannel', 'examples/seed/before/old-pod-no-prestop.yaml']);
    expect(list.every((f) => !('impact' in f))).toBe(true);
  });

  it('the drain setting is worth the connections the SLB cuts when it removes a Local-mode node', () => {
    const list = findings(['--impact', '-p', 'ack-flannel', 'examples/seed/before/local-mode-no-inplace.yaml']);
    const drain = list.find((f) => f.ruleId === 'lb-connection-drain-missing');
    expect(drain?.impact?.failedRequests).toBeGreaterThan(0);
    expect(drain?.impact?.after).toBe(0);
  });

  it('text output states the cost under the finding', () => {
    const run = runCli(['check', '--impact', '-p', 'ack-flannel', '--fail-on', 'none', 'examples/seed/before/old-pod-no-prestop.yaml']);
    const lines = run.stdout.split('\n');
    const at = lines.findIndex((l) => l.includes('prestop-missing'));
    expect(lines[at + 1]).toMatch(/^ {11}≈ \d{3} failed requests per rollout at 100 rps \(simulated: [\d.]+ → 0 with the fix\)$/);
  });

  it('a finding without an automatic fix is simulated with its advice taken, and says so', () => {
    const list = findings(['--impact', '-p', 'ack-flannel', '--k8s-version', '1.18', 'examples/seed/before/local-mode-no-inplace.yaml']);
    const gap = list.find((f) => f.ruleId === 'local-traffic-policy-gap');
    expect(gap?.impact?.advice).toBe('externalTrafficPolicy: Cluster');
    expect(gap?.impact?.after).toBe(0);
    expect(gap?.impact?.failedRequests).toBeGreaterThan(50);
    const text = runCli(['check', '--impact', '-p', 'ack-flannel', '--k8s-version', '1.18', '--fail-on', 'none', 'examples/seed/before/local-mode-no-inplace.yaml']).stdout;
    expect(text).toMatch(/\n {11}≈ \d+ failed requests per rollout at 100 rps \(simulated: [\d.]+ → 0 with externalTrafficPolicy: Cluster\)\n/);
  });

  it('an app that never sees SIGTERM is simulated as one that ignores it, against one that drains', () => {
    const manifest = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: api, namespace: shop}',
      'spec:',
      '  replicas: 3',
      '  selector: {matchLabels: {app: api}}',
      '  template:',
      '    metadata: {labels: {app: api}}',
      '    spec:',
      '      containers:',
      '      - name: api',
      '        image: node:20',
      '        command: ["/bin/sh", "-c", "npm start"]',
      '        ports: [{containerPort: 8080}]',
      '        readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 5}',
      '        lifecycle: {preStop: {sleep: {seconds: 15}}}',
      '      terminationGracePeriodSeconds: 60',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: api, namespace: shop}',
      'spec:',
      '  selector: {app: api}',
      '  ports: [{port: 80, targetPort: 8080}]',
      '',
    ].join('\n');
    const run = runCli(['check', '--impact', '--format', 'json', '--fail-on', 'none', '-'], { stdin: manifest });
    const list = (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings;
    const sig = list.find((f) => f.ruleId === 'sigterm-not-forwarded');
    expect(sig?.impact?.advice).toBe('SIGTERM reaching the app');
    expect(sig?.impact?.workloads).toEqual(['Deployment/shop/api']);
    // Ignored SIGTERM: the app serves until SIGKILL at 60 s, killing what keep-alive clients still send.
    expect(sig?.impact?.before).toBeGreaterThan(0);
    expect(sig?.impact?.after).toBe(0);
  });
});
