import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, loadProblems, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'liveness-probe-same-as-readiness';
const LIVENESS = '/spec/template/spec/containers/0/livenessProbe';

describe('liveness-probe-same-as-readiness', () => {
  test('the fixture is valid', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
  });

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

  test('positions: the line of the livenessProbe key', () => {
    const findings = run(FIXTURE);
    expect(findingAt(findings, 'fire-same-http', LIVENESS).line).toBe(44);
    expect(findingAt(findings, 'fire-same-exec', LIVENESS).line).toBe(173);
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', LIVENESS, 'warning']]);
  });
});
