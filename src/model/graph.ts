/**
 * The object graph, built once per run and indexed so that no rule scans Services × workloads:
 * Service → workloads by namespace + selector, PDB → workloads, HPA → target, Ingress → Services.
 */
import { arrayAt, isRecord, recordAt, stringAt, stringMapAt } from './k8s.js';
import { validPort, validPortName } from './ports.js';
import { effectiveNamespace, type Resource } from './resource.js';
import { labelSelectorMatches, mapSelectorMatches } from './selector.js';
import { toWorkload, type Workload } from './workload.js';

/** One port of a Service. */
interface ServicePortView {
  readonly index: number;
  readonly path: string;
  readonly name: string | undefined;
  readonly port: number | undefined;
  /** targetPort as written, defaulting to `port` (number or port name); undefined when invalid. */
  readonly targetPort: number | string | undefined;
}

/** A Service seen for routing. */
export interface ServiceView {
  readonly resource: Resource;
  /** `ClusterIP` when unset. */
  readonly type: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePortView[];
  /** `Cluster` when unset. */
  readonly externalTrafficPolicy: string;
}

/**
 * Facts about the whole input that a rule reads beside the objects of its own namespace. A graph
 * built from the whole input computes them; a graph built from one part of a larger input (check's
 * input split by namespace, engine/partition.ts) is handed the whole input's.
 */
export interface InputFacts {
  /** The input has at least one Service (a workload none selects is then not served by one). */
  readonly hasServices: boolean;
  /** The input has at least one workload (a Service selecting none then points at nothing in it). */
  readonly hasWorkloads: boolean;
}

/**
 * A Service port's targetPort as the API server stores it: unset, 0 or "" is the port itself
 * (SetDefaults_Service, pkg/apis/core/v1/defaults.go); a number outside 1–65535 or a string that
 * is not a port name is rejected (ValidatePortNumOrName, pkg/apis/core/validation) and is
 * undefined here, so no rule reasons with it.
 */
function targetPortOf(target: unknown, port: number | undefined): number | string | undefined {
  if (target === undefined || target === null || target === 0 || target === '') return port;
  if (validPort(target) || validPortName(target)) return target;
  return undefined;
}

function toService(resource: Resource): ServiceView {
  const spec = recordAt(resource.object, 'spec');
  const ports: ServicePortView[] = [];
  arrayAt(spec, 'ports').forEach((p, index) => {
    if (!isRecord(p)) return;
    const port = validPort(p['port']) ? (p['port'] as number) : undefined;
    ports.push({ index, path: `/spec/ports/${index}`, name: stringAt(p, 'name'), port, targetPort: targetPortOf(p['targetPort'], port) });
  });
  return {
    resource,
    type: stringAt(spec, 'type') ?? 'ClusterIP',
    selector: stringMapAt(spec, 'selector'),
    ports,
    externalTrafficPolicy: stringAt(spec, 'externalTrafficPolicy') ?? 'Cluster',
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const EMPTY: readonly never[] = [];

/** Names of the Services an Ingress routes to (networking.k8s.io/v1 and v1beta1 shapes). */
function ingressServiceNames(ingress: Resource): string[] {
  const names: string[] = [];
  const spec = recordAt(ingress.object, 'spec');
  const addBackend = (backend: unknown): void => {
    const name = stringAt(recordAt(backend, 'service'), 'name') ?? stringAt(backend, 'serviceName');
    if (name) names.push(name);
  };
  addBackend(recordAt(spec, 'defaultBackend') ?? recordAt(spec, 'backend'));
  for (const rule of arrayAt(spec, 'rules')) {
    for (const path of arrayAt(recordAt(rule, 'http'), 'paths')) addBackend(recordAt(path, 'backend'));
  }
  return names;
}

/** Candidate workloads for a selector: the smallest posting list of its matchLabels. */
function candidates(byLabel: ReadonlyMap<string, ReadonlyMap<string, readonly Workload[]>>, byNamespace: ReadonlyMap<string, readonly Workload[]>, namespace: string, matchLabels: Readonly<Record<string, string>>): readonly Workload[] {
  const postings = byLabel.get(namespace);
  let smallest: readonly Workload[] | undefined;
  for (const k in matchLabels) {
    const list = postings?.get(`${k}=${matchLabels[k]}`) ?? EMPTY;
    if (!smallest || list.length < smallest.length) smallest = list;
  }
  return smallest ?? byNamespace.get(namespace) ?? EMPTY;
}

/** The HPAs whose scaleTargetRef names the workload. */
function hpaTargeting(hpaByTarget: ReadonlyMap<string, readonly Resource[]>, w: Workload): readonly Resource[] {
  return hpaByTarget.get(`${effectiveNamespace(w.resource)}/${w.kind}/${w.resource.name}`) ?? EMPTY;
}

type GraphLists = Pick<Graph, 'resources' | 'input' | 'workloads' | 'services' | 'pdbs' | 'hpas' | 'ingresses' | 'backendConfigs' | 'namespaces'>;

interface GraphIndexes {
  readonly servicesOf: ReadonlyMap<Workload, readonly ServiceView[]>;
  readonly workloadsOf: ReadonlyMap<ServiceView, readonly Workload[]>;
  readonly pdbsOf: ReadonlyMap<Workload, readonly Resource[]>;
  readonly hpaByTarget: ReadonlyMap<string, readonly Resource[]>;
  readonly hpasOf: ReadonlyMap<Workload, readonly Resource[]>;
  readonly ingressByService: ReadonlyMap<string, readonly Resource[]>;
  readonly backendConfigByName: ReadonlyMap<string, Resource>;
  readonly namespaceByName: ReadonlyMap<string, Resource>;
}

/**
 * The objects of an input (or of a part of one: engine/partition.ts) and the lookups the rules
 * make between them. The lookups are methods over indexes built once, and the facts worked out
 * once per graph are kept by it ({@link Graph.memo}), not closures made per graph or WeakMaps keyed
 * by it: measured on the namespaces of bench corpus A checked one after another, what those
 * reached (about 5 MB a part) outlived two young-generation collections after the part's check
 * and went only with a full collection; now about 1.2 MB does, 0.6 MB of it the findings.
 */
export class Graph {
  readonly resources: readonly Resource[];
  /** Facts about the whole input, which may be larger than `resources`. */
  readonly input: InputFacts;
  readonly workloads: readonly Workload[];
  readonly services: readonly ServiceView[];
  readonly pdbs: readonly Resource[];
  readonly hpas: readonly Resource[];
  readonly ingresses: readonly Resource[];
  readonly backendConfigs: readonly Resource[];
  readonly namespaces: readonly Resource[];
  readonly #index: GraphIndexes;

  constructor(lists: GraphLists, index: GraphIndexes) {
    this.resources = lists.resources;
    this.input = lists.input;
    this.workloads = lists.workloads;
    this.services = lists.services;
    this.pdbs = lists.pdbs;
    this.hpas = lists.hpas;
    this.ingresses = lists.ingresses;
    this.backendConfigs = lists.backendConfigs;
    this.namespaces = lists.namespaces;
    this.#index = index;
  }

  /** Services that select the workload's pods. */
  servicesOf(w: Workload): readonly ServiceView[] {
    return this.#index.servicesOf.get(w) ?? EMPTY;
  }

  /** Workloads whose pods the Service selects. */
  workloadsOf(s: ServiceView): readonly Workload[] {
    return this.#index.workloadsOf.get(s) ?? EMPTY;
  }

  pdbsOf(w: Workload): readonly Resource[] {
    return this.#index.pdbsOf.get(w) ?? EMPTY;
  }

  hpasOf(w: Workload): readonly Resource[] {
    const index = this.#index;
    return index.hpasOf.get(w) ?? (index.hpaByTarget.size === 0 ? EMPTY : hpaTargeting(index.hpaByTarget, w));
  }

  /** Ingresses that route to the Service. */
  ingressesOf(s: ServiceView): readonly Resource[] {
    return this.#index.ingressByService.get(`${effectiveNamespace(s.resource)}/${s.resource.name}`) ?? EMPTY;
  }

  /** A BackendConfig by namespace and name. */
  backendConfig(namespace: string, name: string): Resource | undefined {
    return this.#index.backendConfigByName.get(`${namespace}/${name}`);
  }

  /** The Namespace object of that name, if the input has it. */
  namespace(name: string): Resource | undefined {
    return this.#index.namespaceByName.get(name);
  }

  readonly #memos = new Map<GraphMemo<unknown>, unknown>();

  /**
   * This graph's value of a memo: what the domain layer works out once per graph (how each
   * workload is served, each Service's class…), made on first use and kept by the graph, so that it
   * goes with the graph.
   */
  memo<T>(key: GraphMemo<T>): T {
    let value = this.#memos.get(key) as T | undefined;
    if (value === undefined) {
      value = key.create(this);
      this.#memos.set(key, value);
    }
    return value;
  }
}

/** A fact computed once per graph (see {@link Graph.memo}): a module-level key and how to make the graph's value (an index, or an empty cache filled as asked). */
export interface GraphMemo<T> {
  readonly create: (graph: Graph) => T;
}

/** Builds the graph of a set of resources: the whole input, or a part of it with the whole input's facts. */
export function buildGraph(resources: readonly Resource[], input?: InputFacts): Graph {
  const workloads: Workload[] = [];
  const services: ServiceView[] = [];
  const pdbs: Resource[] = [];
  const hpas: Resource[] = [];
  const ingresses: Resource[] = [];
  const backendConfigs: Resource[] = [];
  const namespaces: Resource[] = [];
  for (const r of resources) {
    const workload = toWorkload(r);
    if (workload) workloads.push(workload);
    else if (r.kind === 'Service') services.push(toService(r));
    else if (r.kind === 'PodDisruptionBudget') pdbs.push(r);
    else if (r.kind === 'HorizontalPodAutoscaler') hpas.push(r);
    else if (r.kind === 'Ingress') ingresses.push(r);
    else if (r.kind === 'BackendConfig') backendConfigs.push(r);
    else if (r.kind === 'Namespace') namespaces.push(r);
  }

  // Posting lists: namespace → "key=value" → workloads whose pod labels have it.
  const byLabel = new Map<string, Map<string, Workload[]>>();
  const byNamespace = new Map<string, Workload[]>();
  for (const w of workloads) {
    const ns = effectiveNamespace(w.resource);
    push(byNamespace, ns, w);
    let postings = byLabel.get(ns);
    if (!postings) byLabel.set(ns, (postings = new Map()));
    for (const k in w.podLabels) push(postings, `${k}=${w.podLabels[k]}`, w);
  }


  const servicesOf = new Map<Workload, ServiceView[]>();
  const workloadsOf = new Map<ServiceView, Workload[]>();
  for (const s of services) {
    // A Service without a selector selects nothing (its endpoints are managed by hand).
    const matched = Object.keys(s.selector).length === 0 ? [] : candidates(byLabel, byNamespace, effectiveNamespace(s.resource), s.selector).filter((w) => mapSelectorMatches(s.selector, w.podLabels));
    workloadsOf.set(s, matched);
    for (const w of matched) push(servicesOf, w, s);
  }

  const pdbsOf = new Map<Workload, Resource[]>();
  for (const pdb of pdbs) {
    const selector = recordAt(pdb.object, 'spec')?.['selector'];
    for (const w of candidates(byLabel, byNamespace, effectiveNamespace(pdb), stringMapAt(selector, 'matchLabels'))) {
      if (labelSelectorMatches(selector, w.podLabels)) push(pdbsOf, w, pdb);
    }
  }

  const hpaByTarget = new Map<string, Resource[]>();
  for (const hpa of hpas) {
    const ref = recordAt(recordAt(hpa.object, 'spec'), 'scaleTargetRef');
    const kind = stringAt(ref, 'kind');
    const name = stringAt(ref, 'name');
    if (kind && name) push(hpaByTarget, `${effectiveNamespace(hpa)}/${kind}/${name}`, hpa);
  }

  // Several rules ask for each workload's HPAs: looked up once per workload.
  const hpasOf = new Map<Workload, readonly Resource[]>();
  if (hpaByTarget.size > 0) for (const w of workloads) hpasOf.set(w, hpaTargeting(hpaByTarget, w));

  const ingressByService = new Map<string, Resource[]>();
  for (const ing of ingresses) {
    for (const name of new Set(ingressServiceNames(ing))) push(ingressByService, `${effectiveNamespace(ing)}/${name}`, ing);
  }

  const backendConfigByName = new Map<string, Resource>();
  for (const bc of backendConfigs) backendConfigByName.set(`${effectiveNamespace(bc)}/${bc.name}`, bc);
  const namespaceByName = new Map<string, Resource>();
  for (const ns of namespaces) namespaceByName.set(ns.name, ns);

  return new Graph(
    { resources, input: input ?? { hasServices: services.length > 0, hasWorkloads: workloads.length > 0 }, workloads, services, pdbs, hpas, ingresses, backendConfigs, namespaces },
    { servicesOf, workloadsOf, pdbsOf, hpaByTarget, hpasOf, ingressByService, backendConfigByName, namespaceByName },
  );
}
