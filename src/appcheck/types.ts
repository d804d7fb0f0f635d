/**
 * What `app-check` measures and what it concludes. Times are milliseconds after the command
 * listened (a monotonic clock); `termination` is the moment the pod would be deleted.
 */
import type { Cause } from '../sim/types.js';
import type { ProcessInfo } from './processes.js';

/** How the check runs; every duration in milliseconds. */
export interface AppCheckSettings {
  /** The command and its arguments (`$PORT` in an argument is replaced by the port). */
  readonly command: readonly string[];
  readonly port: number;
  /** Load before termination begins (also how long an idle keep-alive connection is watched). */
  readonly warmupMs: number;
  /** The preStop-like delay: from termination to SIGTERM. */
  readonly sigtermAfterMs: number;
  /** How long new requests keep arriving after termination begins (the routing still sends them). */
  readonly durationMs: number;
  /** From termination to SIGKILL, as `terminationGracePeriodSeconds`. */
  readonly graceMs: number;
  /** Requests per second: half on new connections, half on keep-alive connections. */
  readonly rps: number;
  /** Keep-alive clients (each one connection at a time, like a load balancer's pool). */
  readonly keepAliveClients: number;
  /** A path the app answers slowly, sent just before SIGTERM; none: only what is in flight anyway. */
  readonly slowPath: string | undefined;
  /** The load balancer's idle timeout the app's keep-alive timeout must outlast; 0: not judged. */
  readonly lbIdleMs: number;
  /** How long to wait for the command to listen. */
  readonly listenTimeoutMs: number;
  /** Extra environment for the command (besides PORT). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** How a request ended. */
export type Outcome = 'ok' | 'http-error' | 'refused' | 'reset' | 'timeout' | 'error';

/** One request the load generator sent. */
export interface RequestRecord {
  readonly kind: 'fresh' | 'keep-alive' | 'slow' | 'idle';
  /** The connection (keep-alive and idle requests). */
  readonly connection: number | undefined;
  /** Sent on a connection that had carried a request before. */
  readonly reused: boolean;
  /** When the load meant to send it (a request the event loop delayed is sent late, not dropped). */
  readonly scheduledMs: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: Outcome;
  readonly status: number | undefined;
  /** The response said `Connection: close`. */
  readonly connectionClose: boolean;
  /** The error code (ECONNREFUSED, ECONNRESET, …) of a failed request. */
  readonly error: string | undefined;
}

/** One keep-alive connection, and how it ended. */
export interface ConnectionRecord {
  readonly id: number;
  readonly kind: 'keep-alive' | 'idle';
  readonly openedMs: number;
  /** When it closed; undefined if still open when the check ended. */
  readonly closedMs: number | undefined;
  readonly requests: number;
  /** The last response on it said `Connection: close`. */
  readonly announced: boolean;
  /** The server closed it (FIN) rather than the client. */
  readonly closedByServer: boolean;
  /** A request was in flight on it when it closed. */
  readonly inFlightAtClose: boolean;
  /** The `Keep-Alive: timeout=N` the server announced, in seconds. */
  readonly keepAliveHint: number | undefined;
}

/** Everything one run measured. */
export interface Measurement {
  readonly settings: AppCheckSettings;
  /** The started process (the one a kubelet's SIGTERM reaches: PID 1 of the container). */
  readonly root: ProcessInfo;
  /** The process that holds the listening socket, if found; `chain` runs from root to it. */
  readonly listener: ProcessInfo | undefined;
  readonly chain: readonly ProcessInfo[];
  /** The started process had a SIGTERM handler when the termination began (undefined: unknown). */
  readonly rootCatchesSigterm: boolean | undefined;
  /** Milliseconds from start until the command listened. */
  readonly startupMs: number;
  readonly times: {
    readonly terminationMs: number;
    /** When SIGTERM was sent (the plan: termination + the preStop delay). */
    readonly sigtermMs: number;
    readonly windowEndMs: number;
    readonly deadlineMs: number;
    /** The signalled process exited. */
    readonly rootExitMs: number | undefined;
    /** The listener exited. */
    readonly listenerExitMs: number | undefined;
    /** Every process of the command had exited (undefined: killed at the deadline). */
    readonly allExitedMs: number | undefined;
    /** SIGKILL was sent. */
    readonly killedMs: number | undefined;
  };
  readonly exit: { readonly code: number | null; readonly signal: string | null };
  readonly requests: readonly RequestRecord[];
  readonly connections: readonly ConnectionRecord[];
}

/** One verdict's identity. */
export type VerdictId = 'keeps-serving' | 'keep-alive-close' | 'finishes-in-flight' | 'exits-in-grace' | 'signal-reaches-app' | 'keep-alive-timeout';

/** A verdict with its evidence: counts and timings, all numbers (milliseconds, counts). */
export interface Verdict {
  readonly id: VerdictId;
  readonly status: 'pass' | 'fail' | 'skipped';
  /** The cause (docs/simulate.md's taxonomy) the failure leads to in a rollout. */
  readonly cause: Cause | undefined;
  /** One sentence: what was seen. */
  readonly summary: string;
  readonly evidence: Readonly<Record<string, number | string | boolean | null>>;
  /** What to change (failed verdicts). */
  readonly fix: string | undefined;
}

/** The whole result. */
export interface AppCheckResult {
  readonly measurement: Measurement;
  readonly verdicts: readonly Verdict[];
}
