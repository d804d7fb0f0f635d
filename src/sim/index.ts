/**
 * The rollout simulator: how many requests one rollout of a workload drops, why,
 * and when. `simulate` runs one workload; `simulateSources` every served workload of an input.
 */
import { loadSources, type LoadResult } from '../load/objects.js';
import type { LoadNote, LoadProblem } from '../load/types.js';
import type { SourceText } from '../document/types.js';
import { buildGraph } from '../model/graph.js';
import type { Profile } from '../profiles/types.js';
import { simulateCluster, type World } from './cluster.js';
import { isNotSimulated, simInput, workloadId, type SimInput, type SimOverrides } from './params.js';
import { createRandom } from './random.js';
import { simulateTraffic, zeroCauses, type TrafficModel } from './traffic.js';
import { CAUSES, type Cause, type PodTimeline, type RunResult, type SimulationSummary, type Timeline, type ViewInterval } from './types.js';

export * from './types.js';
export { simInput, isNotSimulated, SIGTERM_BEHAVIOURS, type NotSimulated, type SimInput, type SimOverrides } from './params.js';

export interface SimulateOptions {
  /** Monte Carlo runs (default 100). */
  readonly runs?: number;
  /** Seed of the first run (default 1); run i uses a seed derived from it. */
  readonly seed?: number;
  /** `rate` (default) or `request` (one by one; slow, for checking). */
  readonly model?: TrafficModel;
  /** Report expected values instead of Poisson draws (rate model). */
  readonly expected?: boolean;
  /** Called after each run (progress on a terminal). */
  readonly onRun?: () => void;
}

export interface WorkloadSimulation {
  readonly resource: string;
  readonly summary: SimulationSummary;
  /** The first run in full. */
  readonly timeline: Timeline;
  readonly notes: readonly string[];
}

/** Seed of run `i` of a simulation seeded with `seed`. */
export function runSeed(seed: number, i: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  return (h ^ (h >>> 12)) >>> 0;
}

/** One run: the control plane, then the traffic through it. */
export function simulateRun(input: SimInput, seed: number, options: { model?: TrafficModel; expected?: boolean; timeline?: boolean } = {}): { result: RunResult; timeline?: Timeline; world: World } {
  const random = createRandom(seed);
  const world = simulateCluster(input, random);
  const traffic = simulateTraffic(world, random, { model: options.model ?? 'rate', expected: options.expected ?? false, windows: options.timeline ?? false });
  const result: RunResult = {
    requests: traffic.requests,
    failed: traffic.failed,
    byCause: traffic.byCause,
    rolloutSeconds: world.rolloutSeconds,
    completed: world.completed,
  };
  return options.timeline ? { result, world, timeline: toTimeline(world, traffic.windows) } : { result, world };
}

/** Monte Carlo runs of one workload. */
export function simulate(input: SimInput, options: SimulateOptions = {}): WorkloadSimulation {
  const runs = Math.max(1, Math.floor(options.runs ?? 100));
  const seed = options.seed ?? 1;
  const results: RunResult[] = [];
  let timeline: Timeline | undefined;
  for (let i = 0; i < runs; i++) {
    const run = simulateRun(input, runSeed(seed, i), { ...(options.model ? { model: options.model } : {}), ...(options.expected ? { expected: true } : {}), timeline: i === 0 });
    results.push(run.result);
    if (run.timeline) timeline = run.timeline;
    options.onRun?.();
  }
  return { resource: input.resource, summary: summarizeRuns(input.resource, results), timeline: timeline as Timeline, notes: input.notes };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function summarizeRuns(resource: string, results: readonly RunResult[]): SimulationSummary {
  const n = results.length;
  const failed = results.map((r) => r.failed).sort((a, b) => a - b);
  const rollout = results.map((r) => r.rolloutSeconds).sort((a, b) => a - b);
  const byCause = zeroCauses();
  for (const r of results) for (const c of CAUSES) byCause[c] += r.byCause[c] / n;
  for (const c of CAUSES) byCause[c] = round(byCause[c]);
  return {
    resource,
    runs: n,
    requests: round(results.reduce((s, r) => s + r.requests, 0) / n),
    failed: { mean: round(failed.reduce((s, x) => s + x, 0) / n), p50: round(percentile(failed, 50)), p95: round(percentile(failed, 95)), max: round(failed[n - 1] ?? 0) },
    pAnyFailure: round(results.filter((r) => r.failed >= 0.5).length / n, 4),
    byCause,
    rolloutSeconds: { p50: round(percentile(rollout, 50), 1), p95: round(percentile(rollout, 95), 1) },
    incomplete: results.filter((r) => !r.completed).length,
  };
}

function nodeName(n: number): string {
  return `node-${n + 1}`;
}

/** The world of one run as the report's timeline. */
function toTimeline(world: World, failures: Timeline['failures']): Timeline {
  const pods: PodTimeline[] = world.pods
    .filter((p) => p.gone > world.start)
    .map((p) => ({
      name: p.name,
      revision: p.rev,
      node: nodeName(p.node),
      phases: p.phases.filter((ph) => ph.end > world.start).map((ph) => ({ ...ph, end: Math.min(ph.end, world.end) })),
      listening: p.listening.filter((l) => l.end > world.start).map((l) => ({ start: Math.max(Math.min(-5, world.start), l.start), end: Math.min(l.end, world.end) })),
    }));
  const views: ViewInterval[] = [];
  const open = new Map<string, { layer: ViewInterval['layer']; node?: string; backend: string; state: ViewInterval['state']; start: number }>();
  const close = (key: string, t: number): void => {
    const o = open.get(key);
    if (o && t > o.start) views.push({ ...o, end: t });
    open.delete(key);
  };
  const podName = (id: number): string => world.pods[id]?.name ?? `pod-${id}`;
  for (const ev of [...world.initial, ...world.viewEvents]) {
    const layer: ViewInterval['layer'] = ev.layer === 'lb-pod' || ev.layer === 'lb-node' ? 'load-balancer' : ev.layer;
    const backend = ev.layer === 'lb-node' ? nodeName(ev.node) : podName(ev.pod);
    const node = ev.layer === 'kube-proxy' ? nodeName(ev.node) : undefined;
    const key = `${layer}|${node ?? ''}|${backend}`;
    close(key, ev.time);
    if (ev.state !== 'absent') open.set(key, { layer, ...(node ? { node } : {}), backend, state: ev.state, start: ev.time });
  }
  for (const key of open.keys()) close(key, world.end);
  views.sort((a, b) => a.start - b.start || (a.backend < b.backend ? -1 : a.backend > b.backend ? 1 : 0));
  return {
    end: world.end,
    rolloutSeconds: world.rolloutSeconds,
    completed: world.completed,
    nodes: Array.from({ length: world.nodes }, (_, n) => nodeName(n)),
    pods,
    views,
    failures,
  };
}

export interface SourcesSimulation {
  readonly workloads: WorkloadSimulation[];
  /** Workloads that were not simulated, with the reason. */
  readonly skipped: { readonly resource: string; readonly reason: string }[];
  readonly notes: LoadNote[];
  /** Input that could not be read or is not a valid object (those objects are left out). */
  readonly problems: LoadProblem[];
}

/**
 * Simulations already run, by their exact input and options (`simulationKey`): a workload whose
 * input a fix did not change is simulated once for both sides of a report.
 */
export type SimulationReuse = Map<string, WorkloadSimulation>;

/**
 * An exact text of plain data: numbers by their exact value (-0 apart), undefined apart from
 * absent, keys in their order. Undefined for anything else (a Map, a function, a hole), which is
 * then never taken for something else.
 */
function exactText(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'u';
    case 'boolean':
      return value ? 't' : 'f';
    case 'number':
      return Object.is(value, -0) ? 'n-0' : `n${value}`;
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      const parts: string[] = [];
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item = i in value ? exactText(value[i]) : undefined;
          if (item === undefined) return undefined;
          parts.push(item);
        }
        return `[${parts.join(',')}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return undefined;
      for (const [key, item] of Object.entries(value)) {
        const text = exactText(item);
        if (text === undefined) return undefined;
        parts.push(`${JSON.stringify(key)}:${text}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return undefined;
  }
}

/** What `simulate` makes of an input depends on the input and these options only. */
function simulationKey(input: SimInput, options: SimulateOptions): string | undefined {
  return exactText([input, options.runs, options.seed, options.model, options.expected]);
}

/** Simulates every served workload of an input (or only `workload`, given as Kind/namespace/name). */
export function simulateSources(
  sources: readonly SourceText[],
  options: SimulateOptions &
    SimOverrides & {
      readonly profile: Profile;
      readonly workload?: string;
      readonly onProgress?: (done: number, total: number) => void;
      /** The sources as loadSources(sources, profile.k8sVersion) read them, when the caller has them: not loaded again. */
      readonly loaded?: LoadResult;
      /** Simulations to take instead of running the same again; those run are added. */
      readonly reuse?: SimulationReuse;
    },
): SourcesSimulation {
  const loaded = options.loaded ?? loadSources(sources, options.profile.k8sVersion);
  const graph = buildGraph(loaded.resources);
  const inputs: SimInput[] = [];
  const skipped: { resource: string; reason: string }[] = [];
  for (const workload of graph.workloads) {
    const id = workloadId(workload);
    if (options.workload !== undefined && !matchesWorkload(id, options.workload)) continue;
    const input = simInput(graph, options.profile, workload, options);
    if (isNotSimulated(input)) skipped.push({ resource: id, reason: input.notSimulated });
    else inputs.push(input);
  }
  // Every input first, so that the progress knows the number of runs.
  const onProgress = options.onProgress;
  const runs = Math.max(1, Math.floor(options.runs ?? 100));
  const total = inputs.length * runs;
  let done = 0;
  const onRun = onProgress === undefined ? options.onRun : (): void => {
    options.onRun?.();
    onProgress(++done, total);
  };
  const reuse = options.reuse;
  const workloads = inputs.map((input) => {
    const key = reuse === undefined ? undefined : simulationKey(input, options);
    const known = key === undefined ? undefined : reuse?.get(key);
    if (known !== undefined) {
      for (let i = 0; i < runs; i++) onRun?.();
      return known;
    }
    const simulation = simulate(input, { ...options, ...(onRun === undefined ? {} : { onRun }) });
    if (key !== undefined) reuse?.set(key, simulation);
    return simulation;
  });
  return { workloads, skipped, notes: loaded.notes, problems: loaded.problems };
}

/** `Kind/ns/name`, `Kind/name` (any namespace) or `name`, case-insensitive on the kind. */
export function matchesWorkload(id: string, wanted: string): boolean {
  const [kind, ns, name] = id.split('/') as [string, string, string];
  const parts = wanted.split('/');
  if (parts.length === 3) return parts[0]?.toLowerCase() === kind.toLowerCase() && parts[1] === ns && parts[2] === name;
  if (parts.length === 2) return parts[0]?.toLowerCase() === kind.toLowerCase() && parts[1] === name;
  return parts[0] === name;
}

export type { Cause };
