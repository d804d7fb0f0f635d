/**
 * `check` over an input too large to hold at once, one part at a time. The rules relate objects of
 * one namespace (a Service and the pods it selects, a PodDisruptionBudget, an HPA, an Ingress, a
 * ConfigMap a container reads) and a few across namespaces (the Service a webhook or an APIService
 * calls, the namespaces a ServiceMonitor selects, a Namespace's labels: domain/service-role.ts
 * namespacesRead), and two facts of the whole input (graph.ts InputFacts). So the files are grouped
 * by the namespaces their text names (load/prescan.ts), groups that share none are checked apart
 * with the whole input's facts, and only the findings are kept: memory follows the largest part,
 * not the input.
 *
 * The grouping is a guess from text, so every part checks what it loaded against it: an object in
 * or reading a namespace its part was not given, a namespace-less object of one kind and name in
 * two parts (the API server holds one; only a whole check reports both), a namespace selector over
 * every namespace, or input facts other than guessed — and the input is checked whole instead.
 * Either way the findings, notes and their order are those of a whole check.
 */
import { namespacesRead } from '../domain/service-role.js';
import { buildGraph, type InputFacts } from '../model/graph.js';
import { loadSources } from '../load/objects.js';
import type { SourceFile } from '../load/files.js';
import { scanHints } from '../load/prescan.js';
import type { LoadNote } from '../load/types.js';
import type { Finding } from '../rules/types.js';
import { collectGarbageAbove } from './collect.js';
import { checkGraph, checkSources, compareFindings, type CheckOptions, type CheckResult } from './run.js';

/**
 * Source bytes checked at once (whole namespace groups are packed up to it; a larger group is a
 * part alone). Small parts are faster as well as smaller: a part's objects die young, in V8's
 * young generation, instead of being copied into the old one and marked there with the whole input
 * (measured on the bench corpus A: README "Speed"). An input this small or smaller is checked
 * whole, without the text scan.
 */
export const PART_BYTES = 1024 * 1024;

/**
 * Heap in use after a part above which the part's garbage is collected before the next part. V8
 * grows its old generation by a factor of what survived its last collection, so parts of a large
 * input (bench corpus B: 17 groups of about 9 MiB) would leave several parts' worth of dead
 * objects; a forced collection costs a full mark of the heap, so it is asked for only past this
 * budget, not after every part (every part: 39 s on B instead of 21 s).
 */
const HEAP_BUDGET = 256 * 1024 * 1024;

/** Files checked together and the namespaces they were grouped by. */
interface Part {
  /** Indexes into the input's files, ascending. */
  readonly files: readonly number[];
  readonly namespaces: ReadonlySet<string>;
}

interface Plan {
  readonly parts: readonly Part[];
  readonly facts: InputFacts;
}

/** How checkFiles went: whole (small, or one namespace group), in parts, or whole after a part contradicted the plan. */
type CheckMode = 'whole' | 'parts' | 'whole-after-parts';

interface PartTuning {
  /** Source bytes per part (default PART_BYTES). */
  readonly partBytes?: number;
  /** Told how the input was checked (for tests). */
  readonly onMode?: (mode: CheckMode, parts: number) => void;
}

/** Checks the files, in parts when they are larger than `partBytes` together and split by namespace. */
export function checkFiles(files: readonly SourceFile[], options: CheckOptions, tuning: PartTuning = {}): CheckResult {
  const partBytes = tuning.partBytes ?? PART_BYTES;
  const whole = (mode: CheckMode, parts: number): CheckResult => {
    tuning.onMode?.(mode, parts);
    return checkSources(files.map((f) => ({ path: f.path, text: f.read() })), options);
  };
  if (files.reduce((sum, f) => sum + f.bytes, 0) <= partBytes) return whole('whole', 1);
  const plan = planParts(files, partBytes);
  if (!plan) return whole('whole', 1);
  const result = checkParts(files, plan, options);
  if (!result) return whole('whole-after-parts', plan.parts.length);
  tuning.onMode?.('parts', plan.parts.length);
  return result;
}

/** Groups files that share a namespace (union-find over the namespaces their text names), then packs whole groups into parts of about `partBytes`. */
function planParts(files: readonly SourceFile[], partBytes: number): Plan | undefined {
  const parent = files.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] ?? i] ?? i;
    return i;
  };
  const owner = new Map<string, number>();
  const named: Set<string>[] = [];
  let hasServices = false;
  let hasWorkloads = false;
  for (const [i, file] of files.entries()) {
    const hints = scanHints(file.read());
    if (hints.everyNamespace) return undefined;
    hasServices ||= hints.service;
    hasWorkloads ||= hints.workload;
    named.push(new Set(hints.namespaces));
    for (const namespace of hints.namespaces) {
      const first = owner.get(namespace);
      if (first === undefined) owner.set(namespace, i);
      else parent[root(i)] = root(first);
    }
  }
  // Groups in the order of their first file; each group's files ascending.
  const groups = new Map<number, number[]>();
  for (let i = 0; i < files.length; i++) {
    const r = root(i);
    const group = groups.get(r);
    if (group) group.push(i);
    else groups.set(r, [i]);
  }
  const parts: Part[] = [];
  let current: number[] = [];
  let bytes = 0;
  const flush = (): void => {
    if (current.length === 0) return;
    current.sort((a, b) => a - b);
    parts.push({ files: current, namespaces: new Set(current.flatMap((i) => [...(named[i] ?? [])])) });
    current = [];
    bytes = 0;
  };
  for (const group of groups.values()) {
    const size = group.reduce((sum, i) => sum + (files[i]?.bytes ?? 0), 0);
    if (bytes > 0 && bytes + size > partBytes) flush();
    current.push(...group);
    bytes += size;
  }
  flush();
  return parts.length < 2 ? undefined : { parts, facts: { hasServices, hasWorkloads } };
}

/** Checks part after part; undefined when a part's objects contradict the plan (then the input is checked whole). */
function checkParts(files: readonly SourceFile[], plan: Plan, options: CheckOptions): CheckResult | undefined {
  const findings: Finding[] = [];
  const notes: LoadNote[] = [];
  let objects = 0;
  let parsed = 0;
  let hasServices = false;
  let hasWorkloads = false;
  // Namespace-less objects (cluster-scoped kinds) by kind and name: the part that holds each.
  const placed = new Map<string, number>();
  for (const [p, part] of plan.parts.entries()) {
    const checked = checkPart(files, plan, p, part, placed, options, parsed);
    if (!checked) return undefined;
    parsed += part.files.length;
    hasServices ||= checked.hasServices;
    hasWorkloads ||= checked.hasWorkloads;
    for (const finding of checked.result.findings) findings.push(finding);
    for (const note of checked.result.notes) notes.push(note);
    objects += checked.result.objects;
    // The part's objects are garbage now (checkPart has returned): past the budget, collect them before the next part is loaded.
    collectGarbageAbove(HEAP_BUDGET);
  }
  if (hasServices !== plan.facts.hasServices || hasWorkloads !== plan.facts.hasWorkloads) return undefined;
  // The order of a whole check: findings by file, line, column, rule; notes in input order.
  findings.sort(compareFindings);
  const order = new Map(files.map((f, i) => [f.path, i]));
  const ranked = notes.map((note, i) => ({ note, i, file: order.get(note.file) ?? 0 }));
  ranked.sort((a, b) => a.file - b.file || a.i - b.i);
  return { profile: options.profile.name, files: files.length, objects, findings, notes: ranked.map((r) => r.note) };
}

/** Checks one part (the `p`-th); undefined when its objects contradict the plan. Only the findings, notes and facts outlive the call. */
function checkPart(files: readonly SourceFile[], plan: Plan, p: number, part: Part, placed: Map<string, number>, options: CheckOptions, parsed: number): { result: CheckResult; hasServices: boolean; hasWorkloads: boolean } | undefined {
  const sources = part.files.map((i) => {
    const file = files[i] as SourceFile;
    return { path: file.path, text: file.read() };
  });
  const loaded = loadSources(sources, options.profile.k8sVersion, (done) => options.onParsed?.(parsed + done, files.length));
  for (const resource of loaded.resources) {
    const read = namespacesRead(resource);
    if (read === 'every' || read.some((namespace) => !part.namespaces.has(namespace))) return undefined;
    if (resource.namespace === '') {
      const key = `${resource.kind}\u0000${resource.name}`;
      if ((placed.get(key) ?? p) !== p) return undefined;
      placed.set(key, p);
    }
  }
  const graph = buildGraph(loaded.resources, plan.facts);
  const result = checkGraph(loaded, graph, sources.length, options);
  return { result, hasServices: graph.services.length > 0, hasWorkloads: graph.workloads.length > 0 };
}
