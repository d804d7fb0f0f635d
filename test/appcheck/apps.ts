/**
 * Running the reference apps (test/fixtures/apps) through app-check, as real processes on
 * loopback: 1 s of warm-up, a routing window of 1 s, a grace period of 3 s (the correct apps keep
 * serving 1.5 s after SIGTERM); each run takes 3–5 s.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { checkApp, freePort, type AppCheckResult, type AppCheckSettings, type Verdict, type VerdictId } from '../../src/appcheck/index.js';
import { ROOT } from '../helpers.js';

export const APPS = `${ROOT}test/fixtures/apps/`;

/** The timings every test run uses (short, so the suite stays fast); command, port and env are per run. */
export const TEST_TIMINGS = {
  warmupMs: 1000,
  sigtermAfterMs: 0,
  durationMs: 1000,
  graceMs: 3000,
  rps: 40,
  keepAliveClients: 4,
  slowPath: '/slow',
  lbIdleMs: 60_000,
  listenTimeoutMs: 10_000,
} as const satisfies Partial<AppCheckSettings>;

export async function check(command: string[], overrides: Partial<AppCheckSettings> = {}): Promise<AppCheckResult> {
  return checkApp({ command, port: await freePort(), ...TEST_TIMINGS, env: { PATH: process.env['PATH'] }, ...overrides });
}

/** Every verdict passed: what a correct server shows. */
export const ALL_PASS: Readonly<Record<VerdictId, string>> = {
  'keeps-serving': 'pass',
  'keep-alive-close': 'pass',
  'finishes-in-flight': 'pass',
  'exits-in-grace': 'pass',
  'signal-reaches-app': 'pass',
  'keep-alive-timeout': 'pass',
};

export function statuses(result: AppCheckResult): Record<VerdictId, string> {
  return Object.fromEntries(result.verdicts.map((v) => [v.id, v.cause ? `${v.status} ${v.cause}` : v.status])) as Record<VerdictId, string>;
}

export function verdict(result: AppCheckResult, id: VerdictId): Verdict {
  const found = result.verdicts.find((v) => v.id === id);
  if (!found) throw new Error(`no verdict ${id}`);
  return found;
}

/** Runs and is no zombie (a killed orphan stays one until init reaps it). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX] /s.test(stat);
  } catch {
    return false;
  }
}

/** No process of the check is left behind. */
export function expectAllGone(result: AppCheckResult): void {
  const m = result.measurement;
  expect(running(m.root.pid)).toBe(false);
  if (m.listener) expect(running(m.listener.pid)).toBe(false);
}

/** 20 requests per second on new connections for the 1 s window: every slot is sent, late or not. */
export function expectWindowRequests(result: AppCheckResult): number {
  const n = verdict(result, 'keeps-serving').evidence['requests'] as number;
  expect(n).toBe(20);
  return n;
}
