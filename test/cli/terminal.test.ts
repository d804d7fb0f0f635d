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

describe('simulate wraps its text the same way', () => {
  const simulate = (args: string[], tty: { isTTY: boolean; columns?: number }): string => {
    const { io, out } = captureIo({ isTTY: tty.isTTY });
    expect(main(['simulate', '--runs', '5', '--profile', 'ack-flannel', ...args, FILE], { ...io, ...(tty.columns === undefined ? {} : { columns: tty.columns }) })).toBe(1);
    return out().stdout;
  };

  it('on a terminal: continuation lines under the value column, the window time or the title', () => {
    expect(simulate([], { isTTY: true, columns: 72 })).toBe(
      [
        'Simulated rollouts: profile ack-flannel, Kubernetes 1.30, 5 runs per',
        '  workload, seed 1',
        '',
        'Deployment/before-prestop/nginx',
        '  requests per rollout  10,719.2',
        '  failed requests       mean 63.6, p50 62, p95 80, max 80; a failure in',
        '                        100 % of runs',
        '  by cause (mean)       refused-after-stop 63.6',
        '  rollout               p50 40.6 s, p95 43.8 s',
        '  failure windows (first run):',
        '    14.8–16 s  refused-after-stop  23 requests  nginx-a01 on node-1',
        '      (app)',
        '    27.4–28.9 s  refused-after-stop  24 requests  nginx-a03 on node-3',
        '      (app)',
        '    39.3–41 s  refused-after-stop  24 requests  nginx-a02 on node-2',
        '      (app)',
        '',
      ].join('\n'),
    );
  });

  it('piped: unwrapped, the same text as --width 0', () => {
    const piped = simulate([], { isTTY: false });
    expect(piped.split('\n')[0]).toBe('Simulated rollouts: profile ack-flannel, Kubernetes 1.30, 5 runs per workload, seed 1');
    expect(simulate(['--width', '0'], { isTTY: true, columns: 72 })).toBe(piped);
  });
});
