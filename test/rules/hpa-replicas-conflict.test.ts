import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, fixOf, loadProblems, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'hpa-replicas-conflict';

describe('hpa-replicas-conflict', () => {
  test('the fixture is valid', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
  });

  test('fires on spec.replicas of a workload an HPA (same namespace, kind and name) targets', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-deployment-replicas', '/spec/replicas', 'warning'],
      ['fire-statefulset-replicas', '/spec/replicas', 'warning'],
    ]);
    expect(findings).toHaveLength(2);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-deployment-replicas', '/spec/replicas').line).toBe(23);
    expect(findingAt(findings, 'fire-statefulset-replicas', '/spec/replicas').line).toBe(66);
  });

  test('the fix removes spec.replicas', () => {
    const findings = run(FIXTURE);
    for (const name of ['fire-deployment-replicas', 'fire-statefulset-replicas']) {
      expect(fixOf(findings, name, '/spec/replicas')).toEqual({ kind: 'patch', operations: [{ op: 'remove', path: '/spec/replicas' }] });
    }
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', '/spec/replicas', 'warning']]);
  });
});
