import { describe, expect, test } from 'vitest';
import { rolloutMaxUnavailable } from '../../src/rules/rollout-max-unavailable.js';
import { conventionViolations, findingAt, fixedText, fixOf, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'rollout-max-unavailable';
const NO_SERVICE = 'rollout-max-unavailable.no-service';
const SHARED = 'rollout-max-unavailable.shared-service';
const MU = '/spec/strategy/rollingUpdate/maxUnavailable';
const MS = '/spec/strategy/rollingUpdate/maxSurge';
const DS_MU = '/spec/updateStrategy/rollingUpdate/maxUnavailable';

ruleTester.run('rollout-max-unavailable', rolloutMaxUnavailable, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'rolling update of Deployment rmu-forced/fire-single-forced may take 1 of 1 replicas down at once (maxSurge 0, maxUnavailable 1, forced to 1 because both resolve to 0): no replica serves during the rollout', path: '/spec/strategy/rollingUpdate/maxUnavailable', line: 29, column: 7, severity: 'error' },
        { message: 'rolling update of Deployment rmu-percent/fire-all-percent may take 2 of 2 replicas down at once (maxSurge 1, maxUnavailable 2): no replica serves during the rollout', path: '/spec/strategy/rollingUpdate/maxUnavailable', line: 66, column: 7, severity: 'error' },
        { message: 'rolling update of Deployment rmu-surge-zero/fire-surge-zero-default-unavailable may take 1 of 1 replicas down at once (maxSurge 0, maxUnavailable 1, forced to 1 because both resolve to 0): no replica serves during the rollout', path: '/spec/strategy', line: 102, column: 3, severity: 'error' },
        { message: 'rolling update of Deployment rmu-pdb/fire-more-than-pdb may take 2 of 4 replicas down at once, more than its PodDisruptionBudget orders allows (1)', path: '/spec/strategy/rollingUpdate/maxUnavailable', line: 143, column: 7, severity: 'warning' },
        { message: 'rolling update of Deployment rmu-pdb-default/fire-default-strategy-pdb may take 2 of 8 replicas down at once, more than its PodDisruptionBudget checkout allows (1)', path: '/spec/strategy', line: 188, column: 1, severity: 'warning' },
        { message: 'rolling update of Deployment rmu-pdb-percent/fire-percent-pdb may take 2 of 8 replicas down at once, more than its PodDisruptionBudget search allows (1)', path: '/spec/strategy', line: 235, column: 3, severity: 'warning' },
        { message: 'rolling update of DaemonSet rmu-daemonset/fire-daemonset-all-unavailable may stop its pod on 3 of 3 nodes at once (maxUnavailable 3, maxSurge 0; 3 nodes in profile generic): no node serves during the rollout', path: '/spec/updateStrategy/rollingUpdate/maxUnavailable', line: 468, column: 7, severity: 'error' },
      ],
      output: fixedText('rollout-max-unavailable'),
    },
    {
      ...fixtureCase(NO_SERVICE),
      findings: [
        { message: 'rolling update of Deployment rmu-no-service/fire-no-service may take 3 of 3 replicas down at once (maxSurge 0, maxUnavailable 3): no replica serves during the rollout', path: '/spec/strategy/rollingUpdate/maxUnavailable', line: 13, column: 7, severity: 'warning' },
      ],
      output: fixedText('rollout-max-unavailable.no-service'),
    },
    {
      ...fixtureCase(SHARED),
      findings: [
        { message: 'rolling update of Deployment rmu-shared/fire-canary-all-down may take 1 of 1 replicas down at once (maxSurge 0, maxUnavailable 1): none of its pods serves meanwhile, but Service web also sends to Deployment rmu-shared/dont-fire-stable (3 replicas), which keep serving with less capacity', path: '/spec/strategy/rollingUpdate/maxUnavailable', line: 42, column: 7, severity: 'warning' },
        { message: 'rolling update of Deployment rmu-shared/fire-alone-all-down may take 1 of 1 replicas down at once (maxSurge 0, maxUnavailable 1): no replica serves during the rollout', path: '/spec/strategy/rollingUpdate/maxUnavailable', line: 75, column: 7, severity: 'error' },
      ],
      output: fixedText('rollout-max-unavailable.shared-service'),
    },
  ],
});

describe('rollout-max-unavailable', () => {
  test('fires when the effective maxUnavailable takes all replicas down (error) or more than the PDB allows (warning)', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-all-percent', MU, 'error'],
      ['fire-daemonset-all-unavailable', DS_MU, 'error'],
      ['fire-default-strategy-pdb', '/spec/strategy', 'warning'],
      ['fire-more-than-pdb', MU, 'warning'],
      ['fire-percent-pdb', '/spec/strategy', 'warning'],
      ['fire-single-forced', MU, 'error'],
      ['fire-surge-zero-default-unavailable', '/spec/strategy', 'error'],
    ]);
    expect(findings).toHaveLength(7);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
  });

  test('fixes set maxUnavailable 0 and keep or raise maxSurge to at least 1, editing only what is there', () => {
    const findings = run(FIXTURE);
    expect(fixOf(findings, 'fire-single-forced', MU)).toEqual({
      kind: 'patch',
      operations: [
        { op: 'replace', path: MU, value: 0 },
        { op: 'replace', path: MS, value: 1 },
      ],
    });
    expect(fixOf(findings, 'fire-all-percent', MU)).toEqual({ kind: 'patch', operations: [{ op: 'replace', path: MU, value: 0 }] });
    expect(fixOf(findings, 'fire-surge-zero-default-unavailable', '/spec/strategy')).toEqual({
      kind: 'patch',
      operations: [
        { op: 'add', path: MU, value: 0 },
        { op: 'replace', path: MS, value: 1 },
      ],
    });
    expect(fixOf(findings, 'fire-more-than-pdb', MU)).toEqual({
      kind: 'patch',
      operations: [
        { op: 'replace', path: MU, value: 0 },
        { op: 'replace', path: MS, value: 1 },
      ],
    });
    expect(fixOf(findings, 'fire-default-strategy-pdb', '/spec/strategy')).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: '/spec/strategy', value: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 2 } } }],
    });
    expect(fixOf(findings, 'fire-percent-pdb', '/spec/strategy')).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: '/spec/strategy/rollingUpdate', value: { maxUnavailable: 0, maxSurge: 2 } }],
    });
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', MU, 'error']]);
  });

  // Regression: only Deployments were checked. A DaemonSet with
  // updateStrategy.rollingUpdate.maxUnavailable 100 % (rounded up, knowledge/rollout-algorithm.md
  // §3.2) stops the pod on every node at once.
  test('fires on a served DaemonSet whose maxUnavailable takes every node down', () => {
    expect(rowsOf(run(FIXTURE), ['fire-daemonset-all-unavailable'])).toEqual([['fire-daemonset-all-unavailable', DS_MU, 'error']]);
  });

  test('without any Service in the input: taking all replicas down is a warning', () => {
    const findings = run(NO_SERVICE);
    expect(rows(findings)).toEqual([['fire-no-service', MU, 'warning']]);
    expect(conventionViolations(NO_SERVICE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-no-service', MU).line).toBe(13);
  });
});

describe('rollout-max-unavailable behind a Service shared with other workloads', () => {
  const PATH = '/spec/strategy/rollingUpdate/maxUnavailable';

  test('a warning that names the workloads that keep serving, with the same fix; alone behind its Service, an error', () => {
    const findings = run(SHARED);
    expect(rows(findings)).toEqual([
      ['fire-alone-all-down', PATH, 'error'],
      ['fire-canary-all-down', PATH, 'warning'],
    ]);
    expect(conventionViolations(SHARED, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-canary-all-down', PATH).message).toBe(
      'rolling update of Deployment rmu-shared/fire-canary-all-down may take 1 of 1 replicas down at once (maxSurge 0, maxUnavailable 1): none of its pods serves meanwhile, but Service web also sends to Deployment rmu-shared/dont-fire-stable (3 replicas), which keep serving with less capacity',
    );
    const fix = { kind: 'patch', operations: [{ op: 'replace', path: PATH, value: 0 }, { op: 'replace', path: '/spec/strategy/rollingUpdate/maxSurge', value: 1 }] };
    expect(fixOf(findings, 'fire-canary-all-down', PATH)).toEqual(fix);
    expect(fixOf(findings, 'fire-alone-all-down', PATH)).toEqual(fix);
  });
});
