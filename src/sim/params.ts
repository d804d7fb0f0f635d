/**
 * From manifests and a profile to the simulator's input: every number the model uses, resolved
 * once (probes with their API defaults, preStop, grace period, strategy fenceposts, the Service's
 * routing mode, the LB's drain setting) so that a run never looks at YAML.
 */
import { trafficServicesOf } from '../domain/service-role.js';
import type { DomainContext } from '../domain/context.js';
import type { Graph, ServiceView } from '../model/graph.js';
import { declaredPorts, probeTiming, resolvePort } from '../model/container.js';
import { preStopOf, unknownSteps } from '../domain/hooks.js';
import { arrayAt, isRecord, numberAt, recordAt, stringAt, stringMapAt } from '../model/k8s.js';
import { effectiveNamespace } from '../model/resource.js';
import { resolveFenceposts, scaledValue } from '../model/intstr.js';
import { minReadySecondsOf, noAutomaticRollout, progressDeadlineSecondsOf, updateStrategyOf } from '../model/rollout.js';
import { effectiveReplicas, gracePeriodSeconds, replicasRejected, type ContainerView, type Workload } from '../model/workload.js';
import type { Latency, LoadBalancerProfile, Profile } from '../profiles/types.js';
import { drainSetting } from '../domain/drain.js';
import { likelyShellless, selfShutdownDelay } from '../domain/images.js';
import { loadBalancerFor } from '../domain/routing.js';
import { hasProxyTerminatingEndpoints } from '../domain/versions.js';
import { compareVersions } from '../schema/kinds.js';

/** Seconds from pod creation to a running container: scheduling, sandbox, cached image (assumption). */
const CONTAINER_START_SECONDS = 1;
/**
 * The least time the kubelet leaves between SIGTERM and SIGKILL, whatever the preStop hook took
 * (pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer, minimumGracePeriodInSeconds).
 */
export const MINIMUM_GRACE_PERIOD_SECONDS = 2;
/** The annotation that orders a ReplicaSet's scale-down (staging/src/k8s.io/api/core/v1/annotation_key_constants.go). */
const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';
/** Requests per second one keep-alive connection carries (assumption; sets the connection count). */
export const KEEPALIVE_CONNECTION_RPS = 10;
/** Window in which a request sent on a keep-alive connection crosses the server's close (assumption: one in-cluster round trip). */
export const KEEPALIVE_RACE_SECONDS = 0.002;
/** First back-off of a restarted container: 10 s, doubling, at most 300 s (Kubernetes docs, pod-lifecycle, "Container restarts"). */
export const RESTART_BACKOFF_SECONDS = 10;

/**
 * What the app does on SIGTERM:
 * - `graceful`: stops accepting connections, answers the requests on its open keep-alive
 *   connections with `Connection: close`, finishes and exits after its drain time;
 * - `graceful-close-idle`: stops accepting and closes its idle keep-alive connections at once,
 *   finishes the requests in flight and exits after its drain time: Go's `http.Server.Shutdown`
 *   ("closing all open listeners, then closing all idle connections"), Node's `server.close()`
 *   (which closes idle connections from Node 19). A client that sends on a connection as it is
 *   closed meets a reset: the keep-alive race;
 * - `exit`: exits at once;
 * - `ignore`: serves on until SIGKILL.
 */
export type SigtermBehaviour = 'graceful' | 'graceful-close-idle' | 'exit' | 'ignore';

/** The --sigterm values, as the CLI lists them. */
export const SIGTERM_BEHAVIOURS: readonly SigtermBehaviour[] = ['graceful', 'graceful-close-idle', 'exit', 'ignore'];

/** A probe, resolved: whether it can ever succeed and its timing. */
export interface ProbeInput {
  /** False when it targets a port the app does not listen on: it never succeeds. */
  readonly ok: boolean;
  readonly initialDelay: number;
  readonly period: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

/**
 * One serving container: what the kubelet runs for it (probes, preStop, SIGTERM) and the share of
 * the Service's traffic that reaches it.
 */
export interface ContainerInput {
  readonly appStartupSeconds: number;
  readonly readiness?: ProbeInput;
  readonly startup?: ProbeInput;
  readonly liveness?: ProbeInput;
  readonly preStopSeconds: number;
  readonly sigterm: SigtermBehaviour;
  readonly appDrainSeconds: number;
}

/** A serving container after the first, with the share of the Service's traffic it receives. */
export interface ServingContainerInput extends ContainerInput {
  readonly name: string;
  readonly share: number;
}

export type StrategyInput =
  | { readonly kind: 'Deployment'; readonly type: 'RollingUpdate'; readonly surge: number; readonly unavailable: number }
  | { readonly kind: 'Deployment'; readonly type: 'Recreate' }
  | { readonly kind: 'StatefulSet'; readonly partition: number }
  | { readonly kind: 'DaemonSet'; readonly surge: number; readonly unavailable: number };

/** How traffic reaches the pods. */
export type EntryInput =
  /** A cloud LB whose backends are the pods (ENI, IP targets, NEG). */
  | { readonly kind: 'lb-pod' }
  /** A cloud LB whose backends are nodes; kube-proxy forwards (Cluster or Local policy). */
  | { readonly kind: 'lb-node'; readonly policy: 'Cluster' | 'Local' }
  /** An ingress controller that proxies to pod IPs. */
  | { readonly kind: 'ingress' }
  /** In-cluster clients through kube-proxy (ClusterIP). */
  | { readonly kind: 'cluster-ip' };

export interface SimInput {
  /** `Kind/namespace/name`. */
  readonly resource: string;
  readonly strategy: StrategyInput;
  readonly replicas: number;
  readonly minReadySeconds: number;
  readonly progressDeadlineSeconds: number;
  readonly pod: {
    readonly containerStartSeconds: number;
    /**
     * Probe workers tick every period from the pod's admission. True: each pod's phase is drawn
     * uniformly over its longest probe period, as the time from admission to the app listening
     * varies from pod to pod (scheduling, sandbox, image, the app's own start) by more than the
     * model resolves. Absent or false: the ticks start at the pod's creation.
     */
    readonly randomProbePhase?: boolean;
    readonly appStartupSeconds: number;
    readonly readiness?: ProbeInput;
    readonly startup?: ProbeInput;
    readonly liveness?: ProbeInput;
    /** Seconds from deletion until SIGTERM, or until the preStop hook itself stops the server (0: no hook, one that fails, or one that stops it at once). */
    readonly preStopSeconds: number;
    readonly graceSeconds: number;
    readonly sigterm: SigtermBehaviour;
    readonly appDrainSeconds: number;
    /** A readiness gate holds Pod Ready until the LB registered the pod. */
    readonly lbReadinessGate: boolean;
    /**
     * When more than one container serves the Service: the name of the first (whose values are
     * the fields above), its share of the traffic, and the serving containers after it, in pod
     * order, each with its own values and share. Pod Ready waits for all of them; on deletion
     * each runs its own preStop and gets its own SIGTERM. Absent: one container serves.
     */
    readonly serving?: { readonly name: string; readonly share: number; readonly more: readonly ServingContainerInput[] };
    /** The pod template's `controller.kubernetes.io/pod-deletion-cost` (absent: 0). */
    readonly deletionCost?: number;
  };
  readonly entry: EntryInput;
  readonly proxy: { readonly sync: Latency; readonly terminatingEndpoints: boolean };
  readonly ingress?: { readonly sync: Latency };
  readonly lb?: {
    readonly deregister: Latency;
    readonly register: Latency;
    readonly healthCheck: { readonly intervalSeconds: number; readonly healthyThreshold: number; readonly unhealthyThreshold: number };
    /**
     * Local policy: the cloud controller also removes a node without a ready local endpoint from
     * the backends (ACK); otherwise only the health check takes it out and open connections go on.
     */
    readonly removesNodes?: boolean;
    /** Connection draining on backend removal: undefined = connections are cut at once. */
    readonly drainSeconds?: number;
  };
  readonly nodes: number;
  /** Nodes the pod template's required node affinity or nodeSelector accepts (the first ones); all when it has none. */
  readonly eligibleNodes: number;
  /** Nodes (the first ones) its preferred node affinity favours: a score, never a filter. 0 or absent: no preference. */
  readonly preferredNodes?: number;
  /** Versioned control-plane behaviour; absent: the current Kubernetes release's. */
  readonly control?: ControlInput;
  /**
   * Other workloads whose pods the same Service selects (versioned or canary Deployments behind
   * one Service): their pods stay Ready and serve their share while this one rolls.
   */
  readonly peers?: readonly PeerInput[];
  readonly traffic: { readonly rps: number; readonly keepAliveShare: number; readonly requestSeconds: number };
  /** Notes on what was assumed for this workload. */
  readonly notes: readonly string[];
}

/** Another workload behind the same Service. */
interface PeerInput {
  /** `Kind/namespace/name`. */
  readonly resource: string;
  readonly replicas: number;
}

/** Control-plane behaviour that changed across Kubernetes releases. */
export interface ControlInput {
  /**
   * The scheduler's default spreading: `topology` (PodTopologySpread with the system default
   * constraints, weight 2) or `selector` (SelectorSpread, weight 1). The system defaulting
   * (DefaultPodTopologySpread, kubernetes/enhancements#1258) was alpha in 1.19 and on by default
   * from its beta in 1.20 (kubernetes#94863), which took SelectorSpread out of the default profile.
   */
  readonly spreading: 'topology' | 'selector';
  /** ReplicaSet scale-down compares ready and creation times in log₂ buckets (LogarithmicScaleDown, beta 1.22). */
  readonly logarithmicScaleDown: boolean;
  /** The `controller.kubernetes.io/pod-deletion-cost` annotation is honoured (PodDeletionCost, beta 1.22). */
  readonly podDeletionCost: boolean;
}

/** The control-plane behaviour of a Kubernetes minor version. */
export function controlOf(version: string): ControlInput {
  const from122 = compareVersions(version, '1.22') >= 0;
  return { spreading: compareVersions(version, '1.20') >= 0 ? 'topology' : 'selector', logarithmicScaleDown: from122, podDeletionCost: from122 };
}

/** Flags that override the profile. */
export interface SimOverrides {
  readonly rps?: number;
  readonly nodes?: number;
  readonly appStartupSeconds?: number;
  readonly appDrainSeconds?: number;
  readonly sigterm?: SigtermBehaviour;
  /** Nodes that carry the labels the pods' node affinity asks for (default: every node). */
  readonly labelledNodes?: number;
}

/** The most pods and nodes one run simulates: beyond them a run takes too long to be useful. */
const MAX_REPLICAS = 1_000;
const MAX_NODES = 1_000;

/** Why a workload is not simulated: a result, not an error (the callers list the reasons). */
export interface NotSimulated {
  readonly notSimulated: string;
}

function notSimulated(reason: string): NotSimulated {
  return { notSimulated: reason };
}

/** True when `simInput` (or a step of it) gave a reason instead of an input. */
export function isNotSimulated<T extends object>(value: T | NotSimulated): value is NotSimulated {
  return 'notSimulated' in value;
}

/** `Kind/namespace/name` of a workload. */
export function workloadId(workload: Workload): string {
  return `${workload.kind}/${effectiveNamespace(workload.resource)}/${workload.resource.name}`;
}

/**
 * The Services that send traffic to a workload, the one that decides the entry path first, and
 * the load balancer in front of it as the domain sees it (`loadBalancerFor`: the Service's own
 * annotations win over the profile; a Local LoadBalancer Service under a profile with no LB meets
 * the generic L4 LB), so that the rules and the simulator judge the same path.
 */
function entryOf(context: DomainContext, services: readonly ServiceView[], notes: string[]): { entry: EntryInput; service: ServiceView; lb: LoadBalancerProfile | undefined } {
  const graph = context.graph;
  const ranked = [...services].sort((a, b) => rank(graph, b) - rank(graph, a));
  const service = ranked[0] as ServiceView;
  const viaIngress = graph.ingressesOf(service).length > 0;
  const lb = service.type === 'LoadBalancer' || viaIngress ? loadBalancerFor(context, service) : undefined;
  if (lb) {
    if (lb.backend === 'pod') return { entry: { kind: 'lb-pod' }, service, lb };
    if (service.type === 'LoadBalancer') {
      if (!context.profile.loadBalancer) notes.push(`profile ${context.profile.name} has no cloud load balancer: externalTrafficPolicy Local means one health-checks the nodes; a generic L4 LB is assumed (health check every ${lb.healthCheck.intervalSeconds} s, ${lb.healthCheck.unhealthyThreshold} failures)`);
      return { entry: { kind: 'lb-node', policy: service.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster' }, service, lb };
    }
  }
  // An Ingress whose LB sends to nodes (ALB instance targets): every node stays a target and
  // kube-proxy picks the pod, as for in-cluster clients (domain/routing.ts `exposure`).
  if (viaIngress && context.profile.ingress) return { entry: { kind: 'ingress' }, service, lb: undefined };
  if (service.type === 'LoadBalancer' && !lb) notes.push(`profile ${context.profile.name} has no cloud load balancer: traffic enters through kube-proxy`);
  return { entry: { kind: 'cluster-ip' }, service, lb: undefined };
}

function rank(graph: Graph, service: ServiceView): number {
  return service.type === 'LoadBalancer' ? 2 : graph.ingressesOf(service).length > 0 ? 1 : 0;
}

/** The ports the app of a container listens on: its declared ports and the Service target ports it serves. */
function listeningPorts(container: ContainerView, services: readonly ServiceView[], only: boolean): Set<number> {
  const ports = new Set(declaredPorts(container).map((p) => p.port));
  for (const service of services) {
    for (const port of service.ports) {
      const target = resolvePort(container, port.targetPort);
      if (target !== undefined && (ports.has(target) || (ports.size === 0 && only))) ports.add(target);
    }
  }
  return ports;
}

function probeInput(container: ContainerView, probe: unknown, ports: ReadonlySet<number>): ProbeInput | undefined {
  if (!isRecord(probe)) return undefined;
  const timing = probeTiming(probe);
  let ok = true;
  const action = recordAt(probe, 'httpGet') ?? recordAt(probe, 'tcpSocket') ?? recordAt(probe, 'grpc');
  if (action) {
    const port = resolvePort(container, action['port']);
    ok = port !== undefined && ports.has(port);
  }
  return {
    ok,
    initialDelay: timing.initialDelay,
    period: Math.max(1, timing.period),
    successThreshold: Math.max(1, timing.successThreshold),
    failureThreshold: Math.max(1, timing.failureThreshold),
  };
}

/** The container that serves the Service (first one that listens on a target port). */
export function servingContainer(workload: Workload, services: readonly ServiceView[]): { container: ContainerView; ports: Set<number> } | undefined {
  return servingContainers(workload, services)[0];
}

/**
 * Every container that serves the Service, in pod order: each one whose app listens on a port a
 * selecting Service targets. Traffic to a Service port goes to the container that listens on its
 * targetPort.
 */
function servingContainers(workload: Workload, services: readonly ServiceView[]): { container: ContainerView; ports: Set<number> }[] {
  const only = workload.containers.length === 1;
  const out: { container: ContainerView; ports: Set<number> }[] = [];
  for (const container of workload.containers) {
    const ports = listeningPorts(container, services, only);
    const serves = services.some((s) => s.ports.some((p) => {
      const target = resolvePort(container, p.targetPort);
      return target !== undefined && ports.has(target);
    }));
    if (serves) out.push({ container, ports });
  }
  return out;
}

/**
 * The share of the traffic each serving container receives: every Service port carries an equal
 * share (assumption: the manifests say nothing of how clients spread over ports), and a port goes
 * to the first serving container that listens on its targetPort.
 */
function trafficShares(serving: readonly { container: ContainerView; ports: Set<number> }[], services: readonly ServiceView[]): number[] {
  const counts = serving.map(() => 0);
  for (const service of services) {
    for (const port of service.ports) {
      const i = serving.findIndex((s) => {
        const target = resolvePort(s.container, port.targetPort);
        return target !== undefined && s.ports.has(target);
      });
      if (i >= 0) counts[i] = (counts[i] as number) + 1;
    }
  }
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total > 0 ? c / total : 1 / serving.length));
}

/** One serving container's part of the simulator input; `label` names it in notes and errors (empty for the first). */
function containerInput(container: ContainerView, ports: ReadonlySet<number>, notes: string[], overrides: SimOverrides, profile: Profile, label: string): (ContainerInput & { readonly name: string }) | NotSimulated {
  const c = container.container;
  const preStop = preStopOf(container);
  let preStopSeconds = 0;
  let hookStops = false;
  if (preStop.kind === 'exec-sleep' && likelyShellless(container)) notes.push(`preStop exec sleep fails in image without a shell (${String(c['image'])}): no delay`);
  else if (preStop.kind !== 'none') {
    // An unknown delay is not 0 s: the simulator cannot say when the app stops accepting.
    if (!preStop.delay.known) return notSimulated(`the preStop hook of container \`${container.name}\` runs ${unknownSteps(preStop.delay)}, whose length rollsafe cannot know`);
    preStopSeconds = preStop.delay.seconds;
    hookStops = preStop.delay.stops;
    if (preStop.kind === 'other') notes.push(`preStop ${preStop.delay.knownSteps.join('; ')}${label}`);
  }
  // An image that keeps serving after SIGTERM (domain/images.ts) adds its delay as a sleep would.
  const self = hookStops ? undefined : selfShutdownDelay(container);
  if (self) {
    preStopSeconds += self.seconds;
    notes.push(`the image keeps serving ${self.seconds} s after SIGTERM (${self.flag}, ${self.source})${label}`);
  }
  const probes = {
    startup: probeInput(container, c['startupProbe'], ports),
    readiness: probeInput(container, c['readinessProbe'], ports),
    liveness: probeInput(container, c['livenessProbe'], ports),
  };
  for (const [name, probe] of Object.entries(probes)) {
    if (probe && !probe.ok) {
      const kind = `${name}Probe`;
      const target = recordAt(c[kind], 'httpGet') ?? recordAt(c[kind], 'tcpSocket') ?? recordAt(c[kind], 'grpc');
      const effect = name === 'readiness' ? 'the pods never become Ready, so the Service has no endpoint before the rollout either' : 'the container is restarted over and over';
      return notSimulated(`its ${kind} checks port ${String(target?.['port'])}, where container \`${container.name}\` does not listen (it listens on ${[...ports].join(', ') || 'no declared port'}): ${effect}`);
    }
  }
  return {
    name: container.name,
    appStartupSeconds: overrides.appStartupSeconds ?? profile.app.startupSeconds,
    ...optional('readiness', probes.readiness),
    ...optional('startup', probes.startup),
    ...optional('liveness', probes.liveness),
    preStopSeconds,
    // A hook that stops the server gracefully (nginx -s quit, kong quit) drains whatever SIGTERM would do.
    sigterm: overrides.sigterm ?? (hookStops ? 'graceful' : profile.app.sigterm),
    appDrainSeconds: overrides.appDrainSeconds ?? profile.app.drainSeconds,
  };
}

function strategyOf(workload: Workload, replicas: number, nodes: number): StrategyInput | NotSimulated {
  // The strategy after the API version's defaulting (model/rollout.ts).
  const strategy = updateStrategyOf(workload);
  const none = noAutomaticRollout(strategy);
  if (none !== undefined) return notSimulated(strategy.type === 'None' ? `a ${workload.kind} is not rolled out by a controller` : none);
  if (strategy.type === 'Recreate') return { kind: 'Deployment', type: 'Recreate' };
  if (strategy.type !== 'RollingUpdate' || strategy.maxSurge === undefined || strategy.maxUnavailable === undefined) return notSimulated('its rollingUpdate values are not valid int-or-percent values');
  if (workload.kind === 'Deployment') {
    const f = resolveFenceposts(strategy.maxSurge, strategy.maxUnavailable, replicas);
    if (!f) return notSimulated('its rollingUpdate fenceposts are not valid int-or-percent values');
    return { kind: 'Deployment', type: 'RollingUpdate', surge: f.surge, unavailable: f.unavailable };
  }
  if (workload.kind === 'StatefulSet') return { kind: 'StatefulSet', partition: strategy.partition };
  // DaemonSet: both round up; maxSurge to at least 1 when set (apps/v1 RollingUpdateDaemonSet field docs).
  const surgeRaw = scaledValue(strategy.maxSurge, nodes, true);
  const unavailableRaw = scaledValue(strategy.maxUnavailable, nodes, true);
  if (surgeRaw === undefined || unavailableRaw === undefined) return notSimulated('its rollingUpdate values are not valid int-or-percent values');
  const surge = surgeRaw;
  const unavailable = surge === 0 && unavailableRaw === 0 ? 1 : unavailableRaw;
  return { kind: 'DaemonSet', surge, unavailable };
}

/**
 * Nodes the pods may run on and nodes they prefer: a nodeSelector or required node affinity
 * filters to the labelled nodes; preferred node affinity only scores them higher (NodeAffinity
 * plugin, pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go).
 */
function placement(workload: Workload, nodes: number, overrides: SimOverrides): { eligibleNodes: number; preferredNodes: number } {
  const affinity = recordAt(recordAt(workload.podSpec, 'affinity'), 'nodeAffinity');
  const selector = stringMapAt(workload.podSpec, 'nodeSelector');
  const required = recordAt(affinity, 'requiredDuringSchedulingIgnoredDuringExecution') !== undefined || Object.keys(selector).length > 0;
  const preferred = arrayAt(affinity, 'preferredDuringSchedulingIgnoredDuringExecution').length > 0;
  if (overrides.labelledNodes === undefined) return { eligibleNodes: nodes, preferredNodes: 0 };
  const labelled = Math.max(1, Math.min(nodes, overrides.labelledNodes));
  const eligibleNodes = required ? labelled : nodes;
  return { eligibleNodes, preferredNodes: preferred ? Math.min(labelled, eligibleNodes) : 0 };
}

/** Builds the simulator input of one workload, or says why it cannot be simulated. */
export function simInput(graph: Graph, profile: Profile, workload: Workload, overrides: SimOverrides = {}): SimInput | NotSimulated {
  const context: DomainContext = { graph, profile };
  const notes: string[] = [];
  // The same answer as the rules: metrics, admin and ignored-webhook Services carry no requests.
  const services = trafficServicesOf(context, workload);
  if (services.length === 0) return notSimulated(graph.servicesOf(workload).length === 0 ? 'no Service in the input selects its pods: it serves no traffic' : 'only Services that carry no requests select its pods (metrics, admin or failurePolicy-Ignore webhook)');
  const nodes = Math.max(1, Math.floor(overrides.nodes ?? profile.nodes));
  if (replicasRejected(workload)) return notSimulated('its spec.replicas is a value the API server rejects');
  let replicas = replicasOf(graph, workload);
  const { eligibleNodes, preferredNodes } = placement(workload, nodes, overrides);
  if (workload.kind === 'DaemonSet') replicas = eligibleNodes;
  const strategy = strategyOf(workload, replicas, eligibleNodes);
  if (isNotSimulated(strategy)) return strategy;
  if (replicas < 1) return notSimulated('it has 0 replicas');
  if (replicas > MAX_REPLICAS) return notSimulated(`it has ${replicas} replicas, more than the ${MAX_REPLICAS.toLocaleString('en-US')} one run simulates`);
  if (nodes > MAX_NODES) return notSimulated(`the cluster has ${nodes} nodes, more than the ${MAX_NODES.toLocaleString('en-US')} one run simulates`);
  const { entry, service, lb: lbProfile } = entryOf(context, services, notes);
  const serving = servingContainers(workload, services);
  const first = serving[0];
  if (!first) return notSimulated('no container listens on a port the Service targets');
  const containers: (ContainerInput & { readonly name: string })[] = [];
  for (const s of serving) {
    const one = containerInput(s.container, s.ports, notes, overrides, profile, s === first ? '' : ` (container \`${s.container.name}\`)`);
    if (isNotSimulated(one)) return one;
    containers.push(one);
  }
  const main = containers[0] as ContainerInput & { readonly name: string };
  const shares = trafficShares(serving, services);
  const grace = gracePeriodSeconds(workload).seconds;
  const podBackends = entry.kind === 'lb-pod';
  const gates = arrayAt(workload.podSpec, 'readinessGates').map((g) => stringAt(g, 'conditionType') ?? '');
  const gateType = lbProfile?.readinessGate;
  const ns = graph.namespace(effectiveNamespace(workload.resource));
  const injected = profile.provider === 'aws' && ns !== undefined && stringMapAt(recordAt(ns.object, 'metadata'), 'labels')['elbv2.k8s.aws/pod-readiness-gate-inject'] === 'enabled';
  const lbReadinessGate = podBackends && gateType !== undefined && (profile.provider === 'gcp' || injected || gates.some((g) => g.startsWith(gateType.split('.')[0] ?? gateType)));
  let lb: SimInput['lb'];
  if (lbProfile && (entry.kind === 'lb-pod' || entry.kind === 'lb-node')) {
    const drain = drainSetting(context, service);
    const drainSeconds = drain?.enabled ? (drain.timeoutSeconds ?? drain.drain.enabledTimeoutSeconds ?? drain.drain.defaultTimeoutSeconds) : undefined;
    const hc = lbProfile.healthCheck;
    lb = {
      deregister: lbProfile.deregister,
      register: lbProfile.register,
      healthCheck: { intervalSeconds: hc.intervalSeconds, healthyThreshold: hc.healthyThreshold, unhealthyThreshold: hc.unhealthyThreshold },
      removesNodes: lbProfile.nodeRemoval === 'controller',
      ...(drainSeconds !== undefined ? { drainSeconds } : {}),
    };
  }
  const input: SimInput = {
    resource: workloadId(workload),
    strategy,
    replicas,
    minReadySeconds: minReadySecondsOf(workload),
    progressDeadlineSeconds: progressDeadlineSecondsOf(workload),
    pod: {
      containerStartSeconds: CONTAINER_START_SECONDS,
      randomProbePhase: true,
      appStartupSeconds: main.appStartupSeconds,
      ...optional('readiness', main.readiness),
      ...optional('startup', main.startup),
      ...optional('liveness', main.liveness),
      preStopSeconds: main.preStopSeconds,
      graceSeconds: grace,
      sigterm: main.sigterm,
      appDrainSeconds: main.appDrainSeconds,
      lbReadinessGate,
      ...(containers.length > 1 ? { serving: { name: main.name, share: shares[0] as number, more: containers.slice(1).map((c, i) => ({ ...c, share: shares[i + 1] as number })) } } : {}),
      ...optional('deletionCost', deletionCostOf(workload)),
    },
    entry,
    proxy: { sync: profile.proxySync, terminatingEndpoints: hasProxyTerminatingEndpoints(profile.k8sVersion) },
    ...(entry.kind === 'ingress' && profile.ingress ? { ingress: { sync: profile.ingress.sync } } : {}),
    ...(lb ? { lb } : {}),
    nodes,
    eligibleNodes,
    ...(preferredNodes > 0 ? { preferredNodes } : {}),
    control: controlOf(profile.k8sVersion),
    ...optional('peers', peersOf(graph, workload, service, nodes)),
    traffic: { ...profile.traffic, rps: overrides.rps ?? profile.traffic.rps },
    notes,
  };
  return input;
}

/**
 * The other workloads the Service selects: the Service's endpoints are the pods of all of them,
 * so kube-proxy, the ingress and the LB split its traffic over every ready one.
 */
function peersOf(graph: Graph, workload: Workload, service: ServiceView, nodes: number): PeerInput[] | undefined {
  const peers: PeerInput[] = [];
  for (const other of graph.workloads) {
    if (other === workload || !graph.servicesOf(other).some((s) => s.resource === service.resource)) continue;
    const replicas = other.kind === 'DaemonSet' ? nodes : Math.min(MAX_REPLICAS, replicasOf(graph, other));
    if (replicas > 0) peers.push({ resource: workloadId(other), replicas });
  }
  return peers.length > 0 ? peers : undefined;
}

/** spec.replicas, or an HPA's minReplicas when the manifest leaves the count to it. */
function replicasOf(graph: Graph, workload: Workload): number {
  if (workload.replicas !== undefined) return effectiveReplicas(workload);
  const hpa = graph.hpasOf(workload)[0];
  return hpa ? (numberAt(recordAt(hpa.object, 'spec'), 'minReplicas') ?? 1) : effectiveReplicas(workload);
}

/** The template's pod-deletion-cost when it is a valid int32 (helper.GetDeletionCostFromPodAnnotations). */
function deletionCostOf(workload: Workload): number | undefined {
  const template = recordAt(recordAt(workload.resource.object, 'spec'), 'template');
  const value = stringMapAt(recordAt(template, 'metadata'), 'annotations')[POD_DELETION_COST];
  if (value === undefined || !/^[+-]?\d+$/.test(value.trim())) return undefined;
  const cost = Number(value.trim());
  return cost >= -(2 ** 31) && cost < 2 ** 31 ? cost : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
