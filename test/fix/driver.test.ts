/**
 * The multi-pass driver. Golden files: the seed's "before" manifests fixed under profile
 * ack-flannel (test/fixtures/fix/golden/, reviewed by hand against the seed's recommendations:
 * readinessProbe, preStop sleep, grace ≥ preStop + 30 s, connection-drain annotations, PDB; the
 * preStop is shorter than the seed's 30 s in Cluster mode, where only kube-proxy's 3 s counts).
 */
import { readFileSync } from 'node:fs';
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../src/engine/run.js';
import type { Finding } from '../../src/rules/types.js';
import { fixSources, MAX_PASSES, runPasses } from '../../src/fix/driver.js';
import type { SourceText } from '../../src/document/types.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { withK8sVersion } from '../../src/profiles/load.js';
import type { Profile } from '../../src/profiles/types.js';
import { ROOT, source } from '../helpers.js';

function profileOf(name: string, version?: string): Profile {
  const profile = findBuiltinProfile(name);
  if (!profile) throw new Error(`no profile ${name}`);
  return version === undefined ? profile : withK8sVersion(profile, version);
}

const SEED = ['lb-no-drain', 'local-mode-no-inplace', 'new-pod-no-readiness', 'old-pod-no-prestop'] as const;

function golden(name: string): string {
  return readFileSync(`${ROOT}test/fixtures/fix/golden/${name}.yaml`, 'utf8');
}

type Obj = Record<string, any>;

/** The seed's recommendations, checked on the parsed output of a fixed seed manifest. */
function expectSeedRecommendations(text: string, preStop: (container: Obj) => number, pdbApiVersion = 'policy/v1'): void {
  const docs = jsYaml.loadAll(text) as Obj[];
  expect(docs.map((d) => d['kind'])).toEqual(['Deployment', 'PodDisruptionBudget', 'Service']);
  const [deployment = {}, pdb = {}, service = {}] = docs;
  const pod = deployment['spec']['template']['spec'];
  const [container = {}] = pod['containers'] as Obj[];
  expect(container['readinessProbe']).toMatchObject({ tcpSocket: { port: 80 } });
  // The seed sleeps 30 s. In Cluster mode the CLB keeps every node as a backend, so only
  // kube-proxy's propagation counts (p50 1 s, p99 3 s; 99.9th percentile 4.3 s → 5 s): the fix
  // improves on the seed there; under the Local policy the CLB's deregistration (p99 30 s) counts,
  // as in the seed.
  const local = service['spec']['externalTrafficPolicy'] === 'Local';
  expect(preStop(container)).toBeGreaterThanOrEqual(local ? 30 : 5);
  expect(pod['terminationGracePeriodSeconds']).toBeGreaterThanOrEqual(preStop(container) + 30);
  expect(service['metadata']['annotations']).toEqual({
    'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain': 'on',
    'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout': '30',
  });
  expect(pdb).toEqual({
    apiVersion: pdbApiVersion,
    kind: 'PodDisruptionBudget',
    metadata: { name: 'nginx', namespace: deployment['metadata']['namespace'] },
    spec: { maxUnavailable: 1, selector: deployment['spec']['selector'] },
  });
}

const nativeSleep = (c: Obj): number => Number(c['lifecycle']?.['preStop']?.['sleep']?.['seconds'] ?? c['lifecycle']?.['preStop']?.['exec']?.['command']?.[1]);

describe('fixSources on the seed "before" manifests, profile ack-flannel', () => {
  for (const name of SEED) {
    it(`${name}: the fixed YAML is the golden file, and check finds nothing fixable in it`, () => {
      const path = `examples/seed/before/${name}.yaml`;
      const result = fixSources([source(path)], { profile: profileOf('ack-flannel') });
      expect(result.files[0]?.after).toBe(golden(name));
      expect(result.stop).toBe('done');
      expect(result.unfixed).toEqual([]);
      expect(result.remaining).toEqual([]);
      expectSeedRecommendations(golden(name), nativeSleep);
    });
  }

  it('fixes, applies and passes per file', () => {
    const counts = SEED.map((name) => {
      const r = fixSources([source(`examples/seed/before/${name}.yaml`)], { profile: profileOf('ack-flannel') });
      return `${name}: ${r.applied} fixes, ${r.passes} pass(es)`;
    });
    expect(counts).toEqual(['lb-no-drain: 2 fixes, 1 pass(es)', 'local-mode-no-inplace: 2 fixes, 1 pass(es)', 'new-pod-no-readiness: 4 fixes, 1 pass(es)', 'old-pod-no-prestop: 3 fixes, 1 pass(es)']);
  });

  it('on Kubernetes 1.18 (no native sleep action) the preStop is exec sleep with a string argument, the PDB policy/v1beta1', () => {
    for (const name of SEED) {
      const result = fixSources([source(`examples/seed/before/${name}.yaml`)], { profile: profileOf('ack-flannel', '1.18') });
      const expected = golden(`${name}.k8s-1.18`);
      expect(result.files[0]?.after, name).toBe(expected);
      // policy/v1 is served from 1.21: on 1.18 the added PodDisruptionBudget is policy/v1beta1, the same budget otherwise.
      expectSeedRecommendations(expected, nativeSleep, 'policy/v1beta1');
      // Cause 3 on 1.18 has no safe automatic fix (nodeAffinity to labelled nodes, or Cluster mode): it remains.
      const remaining = result.remaining.map((f) => `${f.ruleId} ${f.resource.kind} ${f.path}`);
      expect(remaining, name).toEqual(name === 'local-mode-no-inplace' ? ['local-traffic-policy-gap Service /spec/externalTrafficPolicy'] : []);
      expect(result.unfixed).toEqual([]);
    }
    expect(golden('old-pod-no-prestop.k8s-1.18')).toContain('            exec:\n              command:\n              - sleep\n              - "5"\n');
  });
});

describe('fixSources: passes', () => {
  const TERWAY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
        readinessProbe:
          tcpSocket: {port: 80}
        lifecycle:
          preStop:
            sleep: {seconds: 40}
      terminationGracePeriodSeconds: 90
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - port: 80
`;

  it('a fix that overlaps another waits for the next pass (two rules add the same annotations map)', () => {
    const result = fixSources([{ path: 'terway.yaml', text: TERWAY }], { profile: profileOf('ack-terway') });
    expect(result.passes).toBe(2);
    expect(result.unfixed).toEqual([]);
    expect(result.files[0]?.after.split('---\n').at(-1)).toBe(`apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain: "on"
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout: "30"
    service.beta.kubernetes.io/backend-type: eni
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - port: 80
`);
  });

  it('`only` applies one rule\'s fixes and reports only its findings', () => {
    const result = fixSources([source('examples/seed/before/old-pod-no-prestop.yaml')], { profile: profileOf('ack-flannel'), only: ['pdb-missing'] });
    expect(result.applied).toBe(1);
    expect(result.remaining).toEqual([]);
    const after = result.files[0]?.after ?? '';
    expect(after).toContain('kind: PodDisruptionBudget');
    expect(after).not.toContain('preStop:');
    expect(checkSources([{ path: 'x', text: after }], { profile: profileOf('ack-flannel') }).findings.map((f) => f.ruleId)).toEqual(['prestop-missing', 'lb-connection-drain-missing']);
  });

  it('a rule turned off is not fixed', () => {
    const result = fixSources([source('examples/seed/before/old-pod-no-prestop.yaml')], { profile: profileOf('ack-flannel'), ruleSeverities: { 'pdb-missing': 'off', 'prestop-missing': 'off' } });
    expect(result.applied).toBe(1);
    expect(result.files[0]?.after).not.toContain('PodDisruptionBudget');
  });

  it('a fix that cannot be applied safely remains, with the reason', () => {
    // The container is a YAML alias of the init container: adding a probe to one would add it to both.
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  initContainers:
  - &main
    name: web
    image: nginx:1.25
    ports:
    - containerPort: 80
  containers:
  - *main
`;
    const result = fixSources([{ path: 'alias.yaml', text }], { profile: profileOf('generic'), only: ['readiness-probe-missing'] });
    expect(result.files[0]?.after).toBe(text);
    expect(result.unfixed.map((u) => [u.finding.ruleId, u.reason])).toEqual([['readiness-probe-missing', '/spec/containers/0 is a YAML alias: editing it would change every place that uses it']]);
  });
});

describe('runPasses: stopping', () => {
  const finding = (path: string, value: unknown): Finding => ({
    ruleId: 'test',
    severity: 'error',
    category: 'config',
    message: 'm',
    file: path,
    line: 1,
    column: 1,
    resource: { kind: 'X', namespace: '', name: 'x' },
    path: '/a',
    fixable: true,
    document: 0,
    fix: { kind: 'patch', description: 'd', operations: [{ op: 'replace', path: '/a', value }] },
  });
  const read = (s: SourceText): unknown => (jsYaml.load(s.text) as { a: unknown }).a;

  it('stops when the text comes back to an earlier state (a cycle)', () => {
    const result = runPasses([{ path: 'c.yaml', text: 'a: 1\n' }], (sources) => sources.map((s) => finding(s.path, read(s) === 1 ? 2 : 1)));
    expect(result.stop).toBe('cycle');
    expect(result.passes).toBe(2);
    expect(result.files[0]?.after).toBe('a: 1\n');
    expect(result.unfixed.map((u) => u.reason)).toEqual(['the fixes undo each other (the text came back to an earlier state)']);
  });

  it(`stops after ${MAX_PASSES} passes when fixes never converge`, () => {
    const result = runPasses([{ path: 'm.yaml', text: 'a: 0\n' }], (sources) => sources.map((s) => finding(s.path, Number(read(s)) + 1)));
    expect(result.stop).toBe('max-passes');
    expect(result.passes).toBe(MAX_PASSES);
    expect(result.files[0]?.after).toBe(`a: ${MAX_PASSES}\n`);
    expect(result.unfixed.map((u) => u.reason)).toEqual([`still fixable after ${MAX_PASSES} passes: the fixes do not converge`]);
  });
});
