/** Which containers of a workload receive a Service's traffic, and on which ports. */
import { declaredPorts } from '../model/container.js';
import type { GraphMemo, ServiceView } from '../model/graph.js';
import { arrayAt, numberAt, recordAt, stringAt } from '../model/k8s.js';
import type { ContainerView, Workload } from '../model/workload.js';
import type { DomainContext } from './context.js';
import { classifyService, isNonClientPortName, servedBy, servedContainer, type Served } from './service-role.js';

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
 * The containers that receive traffic: those serving the target port of a selecting Service that
 * carries requests (domain/service-role.ts), or — with no Service in the input — those that
 * declare a port not named for metrics or health. None when only metrics, admin or ignored-webhook Services select the workload.
 */
export function servingContainers(context: DomainContext, workload: Workload): readonly ContainerView[] {
  const cache = context.graph.memo(SERVING);
  let serving = cache.get(workload);
  if (!serving) cache.set(workload, (serving = findServingContainers(context, workload)));
  return serving;
}

/** Several rules ask for the serving containers of the same workload: computed once per graph. */
const SERVING: GraphMemo<Map<Workload, readonly ContainerView[]>> = { create: () => new Map() };

function findServingContainers(context: DomainContext, workload: Workload): ContainerView[] {
  const served = servedBy(context, workload);
  if (served.level === 'unknown') {
    // No Service in the input: a container serves when it declares a port that is not only for metrics or health.
    return workload.containers.filter((c) => declaredPorts(c).some((p) => p.name === undefined || !isNonClientPortName(p.name)));
  }
  // Only the Services that carry requests count: a metrics sidecar scraped through its own Service serves no client.
  if (served.services.length === 0) return [];
  const serving = workload.containers.filter((c) => ownServices(context, workload, c).length > 0);
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
export function servedPorts(context: DomainContext, workload: Workload, container: ContainerView): ServedPort[] {
  const declared = declaredPorts(container);
  const out: ServedPort[] = [];
  const push = (port: number | string, serviceProtocol: string): void => {
    const containerSide = containerProtocol(container, port);
    const protocol = serviceProtocol === 'TCP' ? containerSide : serviceProtocol;
    if (!out.some((p) => p.port === port && p.protocol === protocol)) out.push({ port, protocol });
  };
  for (const service of servedBy(context, workload).services) {
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
 * How one container is served (domain/service-role.ts `servedContainer`): a container that serves
 * only a webhook's Service is `api-server` even when a sibling serves a user Service.
 */
export function containerServed(context: DomainContext, workload: Workload, container: ContainerView): Served {
  return servedContainer(context, workload, ownServices(context, workload, container));
}

/**
 * The Services that carry requests to the workload (domain/service-role.ts `servedBy`) whose
 * target port this container serves. Several rules and the engine's served scope ask for each
 * container: computed once per graph.
 */
function ownServices(context: DomainContext, workload: Workload, container: ContainerView): readonly ServiceView[] {
  const cache = context.graph.memo(OWN_SERVICES);
  let own = cache.get(container);
  if (!own) {
    const only = workload.containers.length === 1;
    cache.set(container, (own = servedBy(context, workload).services.filter((s) => servesService(container, s, only))));
  }
  return own;
}

const OWN_SERVICES: GraphMemo<Map<ContainerView, readonly ServiceView[]>> = { create: () => new Map() };

/**
 * When every Service that carries requests to this container is one whose clients look its pods up
 * through the API (ServiceClass.discoveredBy) and nothing else fronts it (no node port, load
 * balancer or Ingress): that evidence, for messages; else undefined. No proxy with a sync lag routes
 * to such a container, so a preStop delay has nothing to wait for.
 */
export function discoveredOnly(context: DomainContext, workload: Workload, container: ContainerView): string | undefined {
  const own = ownServices(context, workload, container);
  if (own.length === 0) return undefined;
  const found: string[] = [];
  for (const s of own) {
    const by = classifyService(context, s).discoveredBy;
    if (by === undefined || s.type !== 'ClusterIP' || context.graph.ingressesOf(s).length > 0) return undefined;
    found.push(`Service ${s.resource.name}: ${by}`);
  }
  return found.join('; ');
}
