/** The CLI's one error reporter: exit code 2, one clear line; "internal error" only for bugs. */
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { reportError } from '../../src/cli/report-error.js';
import { RollsafeError } from '../../src/errors.js';
import { captureIo, runCli } from '../helpers.js';

function report(error: unknown, command?: string, env: Record<string, string> = {}): { code: number; stderr: string } {
  const { io, out } = captureIo({ env });
  const code = reportError(error, io, command);
  return { code, stderr: out().stderr };
}

function parseArgsError(): unknown {
  try {
    parseArgs({ args: ['--frobnicate'], options: {}, strict: true });
  } catch (error: unknown) {
    return error;
  }
  throw new Error('parseArgs accepted an unknown option');
}

describe('reportError', () => {
  it('points a usage error to the help of the program or of the sub-command', () => {
    expect(report(new RollsafeError('usage', 'unknown command `frobnicate`'))).toEqual({ code: 2, stderr: 'rollsafe: unknown command `frobnicate`\nRun `rollsafe --help` for usage.\n' });
    expect(report(new RollsafeError('usage', '--nodes expects a whole number, got "x"'), 'advise')).toEqual({ code: 2, stderr: 'rollsafe: --nodes expects a whole number, got "x"\nRun `rollsafe advise --help` for usage.\n' });
  });

  it("keeps the first sentence of Node's argument-parser errors, as a usage error", () => {
    expect(report(parseArgsError())).toEqual({ code: 2, stderr: "rollsafe: Unknown option '--frobnicate'\nRun `rollsafe --help` for usage.\n" });
  });

  it('reports a missing chart library as what it is, not as an internal error', () => {
    expect(report(new RollsafeError('missing-library', 'the chart library d3 is not installed (reinstall rollsafe: npm ci)'))).toEqual({ code: 2, stderr: 'rollsafe: the chart library d3 is not installed (reinstall rollsafe: npm ci)\n' });
  });

  it('names the sub-command for errors about what it runs, with the hint and the last output', () => {
    const error = new RollsafeError('exited-before-listening', 'the command exited before it listened on port 8080 (exit code 3)', { hint: 'does it read PORT?', output: 'no config\nbye\n' });
    expect(report(error)).toEqual({ code: 2, stderr: "rollsafe: app-check: the command exited before it listened on port 8080 (exit code 3)\ndoes it read PORT?\nthe command's last output:\n  no config\n  bye\n" });
    expect(report(new RollsafeError('not-root', 'the lab needs root'))).toEqual({ code: 2, stderr: 'rollsafe: lab: the lab needs root\n' });
  });

  it('calls anything else an internal error, with the stack only under ROLLSAFE_DEBUG', () => {
    const bug = new TypeError('x is undefined');
    expect(report(bug)).toEqual({ code: 2, stderr: 'rollsafe: internal error: x is undefined\n' });
    const debug = report(bug, undefined, { ROLLSAFE_DEBUG: '1' });
    expect(debug.stderr.split('\n').slice(0, 2)).toEqual(['rollsafe: internal error: x is undefined', 'TypeError: x is undefined']);
    expect(report('a string')).toEqual({ code: 2, stderr: 'rollsafe: internal error: a string\n' });
  });

  it('is the reporter of every sub-command (advise had its own copy)', () => {
    expect(runCli(['advise', '--provider', 'nowhere', '--network-plugin', 'calico'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^rollsafe: unknown provider "nowhere"; use one of: /) as unknown });
    expect(runCli(['advise', '--frobnicate'])).toMatchObject({ code: 2, stderr: 'rollsafe: unknown option --frobnicate for advise\nRun `rollsafe advise --help` for usage.\n' });
  });
});
