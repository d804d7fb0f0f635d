/**
 * What a Service carries, and therefore what a rollout of the pods behind it can drop. Rules, the
 * simulator and advise ask here instead of treating every selecting Service as user traffic.
 */
import { declaredPorts } from '../model/container.js';
import type { Graph, GraphMemo, ServiceView } from '../model/graph.js';
import { arrayAt, isRecord, recordAt, stringAt, stringMapAt } from '../model/k8s.js';
import { effectiveNamespace, type Resource } from '../model/resource.js';
import { labelSelectorMatches, mapSelectorMatches } from '../model/selector.js';
import type { Workload } from '../model/workload.js';
import type { DomainContext } from './context.js';

/**
 * - `user`: requests of clients (the default when nothing says otherwise).
 * - `webhook`: only the API server calls it (admission webhooks, aggregated APIs).
 * - `metrics`: only Prometheus reads it: a missed scrape is a gap in a time series, not a failed request.
 * - `admin`: health, status and admin endpoints for operators and probes.
 */
type ServiceRole = 'user' | 'webhook' | 'metrics' | 'admin';

export interface ServiceClass {
  readonly role: ServiceRole;
  /** `clusterIP: None`: no virtual IP and no kube-proxy; clients resolve the pod IPs by DNS. */
  readonly headless: boolean;
  /**
   * For `webhook`: whether a failed call fails the API request (`Fail`, also an aggregated API,
   * whose requests fail while it is unavailable) or is ignored (`Ignore`).
   */
  readonly failurePolicy?: 'Fail' | 'Ignore';
  /** Why the role was chosen, for messages: "ValidatingWebhookConfiguration x (failurePolicy Fail)". */
  readonly evidence: string;
  /**
   * Set when the input shows the Service's clients looking up its endpoints through the Kubernetes
   * API instead of connecting to its cluster IP (see {@link clientDiscovery}): says which client and how.
   */
  readonly discoveredBy?: string;
}

/** Port names that say "metrics": `metrics`, `http-metrics`, `metricshttps`, kong's `cmetrics`, `prometheus`. */
const METRICS_NAME = /metrics|^prom(etheus)?$/i;
/** Port names that say "operators and probes, not clients". */
const ADMIN_NAME = /(^|-)(admin|health|healthz|status|pprof|debug)($|-)/i;
/** Port names that say "admission webhook". */
const WEBHOOK_NAME = /webhook/i;

/** True for a port name that says metrics, admin or health: a port for Prometheus, operators and probes, not for clients. */
export function isNonClientPortName(name: string): boolean {
  return METRICS_NAME.test(name) || ADMIN_NAME.test(name);
}

/** Each Service's class, computed once per graph. */
const CLASSES: GraphMemo<Map<ServiceView, ServiceClass>> = { create: () => new Map() };

/** What the Service carries (see {@link ServiceRole}), from the input's objects that refer to it and its port names. */
export function classifyService(context: DomainContext, service: ServiceView): ServiceClass {
  const cache = context.graph.memo(CLASSES);
  let found = cache.get(service);
  if (!found) cache.set(service, (found = classify(context, service)));
  return found;
}

function classify(context: DomainContext, service: ServiceView): ServiceClass {
  const spec = recordAt(service.resource.object, 'spec');
  const headless = stringAt(spec, 'clusterIP') === 'None';
  const index = roleIndex(context);
  const callers = index.callers.get(serviceKey(effectiveNamespace(service.resource), service.resource.name)) ?? [];
  if (callers.length > 0) {
    const failing = callers.find((c) => c.failurePolicy === 'Fail');
    const shown = failing ?? callers[0];
    return { role: 'webhook', headless, failurePolicy: failing ? 'Fail' : 'Ignore', evidence: shown?.evidence ?? '' };
  }
  if (service.ports.length === 0) return { role: 'user', headless, evidence: 'no ports' };
  // A port's names: the Service port's own and a named targetPort (the container port's name).
  const names = service.ports.map((p) => [p.name, typeof p.targetPort === 'string' ? p.targetPort : undefined].filter((n): n is string => n !== undefined && n !== ''));
  const every = (test: (names: readonly string[], index: number) => boolean): boolean => names.every(test);
  const scraped = scrapedPorts(index.monitors, service);
  if (every((n, i) => n.some((x) => METRICS_NAME.test(x)) || (scraped.has(i) && METRICS_NAME.test(service.resource.name)))) {
    return { role: 'metrics', headless, evidence: scraped.size > 0 ? 'metrics ports that Prometheus scrapes' : 'ports named for metrics' };
  }
  if (every((n) => n.some((x) => ADMIN_NAME.test(x)))) return { role: 'admin', headless, evidence: 'ports named for admin and health endpoints' };
  if (every((n) => n.some((x) => WEBHOOK_NAME.test(x)))) {
    // A webhook whose configuration is not in the input: the API's default failurePolicy is Fail.
    return { role: 'webhook', headless, failurePolicy: 'Fail', evidence: 'ports named for a webhook whose configuration is not in the input: the API fails its requests while it is unavailable if that configuration keeps the default failurePolicy Fail' };
  }
  const discoveredBy = index.discovery.get(serviceKey(effectiveNamespace(service.resource), service.resource.name));
  return { role: 'user', headless, evidence: '', ...(discoveredBy ? { discoveredBy } : {}) };
}

interface Caller {
  readonly failurePolicy: 'Fail' | 'Ignore';
  readonly evidence: string;
}

/** What the input says about every Service at once: indexed once per graph, so classifying stays linear in the input. */
interface RoleIndex {
  /** API-server callers by `namespace/name` of the Service they call. */
  readonly callers: ReadonlyMap<string, readonly Caller[]>;
  /** The ServiceMonitors of the input. */
  readonly monitors: readonly Resource[];
  /** Services whose clients look up their endpoints through the API, by `namespace/name`: the client and its setting. */
  readonly discovery: ReadonlyMap<string, string>;
}

/** The role index of a graph, built on first use. */
const ROLE_INDEX: GraphMemo<RoleIndex> = { create: (graph) => buildRoleIndex(graph) };

function serviceKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function roleIndex(context: DomainContext): RoleIndex {
  return context.graph.memo(ROLE_INDEX);
}

/** The namespace of the Service a webhook's `clientConfig.service` or an APIService's `spec.service` names (`default` when unset), or undefined when it names none. */
function calledNamespace(ref: unknown): string | undefined {
  return stringAt(ref, 'name') === undefined ? undefined : (stringAt(ref, 'namespace') ?? 'default');
}

/**
 * The namespaces whose objects the rules read together with this one: its own, the namespaces of
 * the Services a webhook configuration or an APIService sends calls to (see
 * {@link buildRoleIndex}), the name of a Namespace object, the namespaces a ServiceMonitor
 * selects — or `every` for a ServiceMonitor that selects any namespace. The rest of the input can
 * be checked apart from this object when it shares none of these namespaces (engine/partition.ts).
 */
export function namespacesRead(resource: Resource): readonly string[] | 'every' {
  const kind = resource.kind;
  if (kind === 'Namespace') return [resource.name];
  if (kind === 'ValidatingWebhookConfiguration' || kind === 'MutatingWebhookConfiguration') {
    return arrayAt(resource.object, 'webhooks').flatMap((webhook) => calledNamespace(recordAt(recordAt(webhook, 'clientConfig'), 'service')) ?? []);
  }
  if (kind === 'APIService') return [calledNamespace(recordAt(recordAt(resource.object, 'spec'), 'service')) ?? []].flat();
  const own = effectiveNamespace(resource);
  if (kind === 'ServiceMonitor') {
    const monitored = monitoredNamespaces(resource);
    return monitored === 'every' ? 'every' : [own, ...monitored];
  }
  return [own];
}

/**
 * The namespaces whose Services a ServiceMonitor selects (prometheus-operator NamespaceSelector):
 * every namespace with `any: true`, else `matchNames` when it names some, else its own namespace.
 */
function monitoredNamespaces(monitor: Resource): readonly string[] | 'every' {
  const selector = recordAt(recordAt(monitor.object, 'spec'), 'namespaceSelector');
  if (selector?.['any'] === true) return 'every';
  const matchNames = arrayAt(selector, 'matchNames');
  // A list of something else than names selects nothing (it is still a list, not an absent selector).
  return matchNames.length > 0 ? matchNames.filter((n): n is string => typeof n === 'string') : [effectiveNamespace(monitor)];
}

/**
 * Webhook configurations and APIServices in the input that send the API server's calls to a
 * Service, by the Service they call. admissionregistration.k8s.io/v1 defaults failurePolicy to
 * Fail, v1beta1 to Ignore; an aggregated API's requests fail while it has no endpoint.
 */
function buildRoleIndex(graph: Graph): RoleIndex {
  const resources = graph.resources;
  const callers = new Map<string, Caller[]>();
  const monitors: Resource[] = [];
  const add = (ref: unknown, caller: Caller): void => {
    const name = stringAt(ref, 'name');
    const namespace = calledNamespace(ref);
    if (name === undefined || namespace === undefined) return;
    const key = serviceKey(namespace, name);
    const list = callers.get(key);
    if (list) list.push(caller);
    else callers.set(key, [caller]);
  };
  for (const r of resources) {
    if (r.kind === 'ValidatingWebhookConfiguration' || r.kind === 'MutatingWebhookConfiguration') {
      const fallback = r.apiVersion.endsWith('/v1beta1') ? 'Ignore' : 'Fail';
      for (const webhook of arrayAt(r.object, 'webhooks')) {
        const policy = stringAt(webhook, 'failurePolicy') === 'Ignore' ? 'Ignore' : stringAt(webhook, 'failurePolicy') === 'Fail' ? 'Fail' : fallback;
        add(recordAt(recordAt(webhook, 'clientConfig'), 'service'), { failurePolicy: policy, evidence: `${r.kind} ${r.name}, failurePolicy ${policy}` });
      }
    } else if (r.kind === 'APIService') {
      add(recordAt(recordAt(r.object, 'spec'), 'service'), { failurePolicy: 'Fail', evidence: `APIService ${r.name}` });
    } else if (r.kind === 'ServiceMonitor') {
      monitors.push(r);
    }
  }
  return { callers, monitors, discovery: clientDiscovery(graph) };
}

/**
 * An environment variable that hands a client the name of a Kubernetes Service to look up through
 * the API, not an address to connect to: Felix's `FELIX_TYPHAK8SSERVICENAME` (Felix configuration
 * `TyphaK8sServiceName`), Hazelcast's `…_KUBERNETES_SERVICENAME`, and the like.
 */
const SERVICE_NAME_SETTING = /(?:K8S|KUBERNETES)_?SERVICE_?NAME$/i;

/**
 * Services whose clients in the input find the pods through the Kubernetes API: a container of
 * another workload in the Service's namespace whose environment names the Service as a Kubernetes
 * Service to look up (a literal value, or a key of a ConfigMap in the input). Such a client reads
 * the Service's Endpoints when it connects and dials a pod IP itself, trying the next address
 * when one fails — Calico's Typha discovery (projectcalico/calico typha/pkg/discovery/discovery.go:
 * `LoadTyphaAddrs` gets the Endpoints of the Service, `ConnectionAttemptTracker.NextAddr`
 * re-reads them before each retry). kube-proxy is not on its path, so neither is kube-proxy's
 * lag after a pod's deletion: by then the pod has left the Endpoints the client reads.
 * Self-discovery (a workload naming the Service that selects its own pods, as Hazelcast members
 * do) is left out: its clients may still use the cluster IP.
 */
function clientDiscovery(graph: Graph): Map<string, string> {
  // ConfigMaps and Services by `namespace/name`, indexed on first use: few containers name a Service to look up.
  let configMaps: Map<string, Resource> | undefined;
  const configMap = (key: string): Resource | undefined => {
    if (!configMaps) {
      configMaps = new Map();
      for (const r of graph.resources) if (r.kind === 'ConfigMap') configMaps.set(serviceKey(effectiveNamespace(r), r.name), r);
    }
    return configMaps.get(key);
  };
  let services: Map<string, ServiceView> | undefined;
  const service = (key: string): ServiceView | undefined => {
    if (!services) {
      services = new Map();
      // The first Service of each name, as the input lists them.
      for (const s of graph.services) {
        const k = serviceKey(effectiveNamespace(s.resource), s.resource.name);
        if (!services.has(k)) services.set(k, s);
      }
    }
    return services.get(key);
  };
  const out = new Map<string, string>();
  for (const workload of graph.workloads) {
    const namespace = effectiveNamespace(workload.resource);
    for (const c of workload.containers) {
      for (const env of arrayAt(c.container, 'env')) {
        const name = stringAt(env, 'name');
        if (name === undefined || !SERVICE_NAME_SETTING.test(name)) continue;
        const ref = recordAt(recordAt(env, 'valueFrom'), 'configMapKeyRef');
        const refName = stringAt(ref, 'name');
        const refKey = stringAt(ref, 'key');
        const value = stringAt(env, 'value') ?? (refName !== undefined && refKey !== undefined ? stringAt(recordAt(configMap(serviceKey(namespace, refName))?.object, 'data'), refKey) : undefined);
        if (value === undefined || value === '') continue;
        const key = serviceKey(namespace, value);
        // Not the workload's own Service: members that discover each other still serve clients through it.
        if (selectsOwnPods(service(key), workload)) continue;
        if (!out.has(key)) out.set(key, `container \`${c.name}\` of ${workload.kind} ${workload.resource.name} looks its pods up through the API (${name})`);
      }
    }
  }
  return out;
}

/** True when the Service (if the input has it) selects the workload's own pods. */
function selectsOwnPods(service: ServiceView | undefined, workload: Workload): boolean {
  return service !== undefined && mapSelectorMatches(service.selector, workload.podLabels);
}

/**
 * Indexes of the Service's ports that Prometheus scrapes: named by a ServiceMonitor in the input
 * that selects the Service, or by the `prometheus.io/port` annotation next to `prometheus.io/scrape: "true"`.
 */
function scrapedPorts(monitors: readonly Resource[], service: ServiceView): Set<number> {
  const out = new Set<number>();
  const annotations = service.resource.annotations;
  if (annotations['prometheus.io/scrape'] === 'true') {
    const port = annotations['prometheus.io/port'];
    service.ports.forEach((p, i) => {
      if (port === undefined ? service.ports.length === 1 : String(p.port) === port || String(p.targetPort) === port) out.add(i);
    });
  }
  if (monitors.length === 0) return out;
  const labels = stringMapAt(recordAt(service.resource.object, 'metadata'), 'labels');
  const namespace = effectiveNamespace(service.resource);
  for (const r of monitors) {
    const spec = recordAt(r.object, 'spec');
    const monitored = monitoredNamespaces(r);
    const inNamespace = monitored === 'every' || monitored.includes(namespace);
    if (!inNamespace || !isRecord(spec?.['selector']) || !labelSelectorMatches(spec['selector'], labels)) continue;
    for (const endpoint of arrayAt(spec, 'endpoints')) {
      const port = stringAt(endpoint, 'port');
      const target = isRecord(endpoint) ? endpoint['targetPort'] : undefined;
      service.ports.forEach((p, i) => {
        if ((port !== undefined && p.name === port) || (target !== undefined && String(p.targetPort) === String(target))) out.add(i);
      });
    }
  }
  return out;
}

/**
 * How a workload is served, from the Services in the input that select it (the strongest wins):
 * - `user`: a user Service through a cluster IP, node port or load balancer;
 * - `peer`: only headless user Services: clients and peers connect to pod IPs found by DNS;
 * - `api-server`: only the API server calls it (webhook with failurePolicy Fail, aggregated API);
 * - `unknown`: the input has no Service at all (the workload may be served from elsewhere);
 * - `none`: nothing carries requests to it: the input has Services and none selects it, or only
 *   metrics, admin or failurePolicy-Ignore webhook Services do; or the input has no Service and
 *   every port it declares is named for metrics or health.
 */
export type ServedLevel = 'user' | 'peer' | 'api-server' | 'unknown' | 'none';

export interface Served {
  readonly level: ServedLevel;
  /** The Services that carry requests to the workload (empty for `unknown` and `none`). */
  readonly services: readonly ServiceView[];
  /** Why, for `peer`, `api-server` and `none` when Services select it: names the Services and the evidence. */
  readonly why: string;
}

const LEVEL_RANK: Readonly<Record<ServedLevel, number>> = { none: 0, unknown: 1, 'api-server': 2, peer: 3, user: 4 };

/** The level a single Service gives the workloads it selects. */
export function levelOf(context: DomainContext, service: ServiceView): ServedLevel {
  const c = classifyService(context, service);
  if (c.role === 'user') return c.headless ? 'peer' : 'user';
  if (c.role === 'webhook' && c.failurePolicy === 'Fail') return 'api-server';
  return 'none';
}

/** How the workload is served (see {@link ServedLevel}). */
export function servedBy(context: DomainContext, workload: Workload): Served {
  const cache = context.graph.memo(SERVED);
  let served = cache.get(workload);
  if (!served) cache.set(workload, (served = findServed(context, workload)));
  return served;
}

/** Most rules and the engine's served scope ask how each workload is served: decided once per graph. */
const SERVED: GraphMemo<Map<Workload, Served>> = { create: () => new Map() };

function findServed(context: DomainContext, workload: Workload): Served {
  const selecting = context.graph.servicesOf(workload);
  if (selecting.length === 0) {
    if (context.graph.input.hasServices) return { level: 'none', services: [], why: 'no Service in the input selects it' };
    // No Service at all: it may be served from elsewhere (declaring ports is optional), unless every
    // port it declares is named for metrics or health — positive evidence that no client calls it.
    const ports = workload.containers.flatMap((c) => declaredPorts(c));
    const onlyNonClient = ports.length > 0 && ports.every((p) => p.name !== undefined && isNonClientPortName(p.name));
    if (onlyNonClient) return { level: 'none', services: [], why: 'the input has no Service and it declares only metrics and health ports' };
    if (nodeAgent(workload)) return { level: 'none', services: [], why: 'a DaemonSet with no hostPort and no Service in the input: its pods push to others' };
    return { level: 'unknown', services: [], why: '' };
  }
  return servedThrough(context, selecting);
}

/**
 * A DaemonSet reached neither through a node port of its own (a `hostPort`, or any port under
 * `hostNetwork`) nor through a Service — the input has none. The Kubernetes docs name four ways to
 * talk to daemon pods: push (they send to others and have no clients), a node IP and known port, a
 * headless Service, a Service (kubernetes.io/docs/concepts/workloads/controllers/daemonset/
 * #communicating-with-daemon-pods). Without the last three in view it is a node agent — a log
 * shipper, a metrics exporter, a CNI or CSI node plugin — and nothing routes requests to it.
 */
function nodeAgent(workload: Workload): boolean {
  if (workload.kind !== 'DaemonSet') return false;
  if (workload.podSpec['hostNetwork'] === true) return false;
  return workload.containers.every((c) => arrayAt(c.container, 'ports').every((p) => !isRecord(p) || p['hostPort'] === undefined || p['hostPort'] === 0));
}

/** How the pods behind these selecting Services are served: the strongest level among them, with why. */
function servedThrough(context: DomainContext, selecting: readonly ServiceView[]): Served {
  const levels = selecting.map((s) => levelOf(context, s));
  const level = levels.reduce<ServedLevel>((best, l) => (LEVEL_RANK[l] > LEVEL_RANK[best] ? l : best), 'none');
  const services = selecting.filter((_, i) => levels[i] !== 'none');
  const named = (list: readonly ServiceView[]): string => list.map((s) => s.resource.name).join(', ');
  if (level === 'none') return { level, services, why: `only ${selecting.map((s) => `${classifyService(context, s).role} Service ${s.resource.name} (${classifyService(context, s).evidence})`).join(', ')} select${selecting.length === 1 ? 's' : ''} it` };
  if (level === 'peer') return { level, services, why: `only headless Service ${named(services)} selects it: clients connect to the pod IPs they resolved by DNS, so what fails depends on their DNS cache and retries` };
  if (level === 'api-server') return { level, services, why: `only the API server calls it (${services.map((s) => `Service ${s.resource.name}; ${classifyService(context, s).evidence}`).join('; ')}), so what fails is the API requests it handles in that window` };
  return { level, services, why: '' };
}

/**
 * How one container of the workload is served: the workload's level, unless the traffic Services
 * whose target port this container serves are all weaker than the workload's strongest (a
 * controller container that serves only a webhook, beside a proxy container behind a user
 * Service): then theirs. `own` are those Services (domain/serving.ts decides which the
 * container serves).
 */
export function servedContainer(context: DomainContext, workload: Workload, own: readonly ServiceView[]): Served {
  const served = servedBy(context, workload);
  if (served.level !== 'user') return served;
  if (own.length === 0 || own.some((s) => levelOf(context, s) === 'user')) return served;
  return servedThrough(context, own);
}

/** The Services in the input that carry requests to the workload (user, headless, failing webhook). */
export function trafficServicesOf(context: DomainContext, workload: Workload): readonly ServiceView[] {
  return servedBy(context, workload).services;
}

/** The fewest pods a workload keeps: a DaemonSet's nodes, an HPA's minReplicas (default 1), else spec.replicas (default 1). */
function replicaFloor(context: DomainContext, workload: Workload): number {
  if (workload.kind === 'DaemonSet') return context.profile.nodes;
  const [hpa] = context.graph.hpasOf(workload);
  if (hpa) {
    const min = recordAt(hpa.object, 'spec')?.['minReplicas'];
    return typeof min === 'number' ? min : 1;
  }
  return workload.replicas ?? 1;
}

/** One Service that carries requests to the workload, and the other workloads it also sends to (with at least one pod). */
export interface SharedService {
  readonly service: ServiceView;
  readonly others: readonly { readonly workload: Workload; readonly replicas: number }[];
}

/**
 * For each Service that carries requests to the workload, the other workloads whose pods it
 * selects too (versioned or canary Deployments behind one Service): while this workload's pods
 * restart, the Service keeps sending to those.
 */
export function sharedServices(context: DomainContext, workload: Workload): SharedService[] {
  return trafficServicesOf(context, workload).map((service) => ({
    service,
    others: context.graph
      .workloadsOf(service)
      .filter((w) => w !== workload)
      .map((w) => ({ workload: w, replicas: replicaFloor(context, w) }))
      .filter((o) => o.replicas > 0),
  }));
}
