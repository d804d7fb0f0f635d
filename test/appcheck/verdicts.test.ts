/** The verdicts as pure functions of a measurement: each branch, with exact evidence. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConnectionRecord, Measurement, RequestRecord } from '../../src/appcheck/index.js';
import { judge, exitsInGrace, finishesInFlight, keepAliveClose, keepAliveTimeout, keepsServing, signalReachesApp } from '../../src/appcheck/verdicts.js';

import { ROOT } from '../helpers.js';
import { TEST_TIMINGS } from './apps.js';

const NODE = { pid: 100, name: 'node', commandLine: 'node app.js' };
const SH = { pid: 99, name: 'sh', commandLine: 'sh -c node app.js' };

function measurement(over: { times?: Partial<Measurement['times']>; requests?: RequestRecord[]; connections?: ConnectionRecord[]; lbIdleMs?: number } & Partial<Pick<Measurement, 'root' | 'listener' | 'chain' | 'exit' | 'rootCatchesSigterm'>> = {}): Measurement {
  return {
    settings: {
      command: ['node', 'app.js'],
      port: 8080,
      ...TEST_TIMINGS,
      lbIdleMs: over.lbIdleMs ?? TEST_TIMINGS.lbIdleMs,
      env: {},
    },
    root: over.root ?? NODE,
    listener: 'listener' in over ? over.listener : NODE,
    chain: over.chain ?? [NODE],
    rootCatchesSigterm: over.rootCatchesSigterm,
    startupMs: 100,
    times: {
      terminationMs: 1000,
      sigtermMs: 1000,
      windowEndMs: 2000,
      deadlineMs: 4000,
      rootExitMs: 2500,
      listenerExitMs: 2500,
      allExitedMs: 2500,
      killedMs: undefined,
      ...over.times,
    },
    exit: over.exit ?? { code: 0, signal: null },
    requests: over.requests ?? [],
    connections: over.connections ?? [],
  };
}

function req(kind: RequestRecord['kind'], startMs: number, endMs: number, outcome: RequestRecord['outcome'] = 'ok', extra: Partial<RequestRecord> = {}): RequestRecord {
  return { kind, connection: undefined, reused: false, scheduledMs: startMs, startMs, endMs, outcome, status: outcome === 'ok' ? 200 : undefined, connectionClose: false, error: outcome === 'refused' ? 'ECONNREFUSED' : outcome === 'reset' ? 'ECONNRESET' : undefined, ...extra };
}

function conn(id: number, openedMs: number, closedMs: number | undefined, extra: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return { id, kind: 'keep-alive', openedMs, closedMs, requests: 5, announced: false, closedByServer: true, inFlightAtClose: false, keepAliveHint: undefined, ...extra };
}

describe('keeps-serving', () => {
  it('counts only new connections sent inside the routing window', () => {
    const m = measurement({ requests: [req('fresh', 999, 1001, 'refused'), req('fresh', 1000, 1002), req('fresh', 1500, 1501, 'refused'), req('fresh', 1600, 1601, 'refused'), req('keep-alive', 1700, 1701, 'reset'), req('fresh', 2000, 2001, 'refused')] });
    const v = keepsServing(m);
    expect(v).toMatchObject({ status: 'fail', cause: 'refused-after-stop' });
    expect(v.evidence).toEqual({ requests: 3, failed: 2, refused: 2, firstFailureAfterSigtermMs: 500, lastServedAfterSigtermMs: 0, windowMs: 1000 });
  });

  it('places a request by when it was due: one the event loop sent late still belongs to the window', () => {
    const late = req('fresh', 2300, 2301, 'refused', { scheduledMs: 1950 });
    expect(keepsServing(measurement({ requests: [late, req('fresh', 2310, 2311, 'refused', { scheduledMs: 2000 })] })).evidence).toMatchObject({ requests: 1, failed: 1, firstFailureAfterSigtermMs: 1300 });
  });

  it('passes when every routed request was served, and is skipped with none', () => {
    expect(keepsServing(measurement({ requests: [req('fresh', 1000, 1001), req('fresh', 1999, 2000)] })).status).toBe('pass');
    expect(keepsServing(measurement({ requests: [req('fresh', 2000, 2001, 'refused')] })).status).toBe('skipped');
  });

  it('counts a 5xx as a failure', () => {
    expect(keepsServing(measurement({ requests: [req('fresh', 1200, 1201, 'http-error', { status: 503 })] })).evidence).toMatchObject({ failed: 1, refused: 0 });
  });
});

describe('keep-alive-close', () => {
  it('sorts the connections of the termination by how they ended', () => {
    const m = measurement({
      times: { killedMs: 4000, allExitedMs: undefined },
      connections: [
        conn(1, 0, 900), // closed before termination: not judged here
        conn(2, 0, 1500, { announced: true }),
        conn(3, 0, 1600),
        conn(4, 0, 1700, { inFlightAtClose: true }),
        conn(5, 0, 4000),
        conn(6, 0, 4001, { inFlightAtClose: true }),
        { ...conn(7, 0, 1200), kind: 'idle' }, // the idle probe is judged by keep-alive-timeout
      ],
      requests: [req('keep-alive', 1690, 1700, 'reset', { reused: true, connection: 4 }), req('keep-alive', 3990, 4001, 'reset', { reused: true, connection: 6 })],
    });
    const v = keepAliveClose(m);
    expect(v).toMatchObject({ status: 'fail', cause: 'keep-alive-race' });
    expect(v.evidence).toEqual({ connections: 5, announced: 1, closedWithoutNotice: 1, closedWithRequestInFlight: 1, openAtSigkill: 2, requestsReset: 2 });
  });

  it('passes when every connection ended with Connection: close, skipped with none', () => {
    expect(keepAliveClose(measurement({ connections: [conn(1, 0, 1100, { announced: true }), conn(2, 1200, 1300, { announced: true })] }))).toMatchObject({ status: 'pass', evidence: { connections: 2, announced: 2 } });
    expect(keepAliveClose(measurement()).status).toBe('skipped');
  });
});

describe('finishes-in-flight', () => {
  it('judges the requests that started before SIGTERM and ended after it', () => {
    const m = measurement({ requests: [req('slow', 850, 1650), req('slow', 850, 1700), req('slow', 850, 1010, 'reset'), req('fresh', 900, 910), req('fresh', 1000, 1005)] });
    expect(finishesInFlight(m)).toMatchObject({ status: 'fail', cause: 'killed-in-flight', evidence: { inFlightAtSigterm: 3, finished: 2, cut: 1, lastFinishedAfterSigtermMs: 700 } });
    expect(finishesInFlight(measurement({ requests: [req('slow', 850, 1650)] }))).toMatchObject({ status: 'pass', evidence: { inFlightAtSigterm: 1, cut: 0 } });
    expect(finishesInFlight(measurement({ requests: [req('fresh', 900, 910)] })).status).toBe('skipped');
  });
});

describe('exits-in-grace', () => {
  it('passes an exit before the deadline and fails a SIGKILL, with the requests it cut', () => {
    expect(exitsInGrace(measurement())).toMatchObject({ status: 'pass', evidence: { exitedAfterSigtermMs: 1500, deadlineAfterSigtermMs: 3000, killed: false, requestsCutBySigkill: 0 } });
    const killed = measurement({ times: { allExitedMs: 4010, killedMs: 4000 }, exit: { code: null, signal: 'SIGKILL' }, requests: [req('keep-alive', 3990, 4005, 'reset'), req('keep-alive', 3900, 3910)] });
    expect(exitsInGrace(killed)).toMatchObject({ status: 'fail', cause: 'killed-in-flight', evidence: { exitedAfterSigtermMs: null, killed: true, requestsCutBySigkill: 1, exitSignal: 'SIGKILL' } });
  });
});

describe('signal-reaches-app', () => {
  it('passes when the signalled process listens, or its child stops before SIGKILL', () => {
    expect(signalReachesApp(measurement()).status).toBe('pass');
    const forwarded = measurement({ root: SH, chain: [SH, NODE], times: { listenerExitMs: 2600 } });
    expect(signalReachesApp(forwarded)).toMatchObject({ status: 'pass', evidence: { signalled: 'sh', listener: 'node', chain: 'sh → node', listenerExitedAfterSigtermMs: 1600, listenerKilled: false } });
  });

  it('fails when the server below a shell runs on until SIGKILL', () => {
    const m = measurement({ root: SH, chain: [SH, NODE], rootCatchesSigterm: false, times: { rootExitMs: 1001, listenerExitMs: 4001, allExitedMs: 4001, killedMs: 4000 } });
    expect(signalReachesApp(m)).toMatchObject({ status: 'fail', cause: 'killed-in-flight', evidence: { signalledPid: 99, listenerPid: 100, listenerExitedAfterSigtermMs: null, listenerKilled: true, signalledCatchesSigterm: false } });
    expect(signalReachesApp(m).summary).toContain('has no SIGTERM handler');
    expect(signalReachesApp({ ...m, rootCatchesSigterm: true }).summary).not.toContain('handler');
  });

  it('is skipped when the listener is not among the processes', () => {
    expect(signalReachesApp(measurement({ listener: undefined })).status).toBe('skipped');
  });
});

describe('keep-alive-timeout', () => {
  const idle = (closedMs: number | undefined, hint?: number): ConnectionRecord => ({ ...conn(1, 10, closedMs, { keepAliveHint: hint }), kind: 'idle', requests: 1 });

  it('fails an idle close or an announced timeout not longer than the LB idle timeout', () => {
    expect(keepAliveTimeout(measurement({ connections: [idle(910, 1)] }))).toMatchObject({ status: 'fail', cause: 'keep-alive-race', evidence: { idleClosedAfterMs: 900, announcedTimeoutS: 1, lbIdleMs: 60_000 } });
    expect(keepAliveTimeout(measurement({ connections: [idle(undefined, 60)] }))).toMatchObject({ status: 'fail', evidence: { idleClosedAfterMs: null, announcedTimeoutS: 60 } });
  });

  it('passes a timeout longer than the LB idle timeout', () => {
    expect(keepAliveTimeout(measurement({ connections: [idle(undefined, 65)] }))).toMatchObject({ status: 'pass', evidence: { idleWatchedMs: 990 } });
    expect(keepAliveTimeout(measurement({ lbIdleMs: 500, connections: [idle(810)] }))).toMatchObject({ status: 'pass', evidence: { idleClosedAfterMs: 800 } });
  });

  it('is skipped without evidence either way, or with --lb-idle 0', () => {
    expect(keepAliveTimeout(measurement({ connections: [idle(undefined)] })).status).toBe('skipped');
    // Closed after termination began: that is the shutdown, not the idle timeout.
    expect(keepAliveTimeout(measurement({ connections: [idle(1500)] })).status).toBe('skipped');
    expect(keepAliveTimeout(measurement({ lbIdleMs: 0, connections: [idle(1010, 1)] })).status).toBe('skipped');
  });
});

describe('docs/app-check.md', () => {
  it('lists every verdict with its cause and exactly the evidence keys it reports', () => {
    const docs = readFileSync(`${ROOT}docs/app-check.md`, 'utf8');
    const rows = new Map<string, { cause: string; evidence: string[] }>();
    for (const line of docs.split('\n')) {
      const cells = /^\| `([a-z-]+)` \|.*\| `([a-z-]+)` \| (.*) \|$/.exec(line);
      if (cells?.[1] && cells[2] && cells[3]) rows.set(cells[1], { cause: cells[2], evidence: [...cells[3].matchAll(/`(\w+)`/g)].map((m) => m[1] ?? '') });
    }
    const failing = measurement({
      root: SH,
      chain: [SH, NODE],
      times: { allExitedMs: 4010, killedMs: 4000, listenerExitMs: 4001 },
      requests: [req('fresh', 1200, 1201, 'refused'), req('slow', 900, 1100, 'reset')],
      connections: [conn(1, 0, 1500), { ...conn(2, 10, 500, { keepAliveHint: 1 }), kind: 'idle' }],
    });
    const verdicts = judge(failing);
    expect(verdicts.every((v) => v.status === 'fail')).toBe(true);
    expect([...rows.keys()]).toEqual(verdicts.map((v) => v.id));
    for (const v of verdicts) expect(rows.get(v.id)).toEqual({ cause: v.cause, evidence: Object.keys(v.evidence) });
  });
});
