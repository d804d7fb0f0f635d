import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, loadProblems, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'sigterm-not-forwarded';
const C0 = '/spec/template/spec/containers/0/command';

describe('sigterm-not-forwarded', () => {
  test('the fixture is valid', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
  });

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

  test('positions: the line of the command field', () => {
    const findings = run(FIXTURE);
    expect(findingAt(findings, 'fire-sh-c-chain', C0).line).toBe(35);
    expect(findingAt(findings, 'fire-sidecar-shell', '/spec/template/spec/containers/1/command').line).toBe(155);
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
