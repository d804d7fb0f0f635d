/** Where SIGTERM goes: an app that ignores it, one behind `sh -c`, one behind a shell that passes it on. */
import { describe, expect, it } from 'vitest';
import { APPS, check, expectAllGone, statuses, verdict } from './apps.js';

// One app at a time: the verdicts measure time, and a starved event loop would blur it.
describe('app-check on the reference apps', () => {
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

  it('sh -c "node graceful.js": SIGTERM stops at the shell, the server runs on until SIGKILL', async () => {
    const result = await check(['sh', '-c', `node ${APPS}graceful.js`]);
    expect(statuses(result)).toEqual({
      'keeps-serving': 'pass',
      'keep-alive-close': 'fail keep-alive-race',
      'finishes-in-flight': 'pass',
      'exits-in-grace': 'fail killed-in-flight',
      'signal-reaches-app': 'fail killed-in-flight',
      'keep-alive-timeout': 'pass',
    });
    const signal = verdict(result, 'signal-reaches-app').evidence;
    expect(signal).toMatchObject({ signalled: 'sh', listener: 'node', chain: 'sh → node', listenerExitedAfterSigtermMs: null, listenerKilled: true });
    expect(signal['listenerPid']).not.toBe(signal['signalledPid']);
    // Not PID 1 here, the shell dies of SIGTERM at once and leaves the server behind.
    expect((result.measurement.times.rootExitMs ?? Infinity) - result.measurement.times.sigtermMs).toBeLessThan(500);
    expect(verdict(result, 'exits-in-grace').evidence['killed']).toBe(true);
    expectAllGone(result);
  });

  it('a shell that passes SIGTERM on to its child passes', async () => {
    const script = `node ${APPS}graceful.js & child=$!; trap 'kill -TERM $child' TERM; wait $child; wait $child`;
    const result = await check(['sh', '-c', script]);
    expect(statuses(result)).toEqual({
      'keeps-serving': 'pass',
      'keep-alive-close': 'pass',
      'finishes-in-flight': 'pass',
      'exits-in-grace': 'pass',
      'signal-reaches-app': 'pass',
      'keep-alive-timeout': 'pass',
    });
    const signal = verdict(result, 'signal-reaches-app').evidence;
    expect(signal).toMatchObject({ signalled: 'sh', listener: 'node', chain: 'sh → node', listenerKilled: false });
    expect(signal['listenerExitedAfterSigtermMs']).toBeGreaterThanOrEqual(1450);
    expectAllGone(result);
  });
});
