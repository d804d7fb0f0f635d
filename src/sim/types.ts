/**
 * The rollout simulator's data: what it is given (a plain, resolved description of one workload
 * and its platform) and what it returns (outcomes by cause, failure windows and, for one run, the
 * full timeline). Durations and times are in seconds from the start of the rollout.
 */

/** Why a request failed. */
export type Cause =
  /** Routed to a pod whose app does not accept connections yet (seed cause 1). */
  | 'refused-before-ready'
  /** Routed to a pod whose app has stopped accepting after SIGTERM (seed cause 2). */
  | 'refused-after-stop'
  /** Sent by the LB to a node whose kube-proxy has no local endpoint (seed cause 3). */
  | 'no-local-endpoint'
  /** A layer had no endpoint at all for the Service (e.g. a Recreate rollout). */
  | 'no-endpoint'
  /** In flight on a connection the LB cut when it removed the backend (seed cause 4). */
  | 'cut-by-lb'
  /** In flight when the app exited or was killed (SIGTERM exit, SIGKILL at the deadline). */
  | 'killed-in-flight'
  /** Sent on a keep-alive connection just as the server closed it. */
  | 'keep-alive-race';

export const CAUSES: readonly Cause[] = [
  'refused-before-ready',
  'refused-after-stop',
  'no-local-endpoint',
  'no-endpoint',
  'cut-by-lb',
  'killed-in-flight',
  'keep-alive-race',
];

/** The layer that dropped a request. */
export type Layer = 'app' | 'kube-proxy' | 'load-balancer' | 'ingress';

/** A phase of a pod's life, for the timeline lanes. */
export type PodPhase =
  | 'pending' // created, not yet running (scheduling, image pull, container start)
  | 'starting' // container running, app not yet Ready
  | 'ready' // Pod Ready condition true
  | 'not-ready' // running, Ready false (e.g. probe failing)
  | 'prestop' // terminating, preStop hook running
  | 'draining' // SIGTERM sent, app finishing in-flight work (or ignoring it)
  | 'killed' // SIGKILL at the grace deadline
  | 'gone'; // process exited

export interface PodInterval {
  readonly phase: PodPhase;
  readonly start: number;
  readonly end: number;
}

export interface PodTimeline {
  readonly name: string;
  /**
   * `old` for the running revision, `new` for the one being rolled out, `peer` for a pod of
   * another workload behind the same Service (it keeps serving).
   */
  readonly revision: 'old' | 'new' | 'peer';
  readonly node: string;
  readonly phases: readonly PodInterval[];
  /** When the app accepts and stops accepting connections (undefined: never / not in the run). */
  readonly listening: readonly { readonly start: number; readonly end: number }[];
}

/** Whether a view routes new traffic to a pod (`ready`) or only as a terminating fallback. */
export type ViewState = 'ready' | 'serving-terminating';

/**
 * One interval in which a routing view (the EndpointSlice, kube-proxy on a node, the ingress, the
 * cloud LB) holds a backend. For the LB with node backends, `backend` is a node name.
 */
export interface ViewInterval {
  readonly layer: 'endpoints' | 'kube-proxy' | 'ingress' | 'load-balancer';
  /** The node whose kube-proxy this is (kube-proxy only). */
  readonly node?: string;
  readonly backend: string;
  readonly state: ViewState;
  readonly start: number;
  readonly end: number;
}

/** Failed requests of one cause over one stretch of time, at one pod/node/layer. */
export interface FailureWindow {
  readonly cause: Cause;
  readonly start: number;
  readonly end: number;
  /** Failed requests in the window (expected value in the rate model, a count per request). */
  readonly count: number;
  readonly pod?: string;
  /** The serving container the requests went to, when more than one serves. */
  readonly container?: string;
  readonly node?: string;
  readonly layer: Layer;
}

/** The full record of one simulated rollout, for the report. */
export interface Timeline {
  /** Simulated seconds covered (the rollout plus the last pod's termination). */
  readonly end: number;
  readonly rolloutSeconds: number;
  /** False when the rollout did not finish within the progress deadline. */
  readonly completed: boolean;
  readonly nodes: readonly string[];
  readonly pods: readonly PodTimeline[];
  readonly views: readonly ViewInterval[];
  readonly failures: readonly FailureWindow[];
}

/** Result of one run. */
export interface RunResult {
  readonly requests: number;
  readonly failed: number;
  readonly byCause: Readonly<Record<Cause, number>>;
  readonly rolloutSeconds: number;
  readonly completed: boolean;
}

/** Summary of Monte Carlo runs of one workload. */
export interface SimulationSummary {
  readonly resource: string;
  readonly runs: number;
  /** Mean requests per run. */
  readonly requests: number;
  readonly failed: { readonly mean: number; readonly p50: number; readonly p95: number; readonly max: number };
  readonly pAnyFailure: number;
  readonly byCause: Readonly<Record<Cause, number>>;
  readonly rolloutSeconds: { readonly p50: number; readonly p95: number };
  /** Runs in which the rollout did not complete within the progress deadline. */
  readonly incomplete: number;
}
