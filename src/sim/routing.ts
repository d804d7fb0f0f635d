/**
 * The endpoints and the routing views of the simulated cluster: the EndpointSlice conditions of
 * each pod (ready, serving and terminating: pkg/controller/endpointslice), kube-proxy's view on
 * every node after its sync latency (pkg/proxy), the ingress controller's, and the cloud LB's
 * backends: pods (registration, deregistration, the first health check: the AWS ALB docs on target
 * health checks, aws-load-balancer-controller#3197) or nodes health-checked on kube-proxy's
 * healthCheckNodePort (pkg/proxy/healthcheck) under the Local policy. Every change is an event on
 * the injected {@link Clock}; every applied change is a {@link ViewEvent}.
 */
import type { Clock } from './clock.js';
import type { SimInput } from './params.js';
import type { Random } from './random.js';
import type { EndpointState, Removal, SimPod, ViewEvent } from './world.js';

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

interface ViewUpdate {
  readonly layer: 'kube-proxy' | 'ingress';
  readonly node: number;
  readonly pod: number;
  readonly state: EndpointState;
  readonly version: number;
}

interface LbPodUpdate {
  readonly pod: number;
  readonly state: EndpointState;
  readonly version: number;
}

interface LbNodeUpdate {
  readonly node: number;
  readonly what: 'healthy' | 'backend';
  readonly value: boolean;
  readonly version: number;
}

/**
 * The endpoint a pod has in its EndpointSlice: ready while it is ready and not terminating;
 * terminating, `serving` while its readiness probe passes (EndpointSliceTerminatingCondition).
 */
export function endpointOf(pod: SimPod): EndpointState {
  if (pod.gone !== Infinity || !pod.running) return 'absent';
  if (pod.deletedAt === Infinity) return pod.ready ? 'ready' : 'absent';
  // Terminating: ready=false, serving = the pod's readiness (EndpointSliceTerminatingCondition).
  return pod.ready ? 'serving-terminating' : 'absent';
}

/** The routing views of one simulated rollout. */
export class Routing {
  readonly viewEvents: ViewEvent[] = [];
  readonly removals: Removal[] = [];
  /** Last applied endpoint version per view and pod, so late updates do not overwrite newer ones. */
  private readonly viewVersion = new Map<string, number>();
  private readonly endpointVersion: number[] = [];
  /** kube-proxy views: node → pod → state (for the node LB health check). */
  private readonly proxyViews: Map<number, EndpointState>[];
  /** LB node backends (nodes in service = backend and healthy). */
  private readonly lbNode: LbNode[];
  private readonly nodes: number;

  constructor(
    private readonly input: SimInput,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly pods: readonly SimPod[],
    /** Traffic starts here: changes before it are not recorded. */
    private readonly start: number,
  ) {
    this.nodes = input.nodes;
    this.proxyViews = Array.from({ length: this.nodes }, () => new Map());
    const cluster = input.entry.kind === 'lb-node' && input.entry.policy === 'Cluster';
    // A health check alone (no controller removal) keeps every node a backend; health decides.
    const everyNode = cluster || (input.entry.kind === 'lb-node' && input.lb?.removesNodes === false);
    const interval = input.lb?.healthCheck.intervalSeconds ?? 0;
    this.lbNode = Array.from({ length: this.nodes }, () => ({ backend: everyNode, healthy: cluster, localReady: false, hcVersion: 0, ccmVersion: 0, hcPhase: interval > 0 && input.entry.kind === 'lb-node' ? this.random.next() * interval : 0 }));
  }

  /** A pod was created (its endpoint versions start at 0). */
  addPod(): void {
    this.endpointVersion.push(0);
  }

  private record(ev: ViewEvent): void {
    if (ev.time >= this.start) this.viewEvents.push(ev);
  }

  snapshot(): ViewEvent[] {
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

  /**
   * When a target registered at `registered` is healthy: "After your target is registered, it
   * must pass one health check to be considered healthy" (AWS ALB docs, "Health checks for your
   * target groups"). The LB checks on its own clock: the first check falls anywhere in the
   * interval after the registration.
   */
  newTargetHealthy(registered: number): number {
    const interval = this.input.lb?.healthCheck.intervalSeconds ?? 0;
    return registered + interval * (1 - this.random.next());
  }

  updateEndpoint(pod: SimPod): void {
    const state = endpointOf(pod);
    if (state === pod.endpoint) return;
    const before = pod.endpoint;
    pod.endpoint = state;
    this.record({ time: this.clock.now(), layer: 'endpoints', node: -1, pod: pod.id, state });
    const version = (this.endpointVersion[pod.id] ?? 0) + 1;
    this.endpointVersion[pod.id] = version;
    const input = this.input;
    // kube-proxy on every node (also in pod-backend mode: in-cluster clients use it). A watch
    // delivers changes in order, so a view never sees a later change before an earlier one.
    for (let n = 0; n < this.nodes; n++) {
      const time = this.delivery(n, this.clock.now() + this.random.latency(input.proxy.sync));
      const ev = { layer: 'kube-proxy', node: n, pod: pod.id, state, version } as const;
      this.clock.at(time, () => this.onView(ev));
    }
    if (input.ingress) {
      // ingress-nginx routes to ready endpoints only.
      const s: EndpointState = state === 'ready' ? 'ready' : 'absent';
      const time = this.delivery(-1, this.clock.now() + this.random.latency(input.ingress.sync));
      const ev = { layer: 'ingress', node: -1, pod: pod.id, state: s, version } as const;
      this.clock.at(time, () => this.onView(ev));
    }
    if (input.entry.kind === 'lb-pod' && input.lb) {
      if (state === 'ready' && before !== 'ready') {
        if (!input.pod.lbReadinessGate) this.setLbPod(pod.id, 'ready', this.newTargetHealthy(this.clock.now() + this.random.latency(input.lb.register)));
      } else if (state !== 'ready' && before === 'ready') {
        this.setLbPod(pod.id, 'absent', this.clock.now() + this.random.latency(input.lb.deregister));
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
  setLbPod(pod: number, state: EndpointState, time: number): void {
    const key = `lb-pod:${pod}`;
    const version = (this.viewVersion.get(`${key}:sched`) ?? 0) + 1;
    this.viewVersion.set(`${key}:sched`, version);
    const ev = { pod, state, version };
    this.clock.at(time, () => this.onLbPod(ev));
  }

  private onView(ev: ViewUpdate): void {
    const key = `${ev.layer}:${ev.node}:${ev.pod}`;
    if ((this.viewVersion.get(key) ?? 0) >= ev.version) return;
    this.viewVersion.set(key, ev.version);
    if (ev.layer === 'kube-proxy') {
      const view = this.proxyViews[ev.node] as Map<number, EndpointState>;
      const before = view.get(ev.pod) ?? 'absent';
      if (before === ev.state) return;
      view.set(ev.pod, ev.state);
      this.record({ time: this.clock.now(), layer: 'kube-proxy', node: ev.node, pod: ev.pod, state: ev.state });
      this.nodeHealthChanged(ev.node);
    } else {
      const k = `ingress:${ev.pod}`;
      if ((this.otherViews.get(k) ?? 'absent') === ev.state) return;
      this.otherViews.set(k, ev.state);
      this.record({ time: this.clock.now(), layer: 'ingress', node: -1, pod: ev.pod, state: ev.state });
    }
  }

  private onLbPod(ev: LbPodUpdate): void {
    const key = `lb-pod:${ev.pod}`;
    if ((this.viewVersion.get(`${key}:sched`) ?? 0) !== ev.version) return;
    const before = this.otherViews.get(key) ?? 'absent';
    if (before === ev.state) return;
    this.otherViews.set(key, ev.state);
    this.record({ time: this.clock.now(), layer: 'lb-pod', node: -1, pod: ev.pod, state: ev.state });
    if (ev.state === 'absent') this.remove('pod', ev.pod);
  }

  private remove(backend: 'pod' | 'node', id: number): void {
    const drain = this.input.lb?.drainSeconds;
    if (this.clock.now() >= this.start) this.removals.push({ backend, id, removed: this.clock.now(), cut: this.clock.now() + (drain ?? 0) });
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
        this.lbNodeAt(detected(hc.healthyThreshold, this.clock.now()), { node, what: 'healthy', value: true, version: lb.hcVersion });
      } else {
        // The cloud controller registers the node again: a new target passes one check.
        const registered = this.clock.now() + this.random.latency(input.lb.register);
        this.lbNodeAt(registered, { node, what: 'backend', value: true, version: lb.ccmVersion });
        this.lbNodeAt(detected(1, registered), { node, what: 'healthy', value: true, version: lb.hcVersion });
      }
    } else {
      this.lbNodeAt(detected(hc.unhealthyThreshold, this.clock.now()), { node, what: 'healthy', value: false, version: lb.hcVersion });
      // Only a controller that follows the endpoints (ACK) removes the node; a health check alone lets open connections go on.
      if (lb.backend && input.lb.removesNodes !== false) this.lbNodeAt(this.clock.now() + this.random.latency(input.lb.deregister), { node, what: 'backend', value: false, version: lb.ccmVersion });
    }
  }

  private lbNodeAt(time: number, ev: LbNodeUpdate): void {
    this.clock.at(time, () => this.onLbNode(ev));
  }

  private onLbNode(ev: LbNodeUpdate): void {
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
    if (isIn !== wasIn) this.record({ time: this.clock.now(), layer: 'lb-node', node: ev.node, pod: -1, state: isIn ? 'ready' : 'absent' });
  }
}

/** The first health check strictly after `from` of a target checked every `interval` from `phase`. */
export function nextCheck(phase: number, interval: number, from: number): number {
  if (interval <= 0) return from;
  return phase + (Math.floor((from - phase) / interval + 1e-9) + 1) * interval;
}
