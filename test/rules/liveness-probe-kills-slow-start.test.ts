import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, loadProblems, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'liveness-probe-kills-slow-start';
const C0 = '/spec/template/spec/containers/0/livenessProbe';
const C1 = '/spec/template/spec/containers/1/livenessProbe';

describe('liveness-probe-kills-slow-start', () => {
  test('the fixture is valid', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
  });

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

  test('positions: the line of the livenessProbe key', () => {
    const findings = run(FIXTURE);
    expect(findingAt(findings, 'fire-aggressive-liveness', C0).line).toBe(44);
    expect(findingAt(findings, 'fire-second-container', C1).line).toBe(117);
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', C0, 'warning']]);
  });

  test('the same under another profile: startup time 10 s in every built-in profile', () => {
    expect(rows(run(FIXTURE, 'eks-alb-ip'))).toEqual(rows(run(FIXTURE)));
  });
});
