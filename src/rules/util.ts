/** Helpers shared by rules: when a workload is served, which containers serve, budgets. */
import type { PatchOperation, RuleContext, Severity } from '../engine/types.js';
import { declaredPorts, probeTarget, probeTiming, resolvePort } from '../model/container.js';
import type { ServiceView } from '../model/graph.js';
import { arrayAt, numberAt, recordAt, stringAt } from '../model/k8s.js';
import { gracePeriodSeconds, type ContainerView, type Workload } from '../model/workload.js';
import { propagationBudget, type Profile } from '../profiles/types.js';
import { compareVersions } from '../schema/kinds.js';

/**
 * How much a Service-dependent rule matters for a workload (DESIGN.md §4): `error` when a Service
 * in the input selects it, `warning` when the input has no Service at all (it may be served from
 * elsewhere), undefined when the input has Services and none selects it (not served: skip).
 */
export function servedSeverity(context: RuleContext, workload: Workload): Severity | undefined {
  if (context.graph.servicesOf(workload).length > 0) return 'error';
  return context.graph.services.length === 0 ? 'warning' : undefined;
}

/** The container ports a Service sends to, resolved against one container. */
function servesService(container: ContainerView, service: ServiceView, onlyContainer: boolean): boolean {
  const declared = declaredPorts(container);
  for (const port of service.ports) {
    const target = port.targetPort;
    if (typeof target === 'string' && !/^\d+$/.test(target)) {
      if (declared.some((p) => p.name === target)) return true;
    } else if (target !== undefined) {
      const n = Number(target);
      if (declared.some((p) => p.port === n)) return true;
      // A numeric targetPort reaches the pod whether or not the port is declared: when the pod
      // has a single container, that container serves it.
      if (declared.length === 0 && onlyContainer) return true;
    }
  }
  return false;
}

/**
 * The containers that receive traffic: those serving a selecting Service's target port, or —
 * with no Service in the input — those that declare ports.
 */
export function servingContainers(context: RuleContext, workload: Workload): readonly ContainerView[] {
  let cache = servingCache.get(context.graph);
  if (!cache) servingCache.set(context.graph, (cache = new Map()));
  let serving = cache.get(workload);
  if (!serving) cache.set(workload, (serving = findServingContainers(context, workload)));
  return serving;
}

/** Several rules ask for the serving containers of the same workload: computed once per graph. */
const servingCache = new WeakMap<object, Map<Workload, readonly ContainerView[]>>();

function findServingContainers(context: RuleContext, workload: Workload): ContainerView[] {
  const services = context.graph.servicesOf(workload);
  const only = workload.containers.length === 1;
  if (services.length === 0) return workload.containers.filter((c) => declaredPorts(c).length > 0);
  const serving = workload.containers.filter((c) => services.some((s) => servesService(c, s, only)));
  // A numeric targetPort with no declared ports anywhere: assume the first (main) container.
  if (serving.length === 0 && workload.containers.every((c) => declaredPorts(c).length === 0) && workload.containers[0]) {
    return [workload.containers[0]];
  }
  return serving;
}

/** A port a Service sends to in one container, and the protocol it is sent with. */
export interface ServedPort {
  /** As a probe names it: the port name or the number. */
  readonly port: number | string;
  /** `TCP` unless the Service port or the container port says otherwise (`UDP`, `SCTP`). */
  readonly protocol: string;
}

/** `protocol` of a port entry (Service or container), `TCP` when unset. */
function protocolAt(entry: unknown): string {
  return stringAt(entry, 'protocol') ?? 'TCP';
}

/**
 * The protocol a container receives a port reference with: a named port's declared protocol; for
 * a number, TCP when the container declares it with TCP (or not at all), else its declared protocol.
 */
function containerProtocol(container: ContainerView, ref: number | string): string {
  const entries = arrayAt(container.container, 'ports').filter((p) => (typeof ref === 'string' ? stringAt(p, 'name') === ref : numberAt(p, 'containerPort') === ref));
  const protocols = entries.map(protocolAt);
  return protocols.length === 0 || protocols.includes('TCP') ? 'TCP' : (protocols[0] ?? 'TCP');
}

/** The ports a Service sends to in this container (for fixes), in order, when they can be known. */
export function servedPorts(context: RuleContext, workload: Workload, container: ContainerView): ServedPort[] {
  const declared = declaredPorts(container);
  const out: ServedPort[] = [];
  const push = (port: number | string, serviceProtocol: string): void => {
    const containerSide = containerProtocol(container, port);
    const protocol = serviceProtocol === 'TCP' ? containerSide : serviceProtocol;
    if (!out.some((p) => p.port === port && p.protocol === protocol)) out.push({ port, protocol });
  };
  for (const service of context.graph.servicesOf(workload)) {
    const entries = arrayAt(recordAt(service.resource.object, 'spec'), 'ports');
    for (const port of service.ports) {
      const target = port.targetPort;
      const protocol = protocolAt(entries[port.index]);
      if (typeof target === 'string' && !/^\d+$/.test(target)) {
        if (declared.some((p) => p.name === target)) push(target, protocol);
      } else if (target !== undefined) {
        // A numbered target belongs to this container only if it declares it, or declares
        // nothing and is the pod's only container.
        const n = Number(target);
        if (declared.some((p) => p.port === n) || (declared.length === 0 && workload.containers.length === 1)) push(n, protocol);
      }
    }
  }
  if (out.length === 0 && declared.length === 1 && declared[0]) push(declared[0].name ?? declared[0].port, 'TCP');
  return out;
}

/**
 * When liveness checks the same target as readiness and gives up no later (period ×
 * failureThreshold), a slow app is restarted instead of being taken out of rotation: the seconds
 * after which each gives up, else undefined. liveness-probe-same-as-readiness reports this, and
 * readiness-probe-missing keeps its fix out of it.
 */
export function livenessNoLaterThanReadiness(container: ContainerView, readiness: Record<string, unknown>, liveness: Record<string, unknown>): { action: string; liveness: number; readiness: number } | undefined {
  const r = probeTarget(container, readiness);
  const l = probeTarget(container, liveness);
  if (!r || !l || r.action !== l.action) return undefined;
  const rt = probeTiming(readiness);
  const lt = probeTiming(liveness);
  const rFail = rt.period * rt.failureThreshold;
  const lFail = lt.period * lt.failureThreshold;
  return lFail > rFail ? undefined : { action: l.action, liveness: lFail, readiness: rFail };
}

/**
 * Which propagation paths can still send a terminating pod new requests. The cloud LB counts when
 * it exposes the workload and its view of the backends matters: an Ingress (an L7 LB such as the
 * ALB pools connections to its targets; with instance targets reports needed a preStop of the
 * LB's scale, knowledge/cloud-load-balancers.md §2, #2106), or a LoadBalancer Service whose
 * backends change with the pods — pods as backends, or nodes under `externalTrafficPolicy: Local`.
 * A LoadBalancer Service on node backends with the Cluster policy keeps every node as a backend
 * (§1), and each connection goes through to a pod that kube-proxy picks: only kube-proxy counts.
 */
export function exposure(context: RuleContext, workload: Workload): { viaLoadBalancer: boolean; viaIngress: boolean } {
  const services = context.graph.servicesOf(workload);
  if (services.length === 0) {
    // No Service in the input: judge under the profile's full path.
    return { viaLoadBalancer: context.profile.loadBalancer !== undefined, viaIngress: context.profile.ingress !== undefined };
  }
  const viaIngress = services.some((s) => context.graph.ingressesOf(s).length > 0);
  const lb = context.profile.loadBalancer !== undefined;
  const viaLoadBalancer =
    lb &&
    services.some((s) => context.graph.ingressesOf(s).length > 0 || (s.type === 'LoadBalancer' && (lbBackendOf(context, s) === 'pod' || s.externalTrafficPolicy === 'Local')));
  return { viaLoadBalancer, viaIngress: viaIngress && context.profile.ingress !== undefined };
}

/** The propagation budget for a workload under the context's profile. */
export function budgetFor(context: RuleContext, workload: Workload): { seconds: number; path: string } {
  return propagationBudget(context.profile, exposure(context, workload));
}

/**
 * The preStop sleep rollsafe proposes: the propagation budget (p99) plus a 5 s margin (one more
 * kube-proxy sync at the low end of the 5–10 s guidance, knowledge/cloud-load-balancers.md §5),
 * rounded up to whole seconds.
 */
export function recommendedPreStopSeconds(budgetSeconds: number): number {
  return Math.ceil(budgetSeconds + 5);
}

/** True when the cluster version has the native preStop `sleep` action (KEP-3960: beta, on by default, in 1.30). */
export function hasSleepAction(version: string): boolean {
  return compareVersions(version, '1.30') >= 0;
}

/** True when kube-proxy keeps sending to terminating-but-serving local endpoints (KEP-1669: beta, on by default, in 1.26; GA 1.28). */
export function hasProxyTerminatingEndpoints(version: string): boolean {
  return compareVersions(version, '1.26') >= 0;
}

/**
 * Operations that keep terminationGracePeriodSeconds at least `seconds`: the API server rejects a
 * native sleep longer than the grace period, and SIGKILL would cut an exec sleep short anyway.
 */
export function graceAtLeast(workload: Workload, seconds: number): PatchOperation[] {
  const grace = gracePeriodSeconds(workload);
  if (grace.seconds >= seconds) return [];
  return [{ op: grace.explicit ? 'replace' : 'add', path: `${workload.podSpecPath}/terminationGracePeriodSeconds`, value: seconds }];
}

/** The preStop hook to add: native sleep where the version has it, else exec sleep (strings). */
export function preStopHook(version: string, seconds: number): Record<string, unknown> {
  return hasSleepAction(version) ? { sleep: { seconds } } : { exec: { command: ['sleep', String(seconds)] } };
}

/** Names a workload in messages: `Deployment default/nginx`. */
export function nameOf(workload: Workload): string {
  const r = workload.resource;
  return `${r.kind} ${r.namespace === '' ? '' : r.namespace + '/'}${r.name}`;
}

/**
 * What the cloud LB sends to for a Service: `pod` (ENI, IP targets, NEG) or `node` (kube-proxy
 * forwards). An explicit annotation on the Service (or the ALB Ingress in front of it) wins over
 * the profile; ENI backends exist only on Terway (Flannel does not support them).
 */
export function lbBackendOf(context: RuleContext, service: ServiceView): 'pod' | 'node' | undefined {
  const a = service.resource.annotations;
  if (a['service.beta.kubernetes.io/backend-type'] === 'eni' && context.profile.networkPlugin === 'terway') return 'pod';
  const nlbTarget = a['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'];
  if (nlbTarget === 'ip' || a['service.beta.kubernetes.io/aws-load-balancer-type'] === 'nlb-ip') return 'pod';
  if (nlbTarget === 'instance') return 'node';
  const neg = a['cloud.google.com/neg'];
  if (neg && /"ingress"\s*:\s*true|"exposed_ports"/.test(neg)) return 'pod';
  const ingresses = context.graph.ingressesOf(service);
  const albTargets = ingresses.map((i) => i.annotations['alb.ingress.kubernetes.io/target-type']).filter((t) => t !== undefined);
  if (albTargets.includes('ip')) return 'pod';
  if (albTargets.length > 0 && albTargets.every((t) => t === 'instance')) return 'node';
  // On GKE only Ingress backends are NEGs; a LoadBalancer Service is a passthrough LB to nodes.
  if (context.profile.provider === 'gcp' && ingresses.length === 0) return 'node';
  return context.profile.loadBalancer?.backend;
}

/**
 * Whether the cloud LB's connection draining applies to a Service: a LoadBalancer Service where
 * the provider drains on the Service (ACK, AWS NLB/CLB), or a Service behind an Ingress where the
 * LB drains per Ingress or BackendConfig (AWS ALB, GKE NEG).
 */
export function drainApplies(context: RuleContext, service: ServiceView): boolean {
  const drain = context.profile.loadBalancer?.drain;
  if (!drain) return false;
  const viaIngress = context.graph.ingressesOf(service).length > 0;
  if (drain.on === 'backendconfig') return viaIngress;
  return service.type === 'LoadBalancer' || (drain.on === 'ingress' && viaIngress);
}

/** The image of a container ('' when unset). */
export function imageOf(container: ContainerView): string {
  return stringAt(container.container, 'image') ?? '';
}

/** The pod template's `affinity.nodeAffinity`, if any. */
export function nodeAffinityOf(workload: Workload): Record<string, unknown> | undefined {
  return recordAt(recordAt(workload.podSpec, 'affinity'), 'nodeAffinity');
}

export { resolvePort };

/**
 * A connection-drain timeout long enough that the LB does not cut a removed backend's connections
 * before its pod closes them itself after a `preStop`-second sleep: the LB removes the backend at
 * the earliest after the low end of its deregistration latency (p1 = p50² / p99, the range the
 * simulator draws from), so the drain must last `preStop − p1`; never less than `recommended`.
 */
export function drainCoveringPreStop(profile: Profile, recommended: number, preStop: number): number {
  const deregister = profile.loadBalancer?.deregister;
  const earliest = deregister && deregister.p99 > 0 ? (deregister.p50 * deregister.p50) / deregister.p99 : 0;
  return Math.max(recommended, Math.ceil(preStop - earliest));
}
