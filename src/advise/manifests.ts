/**
 * Workload facts from manifests (`rollsafe advise -f PATH`): every Deployment a Service selects
 * (or, when the input has no Service, every Deployment with a container port) becomes a
 * {@link WorkloadFacts}: its name, namespace, selector, labels, replicas, serving container, image
 * and ports. Pure: sources in, facts out.
 */
import { loadSources } from '../load/objects.js';
import type { LoadProblem } from '../load/types.js';
import type { SourceText } from '../document/types.js';
import { declaredPorts, probeTarget, resolvePort } from '../model/container.js';
import { buildGraph, type Graph, type ServiceView } from '../model/graph.js';
import { arrayAt, isRecord, recordAt, stringAt, stringMapAt } from '../model/k8s.js';
import { DEFAULT_NAMESPACE } from '../model/resource.js';
import type { ContainerView, Workload } from '../model/workload.js';
import { workloadFacts, type WorkloadFacts, type WorkloadInput } from './config.js';
import { RollsafeError } from '../errors.js';

/** One workload found in the manifests, with what advise had to assume or change. */
interface ManifestWorkload {
  readonly facts: WorkloadFacts;
  /** `Deployment shop/web (path:line)`. */
  readonly from: string;
  readonly notes: readonly string[];
}

export interface ManifestScan {
  readonly workloads: readonly ManifestWorkload[];
  /** Workloads skipped, with the reason. */
  readonly skipped: readonly string[];
  /** Load problems of the input (broken YAML, invalid fields), reported but not fatal. */
  readonly problems: readonly LoadProblem[];
}

function describe(workload: Workload): string {
  const r = workload.resource;
  const ns = r.namespace === '' ? DEFAULT_NAMESPACE : r.namespace;
  return `${r.kind} ${ns}/${r.name} (${r.doc.source.path})`;
}

/** The container and container port a Service port sends to. */
function servingPort(workload: Workload, services: readonly ServiceView[]): { container: ContainerView; port: number; servicePort: number | undefined; service: ServiceView | undefined } | undefined {
  for (const service of services) {
    for (const p of service.ports) {
      for (const c of workload.containers) {
        const declared = declaredPorts(c);
        const target = resolvePort(c, p.targetPort);
        const named = typeof p.targetPort === 'string' && !/^\d+$/.test(p.targetPort);
        // A named target must be declared; a numbered one is served by a declaring container or the only container.
        if (target !== undefined && (declared.some((d) => d.port === target) || (!named && declared.length === 0 && workload.containers.length === 1))) {
          return { container: c, port: target, servicePort: p.port, service };
        }
      }
    }
  }
  if (services.length > 0) return undefined;
  for (const c of workload.containers) {
    const [first] = declaredPorts(c);
    if (first) return { container: c, port: first.port, servicePort: undefined, service: undefined };
  }
  return undefined;
}

/** The user's Service (annotations, ports) and the first Ingress routing to it, as plain data. */
function existingObjects(graph: Graph, service: ServiceView): Pick<WorkloadInput, 'service' | 'ingress'> {
  const ports = arrayAt(recordAt(service.resource.object, 'spec'), 'ports').filter(isRecord).map((p) => ({ ...p }));
  const [ingress] = graph.ingressesOf(service);
  return {
    service: { annotations: { ...service.resource.annotations }, ports },
    ...(ingress && isRecord(ingress.object) ? { ingress: structuredClone(ingress.object) } : {}),
  };
}

/** The serving container's declared ports besides the served one. */
function otherPortsOf(container: ContainerView, served: number): Pick<WorkloadInput, 'otherPorts'> {
  const others = arrayAt(container.container, 'ports').filter(isRecord).filter((p) => p['containerPort'] !== served).map((p) => ({ ...p }));
  return others.length > 0 ? { otherPorts: others } : {};
}

/** The name a Service's targetPort gives the serving container port, so that it keeps resolving; undefined for a number. */
function namedTarget(service: ServiceView | undefined, port: number, container: ContainerView): string | undefined {
  for (const p of service?.ports ?? []) {
    if (typeof p.targetPort === 'string' && !/^\d+$/.test(p.targetPort) && resolvePort(container, p.targetPort) === port) return p.targetPort;
  }
  return undefined;
}

function healthPathOf(container: ContainerView): string | undefined {
  const probe = recordAt(container.container, 'readinessProbe');
  const target = probe ? probeTarget(container, probe) : undefined;
  return target?.field === 'httpGet' ? (stringAt(recordAt(probe, 'httpGet'), 'path') ?? '/') : undefined;
}

/**
 * Finds the served Deployments of a set of manifests and derives their facts.
 * @throws {RollsafeError} `no-workloads` when none is found.
 */
export function workloadsFromManifests(sources: readonly SourceText[]): ManifestScan {
  const loaded = loadSources(sources);
  const graph = buildGraph(loaded.resources);
  const workloads: ManifestWorkload[] = [];
  const skipped: string[] = [];
  const anyService = graph.services.length > 0;
  for (const workload of graph.workloads) {
    const services = graph.servicesOf(workload);
    if (anyService && services.length === 0) continue;
    if (workload.kind !== 'Deployment') {
      skipped.push(`${describe(workload)}: advise writes Deployments; a ${workload.kind} rolls out differently`);
      continue;
    }
    const serving = servingPort(workload, services);
    if (!serving) {
      skipped.push(`${describe(workload)}: no container serves ${services.length > 0 ? 'the Service\'s target port' : 'a declared port'}`);
      continue;
    }
    const image = stringAt(serving.container.container, 'image');
    if (image === undefined || image === '') {
      skipped.push(`${describe(workload)}: container \`${serving.container.name}\` has no image`);
      continue;
    }
    const notes: string[] = [];
    const replicas = workload.replicas ?? 1;
    if (replicas < 2) notes.push(`replicas raised from ${replicas} to 2: one replica is an outage on every restart`);
    if (workload.containers.length > 1) notes.push(`only container \`${serving.container.name}\` is written; merge the other containers back`);
    if (graph.hpasOf(workload).length > 0) notes.push('a HorizontalPodAutoscaler scales it: remove spec.replicas when you apply (hpa-replicas-conflict)');
    const selector = stringMapAt(recordAt(recordAt(workload.resource.object, 'spec'), 'selector'), 'matchLabels');
    const healthPath = healthPathOf(serving.container);
    // The user's own Service and Ingress are adapted, not replaced (a new Ingress name is a second LB).
    const existing = serving.service ? existingObjects(graph, serving.service) : {};
    const [ingressCount, portName] = [serving.service ? graph.ingressesOf(serving.service).length : 0, namedTarget(serving.service, serving.port, serving.container)];
    if (ingressCount > 1) notes.push(`${ingressCount} Ingresses route to Service ${serving.service?.resource.name ?? ''}: only the first is adapted`);
    const facts = workloadFacts({
      name: workload.resource.name,
      namespace: workload.resource.namespace === '' ? DEFAULT_NAMESPACE : workload.resource.namespace,
      image,
      port: serving.port,
      servicePort: serving.servicePort ?? serving.port,
      replicas: Math.max(2, replicas),
      labels: Object.keys(workload.podLabels).length > 0 ? workload.podLabels : undefined,
      selector: Object.keys(selector).length > 0 ? selector : undefined,
      serviceSelector: serving.service && Object.keys(serving.service.selector).length > 0 ? serving.service.selector : undefined,
      containerName: serving.container.name,
      serviceName: serving.service?.resource.name ?? workload.resource.name,
      healthPath,
      portName,
      ...otherPortsOf(serving.container, serving.port),
      ...existing,
    });
    workloads.push({ facts, from: describe(workload), notes });
  }
  if (workloads.length === 0) {
    const why = skipped.length > 0 ? `: ${skipped.join('; ')}` : anyService ? ': no Service selects a Deployment' : ': no Deployment declares a container port';
    throw new RollsafeError('no-workloads', `no Deployment to advise for in ${sources.map((s) => s.path).join(', ')}${why}`);
  }
  return { workloads, skipped, problems: loaded.problems };
}
