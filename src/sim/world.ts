/**
 * What one rollout's control plane produces, shared by the simulator's parts and the lab: the pods
 * (with their phases, listening intervals and endpoint state), the routing views' changes and the
 * LB's removals.
 */
import type { PodInterval, PodPhase } from './types.js';
import type { SimInput } from './params.js';

export type EndpointState = 'ready' | 'serving-terminating' | 'absent';

/** How an app ends its keep-alive connections. */
export type KeepAliveClose = 'graceful' | 'idle' | 'abrupt';

/**
 * What the kubelet tracks of one serving container when more than one serves: when its app
 * listens, when it ended with work in flight, how it closed its keep-alive connections. The first
 * container's arrays are the pod's own `listening`, `abruptEnds` and `keepAliveCloses`.
 */
export interface ContainerState {
  listening: { start: number; end: number }[];
  abruptEnds: number[];
  keepAliveCloses: { time: number; how: KeepAliveClose }[];
  /** The container has exited (terminating pods only). */
  exited: boolean;
  /** Seconds after the pod's containers start until this one's app starts up (kubelet.ts newPod). */
  readonly startDelay: number;
}

export interface SimPod {
  readonly id: number;
  readonly name: string;
  /** `peer`: a pod of another workload behind the same Service, Ready throughout. */
  readonly rev: 'old' | 'new' | 'peer';
  readonly node: number;
  /** Pseudo-random tie-break, as pod UIDs are. */
  readonly uid: number;
  /** `controller.kubernetes.io/pod-deletion-cost` from the pod template. */
  readonly deletionCost: number;
  readonly created: number;
  /**
   * The origin of the pod's probe ticks: its workers probe at `probeOrigin + k · period`. The
   * kubelet starts them at admission (worker.go run); see {@link SimInput} `randomProbePhase`.
   */
  readonly probeOrigin: number;
  ordinal: number;
  phases: PodInterval[];
  /** Intervals in which the app accepts connections (end Infinity while open). */
  listening: { start: number; end: number }[];
  running: boolean;
  /** When the container last started. */
  startedAt: number;
  containersReady: boolean;
  ready: boolean;
  everReady: boolean;
  /** Ready again after a restart: its availability is no progress. */
  availableAgain: boolean;
  readySince: number;
  deletedAt: number;
  gone: number;
  restarts: number;
  /** Times the process ended with work in flight (exit on SIGTERM, SIGKILL, liveness restart). */
  abruptEnds: number[];
  /**
   * Times the app closed its keep-alive connections, and how: `graceful` (`Connection: close` on
   * the next response), `idle` (closed idle connections at once: the keep-alive race), `abrupt`
   * (the process died).
   */
  keepAliveCloses: { time: number; how: KeepAliveClose }[];
  /** One per serving container, in the order of `input.pod.containers`; absent when one container serves. */
  containers?: ContainerState[];
  endpoint: EndpointState;
  /** Bumped on restart and deletion, so stale scheduled kubelet events are ignored. */
  epoch: number;
  phase: PodPhase;
  phaseStart: number;
}

export interface ViewEvent {
  readonly time: number;
  readonly layer: 'endpoints' | 'kube-proxy' | 'ingress' | 'lb-pod' | 'lb-node';
  /** The node of the kube-proxy (kube-proxy), or the node backend (lb-node); -1 otherwise. */
  readonly node: number;
  /** The pod (-1 for lb-node). */
  readonly pod: number;
  readonly state: EndpointState;
}

/** A cloud LB removing a backend: new connections stop at `removed`, open ones are cut at `cut`. */
export interface Removal {
  readonly backend: 'pod' | 'node';
  readonly id: number;
  readonly removed: number;
  readonly cut: number;
}

export interface World {
  readonly input: SimInput;
  readonly pods: readonly SimPod[];
  readonly nodes: number;
  /** View changes from `start` on, sorted by time; `initial` holds the views at `start`. */
  readonly viewEvents: readonly ViewEvent[];
  readonly initial: readonly ViewEvent[];
  readonly removals: readonly Removal[];
  /** Traffic starts here, before the rollout, so that requests in flight at time 0 are counted. */
  readonly start: number;
  readonly end: number;
  readonly rolloutSeconds: number;
  /** The rollout completed within the run (at most a simulated day). */
  readonly completed: boolean;
  /** When the Deployment's Progressing condition turned False (Infinity: never); the rollout went on. */
  readonly progressDeadlineExceededAt: number;
}
