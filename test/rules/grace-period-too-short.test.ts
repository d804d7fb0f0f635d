import { describe, expect, test } from 'vitest';
import { gracePeriodTooShort } from '../../src/rules/grace-period-too-short.js';
import { conventionViolations, findingAt, fixedText, fixOf, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'grace-period-too-short';
const NO_SERVICE = 'grace-period-too-short.no-service';
const POD_SPEC = '/spec/template/spec';
const GRACE = '/spec/template/spec/terminationGracePeriodSeconds';

ruleTester.run('grace-period-too-short', gracePeriodTooShort, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'terminationGracePeriodSeconds 30 s (default) of Deployment gp-default/fire-default-grace leaves 25 s after preStop 5 s; profile generic assumes the app needs 30 s to finish requests in flight (app.drainSeconds, an assumption: set it for your app) = 35 s', path: '/spec/template/spec', line: 33, column: 5, severity: 'warning' },
        { message: 'terminationGracePeriodSeconds 40 s of Deployment gp-explicit/fire-explicit-grace leaves 25 s after preStop 15 s; profile generic assumes the app needs 30 s to finish requests in flight (app.drainSeconds, an assumption: set it for your app) = 45 s', path: '/spec/template/spec/terminationGracePeriodSeconds', line: 73, column: 7, severity: 'warning' },
        { message: 'terminationGracePeriodSeconds 10 s of Deployment gp-short/fire-short-no-prestop leaves 10 s after preStop 0 s; profile generic assumes the app needs 30 s to finish requests in flight (app.drainSeconds, an assumption: set it for your app) = 30 s', path: '/spec/template/spec/terminationGracePeriodSeconds', line: 112, column: 7, severity: 'warning' },
        { message: 'terminationGracePeriodSeconds 45 s of Deployment gp-max/fire-max-of-containers leaves 25 s after preStop 20 s; profile generic assumes the app needs 30 s to finish requests in flight (app.drainSeconds, an assumption: set it for your app) = 50 s', path: '/spec/template/spec/terminationGracePeriodSeconds', line: 151, column: 7, severity: 'warning' },
        { message: 'terminationGracePeriodSeconds 30 s of Pod gp-pod/fire-pod leaves 10 s after preStop 20 s; profile generic assumes the app needs 30 s to finish requests in flight (app.drainSeconds, an assumption: set it for your app) = 50 s', path: '/spec/terminationGracePeriodSeconds', line: 193, column: 3, severity: 'warning' },
        { message: 'terminationGracePeriodSeconds 30 s (default) of StatefulSet gp-sts/fire-statefulset leaves 20 s after preStop 10 s; profile generic assumes the app needs 30 s to finish requests in flight (app.drainSeconds, an assumption: set it for your app) = 40 s — only headless Service cache selects it: clients connect to the pod IPs they resolved by DNS, so what fails depends on their DNS cache and retries', path: '/spec/template/spec', line: 234, column: 5, severity: 'warning' },
        { message: 'terminationGracePeriodSeconds 30 s of Deployment gp-below/fire-grace-below-prestop is shorter than its preStop 45 s: the kubelet cuts the hook at 30 s and sends SIGKILL at 32 s, leaving the app 2 s; profile generic assumes it needs 30 s to finish requests in flight (app.drainSeconds, an assumption: set it for your app)', path: '/spec/template/spec/terminationGracePeriodSeconds', line: 454, column: 7, severity: 'warning' },
        { message: 'terminationGracePeriodSeconds 10 s of Deployment gp-unknown/fire-unknown-hook: its preStop runs `/app/drain`, whose length rollsafe cannot know; with the 30 s drain profile generic assumes (app.drainSeconds) it needs at least 30 s', path: '/spec/template/spec/terminationGracePeriodSeconds', line: 493, column: 7, severity: 'warning' },
        { message: 'terminationGracePeriodSeconds 2 s of Deployment gp-cut/fire-grace-cuts-prestop cuts its preStop 15 s short, below the 3 s propagation budget of profile generic: the kubelet sends SIGTERM at 2 s while endpoints may still route to the pod, and SIGKILL at 4 s', path: '/spec/template/spec/terminationGracePeriodSeconds', line: 533, column: 7, severity: 'error' },
      ],
      output: fixedText('grace-period-too-short'),
    },
    {
      ...fixtureCase(NO_SERVICE),
      findings: [
        { message: 'terminationGracePeriodSeconds 30 s (default) of Deployment gp-no-service/fire-no-service leaves 25 s after preStop 5 s; profile generic assumes the app needs 30 s to finish requests in flight (app.drainSeconds, an assumption: set it for your app) = 35 s', path: '/spec/template/spec', line: 18, column: 5, severity: 'warning' },
      ],
      output: fixedText('grace-period-too-short.no-service'),
    },
  ],
});

describe('grace-period-too-short', () => {
  test('fires when grace < longest serving preStop + 30 s drain; at the field, or the pod spec when unset', () => {
    const findings = run(FIXTURE);
    // Only a grace period that cuts the known preStop below the propagation budget fails without the
    // profile's assumed drain time: an error. Where the assumption alone makes it fail, or the
    // hook's length is unknown: a warning.
    expect(rows(findings)).toEqual([
      ['fire-default-grace', POD_SPEC, 'warning'],
      ['fire-explicit-grace', GRACE, 'warning'],
      ['fire-grace-below-prestop', GRACE, 'warning'],
      ['fire-grace-cuts-prestop', GRACE, 'error'],
      ['fire-max-of-containers', GRACE, 'warning'],
      ['fire-pod', '/spec/terminationGracePeriodSeconds', 'warning'],
      ['fire-short-no-prestop', GRACE, 'warning'],
      ['fire-statefulset', POD_SPEC, 'warning'], // only a headless Service selects it (domain/service-role.ts)
      ['fire-unknown-hook', GRACE, 'warning'],
    ]);
    expect(findings).toHaveLength(9);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
  });

  test('the message says what is known (preStop, grace) and what is assumed (the drain time)', () => {
    const findings = run(FIXTURE);
    expect(findingAt(findings, 'fire-explicit-grace', GRACE).message).toBe(
      'terminationGracePeriodSeconds 40 s of Deployment gp-explicit/fire-explicit-grace leaves 25 s after preStop 15 s; profile generic assumes the app needs 30 s to finish requests in flight (app.drainSeconds, an assumption: set it for your app) = 45 s',
    );
    expect(findingAt(findings, 'fire-grace-below-prestop', GRACE).message).toBe(
      'terminationGracePeriodSeconds 30 s of Deployment gp-below/fire-grace-below-prestop is shorter than its preStop 45 s: the kubelet cuts the hook at 30 s and sends SIGKILL at 32 s, leaving the app 2 s; profile generic assumes it needs 30 s to finish requests in flight (app.drainSeconds, an assumption: set it for your app)',
    );
    expect(findingAt(findings, 'fire-grace-cuts-prestop', GRACE).message).toBe(
      'terminationGracePeriodSeconds 2 s of Deployment gp-cut/fire-grace-cuts-prestop cuts its preStop 15 s short, below the 3 s propagation budget of profile generic: the kubelet sends SIGTERM at 2 s while endpoints may still route to the pod, and SIGKILL at 4 s',
    );
    expect(findingAt(findings, 'fire-unknown-hook', GRACE).message).toBe(
      'terminationGracePeriodSeconds 10 s of Deployment gp-unknown/fire-unknown-hook: its preStop runs `/app/drain`, whose length rollsafe cannot know; with the 30 s drain profile generic assumes (app.drainSeconds) it needs at least 30 s',
    );
    expect(fixOf(findings, 'fire-grace-below-prestop', GRACE)).toEqual({ kind: 'patch', operations: [{ op: 'replace', path: GRACE, value: 75 }] });
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
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', GRACE, 'warning']]);
  });

  test('without any Service in the input: a warning', () => {
    const findings = run(NO_SERVICE);
    expect(rows(findings)).toEqual([['fire-no-service', POD_SPEC, 'warning']]);
    expect(conventionViolations(NO_SERVICE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-no-service', POD_SPEC).line).toBe(18);
    expect(fixOf(findings, 'fire-no-service', POD_SPEC)).toEqual({ kind: 'patch', operations: [{ op: 'add', path: GRACE, value: 35 }] });
  });
});
