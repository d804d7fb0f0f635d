import { describe, expect, test } from 'vitest';
import { serviceSelectsNothing } from '../../src/rules/service-selects-nothing.js';
import { conventionViolations, findingAt, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'service-selects-nothing';
const NO_WORKLOADS = 'service-selects-nothing.no-workloads';

ruleTester.run('service-selects-nothing', serviceSelectsNothing, {
  valid: [withoutFiring(FIXTURE), fixtureCase(NO_WORKLOADS)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'Service fire-typo selects app=chekout, which matches no workload in the input', path: '/spec/selector', line: 11, column: 3, severity: 'info' },
        { message: 'Service fire-extra-label selects app=web,tier=frontend, which matches no workload in the input', path: '/spec/selector', line: 45, column: 3, severity: 'info' },
        { message: 'Service fire-other-namespace selects app=api, which matches no workload in the input', path: '/spec/selector', line: 80, column: 3, severity: 'info' },
      ],
    },
  ],
});

describe('service-selects-nothing', () => {
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
