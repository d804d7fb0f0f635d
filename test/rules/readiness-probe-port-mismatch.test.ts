import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, loadProblems, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'readiness-probe-port-mismatch';
const NO_SERVICE = 'readiness-probe-port-mismatch.no-service';
const PROBE = '/spec/template/spec/containers/0/readinessProbe';

describe('readiness-probe-port-mismatch', () => {
  test('the fixtures are valid manifests', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
    expect(loadProblems(NO_SERVICE)).toEqual([]);
  });

  test('fires on unknown port names, undeclared ports and ports the Service does not send to', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-grpc-port', `${PROBE}/grpc/port`, 'error'],
      ['fire-metrics-port', `${PROBE}/httpGet/port`, 'error'],
      ['fire-not-declared', `${PROBE}/tcpSocket/port`, 'error'],
      ['fire-service-target-differs', `${PROBE}/httpGet/port`, 'error'],
      ['fire-unknown-name', `${PROBE}/httpGet/port`, 'error'],
    ]);
    expect(findings).toHaveLength(5);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findings.every((f) => !f.fixable)).toBe(true);
  });

  test('positions: the line of the port field', () => {
    const findings = run(FIXTURE);
    expect(findingAt(findings, 'fire-unknown-name', `${PROBE}/httpGet/port`).line).toBe(42);
    expect(findingAt(findings, 'fire-not-declared', `${PROBE}/tcpSocket/port`).line).toBe(79);
    expect(findingAt(findings, 'fire-grpc-port', `${PROBE}/grpc/port`).line).toBe(195);
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', `${PROBE}/tcpSocket/port`, 'error']]);
  });

  test('without any Service in the input a broken probe is still an error', () => {
    const findings = run(NO_SERVICE);
    expect(rows(findings)).toEqual([['fire-undeclared-name', `${PROBE}/httpGet/port`, 'error']]);
    expect(conventionViolations(NO_SERVICE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-undeclared-name', `${PROBE}/httpGet/port`).line).toBe(28);
  });
});
