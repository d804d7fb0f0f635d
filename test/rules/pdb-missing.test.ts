import { describe, expect, test } from 'vitest';
import { pdbMissing } from '../../src/rules/pdb-missing.js';
import { checkSources } from '../../src/engine/run.js';
import type { Finding } from '../../src/rules/types.js';
import { conventionViolations, findingAt, fixedText, fixOf, fixtureCase, profileOf, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'pdb-missing';
const NO_SERVICE = 'pdb-missing.no-service';

/** The PodDisruptionBudget the fix proposes. */
function pdb(name: string, namespace: string | undefined, matchLabels: Record<string, string>, apiVersion = 'policy/v1'): unknown {
  return pdbWith(name, namespace, { matchLabels }, apiVersion);
}

function pdbWith(name: string, namespace: string | undefined, selector: unknown, apiVersion = 'policy/v1'): unknown {
  return {
    kind: 'document',
    document: {
      apiVersion,
      kind: 'PodDisruptionBudget',
      metadata: namespace === undefined ? { name } : { name, namespace },
      spec: { maxUnavailable: 1, selector },
    },
  };
}

/** Checks one manifest text under a profile (for manifests the fixtures cannot hold: they are invalid). */
function check(text: string, version?: string): Finding[] {
  return checkSources([{ path: 'x.yaml', text }], { profile: profileOf('generic', version) }).findings.filter((f) => f.ruleId === 'pdb-missing');
}

ruleTester.run('pdb-missing', pdbMissing, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'Deployment pdb-three/fire-three-replicas has 3 replicas and no PodDisruptionBudget: a node drain may evict all of them at once', path: '', line: 16, column: 1, severity: 'warning' },
        { message: 'Deployment pdb-hpa/fire-hpa-min-replicas has 2 replicas and no PodDisruptionBudget: a node drain may evict all of them at once', path: '', line: 53, column: 1, severity: 'warning' },
        { message: 'StatefulSet pdb-sts/fire-statefulset has 3 replicas and no PodDisruptionBudget: a node drain may evict all of them at once — only headless Service cache selects it: clients connect to the pod IPs they resolved by DNS, so what fails depends on their DNS cache and retries', path: '', line: 99, column: 1, severity: 'warning' },
        { message: 'Deployment fire-default-namespace has 2 replicas and no PodDisruptionBudget: a node drain may evict all of them at once', path: '', line: 133, column: 1, severity: 'warning' },
        { message: 'Deployment pdb-other-a/fire-pdb-in-other-namespace has 3 replicas and no PodDisruptionBudget: a node drain may evict all of them at once', path: '', line: 165, column: 1, severity: 'warning' },
        { message: 'Deployment pdb-mismatch/fire-pdb-selects-other has 3 replicas and no PodDisruptionBudget: a node drain may evict all of them at once', path: '', line: 210, column: 1, severity: 'warning' },
        { message: 'Deployment pdb-expressions/fire-match-expressions has 3 replicas and no PodDisruptionBudget: a node drain may evict all of them at once', path: '', line: 465, column: 1, severity: 'warning' },
        { message: 'Deployment pdb-no-fix/fire-empty-workload-selector has 2 replicas and no PodDisruptionBudget: a node drain may evict all of them at once (no automatic fix: its `spec.selector` is empty, so no PodDisruptionBudget can select exactly its pods)', path: '', line: 504, column: 1, severity: 'warning' },
        { message: 'Deployment pdb-no-fix/fire-invalid-operator has 2 replicas and no PodDisruptionBudget: a node drain may evict all of them at once (no automatic fix: its `spec.selector` is not a valid LabelSelector, so no PodDisruptionBudget can select exactly its pods)', path: '', line: 525, column: 1, severity: 'warning' },
        { message: 'Deployment pdb-no-fix/fire-selector-misses-pods has 2 replicas and no PodDisruptionBudget: a node drain may evict all of them at once (no automatic fix: its `spec.selector` does not match its pod template labels, so no PodDisruptionBudget can select exactly its pods)', path: '', line: 550, column: 1, severity: 'warning' },
      ],
      output: fixedText('pdb-missing'),
    },
    {
      ...fixtureCase(NO_SERVICE),
      findings: [
        { message: 'Deployment pdb-no-service/fire-no-service has 2 replicas and no PodDisruptionBudget: a node drain may evict all of them at once', path: '', line: 3, column: 1, severity: 'warning' },
      ],
      output: fixedText('pdb-missing.no-service'),
    },
  ],
});

describe('pdb-missing', () => {
  test('fires on served multi-replica Deployments and StatefulSets that no PDB of their namespace selects', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-default-namespace', '', 'warning'],
      ['fire-empty-workload-selector', '', 'warning'],
      ['fire-hpa-min-replicas', '', 'warning'],
      ['fire-invalid-operator', '', 'warning'],
      ['fire-match-expressions', '', 'warning'],
      ['fire-pdb-in-other-namespace', '', 'warning'],
      ['fire-pdb-selects-other', '', 'warning'],
      ['fire-selector-misses-pods', '', 'warning'],
      ['fire-statefulset', '', 'warning'],
      ['fire-three-replicas', '', 'warning'],
    ]);
    expect(findings).toHaveLength(10);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
  });

  test('the fix is a new PodDisruptionBudget with the workload selector, maxUnavailable 1', () => {
    const findings = run(FIXTURE);
    // The workload's matchLabels, not the pod labels (the pods also carry a version label).
    expect(fixOf(findings, 'fire-three-replicas', '')).toEqual(pdb('fire-three-replicas', 'pdb-three', { app: 'web', tier: 'frontend' }));
    expect(fixOf(findings, 'fire-hpa-min-replicas', '')).toEqual(pdb('fire-hpa-min-replicas', 'pdb-hpa', { app: 'api' }));
    expect(fixOf(findings, 'fire-statefulset', '')).toEqual(pdb('fire-statefulset', 'pdb-sts', { app: 'cache' }));
    // No namespace in the manifest: none in the new document either.
    expect(fixOf(findings, 'fire-default-namespace', '')).toEqual(pdb('fire-default-namespace', undefined, { app: 'hello' }));
  });

  test('matchExpressions are copied as written', () => {
    expect(fixOf(run(FIXTURE), 'fire-match-expressions', '')).toEqual(
      pdbWith('fire-match-expressions', 'pdb-expressions', {
        matchExpressions: [
          { key: 'app', operator: 'In', values: ['gateway', 'gateway-canary'] },
          { key: 'track', operator: 'NotIn', values: ['shadow'] },
        ],
      }),
    );
  });

  test('no fix for an empty selector (it would select every pod of the namespace), an invalid one, or one that misses the pods', () => {
    const findings = run(FIXTURE);
    for (const name of ['fire-empty-workload-selector', 'fire-invalid-operator', 'fire-selector-misses-pods']) {
      expect(fixOf(findings, name, ''), name).toBeUndefined();
      expect(findingAt(findings, name, '').fixable, name).toBe(false);
    }
  });

  test('policy/v1beta1 before Kubernetes 1.21 (policy/v1 is served from 1.21; v1beta1 was removed in 1.25)', () => {
    const expected: Array<[string, string]> = [['1.16', 'policy/v1beta1'], ['1.20', 'policy/v1beta1'], ['1.21', 'policy/v1'], ['1.24', 'policy/v1'], ['1.25', 'policy/v1']];
    for (const [version, apiVersion] of expected) {
      expect(fixOf(run(FIXTURE, 'generic', version), 'fire-three-replicas', ''), version).toEqual(pdb('fire-three-replicas', 'pdb-three', { app: 'web', tier: 'frontend' }, apiVersion));
    }
  });

  test('without spec.selector: the pod template labels only where the API version defaults the selector to them', () => {
    const deployment = (apiVersion: string, labels: string): string =>
      `apiVersion: ${apiVersion}\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  template:\n    metadata:\n      labels: ${labels}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n        ports:\n        - containerPort: 80\n`;
    const fixes = ['extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2', 'apps/v1'].map((apiVersion) => {
      const [finding] = check(deployment(apiVersion, '{app: web, tier: front}'), '1.15');
      return [apiVersion, finding?.fix?.kind === 'document' ? finding.fix.document['spec'] : undefined];
    });
    expect(fixes).toEqual([
      ['extensions/v1beta1', { maxUnavailable: 1, selector: { matchLabels: { app: 'web', tier: 'front' } } }],
      ['apps/v1beta1', { maxUnavailable: 1, selector: { matchLabels: { app: 'web', tier: 'front' } } }],
      ['apps/v1beta2', undefined],
      ['apps/v1', undefined],
    ]);
    // No pod labels either: nothing to select with.
    expect(check(deployment('extensions/v1beta1', '{}'), '1.15').map((f) => [f.path, f.fixable])).toEqual([['', false]]);
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', '', 'warning']]);
  });

  test('without any Service in the input: a warning too', () => {
    const findings = run(NO_SERVICE);
    expect(rows(findings)).toEqual([['fire-no-service', '', 'warning']]);
    expect(conventionViolations(NO_SERVICE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-no-service', '').line).toBe(3);
    expect(fixOf(findings, 'fire-no-service', '')).toEqual(pdb('fire-no-service', 'pdb-no-service', { app: 'catalog' }));
  });
});
