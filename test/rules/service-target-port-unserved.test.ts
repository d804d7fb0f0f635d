import { describe, expect, test } from 'vitest';
import { serviceTargetPortUnserved } from '../../src/rules/service-target-port-unserved.js';
import { conventionViolations, findingAt, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'service-target-port-unserved';

ruleTester.run('service-target-port-unserved', serviceTargetPortUnserved, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'Service fire-unknown-name sends port 80 to targetPort `http`, but no container of Deployment stp-name/web declares a port of that name: the Service has no endpoints for it', path: '/spec/ports/0/targetPort', line: 17, column: 7, severity: 'error' },
        { message: 'Service fire-second-port sends port 9090 to targetPort `metrics`, but no container of Deployment stp-second/orders declares a port of that name: the Service has no endpoints for it', path: '/spec/ports/1/targetPort', line: 122, column: 7, severity: 'error' },
        { message: 'Service fire-one-of-two sends port 80 to targetPort `http`, but no container of Deployment stp-canary/payments-canary declares a port of that name: the Service has no endpoints for it', path: '/spec/ports/0/targetPort', line: 158, column: 7, severity: 'error' },
        { message: 'Service fire-metrics-name sends port 9102 to targetPort `metrics`, but no container of Deployment stpu-metrics/ledger declares a port of that name: the Service has no endpoints for it (metrics Service, ports named for metrics: what breaks is its metrics endpoint, not client requests)', path: '/spec/ports/0/targetPort', line: 378, column: 7, severity: 'warning' },
      ],
    },
  ],
});

describe('service-target-port-unserved', () => {
  test('fires per selected workload for a named targetPort no container declares (error); never for a number', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-metrics-name', '/spec/ports/0/targetPort', 'warning'],
      ['fire-one-of-two', '/spec/ports/0/targetPort', 'error'],
      ['fire-second-port', '/spec/ports/1/targetPort', 'error'],
      ['fire-unknown-name', '/spec/ports/0/targetPort', 'error'],
    ]);
    expect(findings).toHaveLength(4);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findings.every((f) => !f.fixable)).toBe(true);
  });

  test('a numeric targetPort no container declares, written or defaulted to port, is not judged (declaring container ports is optional)', () => {
    expect(rowsOf(run(FIXTURE), ['dont-fire-undeclared-number', 'dont-fire-port-only', 'dont-fire-metrics-number', 'dont-fire-no-declared-ports'])).toEqual([]);
  });

  test('a Service that carries no requests (here: metrics) is one level lower, and the message says what breaks', () => {
    const findings = run(FIXTURE);
    expect(findingAt(findings, 'fire-metrics-name', '/spec/ports/0/targetPort').message).toBe(
      'Service fire-metrics-name sends port 9102 to targetPort `metrics`, but no container of Deployment stpu-metrics/ledger declares a port of that name: the Service has no endpoints for it (metrics Service, ports named for metrics: what breaks is its metrics endpoint, not client requests)',
    );
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', '/spec/ports/0/targetPort', 'error']]);
  });
});
