import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, fixOf, loadProblems, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'grace-period-too-short';
const NO_SERVICE = 'grace-period-too-short.no-service';
const POD_SPEC = '/spec/template/spec';
const GRACE = '/spec/template/spec/terminationGracePeriodSeconds';

describe('grace-period-too-short', () => {
  test('the fixtures are valid manifests', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
    expect(loadProblems(NO_SERVICE)).toEqual([]);
  });

  test('fires when grace < longest serving preStop + 30 s drain; at the field, or the pod spec when unset', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-default-grace', POD_SPEC, 'error'],
      ['fire-explicit-grace', GRACE, 'error'],
      ['fire-max-of-containers', GRACE, 'error'],
      ['fire-pod', '/spec/terminationGracePeriodSeconds', 'error'],
      ['fire-short-no-prestop', GRACE, 'error'],
      ['fire-statefulset', POD_SPEC, 'warning'], // only a headless Service selects it (domain/service-role.ts)
    ]);
    expect(findings).toHaveLength(6);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
  });

  test('positions', () => {
    const findings = run(FIXTURE);
    expect(findingAt(findings, 'fire-default-grace', POD_SPEC).line).toBe(33);
    expect(findingAt(findings, 'fire-explicit-grace', GRACE).line).toBe(73);
    expect(findingAt(findings, 'fire-pod', '/spec/terminationGracePeriodSeconds').line).toBe(193);
  });

  test('fixes set the grace period to preStop + 30 s: add when unset, replace when set', () => {
    const findings = run(FIXTURE);
    expect(fixOf(findings, 'fire-default-grace', POD_SPEC)).toEqual({ kind: 'patch', operations: [{ op: 'add', path: GRACE, value: 35 }] });
    expect(fixOf(findings, 'fire-explicit-grace', GRACE)).toEqual({ kind: 'patch', operations: [{ op: 'replace', path: GRACE, value: 45 }] });
    expect(fixOf(findings, 'fire-short-no-prestop', GRACE)).toEqual({ kind: 'patch', operations: [{ op: 'replace', path: GRACE, value: 30 }] });
    expect(fixOf(findings, 'fire-max-of-containers', GRACE)).toEqual({ kind: 'patch', operations: [{ op: 'replace', path: GRACE, value: 50 }] });
    expect(fixOf(findings, 'fire-pod', '/spec/terminationGracePeriodSeconds')).toEqual({
      kind: 'patch',
      operations: [{ op: 'replace', path: '/spec/terminationGracePeriodSeconds', value: 50 }],
    });
    expect(fixOf(findings, 'fire-statefulset', POD_SPEC)).toEqual({ kind: 'patch', operations: [{ op: 'add', path: GRACE, value: 40 }] });
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', GRACE, 'error']]);
  });

  test('without any Service in the input: a warning', () => {
    const findings = run(NO_SERVICE);
    expect(rows(findings)).toEqual([['fire-no-service', POD_SPEC, 'warning']]);
    expect(conventionViolations(NO_SERVICE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-no-service', POD_SPEC).line).toBe(18);
    expect(fixOf(findings, 'fire-no-service', POD_SPEC)).toEqual({ kind: 'patch', operations: [{ op: 'add', path: GRACE, value: 35 }] });
  });
});
