/**
 * `check --impact`: what each fix is worth. For each finding of the startup, termination,
 * node-routing and lb-drain categories that has a fix (or advice the simulator can follow), the
 * workloads it concerns are simulated with every fix of those workloads applied, and with every
 * fix but this one: the difference in mean failed requests per rollout is what leaving it out
 * costs (leave-one-out). A fix that helps only together with another is worth that much; one that
 * changes nothing is worth ≈ 0, and one that makes things worse is worth less than nothing.
 *
 * Fixes are applied to the parsed documents in memory (RFC 6902 on their values), per namespace:
 * every relation the simulator follows stays inside one, so the work is linear in the input.
 */
import type { Category, Finding, FindingImpact, Fix, SimulatedChange, WhatIf } from '../rules/types.js';
import { applyOperation, cloneValue, valueAt } from '../fix/patch.js';
import { loadSources } from '../load/objects.js';
import { pointerTokens } from '../document/pointer.js';
import type { SourceText } from '../document/types.js';
import { buildGraph, type Graph, type GraphMemo } from '../model/graph.js';
import { isRecord } from '../model/k8s.js';
import { DEFAULT_NAMESPACE, effectiveNamespace, toResource, type Resource } from '../model/resource.js';
import type { Workload } from '../model/workload.js';
import type { Profile } from '../profiles/types.js';
import { RULES } from '../rules/index.js';
import { simulate } from '../sim/index.js';
import { isNotSimulated, simInput, workloadId, type SimInput } from '../sim/params.js';

/** Categories whose findings cost requests during a rollout. */
export const IMPACT_CATEGORIES: ReadonlySet<Category> = new Set(['startup', 'termination', 'node-routing', 'lb-drain']);

export type Impact = FindingImpact;

export interface ImpactOptions {
  readonly profile: Profile;
  /** Runs per simulation (expected values; the same seeds with and without the fix). */
  readonly runs?: number;
  readonly seed?: number;
  /** Called after each simulated run (progress on a terminal). */
  readonly onRun?: () => void;
}

/** Below half a request per rollout, a fix saves nothing (it prints as ≈ 0). */
const NOTHING = 0.5;

const KIND_OF_WORKLOAD = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod', 'ReplicationController']);

function sameRef(resource: Resource, ref: Finding['resource']): boolean {
  return resource.kind === ref.kind && resource.name === ref.name && resource.ref.namespace === ref.namespace;
}

/** True when the finding was reported on this very object (two objects may share a name: invalid, but kept apart). */
function reportedOn(resource: Resource, finding: Finding): boolean {
  return finding.document === undefined || (resource.doc.source.path === finding.file && resource.doc.index === finding.document && finding.path.startsWith(resource.base));
}

/** Each workload's placed id, worked out once per graph. */
const PLACED_IDS: GraphMemo<ReadonlyMap<Workload, string>> = { create: placedIds };

function placedIds(graph: Graph): Map<Workload, string> {
  const ids = new Map<Workload, string>();
  const seen = new Map<string, number>();
  for (const w of graph.workloads) {
    const key = `${workloadId(w)}\u0000${w.resource.doc.source.path}`;
    const rank = seen.get(key) ?? 0;
    seen.set(key, rank + 1);
    ids.set(w, `${key}\u0000${rank}`);
  }
  return ids;
}

/**
 * A workload's id with its file and its rank among the workloads of that id in the file: objects
 * defined twice are simulated apart, and a fix (which adds or edits documents, never reorders
 * objects) keeps the rank.
 */
function placedId(graph: Graph, workload: Workload): string {
  return graph.memo(PLACED_IDS).get(workload) ?? workloadId(workload);
}

/** The workloads a finding concerns: the workload itself, or those its Service selects. */
function concerned(graph: Graph, finding: Finding): Workload[] {
  if (KIND_OF_WORKLOAD.has(finding.resource.kind)) return graph.workloads.filter((w) => sameRef(w.resource, finding.resource) && reportedOn(w.resource, finding));
  const service = graph.services.find((s) => sameRef(s.resource, finding.resource));
  if (service) return [...graph.workloadsOf(service)];
  // An Ingress or a BackendConfig: the workloads behind the Services that route through it.
  return graph.services.filter((s) => graph.ingressesOf(s).some((i) => sameRef(i, finding.resource)) || s.resource.name === finding.resource.name).flatMap((s) => [...graph.workloadsOf(s)]);
}

/** The simulator input with a rule's advice (RuleMeta.impact) taken, or read as the rule reads it. */
function changed(input: SimInput, change: SimulatedChange): SimInput {
  let out = input;
  if (change.externalTrafficPolicy !== undefined && out.entry.kind === 'lb-node') out = { ...out, entry: { kind: 'lb-node', policy: change.externalTrafficPolicy } };
  if (change.lbReadinessGate !== undefined) out = { ...out, pod: { ...out.pod, lbReadinessGate: change.lbReadinessGate } };
  if (change.sigterm !== undefined) out = { ...out, pod: { ...out.pod, sigterm: change.sigterm } };
  return out;
}

/** A finding whose worth can be simulated: a patch on a document, or advice the simulator follows. */
type Candidate =
  | { readonly finding: Finding; readonly kind: 'patch'; readonly key: string; readonly fix: Fix }
  | { readonly finding: Finding; readonly kind: 'what-if'; readonly whatIf: WhatIf };

function docKey(path: string, index: number): string {
  return `${index}\u0000${path}`;
}

/**
 * Applies fixes to a document's value, in order. The driver would apply overlapping fixes in
 * later passes, each recomputed; fixes only ever raise a number (a sleep, a grace period, a drain
 * timeout), so where two set the same number the larger stays, which is where the passes end.
 * A fix that cannot be applied is left out.
 */
function patched(value: unknown, fixes: readonly Fix[]): unknown {
  let out = value;
  const numbers = new Map<string, number>();
  for (const fix of fixes) {
    if (fix.kind !== 'patch') continue;
    try {
      let next = out;
      for (const op of fix.operations) {
        if (op.op !== 'remove' && typeof op.value === 'number') {
          const before = numbers.get(op.path);
          if (before !== undefined && before >= op.value) continue;
          numbers.set(op.path, op.value);
        }
        next = applyOperation(next, op);
      }
      out = next;
    } catch {
      // Not applicable on top of the others (e.g. its target was replaced): left out, as the driver would.
    }
  }
  return out;
}

/** The resources of one namespace with a set of fixes applied (documents added by a fix included). */
function withFixes(resources: readonly Resource[], candidates: readonly Candidate[]): Resource[] {
  const byDoc = new Map<string, Fix[]>();
  const added: Resource[] = [];
  for (const c of candidates) {
    if (c.kind !== 'patch') continue;
    if (c.fix.kind === 'document') {
      const owner = resources.find((r) => docKey(r.doc.source.path, r.doc.index) === c.key);
      if (owner) added.push(toResource(owner.doc, '', cloneValue({ ...c.fix.document }) as Record<string, unknown>));
      continue;
    }
    const list = byDoc.get(c.key);
    if (list) list.push(c.fix);
    else byDoc.set(c.key, [c.fix]);
  }
  const values = new Map<string, unknown>();
  const out = resources.map((r) => {
    const key = docKey(r.doc.source.path, r.doc.index);
    const fixes = byDoc.get(key);
    if (!fixes) return r;
    let value = values.get(key);
    if (value === undefined) {
      value = patched(r.doc.value, fixes);
      values.set(key, value);
    }
    const object = valueAt(value, pointerTokens(r.base));
    return isRecord(object) ? toResource(r.doc, r.base, object) : r;
  });
  return [...out, ...added];
}

/** Computes the impact of each finding that has one; the map holds only those. */
export function findingImpacts(sources: readonly SourceText[], findings: readonly Finding[], options: ImpactOptions): Map<Finding, Impact> {
  const out = new Map<Finding, Impact>();
  // Every fix counts among the "other fixes" (a capacity fix such as maxUnavailable 0 changes what
  // a readiness probe is worth); only traffic findings are measured.
  const candidates: Candidate[] = [];
  for (const finding of findings) {
    if (finding.fix && finding.document !== undefined) candidates.push({ finding, kind: 'patch', key: docKey(finding.file, finding.document), fix: finding.fix });
    else {
      const whatIf = IMPACT_CATEGORIES.has(finding.category) ? RULES.get(finding.ruleId)?.meta.impact : undefined;
      if (whatIf) candidates.push({ finding, kind: 'what-if', whatIf });
    }
  }
  const measured = (c: Candidate): boolean => IMPACT_CATEGORIES.has(c.finding.category);
  if (!candidates.some(measured)) return out;
  const profile = options.profile;
  const runs = options.runs ?? 20;
  const seed = options.seed ?? 1;
  // One parse of the input: fixes are applied to these documents' values.
  const all = loadSources(sources, profile.k8sVersion).resources;
  const namespaces = all.filter((r) => r.kind === 'Namespace');
  const byNamespace = new Map<string, Resource[]>();
  for (const r of all) {
    if (r.kind === 'Namespace') continue;
    const ns = effectiveNamespace(r);
    const list = byNamespace.get(ns);
    if (list) list.push(r);
    else byNamespace.set(ns, [r]);
  }
  const byFindingNamespace = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const ns = c.finding.resource.namespace === '' ? DEFAULT_NAMESPACE : c.finding.resource.namespace;
    const list = byFindingNamespace.get(ns);
    if (list) list.push(c);
    else byFindingNamespace.set(ns, [c]);
  }
  for (const [ns, nsCandidates] of byFindingNamespace) {
    const resources = byNamespace.get(ns) ?? [];
    const baseGraph = buildGraph([...namespaces, ...resources]);
    // Which candidates concern which workload.
    // Keyed by placed id (file and rank too: an object defined twice is simulated apart).
    const ofWorkload = new Map<string, Candidate[]>();
    const workloadsOf = new Map<Candidate, string[]>();
    const shownId = new Map<string, string>();
    for (const c of nsCandidates) {
      const concernedWorkloads = concerned(baseGraph, c.finding);
      const ids = concernedWorkloads.map((w) => placedId(baseGraph, w));
      concernedWorkloads.forEach((w, k) => shownId.set(ids[k] ?? '', workloadId(w)));
      workloadsOf.set(c, ids);
      for (const id of ids) {
        const list = ofWorkload.get(id);
        if (list) list.push(c);
        else ofWorkload.set(id, [c]);
      }
    }
    // failed[workload][left-out candidate or 'all'].
    const failed = new Map<string, Map<Candidate | 'all', number>>();
    for (const [id, fixes] of ofWorkload) {
      const results = new Map<Candidate | 'all', number>();
      if (!fixes.some(measured)) continue;
      for (const leftOut of ['all' as const, ...fixes.filter(measured)]) {
        const applied = fixes.filter((c) => c !== leftOut);
        const graph = buildGraph([...namespaces, ...withFixes(resources, applied)]);
        const workload = graph.workloads.find((w) => placedId(graph, w) === id);
        const input = workload && inputOf(graph, profile, workload);
        if (!input) continue;
        let adjusted = input;
        for (const c of fixes) {
          if (c.kind !== 'what-if') continue;
          const change = c === leftOut ? c.whatIf.before : c.whatIf.after;
          if (change) adjusted = changed(adjusted, change);
        }
        results.set(leftOut, meanFailed(adjusted, runs, seed, options.onRun));
      }
      failed.set(id, results);
    }
    for (const c of nsCandidates) {
      if (!measured(c)) continue;
      let before = 0;
      let after = 0;
      let others = 0;
      const ids: string[] = [];
      for (const id of workloadsOf.get(c) ?? []) {
        const results = failed.get(id);
        const without = results?.get(c);
        const withAll = results?.get('all');
        if (without === undefined || withAll === undefined) continue;
        before += without;
        after += withAll;
        others = Math.max(others, (ofWorkload.get(id)?.length ?? 1) - 1);
        ids.push(shownId.get(id) ?? id);
      }
      if (ids.length === 0) continue;
      const worth = before - after;
      const verdict: FindingImpact['verdict'] = worth >= NOTHING ? 'saves' : worth <= -NOTHING ? 'worse' : 'nothing';
      out.set(c.finding, {
        failedRequests: round(worth),
        before: round(before),
        after: round(after),
        rps: profile.traffic.rps,
        workloads: ids,
        otherFixes: others,
        verdict,
        ...(c.kind === 'what-if' ? { advice: c.whatIf.advice } : {}),
      });
    }
  }
  return out;
}

/**
 * A finding as `check --impact` reports it: with its impact, and judged by it. A traffic finding
 * whose fix saves nothing under the model, or makes things worse, is not an error (lowered to a
 * warning); a fix that makes things worse is not offered.
 */
export function judgedByImpact(finding: Finding, impact: Impact): Finding {
  const severity = impact.verdict !== 'saves' && finding.severity === 'error' ? 'warning' : finding.severity;
  if (impact.verdict === 'worse' && finding.fix) {
    const { fix: _dropped, ...rest } = finding;
    return { ...rest, severity, fixable: false, impact };
  }
  return { ...finding, severity, impact };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** The simulator input of a workload; undefined when it cannot be simulated. */
function inputOf(graph: Graph, profile: Profile, workload: Workload): SimInput | undefined {
  const input = simInput(graph, profile, workload);
  return isNotSimulated(input) ? undefined : input;
}

/** Mean failed requests per rollout, as expected values over the same seeds with and without a change. */
function meanFailed(input: SimInput, runs: number, seed: number, onRun: (() => void) | undefined): number {
  return simulate(input, { runs, seed, expected: true, ...(onRun === undefined ? {} : { onRun }) }).summary.failed.mean;
}
