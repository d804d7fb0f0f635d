/**
 * The verdicts of `app-check`, from a measurement alone (pure): each says pass, fail or skipped,
 * the cause in the simulator's taxonomy (docs/simulate.md) that a failure leads to during a
 * rollout, the evidence (counts and milliseconds) and the fix.
 */
import type { ConnectionRecord, Measurement, RequestRecord, Verdict } from './types.js';

const FAILED = new Set(['refused', 'reset', 'timeout', 'error', 'http-error']);

function failed(r: RequestRecord): boolean {
  return FAILED.has(r.outcome);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "all 3 requests", or "the request" for one. */
function every(n: number, word: string): string {
  return n === 1 ? `the ${word}` : `all ${n} ${word}s`;
}

/**
 * New connections inside the routing window (from termination until `--duration` ends): every
 * one must be served, whether the app is still in its preStop delay or already has SIGTERM.
 */
export function keepsServing(m: Measurement): Verdict {
  const { terminationMs, sigtermMs, windowEndMs } = m.times;
  const routed = m.requests.filter((r) => r.kind === 'fresh' && r.scheduledMs >= terminationMs && r.scheduledMs < windowEndMs);
  const bad = routed.filter(failed);
  const refused = bad.filter((r) => r.outcome === 'refused').length;
  const firstBad = bad[0];
  const okAfterSigterm = routed.filter((r) => !failed(r) && r.startMs >= sigtermMs);
  const lastOk = okAfterSigterm.at(-1);
  const evidence = {
    requests: routed.length,
    failed: bad.length,
    refused,
    firstFailureAfterSigtermMs: firstBad ? Math.round(firstBad.startMs - sigtermMs) : null,
    lastServedAfterSigtermMs: lastOk ? Math.round(lastOk.startMs - sigtermMs) : null,
    windowMs: windowEndMs - terminationMs,
  };
  if (routed.length === 0) {
    return { id: 'keeps-serving', status: 'skipped', cause: undefined, summary: 'no request was sent in the routing window (raise --rps or --duration)', evidence, fix: undefined };
  }
  if (bad.length === 0) {
    return {
      id: 'keeps-serving',
      status: 'pass',
      cause: undefined,
      summary: `served ${every(routed.length, 'request')} on new connections in the ${seconds(evidence.windowMs)} after termination began${lastOk ? `, the last ${seconds(lastOk.startMs - sigtermMs)} after SIGTERM` : ''}`,
      evidence,
      fix: undefined,
    };
  }
  return {
    id: 'keeps-serving',
    status: 'fail',
    cause: 'refused-after-stop',
    summary: `${bad.length} of ${routed.length} requests on new connections failed (${refused} refused) while the endpoints still routed to it; the first ${seconds((firstBad?.startMs ?? sigtermMs) - sigtermMs)} after SIGTERM`,
    evidence,
    fix: `delay SIGTERM with a preStop sleep at least as long as the routing takes to stop (here --duration ${seconds(evidence.windowMs)}; \`rollsafe fix\` adds one), or keep accepting connections for that long after SIGTERM before closing the server`,
  };
}

/** The keep-alive connections in use at termination or opened after it. */
function terminationConnections(m: Measurement): ConnectionRecord[] {
  return m.connections.filter((c) => c.kind === 'keep-alive' && (c.closedMs === undefined || c.closedMs >= m.times.terminationMs));
}

/**
 * Keep-alive connections stay pinned to the pod: their clients send on them until the server
 * closes them. A graceful server ends each with `Connection: close` on a response; one that closes
 * a connection between requests, or is killed with it open, races the client's next request.
 */
export function keepAliveClose(m: Measurement): Verdict {
  const connections = terminationConnections(m);
  const killedMs = m.times.killedMs;
  const announced = connections.filter((c) => c.announced).length;
  const killed = connections.filter((c) => !c.announced && killedMs !== undefined && (c.closedMs === undefined || c.closedMs >= killedMs)).length;
  const inFlight = connections.filter((c) => !c.announced && c.inFlightAtClose && !(killedMs !== undefined && (c.closedMs ?? Infinity) >= killedMs)).length;
  const unannounced = connections.length - announced - killed - inFlight;
  const racedRequests = m.requests.filter((r) => r.kind === 'keep-alive' && r.reused && (r.outcome === 'reset' || r.outcome === 'error') && r.startMs >= m.times.terminationMs).length;
  const evidence = { connections: connections.length, announced, closedWithoutNotice: unannounced, closedWithRequestInFlight: inFlight, openAtSigkill: killed, requestsReset: racedRequests };
  if (connections.length === 0) {
    return { id: 'keep-alive-close', status: 'skipped', cause: undefined, summary: 'no keep-alive connection was open during the termination', evidence, fix: undefined };
  }
  if (announced === connections.length) {
    return { id: 'keep-alive-close', status: 'pass', cause: undefined, summary: `closed ${every(connections.length, 'keep-alive connection')} after a response with \`Connection: close\``, evidence, fix: undefined };
  }
  const parts = [
    unannounced > 0 ? `${unannounced} closed between requests without notice` : '',
    inFlight > 0 ? `${inFlight} closed with a request in flight` : '',
    killed > 0 ? `${killed} still in use when SIGKILL came` : '',
  ].filter(Boolean);
  return {
    id: 'keep-alive-close',
    status: 'fail',
    cause: 'keep-alive-race',
    summary: `of ${count(connections.length, 'keep-alive connection')}, ${announced} ended with \`Connection: close\`, ${parts.join(', ')}; ${count(racedRequests, 'request')} reset`,
    evidence,
    fix: 'after SIGTERM answer every request with `Connection: close` (Node: `res.setHeader(\'Connection\', \'close\')`; Go: `server.SetKeepAlivesEnabled(false)`) and close idle connections only when the routing has stopped',
  };
}

/** Requests in flight at SIGTERM (slow ones sent just before it, and any others) must finish. */
export function finishesInFlight(m: Measurement): Verdict {
  const { sigtermMs } = m.times;
  const inFlight = m.requests.filter((r) => r.startMs < sigtermMs && r.endMs > sigtermMs);
  const cut = inFlight.filter(failed);
  const finished = inFlight.length - cut.length;
  const last = inFlight.filter((r) => !failed(r)).reduce((max, r) => Math.max(max, r.endMs), sigtermMs);
  const evidence = { inFlightAtSigterm: inFlight.length, finished, cut: cut.length, lastFinishedAfterSigtermMs: finished > 0 ? Math.round(last - sigtermMs) : null };
  if (inFlight.length === 0) {
    return {
      id: 'finishes-in-flight',
      status: 'skipped',
      cause: undefined,
      summary: 'no request was in flight at SIGTERM; name a path the app answers slowly with --slow-path',
      evidence,
      fix: undefined,
    };
  }
  if (cut.length === 0) {
    return { id: 'finishes-in-flight', status: 'pass', cause: undefined, summary: `finished ${every(inFlight.length, 'request')} in flight at SIGTERM, ${inFlight.length === 1 ? '' : 'the last '}${seconds(last - sigtermMs)} after it`, evidence, fix: undefined };
  }
  return {
    id: 'finishes-in-flight',
    status: 'fail',
    cause: 'killed-in-flight',
    summary: `cut ${cut.length} of ${count(inFlight.length, 'request')} in flight at SIGTERM (${[...new Set(cut.map((r) => r.error ?? r.outcome))].join(', ')})`,
    evidence,
    fix: 'on SIGTERM stop accepting and exit only when the requests in flight are answered (Node: exit in the `server.close()` callback; Go: `server.Shutdown(ctx)`)',
  };
}

/** Every process of the command must be gone before the grace deadline (else SIGKILL). */
export function exitsInGrace(m: Measurement): Verdict {
  const { sigtermMs, deadlineMs, allExitedMs, killedMs } = m.times;
  const killedInFlight = killedMs === undefined ? 0 : m.requests.filter((r) => r.startMs <= killedMs && r.endMs >= killedMs && failed(r)).length;
  const evidence = {
    exitedAfterSigtermMs: allExitedMs === undefined || killedMs !== undefined ? null : Math.round(allExitedMs - sigtermMs),
    deadlineAfterSigtermMs: deadlineMs - sigtermMs,
    killed: killedMs !== undefined,
    requestsCutBySigkill: killedInFlight,
    exitCode: m.exit.code,
    exitSignal: m.exit.signal,
  };
  if (allExitedMs !== undefined && killedMs === undefined) {
    return {
      id: 'exits-in-grace',
      status: 'pass',
      cause: undefined,
      summary: `exited ${seconds(allExitedMs - sigtermMs)} after SIGTERM, ${seconds(deadlineMs - allExitedMs)} before the grace period ended (${m.exit.signal ? `signal ${m.exit.signal}` : `exit code ${m.exit.code}`})`,
      evidence,
      fix: undefined,
    };
  }
  return {
    id: 'exits-in-grace',
    status: 'fail',
    cause: 'killed-in-flight',
    summary: `still running ${seconds(deadlineMs - sigtermMs)} after SIGTERM, at the end of the grace period: killed with SIGKILL (${count(killedInFlight, 'request')} cut)`,
    evidence,
    fix: 'on SIGTERM close the server and exit once it has drained; make terminationGracePeriodSeconds longer than the preStop delay plus the drain time',
  };
}

/**
 * SIGTERM goes to the process the container started (PID 1). When that is a shell or a package
 * manager and the server is its child, the server must still stop before the deadline, which it
 * does only if the parent passes the signal on.
 */
export function signalReachesApp(m: Measurement): Verdict {
  const { listener, root } = m;
  const { sigtermMs, listenerExitMs, killedMs } = m.times;
  const reacted = listenerExitMs !== undefined && (killedMs === undefined || listenerExitMs < killedMs);
  const evidence = {
    signalledPid: root.pid,
    signalled: root.name,
    listenerPid: listener?.pid ?? null,
    listener: listener?.name ?? null,
    chain: m.chain.map((p) => p.name).join(' → '),
    listenerExitedAfterSigtermMs: reacted && listenerExitMs !== undefined ? Math.round(listenerExitMs - sigtermMs) : null,
    listenerKilled: listener !== undefined && !reacted && killedMs !== undefined,
    signalledCatchesSigterm: m.rootCatchesSigterm ?? null,
  };
  if (!listener) {
    return {
      id: 'signal-reaches-app',
      status: 'skipped',
      cause: undefined,
      summary: 'the process that listens was not found among the command\'s processes (only Linux /proc shows them)',
      evidence,
      fix: undefined,
    };
  }
  if (listener.pid === root.pid) {
    return { id: 'signal-reaches-app', status: 'pass', cause: undefined, summary: `SIGTERM went to the server itself (PID ${root.pid}, ${root.name})`, evidence, fix: undefined };
  }
  if (reacted) {
    return {
      id: 'signal-reaches-app',
      status: 'pass',
      cause: undefined,
      summary: `SIGTERM went to ${root.name} (PID ${root.pid}); the server ${listener.name} (PID ${listener.pid}) below it stopped ${seconds((listenerExitMs ?? sigtermMs) - sigtermMs)} later`,
      evidence,
      fix: undefined,
    };
  }
  return {
    id: 'signal-reaches-app',
    status: 'fail',
    cause: 'killed-in-flight',
    summary: `SIGTERM went to ${root.name} (PID ${root.pid}), not to the server ${listener.name} (PID ${listener.pid}, ${evidence.chain}), which ran on until SIGKILL${m.rootCatchesSigterm === false ? `; ${root.name} has no SIGTERM handler, so as a container's PID 1 it would not even exit` : ''}`,
    evidence,
    fix: `run the server as the process the container starts: \`exec\` it from the script (\`sh -c "exec node app.js"\`), use the exec form \`["node", "app.js"]\` instead of a shell or \`npm start\`, or an init that forwards signals (tini, dumb-init); see the rule sigterm-not-forwarded`,
  };
}

/**
 * The server's keep-alive idle timeout must outlast the load balancer's, or the LB reuses a
 * connection the server is closing. Judged by the idle connection (closed before termination?)
 * and the `Keep-Alive: timeout=N` the server announces.
 */
export function keepAliveTimeout(m: Measurement): Verdict {
  const lbIdleMs = m.settings.lbIdleMs;
  const idle = m.connections.find((c) => c.kind === 'idle');
  const closedIdleMs = idle && idle.closedMs !== undefined && idle.closedMs < m.times.terminationMs && !idle.announced ? idle.closedMs - idle.openedMs : undefined;
  const hint = m.connections.map((c) => c.keepAliveHint).find((h) => h !== undefined);
  const watchedMs = idle ? Math.min(idle.closedMs ?? m.times.terminationMs, m.times.terminationMs) - idle.openedMs : 0;
  const evidence = { lbIdleMs, idleClosedAfterMs: closedIdleMs === undefined ? null : Math.round(closedIdleMs), announcedTimeoutS: hint ?? null, idleWatchedMs: Math.round(watchedMs) };
  const fix = `make the server's keep-alive idle timeout longer than the load balancer's ${seconds(lbIdleMs)} (Node: \`server.keepAliveTimeout = ${lbIdleMs + 5000}\` and \`server.headersTimeout\` above it; Go: \`http.Server{IdleTimeout: ${Math.round(lbIdleMs / 1000) + 5} * time.Second}\`)`;
  if (lbIdleMs === 0) {
    return { id: 'keep-alive-timeout', status: 'skipped', cause: undefined, summary: 'not judged (--lb-idle 0)', evidence, fix: undefined };
  }
  if (closedIdleMs !== undefined && closedIdleMs < lbIdleMs) {
    return {
      id: 'keep-alive-timeout',
      status: 'fail',
      cause: 'keep-alive-race',
      summary: `closed an idle keep-alive connection after ${seconds(closedIdleMs)}, without notice; a load balancer keeps idle connections ${seconds(lbIdleMs)} and sends on them`,
      evidence,
      fix,
    };
  }
  if (closedIdleMs !== undefined) {
    return { id: 'keep-alive-timeout', status: 'pass', cause: undefined, summary: `closed an idle keep-alive connection after ${seconds(closedIdleMs)}, later than the load balancer's ${seconds(lbIdleMs)}`, evidence, fix: undefined };
  }
  if (hint !== undefined && hint * 1000 <= lbIdleMs) {
    return {
      id: 'keep-alive-timeout',
      status: 'fail',
      cause: 'keep-alive-race',
      summary: `announces \`Keep-Alive: timeout=${hint}\`, not longer than the load balancer's idle timeout of ${seconds(lbIdleMs)}`,
      evidence,
      fix,
    };
  }
  if (hint !== undefined) {
    return { id: 'keep-alive-timeout', status: 'pass', cause: undefined, summary: `announces \`Keep-Alive: timeout=${hint}\`, longer than the load balancer's ${seconds(lbIdleMs)}, and kept an idle connection open for ${seconds(watchedMs)}`, evidence, fix: undefined };
  }
  return {
    id: 'keep-alive-timeout',
    status: 'skipped',
    cause: undefined,
    summary: `kept an idle connection open for the ${seconds(watchedMs)} watched and announces no timeout; a --warmup longer than ${seconds(lbIdleMs)} would prove it`,
    evidence,
    fix: undefined,
  };
}

/** Every verdict, in the order of a pod's termination. */
export function judge(m: Measurement): Verdict[] {
  return [keepsServing(m), keepAliveClose(m), finishesInFlight(m), exitsInGrace(m), signalReachesApp(m), keepAliveTimeout(m)];
}
