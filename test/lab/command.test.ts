/**
 * `rollsafe lab` through the command: one short rollout measured and compared with the
 * simulation, the cleanup after it, on Ctrl-C and after a SIGKILL. Needs root and iproute2,
 * iptables, conntrack and haproxy: skipped with the reason when they are missing, failed in CI.
 * The comparison criterion and the output's text are checked without root.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLabText, type LabResult } from '../../src/cli/lab.js';
import { run } from '../../src/cli/main.js';
import { acceptedRange, compare } from '../../src/lab/compare.js';
import { labNamespaces, labPrerequisites, onPath } from '../../src/lab/index.js';
import { CAUSES, type Cause } from '../../src/sim/types.js';
import { captureIo, ROOT } from '../helpers.js';

const missing = labPrerequisites(process.getuid?.(), (c) => onPath(c, process.env['PATH']));
const skip = missing !== undefined && !process.env['CI'];
const SHORT = `${ROOT}test/fixtures/lab/short-rollout.yaml`;
const SHORT_ARGS = ['--app-startup', '1', '--app-drain', '0', '--sigterm', 'exit', '--rps', '50', SHORT];
const BIN = `${ROOT}dist/cli/bin.js`;

function zero(): Record<Cause, number> {
  return Object.fromEntries(CAUSES.map((c) => [c, 0])) as Record<Cause, number>;
}

describe('the comparison criterion', () => {
  it('accepts p5–p95, or ±20 % of the mean, whichever is wider, and ±5 requests for small counts', () => {
    expect(acceptedRange({ p5: 54, mean: 71.7, p95: 92 })).toEqual([54, 92]);
    // ±20 % is wider than a narrow p5–p95.
    expect(acceptedRange({ p5: 754, mean: 814.79, p95: 870 })).toEqual([651.83, 977.75]);
    // Small counts: ±5.
    expect(acceptedRange({ p5: 0, mean: 0.72, p95: 3 })).toEqual([0, 5.72]);
    expect(acceptedRange({ p5: 0, mean: 0, p95: 0 })).toEqual([0, 5]);
  });

  it('compares the mean of the measured runs per cause and in total', () => {
    const simulated = Object.fromEntries([...CAUSES, 'total'].map((c) => [c, { p5: 0, mean: 0, p95: 0 }])) as Parameters<typeof compare>[1];
    simulated['refused-after-stop'] = { p5: 54, mean: 71.7, p95: 92 };
    simulated.total = { p5: 54, mean: 71.7, p95: 92 };
    const rows = compare([{ ...zero(), 'refused-after-stop': 64 }, { ...zero(), 'refused-after-stop': 100, 'killed-in-flight': 2 }], simulated);
    expect(rows.find((r) => r.cause === 'refused-after-stop')).toMatchObject({ measured: 82, agrees: true });
    expect(rows.find((r) => r.cause === 'killed-in-flight')).toMatchObject({ measured: 1, accepted: [0, 5], agrees: true });
    expect(rows.find((r) => r.cause === 'total')).toMatchObject({ measured: 83, agrees: true });
  });

  it('sets the measured failure windows beside the simulated ones in text', () => {
    const simulated = Object.fromEntries([...CAUSES, 'total'].map((c) => [c, { p5: 0, mean: 0, p95: 0 }])) as Parameters<typeof compare>[1];
    simulated['refused-after-stop'] = { p5: 54, mean: 71.7, p95: 92 };
    simulated.total = { p5: 54, mean: 71.7, p95: 92 };
    const failures = [14.8, 15.2, 16].map((time) => ({ time, seconds: 0.001, error: 'ECONNRESET', cause: 'refused-after-stop' as const, layer: 'kube-proxy' as const }));
    const result: LabResult = {
      resource: 'Deployment/shop/web',
      profile: 'ack-flannel',
      k8sVersion: '1.30',
      rps: 100,
      nodes: 3,
      runs: [{ requests: 1000, failed: 3, byCause: { ...zero(), 'refused-after-stop': 3 }, unexplained: 0, skipped: 0, rolloutSeconds: 40.4, completed: true, nodes: 3, failures, timeline: { pods: [], events: [], end: 50 } }],
      comparison: compare([{ ...zero(), 'refused-after-stop': 3 }], simulated),
      simulatedTimeline: { end: 50, rolloutSeconds: 40.44, completed: true, nodes: ['node-1'], pods: [], views: [], failures: [{ cause: 'refused-after-stop', start: 14.8, end: 16, count: 23.04, layer: 'app' }] },
      notes: ['a note'],
    };
    expect(formatLabText(result)).toBe(
      [
        'Deployment/shop/web — lab: 1 rollout measured on 3 nodes at 100 rps (profile ack-flannel, Kubernetes 1.30)',
        '  run 1: 1000 requests, 3 failed; rollout 40.4 s',
        '',
        '  cause                   measured   simulated p5 / mean / p95   accepted     ',
        '  refused-after-stop             3   54 / 71.7 / 92              54–92        DISAGREES',
        '  total                          3   54 / 71.7 / 92              54–92        DISAGREES',
        '  note: a note',
        '',
        '  failure windows, measured run 1               simulated run 1 (rollout seconds)',
        '  14.8–16 s  3 refused-after-stop (kube-proxy)  14.8–16 s  23 refused-after-stop (app)',
        '',
        '  rollout: measured 40.4 s, simulated 40.4 s',
        '',
      ].join('\n'),
    );
  });

  it('refuses bad options before it touches the machine', async () => {
    const { io, out } = captureIo();
    expect(await run(['lab', '--sigterm', 'later', SHORT], io)).toBe(2);
    expect(out().stderr).toContain('unknown --sigterm later');
  });
});

function waitForLine(child: ReturnType<typeof spawn>, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${text}`)), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function exited(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

describe.skipIf(process.getuid?.() !== 0 || !existsSync('/usr/bin/setpriv'))('rollsafe lab without root', () => {
  it('exits 2 and says what is missing, before it builds anything', async () => {
    const child = spawn('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'lab', SHORT], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    expect(await exited(child)).toEqual({ code: 2, signal: null });
    expect(stderr).toBe('rollsafe: lab: the lab needs root: it creates network namespaces and writes iptables rules in them (run it as root, e.g. with sudo)\n');
    expect(labNamespaces(`rsl-${child.pid}-`)).toEqual([]);
  });
});

describe.skipIf(skip)(`rollsafe lab on this machine${skip ? ` (skipped: ${missing?.message})` : ''}`, () => {
  it('a lab killed with SIGKILL leaves its namespaces; one stopped with Ctrl-C leaves nothing', async () => {
    if (missing) throw new Error(`CI must run the lab tests: ${missing.message}`);
    const killed = spawn(process.execPath, [BIN, 'lab', ...SHORT_ARGS], { stdio: ['ignore', 'ignore', 'pipe'] });
    await waitForLine(killed, /settled/, 60_000);
    killed.kill('SIGKILL');
    await exited(killed);
    // What a crashed lab leaves: its namespaces, with its pods still running in them. The next
    // lab cleans them (below).
    expect(labNamespaces(`rsl-${killed.pid}-`).length).toBeGreaterThan(0);

    const stopped = spawn(process.execPath, [BIN, 'lab', ...SHORT_ARGS], { stdio: ['ignore', 'ignore', 'pipe'] });
    await waitForLine(stopped, /settled/, 60_000);
    stopped.kill('SIGINT');
    expect(await exited(stopped)).toEqual({ code: null, signal: 'SIGINT' });
    expect(labNamespaces(`rsl-${stopped.pid}-`)).toEqual([]);
    // The next lab (the one that started after the SIGKILL) already removed the crashed one's.
    expect(labNamespaces(`rsl-${killed.pid}-`)).toEqual([]);
  }, 150_000);

  // One real rollout against the simulation's p5–p95 (widened: src/lab/compare.ts): a measurement
  // drawn from the very distribution the simulator gives still falls outside now and then, more
  // often while other suites load the machine (a full run: 58 refused against an accepted 25–56).
  // So a disagreement is measured once more before the test fails; two in a row fail it.
  it('measures a short rollout (cause 2: the app exits at SIGTERM, no preStop) inside the simulation\'s range, and leaves nothing', { retry: 1, timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-test-'));
    const file = join(dir, 'out.json');
    const { io, out } = captureIo();
    const code = await run(['lab', '--format', 'json', '-o', file, ...SHORT_ARGS], io);
    const result = JSON.parse(readFileSync(file, 'utf8')) as {
      workloads: { resource: string; runs: number; byCause: Record<Cause, number>; failed: { mean: number } }[];
      comparison: { cause: string; measured: number; agrees: boolean }[];
      lab: { nodes: number; runs: { requests: number; failed: number; unexplained: number; completed: boolean; failures: { cause: string; error: string }[] }[] };
    };
    expect(out().stderr).toContain('settled');
    const measured = result.lab.runs[0];
    expect(measured?.completed).toBe(true);
    expect(measured?.unexplained).toBe(0);
    // The same shape as `simulate --format json`, plus the comparison.
    expect(result.workloads[0]).toMatchObject({ resource: 'Deployment/lab/short', runs: 1 });
    // Two old pods exit at SIGTERM while kube-proxy routes to them for its sync delay: refused.
    expect(result.workloads[0]?.byCause['refused-after-stop']).toBeGreaterThan(0);
    expect(new Set(measured?.failures.map((f) => f.cause))).toEqual(new Set(Object.entries(result.workloads[0]?.byCause ?? {}).filter(([, n]) => n > 0).map(([c]) => c)));
    expect(result.comparison.filter((c) => !c.agrees)).toEqual([]);
    expect(code).toBe(0);
    // Hygiene: no namespace of this process's labs remains.
    expect(labNamespaces(`rsl-${process.pid}-`)).toEqual([]);
  });
});
