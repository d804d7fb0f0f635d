import { describe, expect, test } from 'vitest';
import { prestopExecUnavailable } from '../../src/rules/prestop-exec-unavailable.js';
import { conventionViolations, findingAt, fixedText, fixOf, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'prestop-exec-unavailable';
const C0 = '/spec/template/spec/containers/0/lifecycle/preStop';
const C1 = '/spec/template/spec/containers/1/lifecycle/preStop';

ruleTester.run('prestop-exec-unavailable', prestopExecUnavailable, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'preStop of container `payments` runs `sleep`, but image gcr.io/distroless/java17-debian12:nonroot likely has no sleep binary: the hook fails and the app gets SIGTERM at once; use the native `sleep` action', path: '/spec/template/spec/containers/0/lifecycle/preStop/exec/command', line: 41, column: 17, severity: 'warning' },
        { message: 'preStop of container `web` runs `sleep`, but image cgr.dev/chainguard/nginx:latest likely has no sleep binary: the hook fails and the app gets SIGTERM at once; use the native `sleep` action', path: '/spec/template/spec/containers/0/lifecycle/preStop/exec/command', line: 67, column: 17, severity: 'warning' },
        { message: 'preStop of container `ledger` runs `sleep`, but image registry.example.com/shop/ledger-distroless:0.4.0 likely has no sleep binary: the hook fails and the app gets SIGTERM at once; use the native `sleep` action', path: '/spec/template/spec/containers/1/lifecycle/preStop/exec/command', line: 95, column: 17, severity: 'warning' },
      ],
      output: fixedText('prestop-exec-unavailable'),
    },
    {
      ...fixtureCase(FIXTURE, 'generic', '1.29'),
      findings: [
        { message: 'preStop of container `payments` runs `sleep`, but image gcr.io/distroless/java17-debian12:nonroot likely has no sleep binary: the hook fails and the app gets SIGTERM at once (the native sleep action needs Kubernetes 1.30, profile has 1.29)', path: '/spec/template/spec/containers/0/lifecycle/preStop/exec/command', line: 41, column: 17, severity: 'warning' },
        { message: 'preStop of container `web` runs `sleep`, but image cgr.dev/chainguard/nginx:latest likely has no sleep binary: the hook fails and the app gets SIGTERM at once (the native sleep action needs Kubernetes 1.30, profile has 1.29)', path: '/spec/template/spec/containers/0/lifecycle/preStop/exec/command', line: 67, column: 17, severity: 'warning' },
        { message: 'preStop of container `ledger` runs `sleep`, but image registry.example.com/shop/ledger-distroless:0.4.0 likely has no sleep binary: the hook fails and the app gets SIGTERM at once (the native sleep action needs Kubernetes 1.30, profile has 1.29)', path: '/spec/template/spec/containers/1/lifecycle/preStop/exec/command', line: 95, column: 17, severity: 'warning' },
      ],
    },
  ],
});

describe('prestop-exec-unavailable', () => {
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
