/**
 * The control plane and the nodes, as a discrete-event simulation of one rollout: the workload
 * controller (Deployment, StatefulSet, DaemonSet), the ReplicaSet's choice of pods to delete, the
 * scheduler, the kubelet (container start, probes, preStop, SIGTERM, SIGKILL), the EndpointSlice,
 * kube-proxy on every node, the ingress controller and the cloud LB.
 *
 * Sources, in kubernetes/kubernetes unless named: pkg/controller/deployment (rolling.go,
 * recreate.go, util/deployment_util.go), pkg/controller/replicaset/replica_set.go and
 * pkg/controller/controller_utils.go, pkg/controller/statefulset, pkg/controller/daemon,
 * pkg/scheduler (default_plugins.go and the score plugins), pkg/kubelet/prober and
 * pkg/kubelet/kuberuntime/kuberuntime_container.go, pkg/proxy/topology.go; the AWS ALB and NLB
 * docs on target health checks and aws-load-balancer-controller#3197 for the LB. Each function
 * names its own. The result is a {@link World}: when each pod listens,
 * when each routing view holds it, and when the LB cuts connections; traffic.ts then sends
 * requests through it.
 */
import type { PodInterval, PodPhase } from './types.js';
import { EventQueue } from './queue.js';
import type { ProbeInput, SimInput } from './params.js';
import { MINIMUM_GRACE_PERIOD_SECONDS, RESTART_BACKOFF_SECONDS, type ControlInput } from './params.js';
import type { Random } from './random.js';

/** Seconds the old revision runs before the rollout starts, so that every view has settled. */
const WARMUP_SECONDS = 900;
/**
 * The scheduler's default score plugins and weights (pkg/scheduler/apis/config/v1/default_plugins.go):
 * PodTopologySpread 2, NodeAffinity 2, NodeResourcesFit 1, NodeResourcesBalancedAllocation 1.
 * ImageLocality (1) is left out: the new image is on no node when the rollout starts.
 */
const WEIGHT = { spread: 2, selectorSpread: 1, nodeAffinity: 2, resourcesFit: 1, balanced: 1 } as const;
/** framework.MaxNodeScore. */
const MAX_NODE_SCORE = 100;
/**
 * maxSkew of the scheduler's system default hostname constraint (ScheduleAnyway: a score, never a
 * filter; pkg/scheduler/framework/plugins/podtopologyspread/plugin.go systemDefaultConstraints).
 */
const HOSTNAME_MAX_SKEW = 3;
/**
 * Requests the scheduler's scores assume for a container without requests
 * (pkg/scheduler/util/pod_resources.go: DefaultMilliCPURequest 100, DefaultMemoryRequest 200 MiB),
 * on nodes of 4 CPUs and 16 GiB (assumption: the nodes are otherwise empty and alike).
 */
const POD_REQUEST = { cpu: 100, memory: 200 } as const;
const NODE_ALLOCATABLE = { cpu: 4000, memory: 16_384 } as const;
/** A run never simulates more than a day: a rollout that has not finished by then never will. */
const MAX_SIMULATED_SECONDS = 86_400;
/** The kubelet's restart back-off cap. */
const MAX_BACKOFF_SECONDS = 300;

interface LbNode {
  backend: boolean;
  healthy: boolean;
  /** kube-proxy on the node has a ready local endpoint. */
  localReady: boolean;
  hcVersion: number;
  ccmVersion: number;
  /** The LB checks this target every interval from here (its own clock). */
  hcPhase: number;
}

export type EndpointState = 'ready' | 'serving-terminating' | 'absent';

/** How an app ends its keep-alive connections. */
export type KeepAliveClose = 'graceful' | 'idle' | 'abrupt';

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

type Ev =
  | { time: number; kind: 'running' | 'listen' | 'ready' | 'available' | 'prestop-done' | 'kill' | 'exit' | 'restart' | 'stop-serving' | 'restart-run' | 'gate-ready'; pod: number; epoch: number }
  | { time: number; kind: 'view'; layer: 'kube-proxy' | 'ingress'; node: number; pod: number; state: EndpointState; version: number }
  | { time: number; kind: 'lb-pod'; pod: number; state: EndpointState; version: number }
  | { time: number; kind: 'lb-node'; node: number; what: 'healthy' | 'backend'; value: boolean; version: number }
  | { time: number; kind: 'rollout' }
  | { time: number; kind: 'deadline' };

/** Simulates the control plane of one rollout. */
export function simulateCluster(input: SimInput, random: Random): World {
  return new Cluster(input, random).run();
}

class Cluster {
  private readonly queue = new EventQueue<Ev>();
  private readonly pods: SimPod[] = [];
  private now = -WARMUP_SECONDS;
  private started = false;
  private readonly nodes: number;
  private oldSpec: number;
  private newSpec = 0;
  /** StatefulSet: the ordinal being updated (-1 when done). */
  private stsOrdinal: number;
  private lastProgress = 0;
  private completedAt = Infinity;
  private deadlineExceededAt = Infinity;
  private stopped = false;
  private readonly viewEvents: ViewEvent[] = [];
  private readonly removals: Removal[] = [];
  /** Last applied endpoint version per view and pod, so late updates do not overwrite newer ones. */
  private readonly viewVersion = new Map<string, number>();
  private readonly endpointVersion: number[] = [];
  /** kube-proxy views: node → pod → state (for the node LB health check). */
  private readonly proxyViews: Map<number, EndpointState>[];
  /** LB node backends (nodes in service = backend and healthy). */
  private readonly lbNode: LbNode[];

  constructor(
    private readonly input: SimInput,
    private readonly random: Random,
  ) {
    this.nodes = input.nodes;
    this.oldSpec = input.replicas;
    this.stsOrdinal = input.replicas - 1;
    this.proxyViews = Array.from({ length: this.nodes }, () => new Map());
    const cluster = input.entry.kind === 'lb-node' && input.entry.policy === 'Cluster';
    const interval = input.lb?.healthCheck.intervalSeconds ?? 0;
    this.lbNode = Array.from({ length: this.nodes }, () => ({ backend: cluster, healthy: cluster, localReady: false, hcVersion: 0, ccmVersion: 0, hcPhase: interval > 0 && input.entry.kind === 'lb-node' ? this.random.next() * interval : 0 }));
  }

  run(): World {
    const input = this.input;
    // The old revision, created before the rollout and spread over the eligible nodes.
    if (input.strategy.kind === 'DaemonSet') {
      for (let n = 0; n < input.eligibleNodes; n++) this.createPod('old', n, n);
    } else {
      // A settled cluster: the old pods placed by the same scheduler, one after the other.
      for (let i = 0; i < input.replicas; i++) this.createPod('old', this.schedule('old', 'first'), i);
    }
    // Other workloads behind the same Service: their pods spread over all nodes, never rolled.
    let k = 0;
    for (const peer of input.peers ?? []) {
      for (let i = 0; i < peer.replicas; i++) this.createPod('peer', k++ % this.nodes, i, `${shortName(peer.resource)}-${String(i + 1).padStart(2, '0')}`);
    }
    this.queue.push({ time: 0, kind: 'rollout' });
    const initial: ViewEvent[] = [];
    let snapshotTaken = false;
    let horizon = Infinity;
    for (;;) {
      const ev = this.queue.peek();
      if (!ev || ev.time > horizon) break;
      if (ev.time > MAX_SIMULATED_SECONDS) {
        this.now = MAX_SIMULATED_SECONDS;
        this.stopped = true;
        break;
      }
      this.queue.pop();
      if (!snapshotTaken && ev.time >= this.start) {
        for (const view of this.snapshot()) initial.push(view);
        snapshotTaken = true;
      }
      this.now = ev.time;
      this.handle(ev);
      if (this.stopped) break;
      if (this.completedAt < Infinity && this.deletedGone() && horizon === Infinity) horizon = this.now + this.tail();
    }
    // A run that stalls with nothing left to happen ends a second after its last event.
    const end = this.stopped ? this.now : horizon < Infinity ? horizon : (this.completedAt < Infinity ? Math.max(this.now, this.completedAt) : this.now) + 1;
    for (const pod of this.pods) this.closePhase(pod, end);
    return {
      input,
      pods: this.pods,
      nodes: this.nodes,
      viewEvents: this.viewEvents,
      initial,
      removals: this.removals,
      start: this.start,
      end,
      rolloutSeconds: this.completedAt < Infinity ? this.completedAt : end,
      completed: this.completedAt < Infinity,
      progressDeadlineExceededAt: this.deadlineExceededAt,
    };
  }

  /** Time after the last old pod is gone for every view to settle (latencies never exceed p99). */
  private tail(): number {
    const input = this.input;
    let t = input.proxy.sync.p99;
    if (input.ingress) t = Math.max(t, input.ingress.sync.p99);
    if (input.lb) t = Math.max(t, input.lb.register.p99, input.lb.deregister.p99);
    return t + 1;
  }

  private snapshot(): ViewEvent[] {
    const out: ViewEvent[] = [];
    for (const pod of this.pods) if (pod.endpoint !== 'absent') out.push({ time: this.start, layer: 'endpoints', node: -1, pod: pod.id, state: pod.endpoint });
    for (let n = 0; n < this.nodes; n++) {
      for (const [pod, state] of this.proxyViews[n] ?? []) if (state !== 'absent') out.push({ time: this.start, layer: 'kube-proxy', node: n, pod, state });
      const lb = this.lbNode[n];
      if (lb?.backend && lb.healthy && this.input.entry.kind === 'lb-node') out.push({ time: this.start, layer: 'lb-node', node: n, pod: -1, state: 'ready' });
    }
    for (const [key, state] of this.otherViews) {
      const [layer, pod] = key.split(':') as ['ingress' | 'lb-pod', string];
      if (state !== 'absent') out.push({ time: this.start, layer, node: -1, pod: Number(pod), state });
    }
    return out;
  }

  /** Ingress and pod-backend LB views: `layer:pod` → state. */
  private readonly otherViews = new Map<string, EndpointState>();

  private record(ev: ViewEvent): void {
    if (ev.time >= this.start) this.viewEvents.push(ev);
  }

  /** Traffic start: one request duration and a second before the rollout. */
  private get start(): number {
    return -(this.input.traffic.requestSeconds + 1);
  }

  // --- pods and the kubelet -------------------------------------------------------------------

  private createPod(rev: SimPod['rev'], node: number, ordinal: number, peerName?: string): SimPod {
    const id = this.pods.length;
    const input = this.input;
    const name =
      peerName ??
      (input.strategy.kind === 'StatefulSet'
        ? `${shortName(input.resource)}-${ordinal}${rev === 'new' ? ' (new)' : ''}`
        : `${shortName(input.resource)}-${rev === 'old' ? 'a' : 'b'}${String(ordinal + 1).padStart(2, '0')}`);
    const pod: SimPod = {
      id,
      name,
      rev,
      node,
      uid: this.random.next(),
      deletionCost: input.pod.deletionCost ?? 0,
      created: this.now,
      probeOrigin: this.now - (input.pod.randomProbePhase ? this.random.next() * longestProbePeriod(input) : 0),
      ordinal,
      phases: [],
      listening: [],
      running: false,
      startedAt: Infinity,
      containersReady: false,
      ready: false,
      everReady: false,
      availableAgain: false,
      readySince: Infinity,
      deletedAt: Infinity,
      gone: Infinity,
      restarts: 0,
      abruptEnds: [],
      keepAliveCloses: [],
      endpoint: 'absent',
      epoch: 0,
      phase: 'pending',
      phaseStart: this.now,
    };
    this.pods.push(pod);
    this.endpointVersion.push(0);
    this.at(this.now + input.pod.containerStartSeconds, 'running', pod);
    return pod;
  }

  private at(time: number, kind: Extract<Ev, { pod: number; epoch: number }>['kind'], pod: SimPod): void {
    this.queue.push({ time, kind, pod: pod.id, epoch: pod.epoch });
  }

  private setPhase(pod: SimPod, phase: PodPhase): void {
    if (pod.phase === phase) return;
    this.closePhase(pod, this.now);
    pod.phase = phase;
    pod.phaseStart = this.now;
  }

  private closePhase(pod: SimPod, end: number): void {
    const from = Math.min(-5, this.start);
    const start = Math.max(pod.phaseStart, from);
    if (end > start && end >= from) pod.phases.push({ phase: pod.phase, start, end });
    pod.phaseStart = end;
  }

  /**
   * The container started: schedule listening, probes, readiness and liveness. Probe workers
   * tick every period from the pod's admission (pkg/kubelet/prober/worker.go run), not from the
   * container start, so each pod has its own phase.
   */
  private onRunning(pod: SimPod): void {
    const p = this.input.pod;
    pod.running = true;
    pod.startedAt = this.now;
    this.setPhase(pod, 'starting');
    const start = this.now;
    const listenAt = start + p.appStartupSeconds;
    this.at(listenAt, 'listen', pod);
    // The startup probe gates readiness and liveness; without one they run at once. A startup
    // or liveness probe that fails failureThreshold times before the app listens restarts the
    // container (worker.go: the result is set after failureThreshold failures in a row).
    let started = start;
    if (p.startup) {
      const killedAt = killingTick(p.startup, pod.probeOrigin, start + p.startup.initialDelay, listenAt);
      if (killedAt !== undefined) {
        this.at(killedAt, 'restart', pod);
        return;
      }
      started = probeTick(pod.probeOrigin, p.startup.period, Math.max(listenAt, start + p.startup.initialDelay));
    }
    if (p.liveness) {
      const killedAt = killingTick(p.liveness, pod.probeOrigin, Math.max(started, start + p.liveness.initialDelay), listenAt);
      if (killedAt !== undefined) this.at(killedAt, 'restart', pod);
    }
    if (p.readiness) {
      if (!p.readiness.ok) return;
      this.at(readinessPassesAt(p.readiness, pod.probeOrigin, start, started, listenAt), 'ready', pod);
    } else {
      // No readiness probe: Ready once started (pod-lifecycle.md: the default state is Success).
      this.at(started, 'ready', pod);
    }
  }

  private onReady(pod: SimPod): void {
    pod.containersReady = true;
    const p = this.input.pod;
    const lb = this.input.lb;
    if (p.lbReadinessGate && lb && pod.deletedAt === Infinity) {
      // The LB controller registers the pod once its containers are ready
      // (aws-load-balancer-controller#3197); the gate turns true when the new target passed its
      // first health check.
      const healthy = this.newTargetHealthy(this.now + this.random.latency(lb.register));
      this.setLbPod(pod.id, 'ready', healthy);
      this.at(healthy, 'gate-ready', pod);
      return;
    }
    this.becomeReady(pod);
  }

  /**
   * When a target registered at `registered` is healthy: "After your target is registered, it
   * must pass one health check to be considered healthy" (AWS ALB docs, "Health checks for your
   * target groups"). The LB checks on its own clock: the first check falls anywhere in the
   * interval after the registration.
   */
  private newTargetHealthy(registered: number): number {
    const interval = this.input.lb?.healthCheck.intervalSeconds ?? 0;
    return registered + interval * (1 - this.random.next());
  }

  private becomeReady(pod: SimPod): void {
    if (pod.ready) return;
    pod.ready = true;
    pod.readySince = this.now;
    if (pod.deletedAt === Infinity) this.setPhase(pod, 'ready');
    this.updateEndpoint(pod);
    if (this.input.minReadySeconds > 0) this.at(this.now + this.input.minReadySeconds, 'available', pod);
    // Progress is a new pod's first readiness, not a restarted one's return.
    const first = !pod.everReady;
    pod.everReady = true;
    if (pod.rev === 'new' && first && this.input.minReadySeconds === 0) this.progress();
    if (!first && this.input.minReadySeconds > 0) pod.availableAgain = true;
    this.reconcile();
  }

  private onListen(pod: SimPod): void {
    pod.listening.push({ start: this.now, end: Infinity });
  }

  private stopListening(pod: SimPod, how: KeepAliveClose): void {
    const last = pod.listening[pod.listening.length - 1];
    if (last && last.end === Infinity) last.end = this.now;
    pod.keepAliveCloses.push({ time: this.now, how });
  }

  /** Liveness (or startup) probe failed failureThreshold times: the container restarts. */
  private onRestart(pod: SimPod): void {
    const wasListening = pod.listening.some((l) => l.end === Infinity);
    if (wasListening) {
      this.stopListening(pod, 'abrupt');
      pod.abruptEnds.push(this.now);
    }
    pod.epoch++;
    pod.running = false;
    pod.containersReady = false;
    const wasReady = pod.ready;
    pod.ready = false;
    pod.readySince = Infinity;
    if (pod.deletedAt === Infinity) this.setPhase(pod, 'not-ready');
    if (wasReady) {
      this.updateEndpoint(pod);
      this.reconcile();
    }
    const backoff = Math.min(MAX_BACKOFF_SECONDS, RESTART_BACKOFF_SECONDS * 2 ** pod.restarts);
    pod.restarts++;
    this.at(this.now + backoff, 'restart-run', pod);
  }

  /** The pod is deleted (deletionTimestamp set): preStop, then SIGTERM, SIGKILL at the deadline. */
  private deletePod(pod: SimPod): void {
    if (pod.deletedAt !== Infinity) return;
    pod.deletedAt = this.now;
    pod.epoch++;
    const p = this.input.pod;
    if (!pod.running) {
      // Not started yet: removed at once.
      this.setPhase(pod, 'gone');
      pod.gone = this.now;
      this.updateEndpoint(pod);
      this.reconcile();
      return;
    }
    this.updateEndpoint(pod);
    const { sigterm, kill } = terminationTimes(p.preStopSeconds, p.graceSeconds);
    if (sigterm > 0) this.setPhase(pod, 'prestop');
    this.at(this.now + sigterm, 'prestop-done', pod);
    this.at(this.now + kill, 'kill', pod);
  }

  private onSigterm(pod: SimPod): void {
    const p = this.input.pod;
    this.setPhase(pod, 'draining');
    const listening = pod.listening.some((l) => l.end === Infinity);
    if (p.sigterm === 'graceful' || p.sigterm === 'graceful-close-idle') {
      if (listening) this.stopListening(pod, p.sigterm === 'graceful' ? 'graceful' : 'idle');
      this.at(this.now + p.appDrainSeconds, 'exit', pod);
      this.serveUntilProbeFails(pod);
    } else if (p.sigterm === 'exit') {
      if (listening) {
        this.stopListening(pod, 'abrupt');
        pod.abruptEnds.push(this.now);
      }
      this.at(this.now, 'exit', pod);
    }
    // 'ignore': keeps serving until SIGKILL.
  }

  /** After the app stops listening, its readiness probe fails and the endpoint stops serving. */
  private serveUntilProbeFails(pod: SimPod): void {
    const r = this.input.pod.readiness;
    if (!r || !pod.ready) return;
    // The readiness worker keeps probing during termination, on its own phase (liveness and
    // startup stop: worker.go doProbe); failureThreshold failures in a row make the pod not ready.
    const next = probeTick(pod.probeOrigin, r.period, this.now);
    this.at(next + (r.failureThreshold - 1) * r.period, 'stop-serving', pod);
  }

  private onExit(pod: SimPod, killed: boolean): void {
    if (pod.gone !== Infinity) return;
    if (pod.listening.some((l) => l.end === Infinity)) {
      this.stopListening(pod, 'abrupt');
      pod.abruptEnds.push(this.now);
    }
    this.setPhase(pod, killed ? 'killed' : 'gone');
    if (killed) {
      // SIGKILL ends the process; the pod object goes right after.
      this.closePhase(pod, this.now);
      pod.phase = 'gone';
    }
    pod.gone = this.now;
    pod.running = false;
    pod.ready = false;
    this.updateEndpoint(pod);
    this.reconcile();
  }

  // --- endpoints and the routing views ---------------------------------------------------------

  private endpointOf(pod: SimPod): EndpointState {
    if (pod.gone !== Infinity || !pod.running) return 'absent';
    if (pod.deletedAt === Infinity) return pod.ready ? 'ready' : 'absent';
    // Terminating: ready=false, serving = the pod's readiness (EndpointSliceTerminatingCondition).
    return pod.ready ? 'serving-terminating' : 'absent';
  }

  private updateEndpoint(pod: SimPod): void {
    const state = this.endpointOf(pod);
    if (state === pod.endpoint) return;
    const before = pod.endpoint;
    pod.endpoint = state;
    this.record({ time: this.now, layer: 'endpoints', node: -1, pod: pod.id, state });
    const version = (this.endpointVersion[pod.id] ?? 0) + 1;
    this.endpointVersion[pod.id] = version;
    const input = this.input;
    // kube-proxy on every node (also in pod-backend mode: in-cluster clients use it). A watch
    // delivers changes in order, so a view never sees a later change before an earlier one.
    for (let n = 0; n < this.nodes; n++) {
      const time = this.delivery(n, this.now + this.random.latency(input.proxy.sync));
      this.queue.push({ time, kind: 'view', layer: 'kube-proxy', node: n, pod: pod.id, state, version });
    }
    if (input.ingress) {
      // ingress-nginx routes to ready endpoints only.
      const s: EndpointState = state === 'ready' ? 'ready' : 'absent';
      const time = this.delivery(-1, this.now + this.random.latency(input.ingress.sync));
      this.queue.push({ time, kind: 'view', layer: 'ingress', node: -1, pod: pod.id, state: s, version });
    }
    if (input.entry.kind === 'lb-pod' && input.lb) {
      if (state === 'ready' && before !== 'ready') {
        if (!input.pod.lbReadinessGate) this.setLbPod(pod.id, 'ready', this.newTargetHealthy(this.now + this.random.latency(input.lb.register)));
      } else if (state !== 'ready' && before === 'ready') {
        this.setLbPod(pod.id, 'absent', this.now + this.random.latency(input.lb.deregister));
      }
    }
  }

  /** In-order delivery on a watch channel (a node's kube-proxy, or the ingress controller: -1). */
  private delivery(channel: number, time: number): number {
    const last = this.lastDelivery.get(channel) ?? -Infinity;
    const t = Math.max(time, last);
    this.lastDelivery.set(channel, t);
    return t;
  }

  private readonly lastDelivery = new Map<number, number>();

  /** Schedules a change of the LB's view of a pod; only the latest scheduled change applies. */
  private setLbPod(pod: number, state: EndpointState, time: number): void {
    const key = `lb-pod:${pod}`;
    const version = (this.viewVersion.get(`${key}:sched`) ?? 0) + 1;
    this.viewVersion.set(`${key}:sched`, version);
    this.queue.push({ time, kind: 'lb-pod', pod, state, version });
  }

  private onView(ev: Extract<Ev, { kind: 'view' }>): void {
    const key = `${ev.layer}:${ev.node}:${ev.pod}`;
    if ((this.viewVersion.get(key) ?? 0) >= ev.version) return;
    this.viewVersion.set(key, ev.version);
    if (ev.layer === 'kube-proxy') {
      const view = this.proxyViews[ev.node] as Map<number, EndpointState>;
      const before = view.get(ev.pod) ?? 'absent';
      if (before === ev.state) return;
      view.set(ev.pod, ev.state);
      this.record({ time: this.now, layer: 'kube-proxy', node: ev.node, pod: ev.pod, state: ev.state });
      this.nodeHealthChanged(ev.node);
    } else {
      const k = `ingress:${ev.pod}`;
      if ((this.otherViews.get(k) ?? 'absent') === ev.state) return;
      this.otherViews.set(k, ev.state);
      this.record({ time: this.now, layer: 'ingress', node: -1, pod: ev.pod, state: ev.state });
    }
  }

  private onLbPod(ev: Extract<Ev, { kind: 'lb-pod' }>): void {
    const key = `lb-pod:${ev.pod}`;
    if ((this.viewVersion.get(`${key}:sched`) ?? 0) !== ev.version) return;
    const before = this.otherViews.get(key) ?? 'absent';
    if (before === ev.state) return;
    this.otherViews.set(key, ev.state);
    this.record({ time: this.now, layer: 'lb-pod', node: -1, pod: ev.pod, state: ev.state });
    if (ev.state === 'absent') this.remove('pod', ev.pod);
  }

  private remove(backend: 'pod' | 'node', id: number): void {
    const drain = this.input.lb?.drainSeconds;
    if (this.now >= this.start) this.removals.push({ backend, id, removed: this.now, cut: this.now + (drain ?? 0) });
  }

  /**
   * Local policy. The LB health-checks kube-proxy's healthCheckNodePort on every backend node,
   * which fails while kube-proxy has no ready local endpoint (also with ProxyTerminatingEndpoints:
   * terminating endpoints do not count), on its own clock (a phase per node); it marks the node
   * down after unhealthyThreshold failed checks and up after healthyThreshold good ones. The cloud
   * controller also removes a node without ready endpoints from the backends (deregistration
   * latency) and adds it back when it has one again (registration latency), as a new target that
   * passes one check; only that removal cuts connections.
   */
  private nodeHealthChanged(node: number): void {
    const input = this.input;
    if (input.entry.kind !== 'lb-node' || input.entry.policy !== 'Local' || !input.lb) return;
    let healthy = false;
    for (const [pod, state] of this.proxyViews[node] ?? []) {
      if (state === 'ready' && this.pods[pod]?.node === node) {
        healthy = true;
        break;
      }
    }
    const lb = this.lbNode[node] as LbNode;
    if (lb.localReady === healthy) return;
    lb.localReady = healthy;
    const hc = input.lb.healthCheck;
    lb.hcVersion++;
    lb.ccmVersion++;
    // The first check after the change falls anywhere in the next interval: `threshold` checks
    // in a row take ((threshold − 1)·interval, threshold·interval].
    const detected = (threshold: number, from: number): number => nextCheck(lb.hcPhase, hc.intervalSeconds, from) + (threshold - 1) * hc.intervalSeconds;
    if (healthy) {
      if (lb.backend) {
        // An unhealthy target recovers after healthyThreshold good checks.
        this.queue.push({ time: detected(hc.healthyThreshold, this.now), kind: 'lb-node', node, what: 'healthy', value: true, version: lb.hcVersion });
      } else {
        // The cloud controller registers the node again: a new target passes one check.
        const registered = this.now + this.random.latency(input.lb.register);
        this.queue.push({ time: registered, kind: 'lb-node', node, what: 'backend', value: true, version: lb.ccmVersion });
        this.queue.push({ time: detected(1, registered), kind: 'lb-node', node, what: 'healthy', value: true, version: lb.hcVersion });
      }
    } else {
      this.queue.push({ time: detected(hc.unhealthyThreshold, this.now), kind: 'lb-node', node, what: 'healthy', value: false, version: lb.hcVersion });
      if (lb.backend) this.queue.push({ time: this.now + this.random.latency(input.lb.deregister), kind: 'lb-node', node, what: 'backend', value: false, version: lb.ccmVersion });
    }
  }

  private onLbNode(ev: Extract<Ev, { kind: 'lb-node' }>): void {
    const lb = this.lbNode[ev.node] as LbNode;
    const wasIn = lb.backend && lb.healthy;
    if (ev.what === 'healthy') {
      if (lb.hcVersion !== ev.version) return;
      lb.healthy = ev.value;
    } else {
      if (lb.ccmVersion !== ev.version) return;
      lb.backend = ev.value;
      if (!ev.value) this.remove('node', ev.node);
    }
    const isIn = lb.backend && lb.healthy;
    if (isIn !== wasIn) this.record({ time: this.now, layer: 'lb-node', node: ev.node, pod: -1, state: isIn ? 'ready' : 'absent' });
  }

  // --- events ----------------------------------------------------------------------------------

  private handle(ev: Ev): void {
    switch (ev.kind) {
      case 'rollout':
        this.started = true;
        this.lastProgress = 0;
        // No deadline event when there is none (extensions/v1beta1 stores MaxInt32): it would
        // only carry the run to its end.
        if (this.input.progressDeadlineSeconds < MAX_SIMULATED_SECONDS) this.queue.push({ time: this.input.progressDeadlineSeconds, kind: 'deadline' });
        this.reconcile();
        return;
      case 'deadline':
        // Progressing=False (ProgressDeadlineExceeded) is a condition only: the rollout goes on
        // (pkg/controller/deployment/progress.go; deployment_util.go DeploymentTimedOut).
        if (this.completedAt !== Infinity || this.deadlineExceededAt !== Infinity) return;
        if (this.now - this.lastProgress >= this.input.progressDeadlineSeconds - 1e-9) {
          this.deadlineExceededAt = this.now;
          // A pod whose container its probes restart before the app listens crash-loops, and may
          // do so for as long as the run lasts: the run ends here, the rollout not complete.
          if (this.pods.some((pod) => pod.rev !== 'peer' && pod.restarts > 0 && pod.deletedAt === Infinity)) this.stopped = true;
        } else if (this.lastProgress + this.input.progressDeadlineSeconds < MAX_SIMULATED_SECONDS) this.queue.push({ time: this.lastProgress + this.input.progressDeadlineSeconds, kind: 'deadline' });
        return;
      case 'view':
        this.onView(ev);
        return;
      case 'lb-pod':
        this.onLbPod(ev);
        return;
      case 'lb-node':
        this.onLbNode(ev);
        return;
      default:
        break;
    }
    const pod = this.pods[ev.pod] as SimPod;
    const terminating = ev.kind === 'prestop-done' || ev.kind === 'kill' || ev.kind === 'exit' || ev.kind === 'stop-serving';
    if (pod.gone !== Infinity) return;
    if (!terminating && ev.epoch !== pod.epoch) return;
    if (terminating && pod.deletedAt === Infinity) return;
    switch (ev.kind) {
      case 'running':
      case 'restart-run':
        this.onRunning(pod);
        return;
      case 'listen':
        this.onListen(pod);
        return;
      case 'ready':
        this.onReady(pod);
        return;
      case 'gate-ready':
        // The LB readiness gate turned true (a restart since then bumped the epoch).
        if (pod.containersReady && pod.deletedAt === Infinity) this.becomeReady(pod);
        return;
      case 'available':
        if (pod.rev === 'new' && !pod.availableAgain) this.progress();
        this.reconcile();
        return;
      case 'restart':
        this.onRestart(pod);
        return;
      case 'prestop-done':
        this.onSigterm(pod);
        return;
      case 'stop-serving':
        if (pod.ready) {
          pod.ready = false;
          this.updateEndpoint(pod);
        }
        return;
      case 'exit':
        this.onExit(pod, false);
        return;
      case 'kill':
        this.onExit(pod, true);
        return;
    }
  }

  // --- the scheduler ---------------------------------------------------------------------------

  /**
   * A node for a new pod of `rev`, as kube-scheduler's default profile picks it: every eligible
   * node (required node affinity and nodeSelector filter) is scored, the highest total wins and a
   * tie is broken at random (schedule_one.go selectHost); `first` breaks it by the lowest node,
   * for the settled layout before the rollout. Pods created together are scheduled one at a time,
   * each against the pods placed before it.
   */
  private schedule(rev: 'old' | 'new', tie: 'random' | 'first' = 'random'): number {
    const scores = scoreNodes(this.input, this.pods, rev);
    let best = -Infinity;
    let chosen: number[] = [];
    for (let n = 0; n < scores.length; n++) {
      const score = scores[n] as number;
      if (score > best) {
        best = score;
        chosen = [n];
      } else if (score === best) chosen.push(n);
    }
    if (tie === 'first' || chosen.length === 1) return chosen[0] ?? 0;
    return chosen[Math.floor(this.random.next() * chosen.length)] ?? 0;
  }

  // --- the workload controllers ----------------------------------------------------------------

  private active(rev: 'old' | 'new'): SimPod[] {
    return this.pods.filter((p) => p.rev === rev && p.deletedAt === Infinity && p.gone === Infinity);
  }

  private available(pod: SimPod): boolean {
    return pod.ready && pod.deletedAt === Infinity && this.now - pod.readySince >= this.input.minReadySeconds - 1e-9;
  }

  /** Every deleted pod has exited (pods a StatefulSet partition keeps are never deleted). */
  private deletedGone(): boolean {
    return this.pods.every((p) => p.deletedAt === Infinity || p.gone !== Infinity);
  }

  private oldGone(): boolean {
    return this.pods.every((p) => p.rev !== 'old' || p.gone !== Infinity);
  }

  private progress(): void {
    this.lastProgress = this.now;
  }

  private reconcile(): void {
    if (!this.started || this.stopped) return;
    const s = this.input.strategy;
    if (s.kind === 'Deployment') {
      for (let pass = 0; pass < 1000 && this.deploymentPass(); pass++);
    } else if (s.kind === 'StatefulSet') this.statefulSetPass(s.partition);
    else this.daemonSetPass(s.surge, s.unavailable);
    this.checkComplete();
  }

  private checkComplete(): void {
    if (this.completedAt !== Infinity) return;
    const s = this.input.strategy;
    const fresh = this.active('new');
    let done: boolean;
    if (s.kind === 'StatefulSet') {
      done = this.stsOrdinal < s.partition && fresh.every((p) => this.available(p));
    } else {
      const want = s.kind === 'DaemonSet' ? this.input.eligibleNodes : this.input.replicas;
      done = fresh.length === want && fresh.every((p) => this.available(p)) && this.active('old').length === 0;
    }
    if (done) this.completedAt = this.now;
  }

  /** One pass of the Deployment controller: at most one scaling action (rolling.go). */
  private deploymentPass(): boolean {
    const s = this.input.strategy;
    if (s.kind !== 'Deployment') return false;
    const D = this.input.replicas;
    if (s.type === 'Recreate') {
      if (this.oldSpec > 0) {
        this.oldSpec = 0;
        this.syncReplicaSet('old', 0);
        return true;
      }
      if (!this.oldGone()) return false;
      if (this.newSpec < D) {
        this.newSpec = D;
        this.syncReplicaSet('new', D);
        return true;
      }
      return false;
    }
    const total = this.oldSpec + this.newSpec;
    // reconcileNewReplicaSet / NewRSNewReplicas
    if (this.newSpec < D) {
      const maxTotal = D + s.surge;
      if (total < maxTotal) {
        this.newSpec += Math.min(maxTotal - total, D - this.newSpec);
        this.syncReplicaSet('new', this.newSpec);
        return true;
      }
    }
    // reconcileOldReplicaSets
    if (this.oldSpec === 0) return false;
    const minAvailable = D - s.unavailable;
    const newAvailable = this.active('new').filter((p) => this.available(p)).length;
    const newUnavailable = this.newSpec - newAvailable;
    const maxScaledDown = total - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    const oldAvailable = this.active('old').filter((p) => this.available(p)).length;
    // cleanupUnhealthyReplicas
    const cleanup = Math.max(0, Math.min(maxScaledDown, this.oldSpec - oldAvailable));
    this.oldSpec -= cleanup;
    // scaleDownOldReplicaSetsForRollingUpdate
    const availableAll = oldAvailable + newAvailable;
    const down = availableAll > minAvailable ? Math.min(this.oldSpec, availableAll - minAvailable) : 0;
    this.oldSpec -= down;
    if (cleanup + down === 0) return false;
    this.syncReplicaSet('old', this.oldSpec);
    return true;
  }

  /** The ReplicaSet controller: creates or deletes pods to match spec.replicas. */
  private syncReplicaSet(rev: 'old' | 'new', replicas: number): void {
    const active = this.active(rev);
    if (active.length < replicas) {
      const base = this.pods.filter((p) => p.rev === rev).length;
      for (let i = active.length; i < replicas; i++) this.createPod(rev, this.schedule(rev), base + i - active.length);
      this.progress();
    } else if (active.length > replicas) {
      const victims = this.rankForDeletion(active).slice(0, active.length - replicas);
      for (const pod of victims) this.deletePod(pod);
      this.progress();
    }
  }

  /**
   * The ReplicaSet's choice of pods to delete (pkg/controller/replicaset/replica_set.go
   * getPodsToDelete): each pod ranked by the active pods of the workload's ReplicaSets on its
   * node (getPodsRankedByRelatedPodsOnSameNode), then sorted by ActivePodsWithRanks.
   */
  private rankForDeletion(pods: SimPod[]): SimPod[] {
    const related = new Map<number, number>();
    for (const p of this.pods) if (p.rev !== 'peer' && p.deletedAt === Infinity && p.gone === Infinity) related.set(p.node, (related.get(p.node) ?? 0) + 1);
    return deletionOrder(pods, (p) => related.get(p.node) ?? 0, this.now, this.input.control ?? CURRENT_CONTROL);
  }

  /** StatefulSet RollingUpdate: from the highest ordinal down, one pod at a time (statefulset.md). */
  private statefulSetPass(partition: number): void {
    for (;;) {
      const i = this.stsOrdinal;
      if (i < partition) return;
      const old = this.pods.find((p) => p.rev === 'old' && p.ordinal === i);
      const fresh = this.pods.find((p) => p.rev === 'new' && p.ordinal === i && p.deletedAt === Infinity);
      if (fresh) {
        if (!(fresh.running && this.available(fresh))) return;
        this.stsOrdinal--;
        this.progress();
        continue;
      }
      // Every other pod must be Running and Ready before this one is touched.
      const others = this.pods.filter((p) => p.rev !== 'peer' && p.ordinal !== i && p.deletedAt === Infinity && p.gone === Infinity);
      if (others.some((p) => !(p.running && p.ready))) return;
      if (old && old.deletedAt === Infinity) {
        this.deletePod(old);
        this.progress();
        return;
      }
      if (old && old.gone === Infinity) return;
      this.createPod('new', this.schedule('new'), i);
      this.progress();
      return;
    }
  }

  /** DaemonSet RollingUpdate per node with maxSurge / maxUnavailable (pkg/controller/daemon/update.go rollingUpdate). */
  private daemonSetPass(surge: number, unavailable: number): void {
    const nodes = this.input.eligibleNodes;
    const oldOn = (n: number): SimPod | undefined => this.pods.find((p) => p.rev === 'old' && p.node === n && p.deletedAt === Infinity);
    const oldRunning = (n: number): SimPod | undefined => this.pods.find((p) => p.rev === 'old' && p.node === n && p.gone === Infinity);
    const newOn = (n: number): SimPod | undefined => this.pods.find((p) => p.rev === 'new' && p.node === n && p.deletedAt === Infinity);
    if (surge > 0) {
      for (let n = 0; n < nodes; n++) {
        const fresh = newOn(n);
        const old = oldOn(n);
        if (fresh && old && this.available(fresh)) {
          this.deletePod(old);
          this.progress();
        }
      }
      let surging = 0;
      for (let n = 0; n < nodes; n++) if (newOn(n) && oldOn(n)) surging++;
      for (let n = 0; n < nodes && surging < surge; n++) {
        if (!newOn(n) && oldOn(n)) {
          this.createPod('new', n, n);
          surging++;
          this.progress();
        }
      }
      for (let n = 0; n < nodes; n++) {
        if (!newOn(n) && !oldOn(n)) {
          this.createPod('new', n, n);
          this.progress();
        }
      }
      return;
    }
    for (let n = 0; n < nodes; n++) {
      if (!newOn(n) && !oldRunning(n)) {
        this.createPod('new', n, n);
        this.progress();
      }
    }
    let down = 0;
    for (let n = 0; n < nodes; n++) {
      const fresh = newOn(n);
      if (!oldOn(n) && !(fresh && this.available(fresh))) down++;
    }
    for (let n = 0; n < nodes && down < unavailable; n++) {
      const old = oldOn(n);
      if (old) {
        this.deletePod(old);
        down++;
        this.progress();
      }
    }
  }
}

function shortName(resource: string): string {
  return resource.split('/').pop() ?? resource;
}

/**
 * The default profile's total score of every eligible node for a new pod of `rev` (index = node).
 *
 * - Spreading counts the pods of the pod's own ReplicaSet (its owner's selector: for a Deployment's
 *   new pod, the new ReplicaSet only) and skips terminating pods. PodTopologySpread with
 *   the system default constraints (podtopologyspread/scoring.go: per node `count · ln(nodes + 2) +
 *   maxSkew − 1`, rounded, normalised as `100 · (max + min − s) / max`; without zone labels only the
 *   hostname constraint applies), weight 2, on by default from 1.20; before, SelectorSpread
 *   (selectorspread/selector_spread.go, DefaultPodTopologySpread in 1.18: `100 · (max − count) /
 *   max`), weight 1.
 * - Preferred node affinity: 100 on the preferred nodes (DefaultNormalizeScore of the term
 *   weights), weight 2.
 * - NodeResourcesFit LeastAllocated and BalancedAllocation over the default requests of every pod
 *   on the node, terminating ones included (they hold their resources until they are gone).
 */
export function scoreNodes(input: SimInput, pods: readonly SimPod[], rev: 'old' | 'new'): number[] {
  const nodes = input.eligibleNodes;
  const own: number[] = Array.from({ length: nodes }, () => 0);
  const placed: number[] = Array.from({ length: nodes }, () => 0);
  for (const pod of pods) {
    if (pod.node >= nodes || pod.gone !== Infinity) continue;
    placed[pod.node] = (placed[pod.node] ?? 0) + 1;
    if (pod.rev === rev && pod.deletedAt === Infinity) own[pod.node] = (own[pod.node] ?? 0) + 1;
  }
  const spreading = input.control?.spreading ?? 'topology';
  const spread = spreading === 'topology' ? topologySpreadScores(own) : selectorSpreadScores(own);
  const spreadWeight = spreading === 'topology' ? WEIGHT.spread : WEIGHT.selectorSpread;
  const preferred = input.preferredNodes ?? 0;
  return own.map((_, n) => {
    const requested = ((placed[n] ?? 0) + 1);
    const cpu = requested * POD_REQUEST.cpu;
    const memory = requested * POD_REQUEST.memory;
    const least = Math.trunc((leastAllocated(cpu, NODE_ALLOCATABLE.cpu) + leastAllocated(memory, NODE_ALLOCATABLE.memory)) / 2);
    const balanced = Math.trunc((1 - Math.abs(cpu / NODE_ALLOCATABLE.cpu - memory / NODE_ALLOCATABLE.memory) / 2) * MAX_NODE_SCORE);
    const affinity = preferred > 0 && n < preferred ? MAX_NODE_SCORE : 0;
    return spreadWeight * (spread[n] ?? 0) + WEIGHT.nodeAffinity * affinity + WEIGHT.resourcesFit * least + WEIGHT.balanced * balanced;
  });
}

/** PodTopologySpread Score + NormalizeScore for the hostname constraint (podtopologyspread/scoring.go). */
export function topologySpreadScores(counts: readonly number[]): number[] {
  const weight = Math.log(counts.length + 2);
  const raw = counts.map((c) => Math.round(c * weight + (HOSTNAME_MAX_SKEW - 1)));
  let min = Infinity;
  let max = 0;
  for (const r of raw) {
    min = Math.min(min, r);
    max = Math.max(max, r);
  }
  return raw.map((r) => (max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - r)) / max)));
}

/** SelectorSpread NormalizeScore without zones (selector_spread.go, the default before 1.20). */
export function selectorSpreadScores(counts: readonly number[]): number[] {
  const max = Math.max(0, ...counts);
  return counts.map((c) => (max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max - c)) / max)));
}

/** noderesources/least_allocated.go: `(capacity − requested) · 100 / capacity`, 0 when over. */
function leastAllocated(requested: number, capacity: number): number {
  if (requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

function longestProbePeriod(input: SimInput): number {
  const p = input.pod;
  return Math.max(p.readiness?.period ?? 0, p.liveness?.period ?? 0, p.startup?.period ?? 0);
}

/** The first health check strictly after `from` of a target checked every `interval` from `phase`. */
export function nextCheck(phase: number, interval: number, from: number): number {
  if (interval <= 0) return from;
  return phase + (Math.floor((from - phase) / interval + 1e-9) + 1) * interval;
}

/**
 * The tick at which a startup or liveness probe that runs from `from` has failed
 * failureThreshold times in a row: it fails until the app listens (`listen`), and always when it
 * targets a port the app does not listen on. Undefined when it passes first.
 */
export function killingTick(probe: ProbeInput, admitted: number, from: number, listen: number): number | undefined {
  const first = probeTick(admitted, probe.period, from);
  const killedAt = first + (probe.failureThreshold - 1) * probe.period;
  if (!probe.ok) return killedAt;
  return killedAt < listen - 1e-9 ? killedAt : undefined;
}

/** The first tick at or after `from` of a probe worker started at `admitted` (every `period`). */
export function probeTick(admitted: number, period: number, from: number): number {
  if (from <= admitted) return admitted;
  return admitted + Math.ceil((from - admitted) / period - 1e-9) * period;
}

/**
 * When a readiness probe first makes the container ready (pkg/kubelet/prober): the worker ticks
 * from `admitted`; a tick before `initialDelaySeconds` since the container `start` is skipped, as
 * is one before the container has `started` (startup probe passed); a probe passes once the app
 * listens. Whenever the kubelet updates the status of a started container that is not ready, the
 * manager triggers an extra readiness probe at once (prober_manager.go UpdatePodStatus): at the
 * status update that follows the container start, or the startup probe's success, both taken at
 * that instant. `successThreshold` successes in a row, the rest on ticks, make it ready.
 */
export function readinessPassesAt(probe: ProbeInput, admitted: number, start: number, started: number, listen: number): number {
  const from = Math.max(listen, start + probe.initialDelay, started);
  let first = probeTick(admitted, probe.period, from);
  if (started >= from && started < first) first = started;
  if (probe.successThreshold <= 1) return first;
  const next = probeTick(admitted, probe.period, first + 1e-6);
  return next + (probe.successThreshold - 2) * probe.period;
}

/** Control-plane behaviour of the current Kubernetes release. */
const CURRENT_CONTROL: ControlInput = { spreading: 'topology', logarithmicScaleDown: true, podDeletionCost: true };

/**
 * When the kubelet sends SIGTERM and SIGKILL after a pod's deletion (kuberuntime_container.go
 * killContainer): the preStop hook runs for at most the grace period; executePreStopHook returns
 * the whole seconds it took, the rest of the grace period goes to the stop, at least
 * minimumGracePeriodInSeconds (2 s). For whole-second hooks: SIGKILL at max(grace, min(preStop,
 * grace) + 2).
 */
export function terminationTimes(preStopSeconds: number, graceSeconds: number): { sigterm: number; kill: number } {
  const hook = preStopSeconds > 0 && graceSeconds > 0 ? Math.min(preStopSeconds, graceSeconds) : 0;
  return { sigterm: hook, kill: hook + Math.max(MINIMUM_GRACE_PERIOD_SECONDS, graceSeconds - Math.floor(hook)) };
}

/**
 * log₂ bucket of the time since `t`, in nanoseconds as Go's time.Duration
 * (controller_utils.go logarithmicRankDiff); -1 when `t` is not in the past.
 */
function logBucket(now: number, t: number): number {
  const d = now - t;
  return d > 0 ? Math.floor(Math.log2(d * 1e9)) : -1;
}

/**
 * ActivePodsWithRanks.Less (pkg/controller/controller_utils.go), first = deleted first: pending
 * before running (every simulated pod is assigned to a node at once), not ready before ready,
 * lower pod-deletion-cost first (PodDeletionCost), more related pods on the node first ("doubled
 * up"), shorter ready first (both ready; in log₂ buckets with LogarithmicScaleDown, the same
 * bucket decided by UID), more restarts first, newer first (the same buckets), then UID.
 */
export function deletionOrder(pods: readonly SimPod[], rank: (pod: SimPod) => number, now: number, control: ControlInput): SimPod[] {
  const running = (p: SimPod): boolean => p.startedAt !== Infinity;
  const byTime = (a: number, b: number, x: SimPod, y: SimPod): number => {
    if (!control.logarithmicScaleDown) return b - a;
    const diff = logBucket(now, a) - logBucket(now, b);
    return diff !== 0 ? diff : x.uid - y.uid;
  };
  return [...pods].sort((a, b) => {
    if (running(a) !== running(b)) return running(a) ? 1 : -1;
    if (a.ready !== b.ready) return a.ready ? 1 : -1;
    if (control.podDeletionCost && a.deletionCost !== b.deletionCost) return a.deletionCost - b.deletionCost;
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return rb - ra;
    if (a.ready && b.ready && a.readySince !== b.readySince) return byTime(a.readySince, b.readySince, a, b);
    if (a.restarts !== b.restarts) return b.restarts - a.restarts;
    if (a.created !== b.created) return byTime(a.created, b.created, a, b);
    return a.uid - b.uid;
  });
}
