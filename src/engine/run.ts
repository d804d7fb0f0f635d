/** Runs the rules over a loaded input: severities, suppression, positions, sorting. */
import { loadSources, type LoadResult } from '../load/objects.js';
import type { LoadNote } from '../load/types.js';
import type { SourceText } from '../document/types.js';
import { buildGraph, type Graph } from '../model/graph.js';
import { IGNORE_ANNOTATION, ignoredRules, positionOf, type Resource } from '../model/resource.js';
import type { Profile } from '../profiles/types.js';
import { RULES } from '../rules/index.js';
import { servedBy, type Served } from '../domain/service-role.js';
import { containerServed } from '../domain/serving.js';
import type { Workload } from '../model/workload.js';
import type { Finding, Report, Rule, Severity } from '../rules/types.js';
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
  const scope = servedScope(graph, options.profile);
  for (const rule of options.rules ?? RULES.values()) {
    const override = overrides[rule.meta.id];
    if (override === 'off') continue;
    runRule(rule, override, graph, loaded.problems, options.profile, findings, ignoreCache, scope);
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
 * domain/service-role.ts, so that every rule applies the same answer.
 */
function servedScope(graph: Graph, profile: Profile): (report: Report) => Scoped {
  const byResource = new Map<Resource, Workload>(graph.workloads.map((w) => [w.resource, w]));
  const cache = new Map<string, Scoped>();
  const keys = new Map<Workload, number>();
  const none: Scoped = { drop: false, cap: undefined, note: '' };
  const scopeOf = (served: Served): Scoped => (served.level === 'none' ? { drop: true } : served.level === 'user' ? none : { drop: false, cap: 'warning', note: served.why });
  return (report) => {
    const workload = report.workload ?? byResource.get(report.resource);
    if (!workload) return none;
    const container = report.workload ? undefined : workload.containers.find((c) => report.path === c.path || report.path.startsWith(`${c.path}/`));
    let id = keys.get(workload);
    if (id === undefined) keys.set(workload, (id = keys.size));
    const key = `${id}/${container?.path ?? ''}`;
    let scoped = cache.get(key);
    if (!scoped) {
      const context = { graph, profile };
      scoped = scopeOf(container ? containerServed(context, workload, container) : servedBy(context, workload));
      cache.set(key, scoped);
    }
    return scoped;
  };
}

function runRule(rule: Rule, override: Severity | undefined, graph: Graph, problems: ReturnType<typeof loadSources>['problems'], profile: Profile, out: Finding[], ignoreCache: Map<Resource, ReadonlySet<string>>, scope: (report: Report) => Scoped): void {
  const { meta } = rule;
  rule.check({
    graph,
    profile,
    problems,
    report(report: Report): void {
      let ignored = ignoreCache.get(report.resource);
      if (!ignored) {
        ignored = ignoredRules(report.resource);
        ignoreCache.set(report.resource, ignored);
      }
      if (ignored.has(meta.id) || ignored.has('all')) return;
      const template = meta.messages[report.messageId];
      if (template === undefined) throw new Error(`rule ${meta.id} reported unknown message id ${report.messageId}`);
      const scoped = meta.serviceDependent ? scope(report) : undefined;
      if (scoped?.drop) return;
      let severity = report.severity ?? meta.severity;
      if (scoped?.cap && severityRank(scoped.cap) < severityRank(severity)) severity = scoped.cap;
      const note = scoped?.note ? ` — ${scoped.note}` : '';
      const pos = positionOf(report.resource, report.path);
      const fix = rebase(report);
      const finding: Finding = {
        ruleId: meta.id,
        severity: override ?? severity,
        category: meta.category,
        message: formatMessage(template, report.data) + note,
        file: report.resource.doc.source.path,
        line: pos.line,
        column: pos.column,
        resource: report.resource.ref,
        path: report.resource.base + report.path,
        fixable: fix !== undefined,
      };
      out.push(fix ? { ...finding, fix, document: report.resource.doc.index } : { ...finding, document: report.resource.doc.index });
    },
    reportAt(location, messageId, data): void {
      const template = meta.messages[messageId];
      if (template === undefined) throw new Error(`rule ${meta.id} reported unknown message id ${messageId}`);
      out.push({
        ruleId: meta.id,
        severity: override ?? meta.severity,
        category: meta.category,
        message: formatMessage(template, data),
        file: location.file,
        line: location.line,
        column: location.column,
        resource: location.resource,
        path: location.path,
        fixable: false,
      });
    },
  });
}

/** Orders findings by file, line, column, rule. */
export function compareFindings(a: Finding, b: Finding): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}
