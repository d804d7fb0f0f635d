/** `check --impact`: the simulated cost of a finding, with and without its fix. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { checkSources } from '../../src/engine/run.js';
import type { Finding } from '../../src/rules/types.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { fixSources } from '../../src/fix/driver.js';
import { findingImpacts } from '../../src/impact/impact.js';
import { simulateSources } from '../../src/sim/index.js';
import { runCli } from '../helpers.js';

interface JsonFinding {
  ruleId: string;
  category: string;
  severity: string;
  fixable: boolean;
  resource: { kind: string; namespace: string; name: string };
  impact?: { failedRequests: number; before: number; after: number; rps: number; workloads: string[]; otherFixes: number; verdict: string; advice?: string };
}

function findings(argv: string[]): JsonFinding[] {
  const run = runCli(['check', '--format', 'json', '--fail-on', 'none', ...argv]);
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings;
}

describe('check --impact', () => {
  it('a missing preStop costs what the simulator drops without it, with every other fix applied on both sides', () => {
    const list = findings(['--impact', '-p', 'ack-flannel', 'examples/seed/before/old-pod-no-prestop.yaml']);
    expect(list.map((f) => [f.ruleId, f.severity, f.impact ?? null])).toEqual([
      ['pdb-missing', 'warning', null], // category disruption: not measured, but its fix is one of the "other fixes"
      ['prestop-missing', 'error', { failedRequests: 71.3, before: 71.3, after: 0, rps: 100, workloads: ['Deployment/before-prestop/nginx'], otherFixes: 2, verdict: 'saves' }],
      // Cluster mode: the SLB never removes a node during the rollout, so draining saves nothing here.
      ['lb-connection-drain-missing', 'warning', { failedRequests: 0, before: 0, after: 0, rps: 100, workloads: ['Deployment/before-prestop/nginx'], otherFixes: 2, verdict: 'nothing' }],
    ]);
  });

  it('without --impact the JSON shape has no impact key', () => {
    const list = findings(['-p', 'ack-flannel', 'examples/seed/before/old-pod-no-prestop.yaml']);
    expect(list.every((f) => !('impact' in f))).toBe(true);
  });

  it('the drain setting is worth the connections the SLB cuts when it removes a Local-mode node', () => {
    const list = findings(['--impact', '-p', 'ack-flannel', 'examples/seed/before/local-mode-no-inplace.yaml']);
    const drain = list.find((f) => f.ruleId === 'lb-connection-drain-missing');
    expect(drain?.impact).toMatchObject({ failedRequests: 0.8, before: 0.8, after: 0, verdict: 'saves' });
  });

  it('text output states the cost under the finding, and what else was applied', () => {
    const run = runCli(['check', '--impact', '-p', 'ack-flannel', '--fail-on', 'none', 'examples/seed/before/old-pod-no-prestop.yaml']);
    const lines = run.stdout.split('\n');
    const at = lines.findIndex((l) => l.includes('prestop-missing'));
    expect(lines[at + 1]).toBe('           ≈ 71 failed requests per rollout at 100 rps (simulated: 71.3 → 0 with the fix; 2 other fixes applied on both sides)');
    const drain = lines.findIndex((l) => l.includes('lb-connection-drain-missing'));
    expect(lines[drain + 1]).toBe('           ≈ 0 failed requests per rollout at 100 rps: under the model its fix saves nothing (at most a warning) (simulated: 0 → 0 with the fix; 2 other fixes applied on both sides)');
  });

  it('a finding without an automatic fix is simulated with its advice taken, and says so', () => {
    const list = findings(['--impact', '-p', 'ack-flannel', '--k8s-version', '1.18', 'examples/seed/before/local-mode-no-inplace.yaml']);
    const gap = list.find((f) => f.ruleId === 'local-traffic-policy-gap');
    expect(gap?.impact).toEqual({ failedRequests: 202.9, before: 202.9, after: 0, rps: 100, workloads: ['Deployment/before-local/nginx'], otherFixes: 2, verdict: 'saves', advice: 'externalTrafficPolicy: Cluster' });
    // With Cluster mode applied, the SLB removes no node: the drain fix is worth nothing on top of it.
    expect(list.find((f) => f.ruleId === 'lb-connection-drain-missing')?.impact?.verdict).toBe('nothing');
    const text = runCli(['check', '--impact', '-p', 'ack-flannel', '--k8s-version', '1.18', '--fail-on', 'none', 'examples/seed/before/local-mode-no-inplace.yaml']).stdout;
    expect(text).toContain('\n           ≈ 203 failed requests per rollout at 100 rps (simulated: 202.9 → 0 with externalTrafficPolicy: Cluster; 2 other fixes applied on both sides)\n');
  });

  it('leave-one-out: a readiness probe that alone makes a one-replica rollout worse is worth 314 requests once maxUnavailable 0 and the preStop are applied', () => {
    const list = findings(['--impact', 'test/fixtures/impact/one-replica.yaml']);
    expect(list.map((f) => [f.ruleId, f.resource.kind, f.severity, f.fixable, f.impact ?? null])).toEqual([
      ['single-replica', 'Deployment', 'warning', false, null],
      ['rollout-max-unavailable', 'Deployment', 'error', true, null], // capacity: applied as an other fix, not measured
      ['prestop-missing', 'Deployment', 'error', true, { failedRequests: 35, before: 35, after: 0, rps: 100, workloads: ['Deployment/impact-front/front'], otherFixes: 2, verdict: 'saves' }],
      ['readiness-probe-missing', 'Deployment', 'error', true, { failedRequests: 313.9, before: 313.9, after: 0, rps: 100, workloads: ['Deployment/impact-front/front'], otherFixes: 2, verdict: 'saves' }],
      // A one-replica StatefulSet: no preStop finding (single-replica says why), and a readiness
      // probe that only lengthens the outage is not offered at the source: an info without a fix,
      // so there is nothing to measure (the probe alone would add ≈ 1,287 failed requests per
      // rollout, 3500.3 → 4787.1).
      ['single-replica', 'StatefulSet', 'warning', false, null],
      ['readiness-probe-missing', 'StatefulSet', 'info', false, null],
    ]);
    const text = runCli(['check', '--impact', '--fail-on', 'none', 'test/fixtures/impact/one-replica.yaml']).stdout;
    expect(text).not.toContain('its fix would add');
  });

  it('one fix at a time (the readiness finding measured alone) would have called it worse: 742.3 → 1289', () => {
    const sources = [{ path: 'one-replica.yaml', text: readFileSync('test/fixtures/impact/one-replica.yaml', 'utf8') }];
    const profile = findBuiltinProfile('generic');
    if (!profile) throw new Error('no generic profile');
    const all = checkSources(sources, { profile }).findings;
    const front = (f: Finding): boolean => f.resource.name === 'front';
    const readiness = all.find((f) => front(f) && f.ruleId === 'readiness-probe-missing');
    const prestop = all.find((f) => front(f) && f.ruleId === 'prestop-missing');
    if (!readiness || !prestop) throw new Error('fixture changed');
    // With the preStop fix only (no maxUnavailable 0), the probe makes the rollout worse.
    expect(findingImpacts(sources, [readiness, prestop], { profile }).get(readiness)).toMatchObject({ before: 742.3, after: 1289, verdict: 'worse' });
    expect(findingImpacts(sources, all, { profile }).get(readiness)).toMatchObject({ before: 313.9, after: 0, verdict: 'saves' });
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

describe('check --impact applies fixes as `rollsafe fix` does', () => {
  // "Every fix applied" is computed on the parsed documents in memory; `rollsafe fix` edits the
  // text in passes, re-checking in between. Both must give the same rollout.
  const files = ['examples/seed/before/old-pod-no-prestop.yaml', 'examples/seed/before/new-pod-no-readiness.yaml', 'examples/seed/before/local-mode-no-inplace.yaml', 'test/fixtures/impact/one-replica.yaml', 'test/fixtures/rules/prestop-too-short.hooks.yaml'];
  for (const file of files) {
    it(file, () => {
      const profile = findBuiltinProfile(file.startsWith('examples/') ? 'ack-flannel' : 'generic');
      if (!profile) throw new Error('no profile');
      const sources = [{ path: file, text: readFileSync(file, 'utf8') }];
      const findings = checkSources(sources, { profile }).findings;
      const impacts = [...findingImpacts(sources, findings, { profile }).values()];
      const fixed = fixSources(sources, { profile }).files.map((f) => ({ path: f.path, text: f.after }));
      const simulated = new Map(simulateSources(fixed, { profile, runs: 20, seed: 1, expected: true }).workloads.map((w) => [w.resource, w.summary.failed.mean]));
      const afterEveryFix = new Map<string, number>();
      for (const impact of impacts) if (impact.workloads.length === 1 && impact.advice === undefined) afterEveryFix.set(impact.workloads[0] ?? '', impact.after);
      expect(afterEveryFix.size).toBeGreaterThan(0);
      for (const [workload, after] of afterEveryFix) expect([workload, after]).toEqual([workload, Math.round((simulated.get(workload) ?? NaN) * 10) / 10]);
    });
  }
});
