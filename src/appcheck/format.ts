/** The text and JSON output of `app-check`. */
import type { AppCheckResult, Verdict } from './types.js';

const TITLES: Readonly<Record<Verdict['id'], string>> = {
  'keeps-serving': 'keeps serving while routed',
  'keep-alive-close': 'closes keep-alive gracefully',
  'finishes-in-flight': 'finishes requests in flight',
  'exits-in-grace': 'exits within the grace period',
  'signal-reaches-app': 'SIGTERM reaches the server',
  'keep-alive-timeout': 'keep-alive outlasts the LB idle',
};

const MARKS: Readonly<Record<Verdict['status'], string>> = { pass: 'pass', fail: 'FAIL', skipped: 'skip' };

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}

/** True when no verdict failed. */
export function passed(result: AppCheckResult): boolean {
  return result.verdicts.every((v) => v.status !== 'fail');
}

/** Human-readable: the run's settings, then one line per verdict with its cause and fix. */
export function formatAppCheckText(result: AppCheckResult): string {
  const m = result.measurement;
  const s = m.settings;
  const t = m.times;
  const lines = [
    `app-check: ${s.command.join(' ')}`,
    `  PID ${m.root.pid} (${m.root.name}), listened on 127.0.0.1:${s.port} after ${seconds(m.startupMs)}${m.listener && m.listener.pid !== m.root.pid ? `; the listener is PID ${m.listener.pid} (${m.listener.name})` : ''}`,
    `  load ${s.rps} rps (half on new connections, half on ${s.keepAliveClients} keep-alive connections) for ${seconds(s.warmupMs)}, then termination: SIGTERM after ${seconds(Math.min(s.sigtermAfterMs, s.graceMs))}, new connections for ${seconds(s.durationMs)}, SIGKILL at ${seconds(t.deadlineMs - t.terminationMs)}`,
    `  ${m.requests.length} requests, ${m.requests.filter((r) => r.outcome !== 'ok').length} failed; ${m.connections.length} keep-alive connections`,
    '',
  ];
  for (const v of result.verdicts) {
    lines.push(`  ${MARKS[v.status]}  ${TITLES[v.id].padEnd(32)} ${v.cause ? `${v.cause}: ` : ''}${v.summary}`);
    if (v.fix) lines.push(`        fix: ${v.fix}`);
  }
  const failedCount = result.verdicts.filter((v) => v.status === 'fail').length;
  lines.push('', failedCount === 0 ? 'All verdicts passed.' : `${failedCount} of ${result.verdicts.length} verdicts failed.`);
  return `${lines.join('\n')}\n`;
}

/** The JSON shape (stable; extra keys may be added): settings, process, times, counts, verdicts. */
export function formatAppCheckJson(result: AppCheckResult): string {
  const m = result.measurement;
  const outcomes: Record<string, number> = {};
  for (const r of m.requests) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  const json = {
    command: m.settings.command,
    passed: passed(result),
    settings: {
      port: m.settings.port,
      rps: m.settings.rps,
      warmupMs: m.settings.warmupMs,
      sigtermAfterMs: m.settings.sigtermAfterMs,
      durationMs: m.settings.durationMs,
      graceMs: m.settings.graceMs,
      slowPath: m.settings.slowPath ?? null,
      lbIdleMs: m.settings.lbIdleMs,
    },
    process: { pid: m.root.pid, name: m.root.name, catchesSigterm: m.rootCatchesSigterm ?? null, listener: m.listener ?? null, chain: m.chain, startupMs: m.startupMs, exit: m.exit },
    times: Object.fromEntries(Object.entries(m.times).map(([k, v]) => [k, v ?? null])),
    requests: { total: m.requests.length, ...outcomes },
    connections: m.connections.length,
    verdicts: result.verdicts.map((v) => ({ id: v.id, status: v.status, cause: v.cause ?? null, summary: v.summary, evidence: v.evidence, fix: v.fix ?? null })),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
