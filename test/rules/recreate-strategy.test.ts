import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, fixOf, loadProblems, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'recreate-strategy';
const NO_SERVICE = 'recreate-strategy.no-service';
const TYPE = '/spec/strategy/type';
const ROLLING = { kind: 'patch', operations: [{ op: 'replace', path: '/spec/strategy', value: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }] };

describe('recreate-strategy', () => {
  test('the fixtures are valid', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
    expect(loadProblems(NO_SERVICE)).toEqual([]);
  });

  test('fires on served Deployments with strategy Recreate; error when a Service selects them', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-recreate', TYPE, 'error'],
      ['fire-recreate-with-claim', TYPE, 'error'],
    ]);
    expect(findings).toHaveLength(2);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-recreate', TYPE).line).toBe(24);
    expect(findingAt(findings, 'fire-recreate-with-claim', TYPE).line).toBe(60);
  });

  test('the fix switches to a surge rollout, except for pods that mount a claim', () => {
    const findings = run(FIXTURE);
    expect(fixOf(findings, 'fire-recreate', TYPE)).toEqual(ROLLING);
    expect(fixOf(findings, 'fire-recreate-with-claim', TYPE)).toBeUndefined();
    expect(findingAt(findings, 'fire-recreate-with-claim', TYPE).fixable).toBe(false);
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', TYPE, 'error']]);
  });

  test('without any Service in the input: a warning', () => {
    const findings = run(NO_SERVICE);
    expect(rows(findings)).toEqual([['fire-no-service', TYPE, 'warning']]);
    expect(conventionViolations(NO_SERVICE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-no-service', TYPE).line).toBe(12);
    expect(fixOf(findings, 'fire-no-service', TYPE)).toEqual(ROLLING);
  });
});
