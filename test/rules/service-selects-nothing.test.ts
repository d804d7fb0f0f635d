import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, loadProblems, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'service-selects-nothing';
const NO_WORKLOADS = 'service-selects-nothing.no-workloads';

describe('service-selects-nothing', () => {
  test('the fixtures are valid', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
    expect(loadProblems(NO_WORKLOADS)).toEqual([]);
  });

  test('fires (info) on Services whose selector matches no workload of their namespace', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-extra-label', '/spec/selector', 'info'],
      ['fire-other-namespace', '/spec/selector', 'info'],
      ['fire-typo', '/spec/selector', 'info'],
    ]);
    expect(findings).toHaveLength(3);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-typo', '/spec/selector').line).toBe(11);
    expect(findingAt(findings, 'fire-other-namespace', '/spec/selector').line).toBe(80);
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', '/spec/selector', 'info']]);
  });

  test('an input with no workload at all is not judged', () => {
    const findings = run(NO_WORKLOADS);
    expect(findings).toEqual([]);
    expect(conventionViolations(NO_WORKLOADS, findings)).toEqual({ silentFire: [], firedDontFire: [] });
  });
});
