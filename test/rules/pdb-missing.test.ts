import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, fixOf, loadProblems, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'pdb-missing';
const NO_SERVICE = 'pdb-missing.no-service';

/** The PodDisruptionBudget the fix proposes. */
function pdb(name: string, namespace: string | undefined, matchLabels: Record<string, string>): unknown {
  return {
    kind: 'document',
    document: {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: namespace === undefined ? { name } : { name, namespace },
      spec: { maxUnavailable: 1, selector: { matchLabels } },
    },
  };
}

describe('pdb-missing', () => {
  test('the fixtures are valid', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
    expect(loadProblems(NO_SERVICE)).toEqual([]);
  });

  test('fires on served multi-replica Deployments and StatefulSets that no PDB of their namespace selects', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-default-namespace', '', 'warning'],
      ['fire-hpa-min-replicas', '', 'warning'],
      ['fire-pdb-in-other-namespace', '', 'warning'],
      ['fire-pdb-selects-other', '', 'warning'],
      ['fire-statefulset', '', 'warning'],
      ['fire-three-replicas', '', 'warning'],
    ]);
    expect(findings).toHaveLength(6);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
  });

  test('positions: the first line of the object', () => {
    const findings = run(FIXTURE);
    expect(findingAt(findings, 'fire-three-replicas', '').line).toBe(16);
    expect(findingAt(findings, 'fire-statefulset', '').line).toBe(99);
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
