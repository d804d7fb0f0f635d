/**
 * `check --impact`: the simulated cost of leaving a finding unfixed. For each finding of the
 * startup, termination, node-routing and lb-drain categories that has a fix, the workloads it
 * concerns are simulated with the input as it is and with that one fix applied; the difference in
 * mean failed requests per rollout is its impact.
 */
import type { Category, Finding, FindingImpact } from '../engine/types.js';
import { applyFixes } from '../fix/apply.js';
import { loadSources } from '../load/objects.js';
import type { SourceText } from '../load/types.js';
import { buildGraph, type Graph } from '../model/graph.js';
import { DEFAULT_NAMESPACE, effectiveNamespace, type Resource } from '../model/resource.js';
import type { Workload } from '../model/workload.js';
import type { Profile } from '../profiles/types.js';
import { simulate } from './index.js';
import { NotSimulated, simInput, workloadId, type SimInput } from './params.js';

/** Categories whose findings cost requests during a rollout. */
export const IMPACT_CATEGORIES: ReadonlySet<Category> = new Set(['startup', 'termination', 'node-routing', 'lb-drain']);

export type Impact = FindingImpact;

export interface ImpactOptions {
  readonly profile: Profile;
  /** Runs per simulation (expected values; the same seeds with and without the fix). */
  readonly runs?: number;
  readonly seed?: number;
}

const KIND_OF_WORKLOAD = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod', 'ReplicationController']);

function sameRef(resource: Resource, ref: Finding['resource']): boolean {
  return resource.kind === ref.kind && resource.name === ref.name && resource.ref.namespace === ref.namespace;
}

/** True when the finding was reported on this very object (two objects may share a name: invalid, but kept apart). */
function reportedOn(resource: Resource, finding: Finding): boolean {
  return finding.document === undefined || (resource.doc.source.path === finding.file && resource.doc.index === finding.document && finding.path.startsWith(resource.base));
}

const placedIds = new WeakMap<Graph, Map<Workload, string>>();

/**
 * A workload's id with its file and its rank among the workloads of that id in the file: objects
 * defined twice are simulated apart, and a fix (which adds or edits documents, never reorders
 * objects) keeps the rank.
 */
function placedId(graph: Graph, workload: Workload): string {
  let ids = placedIds.get(graph);
  if (!ids) {
    ids = new Map();
    const seen = new Map<string, number>();
    for (const w of graph.workloads) {
      const key = `${workloadId(w)}\u0000${w.resource.doc.source.path}`;
      const rank = seen.get(key) ?? 0;
      seen.set(key, rank + 1);
      ids.set(w, `${key}\u0000${rank}`);
    }
    placedIds.set(graph, ids);
  }
  return ids.get(workload) ?? workloadId(workload);
}

/** The workloads a finding concerns: the workload itself, or those its Service selects. */
function concerned(graph: Graph, finding: Finding): Workload[] {
  if (KIND_OF_WORKLOAD.has(finding.resource.kind)) return graph.workloads.filter((w) => sameRef(w.resource, finding.resource) && reportedOn(w.resource, finding));
  const service = graph.services.find((s) => sameRef(s.resource, finding.resource));
  if (service) return [...graph.workloadsOf(service)];
  // An Ingress or a BackendConfig: the workloads behind the Services that route through it.
  return graph.services.filter((s) => graph.ingressesOf(s).some((i) => sameRef(i, finding.resource)) || s.resource.name === finding.resource.name).flatMap((s) => [...graph.workloadsOf(s)]);
}

/** Computes the impact of each finding that has one; the map holds only those. */
export function findingImpacts(sources: readonly SourceText[], findings: readonly Finding[], options: ImpactOptions): Map<Finding, Impact> {
  const out = new Map<Finding, Impact>();
  const candidates = findings.filter((f) => IMPACT_CATEGORIES.has(f.category) && ((f.fix !== undefined && f.document !== undefined) || WHAT_IF[f.ruleId] !== undefined));
  if (candidates.length === 0) return out;
  const profile = options.profile;
  const runs = options.runs ?? 20;
  const seed = options.seed ?? 1;
  const perFile = new Map<string, Resource[]>();
  for (const source of sources) perFile.set(source.path, loadSources([source], profile.k8sVersion).resources);
  const all = [...perFile.values()].flat();
  const baseGraph = buildGraph(all);
  // Every relation the simulator follows (Service, Ingress, HPA, BackendConfig) stays inside a
  // namespace; Namespace objects are kept for their labels. So a fix is judged on the graph of
  // its namespace only, which keeps --impact linear in the input.
  const namespaces = all.filter((r) => r.kind === 'Namespace');
  const byNamespace = new Map<string, Resource[]>();
  for (const r of all) {
    if (r.kind === 'Namespace') continue;
    const ns = effectiveNamespace(r);
    const list = byNamespace.get(ns);
    if (list) list.push(r);
    else byNamespace.set(ns, [r]);
  }
  const baseline = new Map<string, number | undefined>();
  const failedOf = (graph: Graph, workload: Workload, cache?: Map<string, number | undefined>): number | undefined => {
    const id = placedId(graph, workload);
    if (cache?.has(id)) return cache.get(id);
    const input = inputOf(graph, profile, workload);
    const value = input && meanFailed(input, runs, seed);
    cache?.set(id, value);
    return value;
  };
  for (const finding of candidates) {
    const workloads = concerned(baseGraph, finding);
    if (workloads.length === 0) continue;
    const whatIf = WHAT_IF[finding.ruleId];
    if (whatIf && !finding.fix) {
      const impact = whatIfImpact(baseGraph, workloads, whatIf, { profile, runs, seed });
      if (impact) out.set(finding, impact);
      continue;
    }
    const source = sources.find((s) => s.path === finding.file);
    if (!source || !finding.fix || finding.document === undefined) continue;
    const applied = applyFixes(source.text, [{ document: finding.document, fix: finding.fix }]);
    if (applied.outcomes[0]?.status !== 'applied') continue;
    const namespace = finding.resource.namespace === '' ? DEFAULT_NAMESPACE : finding.resource.namespace;
    const fixedResources = loadSources([{ path: source.path, text: applied.text }], profile.k8sVersion).resources.filter((r) => r.kind !== 'Namespace' && effectiveNamespace(r) === namespace);
    const others = (byNamespace.get(namespace) ?? []).filter((r) => r.doc.source.path !== source.path);
    const fixedGraph = buildGraph([...namespaces, ...others, ...fixedResources]);
    let before = 0;
    let after = 0;
    const ids: string[] = [];
    for (const workload of workloads) {
      const id = workloadId(workload);
      const place = placedId(baseGraph, workload);
      const fixedWorkload = fixedGraph.workloads.find((w) => placedId(fixedGraph, w) === place);
      const b = failedOf(baseGraph, workload, baseline);
      const a = fixedWorkload ? failedOf(fixedGraph, fixedWorkload) : undefined;
      if (b === undefined || a === undefined) continue;
      before += b;
      after += a;
      ids.push(id);
    }
    if (ids.length === 0) continue;
    out.set(finding, { failedRequests: Math.round((before - after) * 10) / 10, before: Math.round(before * 10) / 10, after: Math.round(after * 10) / 10, rps: profile.traffic.rps, workloads: ids });
  }
  return out;
}

/**
 * Findings without an automatic fix whose advice the simulator can follow: the input as the rule
 * reads it (`before`, e.g. an app that never sees SIGTERM) and with the advice taken (`after`).
 */
interface WhatIf {
  readonly advice: string;
  readonly before?: (input: SimInput) => SimInput;
  readonly after: (input: SimInput) => SimInput;
}

const WHAT_IF: Readonly<Record<string, WhatIf>> = {
  'local-traffic-policy-gap': {
    advice: 'externalTrafficPolicy: Cluster',
    after: (i) => (i.entry.kind === 'lb-node' ? { ...i, entry: { kind: 'lb-node', policy: 'Cluster' } } : i),
  },
  'lb-readiness-gate-missing': {
    advice: 'the LB readiness gate',
    after: (i) => ({ ...i, pod: { ...i.pod, lbReadinessGate: true } }),
  },
  'sigterm-not-forwarded': {
    advice: 'SIGTERM reaching the app',
    before: (i) => ({ ...i, pod: { ...i.pod, sigterm: 'ignore' } }),
    after: (i) => ({ ...i, pod: { ...i.pod, sigterm: 'graceful' } }),
  },
  'fast-shutdown-image': {
    advice: 'a graceful shutdown',
    before: (i) => ({ ...i, pod: { ...i.pod, sigterm: 'exit' } }),
    after: (i) => ({ ...i, pod: { ...i.pod, sigterm: 'graceful' } }),
  },
};

function whatIfImpact(graph: Graph, workloads: readonly Workload[], whatIf: WhatIf, options: { profile: Profile; runs: number; seed: number }): Impact | undefined {
  let before = 0;
  let after = 0;
  const ids: string[] = [];
  for (const workload of workloads) {
    const input = inputOf(graph, options.profile, workload);
    if (!input) continue;
    before += meanFailed(whatIf.before ? whatIf.before(input) : input, options.runs, options.seed);
    after += meanFailed(whatIf.after(input), options.runs, options.seed);
    ids.push(workloadId(workload));
  }
  if (ids.length === 0) return undefined;
  return { failedRequests: Math.round((before - after) * 10) / 10, before: Math.round(before * 10) / 10, after: Math.round(after * 10) / 10, rps: options.profile.traffic.rps, workloads: ids, advice: whatIf.advice };
}

/** The simulator input of a workload; undefined when it cannot be simulated. */
function inputOf(graph: Graph, profile: Profile, workload: Workload): SimInput | undefined {
  try {
    return simInput(graph, profile, workload);
  } catch (error) {
    if (error instanceof NotSimulated) return undefined;
    throw error;
  }
}

/** Mean failed requests per rollout, as expected values over the same seeds with and without a change. */
function meanFailed(input: SimInput, runs: number, seed: number): number {
  return simulate(input, { runs, seed, expected: true }).summary.failed.mean;
}
