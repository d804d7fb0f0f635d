import { describe, expect, test } from 'vitest';
import { livenessProbeKillsSlowStart } from '../../src/rules/liveness-probe-kills-slow-start.js';
import { conventionViolations, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'liveness-probe-kills-slow-start';
const C0 = '/spec/template/spec/containers/0/livenessProbe';
const C1 = '/spec/template/spec/containers/1/livenessProbe';

ruleTester.run('liveness-probe-kills-slow-start', livenessProbeKillsSlowStart, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'livenessProbe of container `web` restarts it after 4 s (initialDelay 0 + 2 × 2) but the app needs 10 s to become ready (app startup 10 s in profile generic); add a startupProbe', path: '/spec/template/spec/containers/0/livenessProbe', line: 44, column: 11, severity: 'warning' },
        { message: 'livenessProbe of container `search` restarts it after 30 s (initialDelay 0 + 10 × 3) but the app needs 60 s to become ready (readinessProbe initialDelaySeconds 60); add a startupProbe', path: '/spec/template/spec/containers/0/livenessProbe', line: 89, column: 11, severity: 'warning' },
        { message: 'livenessProbe of container `exporter` restarts it after 4 s (initialDelay 3 + 1 × 1) but the app needs 10 s to become ready (app startup 10 s in profile generic); add a startupProbe', path: '/spec/template/spec/containers/1/livenessProbe', line: 117, column: 11, severity: 'warning' },
      ],
    },
    {
      ...fixtureCase(FIXTURE, 'eks-alb-ip'),
      findings: [
        { message: 'livenessProbe of container `web` restarts it after 4 s (initialDelay 0 + 2 × 2) but the app needs 10 s to become ready (app startup 10 s in profile eks-alb-ip); add a startupProbe', path: '/spec/template/spec/containers/0/livenessProbe', line: 44, column: 11, severity: 'warning' },
        { message: 'livenessProbe of container `search` restarts it after 30 s (initialDelay 0 + 10 × 3) but the app needs 60 s to become ready (readinessProbe initialDelaySeconds 60); add a startupProbe', path: '/spec/template/spec/containers/0/livenessProbe', line: 89, column: 11, severity: 'warning' },
        { message: 'livenessProbe of container `exporter` restarts it after 4 s (initialDelay 3 + 1 × 1) but the app needs 10 s to become ready (app startup 10 s in profile eks-alb-ip); add a startupProbe', path: '/spec/template/spec/containers/1/livenessProbe', line: 117, column: 11, severity: 'warning' },
      ],
    },
  ],
});

describe('liveness-probe-kills-slow-start', () => {
  test('fires when liveness gives up before the app is ready and no startupProbe holds it', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-aggressive-liveness', C0, 'warning'],
      ['fire-second-container', C1, 'warning'],
      ['fire-slow-readiness', C0, 'warning'],
    ]);
    expect(findings).toHaveLength(3);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findings.every((f) => !f.fixable)).toBe(true);
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', C0, 'warning']]);
  });

  test('the same under another profile: startup time 10 s in every built-in profile', () => {
    expect(rows(run(FIXTURE, 'eks-alb-ip'))).toEqual(rows(run(FIXTURE)));
  });
});
