/**
 * Gathers what the report shows from the sources: the findings, each fix as a diff, the fixed
 * sources, and a simulated rollout of every workload before and after the fixes. Pure: the
 * simulator is passed in, so the page can be built (and tested) with any timeline.
 */
import { checkLoaded } from '../../engine/run.js';
import type { Finding, Severity } from '../../rules/types.js';
import { applyFixes } from '../../fix/apply.js';
import { unifiedDiff } from '../../fix/diff.js';
import { runPasses } from '../../fix/driver.js';
import { loadSources, type LoadResult } from '../../load/objects.js';
import type { SourceText } from '../../document/types.js';
import { buildGraph, type Graph } from '../../model/graph.js';
import { effectiveNamespace, type Resource } from '../../model/resource.js';
import type { Profile } from '../../profiles/types.js';
import type { SimulationReuse } from '../../sim/index.js';
import type { SimulationSummary, Timeline } from '../../sim/types.js';
import { VERSION } from '../../version.js';
import type { LabReport } from './lab.js';
import type { ReportData, ReportFinding, ReportWorkload, SimulatedRollout } from './types.js';

/** One workload as the simulator returns it. */
export interface SimulatedWorkload {
  /** `Kind/namespace/name`. */
  readonly resource: string;
  readonly summary: SimulationSummary;
  readonly timeline: Timeline;
  /** What the simulator assumed or could not model for this workload. */
  readonly notes?: readonly string[];
}

/** What the simulator returns for an input: the workloads it simulated and those it could not. */
interface SimulationResult {
  readonly workloads: readonly SimulatedWorkload[];
  readonly skipped?: readonly { readonly resource: string; readonly reason: string }[];
}

/** The simulator's entry point (src/sim/index.ts `simulateSources`), or a stand-in in tests. */
export type Simulate = (sources: readonly SourceText[], options: SimulateOptions) => SimulationResult;

interface SimulateOptions {
  readonly profile: Profile;
  /** Monte Carlo runs per workload (the simulator's default when absent). */
  readonly runs?: number;
  readonly seed?: number;
  /** Called after each run with how many of how many (progress on a terminal). */
  readonly onProgress?: (done: number, total: number) => void;
  /** The sources as loadSources read them with the profile's Kubernetes version (the simulator need not load them again). */
  readonly loaded?: LoadResult;
  /** Shared by both sides: a workload the fixes left as it was is simulated once. */
  readonly reuse?: SimulationReuse;
}

export interface BuildOptions {
  readonly profile: Profile;
  readonly ruleSeverities?: Readonly<Record<string, Severity | 'off'>>;
  /** Runs the simulation; without it the page has findings and fixes but no charts. */
  readonly simulate?: Simulate;
  readonly runs?: number;
  readonly seed?: number;
  /** Why there is no simulation, shown on the page when `simulate` is absent. */
  readonly simulationNote?: string;
  /** URL of the rule docs folder, ending in `/`. */
  readonly docsBase: string;
  /** Lab files read and checked (`parseLabFile`), shown beside the simulation. */
  readonly labs?: readonly LabReport[];
}

/** `Kind/namespace/name`, with the namespace objects without one get. */
function resourceKey(resource: Pick<Resource, 'kind' | 'name'> & { readonly namespace: string }): string {
  return `${resource.kind}/${resource.namespace === '' ? 'default' : resource.namespace}/${resource.name}`;
}

function findingKey(f: Finding): string {
  return [f.file, f.ruleId, resourceKey(f.resource), f.path].join('\u0000');
}

/** The finding's own fix applied alone to its file, as a unified diff ('' when it does not apply alone). */
function diffOf(finding: Finding, texts: ReadonlyMap<string, string>): string {
  const before = texts.get(finding.file);
  if (before === undefined || finding.fix === undefined || finding.document === undefined) return '';
  const { text: after } = applyFixes(before, [{ document: finding.document, fix: finding.fix }]);
  return unifiedDiff([{ path: finding.file, before, after }]);
}

function toReportFinding(finding: Finding, texts: ReadonlyMap<string, string>, remaining: ReadonlySet<string>): ReportFinding {
  const base = {
    ruleId: finding.ruleId,
    severity: finding.severity,
    category: finding.category,
    message: finding.message,
    file: finding.file,
    line: finding.line,
    column: finding.column,
    resource: finding.resource,
    fixed: !remaining.has(findingKey(finding)),
  };
  if (finding.fix === undefined) return base;
  return { ...base, fixDescription: finding.fix.description, diff: diffOf(finding, texts) };
}

/** The resources whose findings belong to a workload's section: itself and the Services that select it. */
function relatedResources(graph: Graph): Map<string, Set<string>> {
  const related = new Map<string, Set<string>>();
  for (const workload of graph.workloads) {
    const key = resourceKey({ kind: workload.resource.kind, namespace: effectiveNamespace(workload.resource), name: workload.resource.name });
    related.set(key, new Set([key, ...graph.servicesOf(workload).map((s) => resourceKey({ kind: 'Service', namespace: effectiveNamespace(s.resource), name: s.resource.name }))]));
  }
  return related;
}

/** A simulation's results by workload resource. */
function indexed(result: SimulationResult | undefined): { rollouts: Map<string, SimulatedRollout>; skipped: Map<string, string> } {
  const rollouts = new Map<string, SimulatedRollout>();
  for (const w of result?.workloads ?? []) rollouts.set(w.resource, { summary: w.summary, timeline: w.timeline, notes: w.notes ?? [] });
  return { rollouts, skipped: new Map((result?.skipped ?? []).map((s) => [s.resource, s.reason])) };
}

/** Everything the page shows, from the input sources. */
export function buildReportData(sources: readonly SourceText[], options: BuildOptions): ReportData {
  const check = { profile: options.profile, ...(options.ruleSeverities === undefined ? {} : { ruleSeverities: options.ruleSeverities }) };
  // Loaded once: the check and the page's workload sections read the same objects.
  const loaded = loadSources(sources, options.profile.k8sVersion);
  const result = checkLoaded(loaded, sources.length, check);
  // fixSources with its first check answered by the one above: the same rules over the same texts.
  // The last texts checked are those fixed: the simulation after the fixes reads them as loaded there.
  let first: readonly Finding[] | undefined = result.findings;
  let lastChecked: { readonly sources: readonly SourceText[]; readonly loaded: LoadResult } = { sources, loaded };
  const fixed = runPasses(sources, (current) => {
    if (first !== undefined) {
      const findings = first;
      first = undefined;
      return [...findings];
    }
    lastChecked = { sources: current, loaded: loadSources(current, options.profile.k8sVersion) };
    return [...checkLoaded(lastChecked.loaded, current.length, check).findings];
  });
  const fixedSources = fixed.files.map((f) => ({ path: f.path, text: f.after }));
  const checked = lastChecked;
  const fixedLoaded = fixedSources.length === checked.sources.length && fixedSources.every((s, i) => s.path === checked.sources[i]?.path && s.text === checked.sources[i]?.text) ? checked.loaded : undefined;
  const texts = new Map(sources.map((s) => [s.path, s.text]));
  const remaining = new Set(fixed.remaining.map(findingKey));
  const findings = result.findings.map((f) => toReportFinding(f, texts, remaining));

  const graph = buildGraph(loaded.resources);
  const related = relatedResources(graph);
  const simulation: SimulateOptions = { profile: options.profile, ...(options.runs === undefined ? {} : { runs: options.runs }), ...(options.seed === undefined ? {} : { seed: options.seed }) };
  const reuse: SimulationReuse = new Map();
  const before = indexed(options.simulate?.(sources, { ...simulation, loaded, reuse }));
  const after = indexed(options.simulate?.(fixedSources, { ...simulation, ...(fixedLoaded === undefined ? {} : { loaded: fixedLoaded }), reuse }));
  const simulated = [...before.rollouts.keys(), ...before.skipped.keys(), ...after.rollouts.keys(), ...after.skipped.keys()];
  const names = options.simulate ? [...new Set(simulated)] : [...related.keys()];

  const placed = new Set<ReportFinding>();
  const workloads: ReportWorkload[] = names.map((resource) => {
    const mine = related.get(resource) ?? new Set([resource]);
    const own = findings.filter((f) => mine.has(resourceKey(f.resource)));
    for (const f of own) placed.add(f);
    const skippedBefore = before.skipped.get(resource);
    const skippedAfter = after.skipped.get(resource);
    return {
      resource,
      before: before.rollouts.get(resource),
      after: after.rollouts.get(resource),
      skipped: { ...(skippedBefore === undefined ? {} : { before: skippedBefore }), ...(skippedAfter === undefined ? {} : { after: skippedAfter }) },
      findings: own,
    };
  });
  const simulationNote = options.simulate ? undefined : (options.simulationNote ?? 'The rollout was not simulated.');
  return {
    version: VERSION,
    profile: options.profile.name,
    k8sVersion: options.profile.k8sVersion,
    files: sources.map((s) => s.path),
    objects: result.objects,
    findings,
    workloads,
    otherFindings: findings.filter((f) => !placed.has(f)),
    notes: result.notes,
    fixesApplied: fixed.applied,
    docsBase: options.docsBase,
    ...(simulationNote === undefined ? {} : { simulationNote }),
    ...(options.labs === undefined || options.labs.length === 0 ? {} : { labs: options.labs }),
  };
}
