/** How the reference apps shut down: the correct one, one that exits at once, one that ignores SIGTERM, one with a short keep-alive timeout. */
import { describe, expect, it } from 'vitest';
import { ALL_PASS, APPS, check, expectAllGone, expectWindowRequests, statuses, verdict } from './apps.js';

// One app at a time: the verdicts measure time, and a starved event loop would blur it.
describe('app-check on the reference apps', () => {
  it('graceful.js passes every verdict', async () => {
    const result = await check(['node', `${APPS}graceful.js`]);
    expect(statuses(result)).toEqual(ALL_PASS);
    expectWindowRequests(result);
    expect(verdict(result, 'keeps-serving').evidence['failed']).toBe(0);
    const ka = verdict(result, 'keep-alive-close').evidence;
    // The 4 clients' connections, and the new ones they open in the window: each ends announced.
    expect(ka['connections']).toBeGreaterThanOrEqual(4);
    expect(ka['announced']).toBe(ka['connections']);
    const inFlight = verdict(result, 'finishes-in-flight').evidence;
    expect(inFlight['inFlightAtSigterm']).toBeGreaterThanOrEqual(3);
    expect(inFlight['cut']).toBe(0);
    const exit = verdict(result, 'exits-in-grace').evidence;
    expect(exit['exitedAfterSigtermMs']).toBeGreaterThanOrEqual(1450);
    expect(exit['exitedAfterSigtermMs']).toBeLessThan(2900);
    expect(exit).toMatchObject({ killed: false, exitCode: 0, exitSignal: null });
    expect(verdict(result, 'keep-alive-timeout').evidence).toMatchObject({ announcedTimeoutS: 65, idleClosedAfterMs: null });
    expect(result.measurement.listener?.pid).toBe(result.measurement.root.pid);
    expectAllGone(result);
  });

  it('exit-at-once.js refuses new connections, cuts requests in flight and drops keep-alive connections without notice', async () => {
    const result = await check(['node', `${APPS}exit-at-once.js`]);
    expect(statuses(result)).toEqual({
      'keeps-serving': 'fail refused-after-stop',
      'keep-alive-close': 'fail keep-alive-race',
      'finishes-in-flight': 'fail killed-in-flight',
      'exits-in-grace': 'pass',
      'signal-reaches-app': 'pass',
      'keep-alive-timeout': 'pass',
    });
    const n = expectWindowRequests(result);
    const serving = verdict(result, 'keeps-serving').evidence;
    // A request sent in the instant SIGTERM arrives may still be served; every later one fails.
    expect(serving['failed']).toBeGreaterThanOrEqual(n - 2);
    expect(serving['refused']).toBeGreaterThanOrEqual(n - 4);
    const ka = verdict(result, 'keep-alive-close').evidence;
    expect(ka['connections']).toBe(4);
    expect(ka['announced']).toBe(0);
    expect((ka['closedWithoutNotice'] as number) + (ka['closedWithRequestInFlight'] as number)).toBe(4);
    expect(verdict(result, 'finishes-in-flight').evidence['cut']).toBeGreaterThanOrEqual(3);
    expect(verdict(result, 'exits-in-grace').evidence['exitedAfterSigtermMs']).toBeLessThan(1000);
    expectAllGone(result);
  });

  it('ignore-sigterm.js serves on until SIGKILL at the grace deadline', async () => {
    const result = await check(['node', `${APPS}ignore-sigterm.js`]);
    expect(statuses(result)).toEqual({
      'keeps-serving': 'pass',
      'keep-alive-close': 'fail keep-alive-race',
      'finishes-in-flight': 'pass',
      'exits-in-grace': 'fail killed-in-flight',
      'signal-reaches-app': 'pass',
      'keep-alive-timeout': 'pass',
    });
    expect(verdict(result, 'keep-alive-close').evidence).toMatchObject({ connections: 4, announced: 0, openAtSigkill: 4 });
    const t = result.measurement.times;
    expect(verdict(result, 'exits-in-grace').evidence).toMatchObject({ killed: true, exitedAfterSigtermMs: null, deadlineAfterSigtermMs: t.deadlineMs - t.sigtermMs, exitSignal: 'SIGKILL' });
    expect(t.deadlineMs - t.terminationMs).toBe(3000);
    // SIGKILL on the deadline; a busy machine may wake the check a little late, never early.
    expect((t.killedMs ?? 0) - t.deadlineMs).toBeGreaterThanOrEqual(0);
    expect((t.killedMs ?? 0) - t.deadlineMs).toBeLessThan(1000);
    expectAllGone(result);
  });

  it('short-keep-alive.js closes idle keep-alive connections long before a load balancer does', async () => {
    // Node 20.20 closes an idle connection about 1 s after server.keepAliveTimeout (measured:
    // 1000 → 2.03 s): the warm-up must outlast that for the check to see it.
    const result = await check(['node', `${APPS}short-keep-alive.js`], { warmupMs: 2500 });
    expect(statuses(result)).toEqual({
      'keeps-serving': 'pass',
      'keep-alive-close': 'pass',
      'finishes-in-flight': 'pass',
      'exits-in-grace': 'pass',
      'signal-reaches-app': 'pass',
      'keep-alive-timeout': 'fail keep-alive-race',
    });
    const timeout = verdict(result, 'keep-alive-timeout').evidence;
    expect(timeout['announcedTimeoutS']).toBe(1);
    expect(timeout['idleClosedAfterMs']).toBeGreaterThanOrEqual(1000);
    expect(timeout['idleClosedAfterMs']).toBeLessThan(2400);
    expectAllGone(result);
  });
});
