import { describe, expect, test } from 'vitest';
import { livenessProbeSameAsReadiness } from '../../src/rules/liveness-probe-same-as-readiness.js';
import { conventionViolations, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'liveness-probe-same-as-readiness';
const LIVENESS = '/spec/template/spec/containers/0/livenessProbe';

ruleTester.run('liveness-probe-same-as-readiness', livenessProbeSameAsReadiness, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'livenessProbe of container `web` checks the same httpGet 8080/healthz as its readinessProbe and fails after 30 s, no later than readiness (30 s): a slow app is restarted instead of being taken out of rotation', path: '/spec/template/spec/containers/0/livenessProbe', line: 44, column: 11, severity: 'warning' },
        { message: 'livenessProbe of container `api` checks the same httpGet 8080/status as its readinessProbe and fails after 30 s, no later than readiness (30 s): a slow app is restarted instead of being taken out of rotation', path: '/spec/template/spec/containers/0/livenessProbe', line: 87, column: 11, severity: 'warning' },
        { message: 'livenessProbe of container `redis` checks the same tcpSocket 6379 as its readinessProbe and fails after 15 s, no later than readiness (30 s): a slow app is restarted instead of being taken out of rotation', path: '/spec/template/spec/containers/0/livenessProbe', line: 132, column: 11, severity: 'warning' },
        { message: 'livenessProbe of container `pgbouncer` checks the same exec ["pg_isready","-h","127.0.0.1"] as its readinessProbe and fails after 30 s, no later than readiness (30 s): a slow app is restarted instead of being taken out of rotation', path: '/spec/template/spec/containers/0/livenessProbe', line: 173, column: 11, severity: 'warning' },
      ],
    },
  ],
});

describe('liveness-probe-same-as-readiness', () => {
  test('fires when both probes check the same thing and liveness fails no later than readiness', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-named-vs-number', LIVENESS, 'warning'],
      ['fire-same-exec', LIVENESS, 'warning'],
      ['fire-same-http', LIVENESS, 'warning'],
      ['fire-tcp-liveness-faster', LIVENESS, 'warning'],
    ]);
    expect(findings).toHaveLength(4);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findings.every((f) => !f.fixable)).toBe(true);
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', LIVENESS, 'warning']]);
  });
});
