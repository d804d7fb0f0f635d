/** Where SIGTERM goes: to a shell (`sh -c`) or npm (`npm start`) above the server, or through a shell that passes it on. */
import { describe, expect, it } from 'vitest';
import { ALL_PASS, APPS, check, expectAllGone, statuses, verdict } from './apps.js';

// One app at a time: the verdicts measure time, and a starved event loop would blur it.
describe('app-check on the reference apps', () => {
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
    expect(signal).toMatchObject({ signalled: 'sh', listener: 'node', chain: 'sh → node', listenerExitedAfterSigtermMs: null, listenerKilled: true, signalledCatchesSigterm: false });
    expect(signal['listenerPid']).not.toBe(signal['signalledPid']);
    // Not PID 1 here, the shell dies of SIGTERM at once and leaves the server behind.
    expect((result.measurement.times.rootExitMs ?? Infinity) - result.measurement.times.sigtermMs).toBeLessThan(500);
    expect(verdict(result, 'exits-in-grace').evidence['killed']).toBe(true);
    expectAllGone(result);
  });

  it('npm start: npm runs the script under a shell and the server never gets SIGTERM', async () => {
    const result = await check(['npm', '--prefix', `${APPS}npm-start`, 'start'], { env: { PATH: process.env['PATH'], HOME: process.env['HOME'], npm_config_update_notifier: 'false' } });
    expect(statuses(result)).toEqual({
      'keeps-serving': 'pass',
      'keep-alive-close': 'fail keep-alive-race',
      'finishes-in-flight': 'pass',
      'exits-in-grace': 'fail killed-in-flight',
      'signal-reaches-app': 'fail killed-in-flight',
      'keep-alive-timeout': 'pass',
    });
    // npm names itself after its command (`npm start`); it has a SIGTERM handler, and passes nothing on.
    expect(verdict(result, 'signal-reaches-app').evidence).toMatchObject({ signalled: 'npm start', listener: 'node', chain: 'npm start → sh → node', listenerKilled: true, signalledCatchesSigterm: true });
    expectAllGone(result);
  });

  it('a shell that passes SIGTERM on to its child passes', async () => {
    const script = `node ${APPS}graceful.js & child=$!; trap 'kill -TERM $child' TERM; wait $child; wait $child`;
    const result = await check(['sh', '-c', script]);
    expect(statuses(result)).toEqual(ALL_PASS);
    const signal = verdict(result, 'signal-reaches-app').evidence;
    expect(signal).toMatchObject({ signalled: 'sh', listener: 'node', chain: 'sh → node', listenerKilled: false });
    expect(signal['listenerExitedAfterSigtermMs']).toBeGreaterThanOrEqual(1450);
    expectAllGone(result);
  });
});
