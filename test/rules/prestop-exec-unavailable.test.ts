import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, fixOf, loadProblems, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'prestop-exec-unavailable';
const C0 = '/spec/template/spec/containers/0/lifecycle/preStop';
const C1 = '/spec/template/spec/containers/1/lifecycle/preStop';

describe('prestop-exec-unavailable', () => {
  test('the fixture is valid', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
  });

  test('fires on an exec sleep in images without a shell or sleep binary', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-chainguard-shell-sleep', `${C0}/exec/command`, 'warning'],
      ['fire-distroless-exec-sleep', `${C0}/exec/command`, 'warning'],
      ['fire-named-distroless', `${C1}/exec/command`, 'warning'],
    ]);
    expect(findings).toHaveLength(3);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-distroless-exec-sleep', `${C0}/exec/command`).line).toBe(41);
    expect(findingAt(findings, 'fire-named-distroless', `${C1}/exec/command`).line).toBe(95);
  });

  test('on 1.30 the fix replaces the hook with the native sleep action of the same length', () => {
    const findings = run(FIXTURE);
    expect(fixOf(findings, 'fire-distroless-exec-sleep', `${C0}/exec/command`)).toEqual({ kind: 'patch', operations: [{ op: 'replace', path: C0, value: { sleep: { seconds: 15 } } }] });
    // The API server rejects a native sleep longer than the grace period (default 30 s): raised to
    // sleep + the profile's app drain time (30 s), as the other preStop fixes do.
    expect(fixOf(findings, 'fire-chainguard-shell-sleep', `${C0}/exec/command`)).toEqual({
      kind: 'patch',
      operations: [
        { op: 'replace', path: C0, value: { sleep: { seconds: 40 } } },
        { op: 'add', path: '/spec/template/spec/terminationGracePeriodSeconds', value: 70 },
      ],
    });
    expect(fixOf(findings, 'fire-named-distroless', `${C1}/exec/command`)).toEqual({
      kind: 'patch',
      operations: [
        { op: 'replace', path: C1, value: { sleep: { seconds: 20 } } },
        { op: 'add', path: '/spec/template/spec/terminationGracePeriodSeconds', value: 50 },
      ],
    });
  });

  test('on 1.29 (no native sleep action) the same findings have no fix', () => {
    const findings = run(FIXTURE, 'generic', '1.29');
    expect(rows(findings)).toEqual(rows(run(FIXTURE)));
    expect(findings).toHaveLength(3);
    expect(findings.every((f) => f.fix === undefined && !f.fixable)).toBe(true);
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', `${C0}/exec/command`, 'warning']]);
  });

  // Regression: every cgr.dev/chainguard image counted as shell-less, but the `-dev` variants ship
  // a shell and busybox (the counterpart of distroless `:debug`, which the rule exempts).
  test('does not fire on a Chainguard -dev image', () => {
    expect(rowsOf(run(FIXTURE), ['dont-fire-chainguard-dev'])).toEqual([]);
  });
});
