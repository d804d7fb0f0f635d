import { describe, expect, test } from 'vitest';
import { sigtermNotForwarded } from '../../src/rules/sigterm-not-forwarded.js';
import { conventionViolations, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'sigterm-not-forwarded';
const C0 = '/spec/template/spec/containers/0/command';

ruleTester.run('sigterm-not-forwarded', sigtermNotForwarded, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'container `web` runs its app under `sh -c` without `exec`: the shell is PID 1 and does not pass SIGTERM on, so the app is killed at the end of the grace period; start the last command with `exec`', path: '/spec/template/spec/containers/0/command', line: 35, column: 11, severity: 'warning' },
        { message: 'container `api` runs its app under `/bin/bash -c` without `exec`: the shell is PID 1 and does not pass SIGTERM on, so the app is killed at the end of the grace period; start the last command with `exec`', path: '/spec/template/spec/containers/0/command', line: 58, column: 11, severity: 'warning' },
        { message: 'container `proxy` runs its app under `/bin/sh -c` without `exec`: the shell is PID 1 and does not pass SIGTERM on, so the app is killed at the end of the grace period; start the last command with `exec`', path: '/spec/template/spec/containers/0/command', line: 81, column: 11, severity: 'warning' },
        { message: 'container `storefront` starts its app with `npm start`: npm is PID 1 and does not reliably pass SIGTERM to the app; run the app directly (e.g. `node server.js`)', path: '/spec/template/spec/containers/0/command', line: 104, column: 11, severity: 'warning' },
        { message: 'container `docs` starts its app with `yarn run`: yarn is PID 1 and does not reliably pass SIGTERM to the app; run the app directly (e.g. `node server.js`)', path: '/spec/template/spec/containers/0/command', line: 127, column: 11, severity: 'warning' },
        { message: 'container `auth-proxy` runs its app under `/bin/sh -c` without `exec`: the shell is PID 1 and does not pass SIGTERM on, so the app is killed at the end of the grace period; start the last command with `exec`', path: '/spec/template/spec/containers/1/command', line: 155, column: 11, severity: 'warning' },
        { message: 'container `api` runs its app under `bash -c` without `exec`: the shell is PID 1 and does not pass SIGTERM on, so the app is killed at the end of the grace period; start the last command with `exec`', path: '/spec/template/spec/containers/0/command', line: 178, column: 11, severity: 'warning' },
        { message: 'container `storefront` starts its app with `npm start`: npm is PID 1 and does not reliably pass SIGTERM to the app; run the app directly (e.g. `node server.js`)', path: '/spec/template/spec/containers/0/command', line: 201, column: 11, severity: 'warning' },
      ],
    },
  ],
});

describe('sigterm-not-forwarded', () => {
  test('fires on `sh -c` scripts that do not exec the app, and on npm/yarn as PID 1', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-bash-lc', C0, 'warning'],
      ['fire-bash-semicolon', C0, 'warning'],
      ['fire-npm-start', C0, 'warning'],
      ['fire-script-in-args', C0, 'warning'],
      ['fire-sh-c-chain', C0, 'warning'],
      ['fire-sh-c-npm-start', C0, 'warning'],
      ['fire-sidecar-shell', '/spec/template/spec/containers/1/command', 'warning'],
      ['fire-yarn-run', C0, 'warning'],
    ]);
    expect(findings).toHaveLength(8);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findings.every((f) => !f.fixable)).toBe(true);
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', C0, 'warning']]);
  });

  // Regression: only a second argument equal to `-c` was recognised, so combined flags such as
  // `bash -lc` / `sh -ec` were missed although the shell is PID 1 and node its child.
  test('fires on `bash -lc` with two commands and no exec', () => {
    expect(rowsOf(run(FIXTURE), ['fire-bash-lc'])).toEqual([['fire-bash-lc', C0, 'warning']]);
  });

  // Regression: `sh -c "npm start"` is a single command, which the shell execs — leaving npm as
  // PID 1; the package-manager check only looked at the first argv word.
  test('fires on `sh -c "npm start"`', () => {
    expect(rowsOf(run(FIXTURE), ['fire-sh-c-npm-start'])).toEqual([['fire-sh-c-npm-start', C0, 'warning']]);
  });

  // Regression: a script that traps TERM and forwards it to the app
  // (`trap 'kill -TERM $child' TERM; app & child=$!; wait $child`) was reported, yet the app does
  // see SIGTERM.
  test('does not fire on a script that forwards SIGTERM with trap', () => {
    expect(rowsOf(run(FIXTURE), ['dont-fire-trap-forwards'])).toEqual([]);
  });
});
