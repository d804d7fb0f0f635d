/** Runs the rules over a loaded input: severities, suppression, positions, sorting. */
import { loadSources, type LoadResult } from '../load/objects.js';
import type { LoadNote, LoadProblem } from '../load/types.js';
import type { SourceText } from '../document/types.js';
import { buildGraph, type Graph } from '../model/graph.js';
import { IGNORE_ANNOTATION, ignoredRules, positionOf, type Resource } from '../model/resource.js';
import type { Profile } from '../profiles/types.js';
import { RULES } from '../rules/index.js';
import { servedBy, type Served } from '../domain/service-role.js';
import { containerServed } from '../domain/serving.js';
import type { ContainerView, Workload } from '../model/workload.js';
import type { Finding, Report, Rule, RuleContext, RuleMeta, Severity } from '../rules/types.js';
import { severityRank } from '../rules/types.js';

export { IGNORE_ANNOTATION };

export interface CheckOptions {
  readonly profile: Profile;
  /** Per-rule severity or `off` (from the config file and `--rule`). */
  readonly ruleSeverities?: Readonly<Record<string, Severity | 'off'>>;
  /** Called after each source is parsed, with how many of how many (progress on a terminal). */
  readonly onParsed?: (done: number, total: number) => void;
  /** The rules to run, in order; the whole catalog (rules/index.ts) when absent. */
  readonly rules?: Iterable<Rule>;
}

export interface CheckResult {
  readonly profile: string;
  readonly files: number;
  readonly objects: number;
  readonly findings: Finding[];
  readonly notes: LoadNote[];
}

/** Templates split once into literal text (even indexes) and placeholder names (odd indexes). */
const compiled = new Map<string, readonly string[]>();

/** Fills `{{name}}` placeholders of a message template. */
export function formatMessage(template: string, data: Readonly<Record<string, string | number>> | undefined): string {
  let parts = compiled.get(template);
  if (!parts) compiled.set(template, (parts = template.split(/\{\{\s*(\w+)\s*\}\}/)));
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (i % 2 === 0) out += part;
    else {
      const value = data?.[part];
      out += value === undefined ? `{{${part}}}` : String(value);
    }
  }
  return out;
}

/** Adds the object's base pointer to fix paths (rules write paths relative to the object). */
function rebase(report: Report): Report['fix'] {
  const fix = report.fix;
  const base = report.resource.base;
  if (!fix || fix.kind !== 'patch' || base === '') return fix;
  return { ...fix, operations: fix.operations.map((op) => ({ ...op, path: base + op.path })) };
}

/** Loads the sources and runs every rule over them. */
export function checkSources(sources: readonly SourceText[], options: CheckOptions): CheckResult {
  return checkLoaded(loadSources(sources, options.profile.k8sVersion, options.onParsed), sources.length, options);
}

/** Runs the rules over a loaded input of `files` sources (loaded with the profile's Kubernetes version), for callers that read the objects too. */
export function checkLoaded(loaded: LoadResult, files: number, options: CheckOptions): CheckResult {
  return checkGraph(loaded, buildGraph(loaded.resources), files, options);
}

/** Runs the rules over the graph of a loaded input (or of a part of one: engine/partition.ts). */
export function checkGraph(loaded: LoadResult, graph: Graph, files: number, options: CheckOptions): CheckResult {
  const findings: Finding[] = [];
  const overrides = options.ruleSeverities ?? {};
  const ignoreCache = new Map<Resource, ReadonlySet<string>>();
  const scope = new ServedScope(graph, options.profile);
  for (const rule of options.rules ?? RULES.values()) {
    const override = overrides[rule.meta.id];
    if (override === 'off') continue;
    rule.check(new RuleRun(rule, override, graph, loaded.problems, options.profile, findings, ignoreCache, scope));
  }
  findings.sort(compareFindings);
  return { profile: options.profile.name, files, objects: loaded.objects, findings, notes: loaded.notes };
}

/** What the served scope does to one finding: drop it, or cap its severity and say why. */
type Scoped = { readonly drop: true } | { readonly drop: false; readonly cap: Severity | undefined; readonly note: string };

/**
 * The served scope of Service-dependent rules (RuleMeta.serviceDependent), decided once per
 * workload — and per container for a finding on a container, which may be served less than its
 * pod (a container that serves only a webhook beside one behind a user Service) — from
 * domain/service-role.ts, so that every rule applies the same answer. A class rather than a
 * closure made per check, like the rule context below and the graph's lookups (model/graph.ts
 * Graph says what they kept alive).
 */
class ServedScope {
  readonly #byResource: Map<Resource, Workload>;
  // By workload, then by the container the finding is on (undefined: the workload as a whole).
  readonly #cache = new Map<Workload, Map<ContainerView | undefined, Scoped>>();
  readonly #context: { readonly graph: Graph; readonly profile: Profile };

  constructor(graph: Graph, profile: Profile) {
    this.#byResource = new Map(graph.workloads.map((w) => [w.resource, w]));
    this.#context = { graph, profile };
  }

  of(report: Report): Scoped {
    const workload = report.workload ?? this.#byResource.get(report.resource);
    if (!workload) return IN_SCOPE;
    const container = report.workload ? undefined : workload.containers.find((c) => isAtOrUnder(report.path, c.path));
    let byContainer = this.#cache.get(workload);
    if (!byContainer) this.#cache.set(workload, (byContainer = new Map()));
    let scoped = byContainer.get(container);
    if (!scoped) {
      scoped = scopeOf(container ? containerServed(this.#context, workload, container) : servedBy(this.#context, workload));
      byContainer.set(container, scoped);
    }
    return scoped;
  }
}

const IN_SCOPE: Scoped = { drop: false, cap: undefined, note: '' };

function scopeOf(served: Served): Scoped {
  return served.level === 'none' ? { drop: true } : served.level === 'user' ? IN_SCOPE : { drop: false, cap: 'warning', note: served.why };
}

/** True when JSON Pointer `path` is `base` or a pointer inside it. */
function isAtOrUnder(path: string, base: string): boolean {
  return path.startsWith(base) && (path.length === base.length || path[base.length] === '/');
}

/** What one rule is given while it checks a graph: where its reports go (a class, not closures: see ServedScope). */
class RuleRun implements RuleContext {
  readonly graph: Graph;
  readonly profile: Profile;
  readonly problems: readonly LoadProblem[];
  readonly #meta: RuleMeta;
  readonly #override: Severity | undefined;
  readonly #out: Finding[];
  readonly #ignoreCache: Map<Resource, ReadonlySet<string>>;
  readonly #scope: ServedScope;

  constructor(rule: Rule, override: Severity | undefined, graph: Graph, problems: readonly LoadProblem[], profile: Profile, out: Finding[], ignoreCache: Map<Resource, ReadonlySet<string>>, scope: ServedScope) {
    this.graph = graph;
    this.profile = profile;
    this.problems = problems;
    this.#meta = rule.meta;
    this.#override = override;
    this.#out = out;
    this.#ignoreCache = ignoreCache;
    this.#scope = scope;
  }

  report(report: Report): void {
    const meta = this.#meta;
    let ignored = this.#ignoreCache.get(report.resource);
    if (!ignored) {
      ignored = ignoredRules(report.resource);
      this.#ignoreCache.set(report.resource, ignored);
    }
    if (ignored.has(meta.id) || ignored.has('all')) return;
    const template = meta.messages[report.messageId];
    if (template === undefined) throw new Error(`rule ${meta.id} reported unknown message id ${report.messageId}`);
    const scoped = meta.serviceDependent ? this.#scope.of(report) : undefined;
    if (scoped?.drop) return;
    let severity = report.severity ?? meta.severity;
    if (scoped?.cap && severityRank(scoped.cap) < severityRank(severity)) severity = scoped.cap;
    const message = formatMessage(template, report.data);
    const pos = positionOf(report.resource, report.path);
    const fix = rebase(report);
    this.#out.push({
      ruleId: meta.id,
      severity: this.#override ?? severity,
      category: meta.category,
      message: scoped?.note ? `${message} — ${scoped.note}` : message,
      file: report.resource.doc.source.path,
      line: pos.line,
      column: pos.column,
      resource: report.resource.ref,
      path: report.resource.base + report.path,
      fixable: fix !== undefined,
      ...(fix ? { fix } : {}),
      document: report.resource.doc.index,
    });
  }

  reportAt(location: Parameters<RuleContext['reportAt']>[0], messageId: string, data?: Readonly<Record<string, string | number>>): void {
    const meta = this.#meta;
    const template = meta.messages[messageId];
    if (template === undefined) throw new Error(`rule ${meta.id} reported unknown message id ${messageId}`);
    this.#out.push({
      ruleId: meta.id,
      severity: this.#override ?? meta.severity,
      category: meta.category,
      message: formatMessage(template, data),
      file: location.file,
      line: location.line,
      column: location.column,
      resource: location.resource,
      path: location.path,
      fixable: false,
    });
  }
}

/** Orders findings by file, line, column, rule. */
export function compareFindings(a: Finding, b: Finding): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}
