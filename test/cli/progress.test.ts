/** Progress of long work: on stderr when it is a terminal, never in a pipe or beside JSON. */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ERASE, progressFor } from '../../src/cli/progress.js';
import { captureIo, ROOT } from '../helpers.js';

const PRESTOP = `${ROOT}examples/seed/before/old-pod-no-prestop.yaml`;
const DRAIN = `${ROOT}examples/seed/before/lb-no-drain.yaml`;

/** Runs the CLI with stderr as a terminal (or not); returns exit code, stdout and stderr. */
function run(argv: string[], stderrIsTTY: boolean): { code: number; stdout: string; stderr: string } {
  const { io, out } = captureIo();
  const code = main(argv, { ...io, stderrIsTTY });
  return { code, ...out() };
}

const line = (text: string): string => `${ERASE}rollsafe: ${text}`;

describe('progress on a terminal', () => {
  it('check: the files parsed, then the line is erased before the findings', () => {
    const result = run(['check', '--profile', 'ack-flannel', PRESTOP, DRAIN], true);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(line('parsed files 1/2') + line('parsed files 2/2') + ERASE);
    expect(result.stdout).toBe(run(['check', '--profile', 'ack-flannel', PRESTOP, DRAIN], false).stdout);
  });

  it('simulate: the runs of every workload', () => {
    const result = run(['simulate', '--runs', '3', '--profile', 'ack-flannel', PRESTOP, DRAIN], true);
    expect(result.stderr).toBe(['1/6', '2/6', '3/6', '4/6', '5/6', '6/6'].map((n) => line(`simulated runs ${n}`)).join('') + ERASE);
  });

  it('report: the runs before the fixes, then after them', () => {
    const result = run(['report', '--runs', '2', PRESTOP, '-o', '-'], true);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(line('simulated runs before the fixes 1/2') + line('simulated runs before the fixes 2/2') + line('simulated runs after the fixes 1/2') + line('simulated runs after the fixes 2/2') + ERASE);
  });

  it('check --impact: the files, then a count of the simulated rollouts', () => {
    const { stderr } = run(['check', '--impact', '--profile', 'ack-flannel', PRESTOP], true);
    const updates = stderr.split(ERASE).filter(Boolean);
    expect(updates[0]).toBe('rollsafe: parsed files 1/1');
    const counts = updates.slice(1).map((u) => Number(/^rollsafe: simulated rollouts \(--impact\) (\d+)$/.exec(u)?.[1]));
    expect(counts.length).toBeGreaterThan(20);
    expect(counts.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(stderr.endsWith(ERASE)).toBe(true);
    expect(stderr).not.toContain('\n');
  });
});

describe('no progress where nobody watches, and no line left behind', () => {
  it.each([
    [['check', PRESTOP, DRAIN], false],
    [['check', '--format', 'json', PRESTOP, DRAIN], true],
    [['check', '--format', 'sarif', PRESTOP, DRAIN], true],
    [['check', '--format', 'github', PRESTOP, DRAIN], true],
    [['simulate', '--runs', '3', PRESTOP], false],
    [['simulate', '--runs', '3', '--format', 'json', PRESTOP], true],
    [['report', '--runs', '1', PRESTOP, '-o', '-'], false],
  ])('%j, stderr a terminal: %s', (argv, tty) => {
    expect(run(argv, tty).stderr).toBe('');
  });

  it('an error after the work: the line is erased before the message', () => {
    const result = run(['report', '--runs', '1', PRESTOP, '-o', '/no/such/dir/page.html'], true);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(line('simulated runs before the fixes 1/1') + line('simulated runs after the fixes 1/1') + ERASE + 'rollsafe: /no/such/dir/page.html: cannot write (no such directory)\n');
  });
});

describe('the progress line redraws only when the figure shown changes', () => {
  it('a total: once per whole percent; no total: every count to 99, then each tenth of a power of ten', () => {
    let written: string[] = [];
    const progress = progressFor({ stderr: (t) => written.push(t), stderrIsTTY: true }, true);
    for (let i = 1; i <= 1000; i++) progress.update('x', i, 1000);
    expect(written).toHaveLength(101);
    expect(written.slice(0, 3)).toEqual([line('x 1/1000'), line('x 10/1000'), line('x 20/1000')]);
    written = [];
    for (let i = 1; i <= 1000; i++) progress.update('y', i);
    expect(written).toHaveLength(99 + 90 + 1);
    expect(written.slice(98, 101)).toEqual([line('y 99'), line('y 100'), line('y 110')]);
    progress.clear();
    expect(written.at(-1)).toBe(ERASE);
    progress.clear();
    expect(written.at(-2)).toBe(line('y 1000'));
  });
});
