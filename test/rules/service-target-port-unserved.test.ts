import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, loadProblems, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'service-target-port-unserved';

describe('service-target-port-unserved', () => {
  test('the fixture is valid', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
  });

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

  test('positions: the targetPort field', () => {
    const findings = run(FIXTURE);
    expect(findingAt(findings, 'fire-unknown-name', '/spec/ports/0/targetPort').line).toBe(17);
    expect(findingAt(findings, 'fire-second-port', '/spec/ports/1/targetPort').line).toBe(122);
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
