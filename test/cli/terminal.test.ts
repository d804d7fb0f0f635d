/** What `check` prints differently on a terminal: the width its text wraps at. */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { outputWidth } from '../../src/cli/terminal.js';
import { captureIo, ROOT } from '../helpers.js';

const FILE = `${ROOT}examples/seed/before/old-pod-no-prestop.yaml`;

function check(args: string[], tty: { isTTY: boolean; columns?: number; env?: Record<string, string> }): string[] {
  const { io, out } = captureIo({ isTTY: tty.isTTY, env: tty.env ?? {} });
  expect(main(['check', '--no-color', '--profile', 'ack-flannel', ...args, FILE], { ...io, ...(tty.columns === undefined ? {} : { columns: tty.columns }) })).toBe(1);
  return out().stdout.split(ROOT).join('').split('\n');
}

const PRESTOP_AT_72 = [
  '  30:9     error   container `nginx` of Deployment before-prestop/nginx',
  '                   has no preStop hook: it gets SIGTERM while endpoints',
  '                   still route to it for up to 3 s (profile ack-flannel:',
  '                   endpoint → kube-proxy, p99)',
  '                   prestop-missing (fixable)',
];

describe('check wraps its text at the terminal width', () => {
  it('on a terminal: at its columns', () => {
    expect(check([], { isTTY: true, columns: 72 }).slice(4, 9)).toEqual(PRESTOP_AT_72);
  });

  it('piped: one line per finding, whatever COLUMNS says', () => {
    const lines = check([], { isTTY: false, env: { COLUMNS: '72' } });
    expect(lines[2]).toBe('  30:9     error   container `nginx` of Deployment before-prestop/nginx has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile ack-flannel: endpoint → kube-proxy, p99)  prestop-missing (fixable)');
    expect(lines).toHaveLength(7);
  });

  it('COLUMNS overrides the measured width on a terminal; --width overrides both, also piped; --width 0 never wraps', () => {
    expect(check([], { isTTY: true, columns: 200, env: { COLUMNS: '72' } }).slice(4, 9)).toEqual(PRESTOP_AT_72);
    expect(check(['--width', '72'], { isTTY: false }).slice(4, 9)).toEqual(PRESTOP_AT_72);
    expect(check(['--width', '0'], { isTTY: true, columns: 72 })).toEqual(check([], { isTTY: false }));
  });

  it('outputWidth: the rules in one place', () => {
    expect(outputWidth(undefined, { isTTY: false, env: {}, columns: 100 })).toBe(0);
    expect(outputWidth(undefined, { isTTY: true, env: {} })).toBe(80);
    expect(outputWidth(undefined, { isTTY: true, env: { COLUMNS: 'wide' }, columns: 100 })).toBe(100);
    expect(outputWidth(undefined, { isTTY: true, env: { COLUMNS: '0' }, columns: 100 })).toBe(100);
    expect(outputWidth(40, { isTTY: false, env: {} })).toBe(40);
  });
});
