import { describe, expect, test } from 'vitest';
import { hpaReplicasConflict } from '../../src/rules/hpa-replicas-conflict.js';
import { conventionViolations, findingAt, fixedText, fixOf, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'hpa-replicas-conflict';

ruleTester.run('hpa-replicas-conflict', hpaReplicasConflict, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'HorizontalPodAutoscaler web scales Deployment hrc-deployment/fire-deployment-replicas, but the manifest sets replicas: 3: every apply resets the scale to 3', path: '/spec/replicas', line: 23, column: 3, severity: 'warning' },
        { message: 'HorizontalPodAutoscaler consumers scales StatefulSet hrc-statefulset/fire-statefulset-replicas, but the manifest sets replicas: 2: every apply resets the scale to 2', path: '/spec/replicas', line: 66, column: 3, severity: 'warning' },
      ],
      output: fixedText('hpa-replicas-conflict'),
    },
  ],
});

describe('hpa-replicas-conflict', () => {
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
