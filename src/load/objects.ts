/**
 * Parsed documents → Kubernetes objects. Documents that are not Kubernetes objects, use a removed
 * API, or break the schema become problems; kinds rollsafe does not model become notes.
 */
import { isRecord, recordAt, stringAt } from '../model/k8s.js';
import { effectiveNamespace, ignoredRules, toResource, type Resource } from '../model/resource.js';
import { isWorkloadKind } from '../model/workload.js';
import { apiProblem, DEFAULT_K8S_VERSION, isBuiltinKind } from '../schema/kinds.js';
import { semanticViolations } from '../schema/semantic.js';
import { hasSchema, validateObject } from '../schema/validate.js';
import { locate, type ParsedDocument } from '../document/document.js';
import { parseSource } from './parse.js';
import type { LoadNote, LoadProblem } from './types.js';
import type { SourceText } from '../document/types.js';
import { isYaml11OnlyBoolean } from './yaml11.js';
import { isRollsafeError } from '../errors.js';

/** Kinds the rules read. */
const MODELED_KINDS: ReadonlySet<string> = new Set([
  'Service',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'Ingress',
  'Namespace',
  'BackendConfig',
  // What a Service carries (domain/service-role.ts): the API server's callers and Prometheus's scrape configs.
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'ServiceMonitor',
  // Settings that name a Service for clients to look up through the API (domain/service-role.ts).
  'ConfigMap',
]);

/** What loading a set of sources produced. */
export interface LoadResult {
  /** The cluster version API versions were judged against. */
  readonly k8sVersion: string;
  readonly resources: Resource[];
  readonly problems: LoadProblem[];
  readonly notes: LoadNote[];
  /** Number of objects read (modeled or not). */
  readonly objects: number;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

function problem(doc: ParsedDocument, base: string, resource: Resource | undefined, code: LoadProblem['code'], message: string, pointer: string): LoadProblem {
  // A wrong value is shown at the value; a wrong key (unknown, misplaced, missing) at the key.
  const pos = locate(doc, base + pointer, code === 'wrong-type' || code === 'invalid-value' ? 'value' : 'key');
  const p: LoadProblem = { code, message, file: doc.source.path, line: pos.line, column: pos.column, path: base + pointer };
  return resource ? { ...p, resource: resource.ref } : p;
}

/** Text of the scalar at an offset, for hints (e.g. the `on` that YAML 1.1 made a boolean). */
function scalarTextAt(doc: ParsedDocument, pointer: string): string {
  const pos = locate(doc, pointer);
  const line = doc.source.text.split('\n', pos.line)[pos.line - 1] ?? '';
  const m = /:\s*([^\s#]+)\s*(?:#.*)?$/.exec(line) ?? /^\s*-\s*([^\s#]+)/.exec(line);
  return m?.[1] ?? '';
}

function addObject(out: LoadResult, doc: ParsedDocument, base: string, value: unknown): void {
  if (!isRecord(value) || typeof value['kind'] !== 'string' || typeof value['apiVersion'] !== 'string') {
    if (isRecord(value) && value['kind'] !== undefined && value['apiVersion'] !== undefined) {
      const key = typeof value['apiVersion'] !== 'string' ? 'apiVersion' : 'kind';
      out.problems.push(problem(doc, base, undefined, 'wrong-type', `\`${key}\` must be a string, found ${describeValue(value[key])}`, `/${key}`));
      return;
    }
    const what = isRecord(value) ? 'a mapping without `apiVersion` and `kind`' : describeValue(value);
    out.problems.push(problem(doc, base, undefined, 'not-kubernetes', `not a Kubernetes object: ${what}`, ''));
    return;
  }
  (out as { objects: number }).objects++;
  if (value['kind'] === 'List' && Array.isArray(value['items'])) {
    (out as { objects: number }).objects--;
    value['items'].forEach((item, i) => addObject(out, doc, `${base}/items/${i}`, item));
    return;
  }
  const resource = toResource(doc, base, value);
  const before = out.problems.length;
  addChecked(out, doc, base, value, resource);
  if (suppressed(resource)) out.problems.length = before;
}

function addChecked(out: LoadResult, doc: ParsedDocument, base: string, value: Record<string, unknown>, resource: Resource): void {
  const apiVersion = resource.apiVersion;
  const kind = resource.kind;
  if (resource.name === '') {
    // The API server requires metadata.name (or generateName).
    out.problems.push(problem(doc, base, resource, 'missing-field', `${kind} has no \`metadata.name\`: the API server rejects it`, '/metadata/name'));
  }
  const api = apiProblem(apiVersion, kind, out.k8sVersion);
  if (api && 'removedIn' in api) {
    out.problems.push(problem(doc, base, resource, 'invalid-value', `${apiVersion} ${kind} was removed in Kubernetes ${api.removedIn}; the API server (${out.k8sVersion}) rejects it: use ${api.replacement}`, '/apiVersion'));
  } else if (api) {
    out.problems.push(problem(doc, base, resource, 'invalid-value', `${apiVersion} ${kind} is served from Kubernetes ${api.introducedIn}; the API server (${out.k8sVersion}) rejects it`, '/apiVersion'));
  }
  // Kinds with a schema are validated too (e.g. the admission policies `rollsafe policy` writes).
  const modeled = isWorkloadKind(kind) || MODELED_KINDS.has(kind) || hasSchema(apiVersion, kind);
  if (!modeled) {
    if (!isBuiltinKind(apiVersion, kind)) {
      const pos = locate(doc, base);
      out.notes.push({ message: `${kind} (${apiVersion}) is not a kind rollsafe analyzes; skipped`, file: doc.source.path, line: pos.line });
    }
    return;
  }
  const typed = hasSchema(apiVersion, kind);
  if (typed) {
    try {
      for (const v of validateObject(apiVersion, kind, value)) {
        let message = v.message;
        if (v.code === 'wrong-type' && v.expected === 'string') {
          const text = scalarTextAt(doc, base + v.path);
          if (isYaml11OnlyBoolean(text)) message += `: Kubernetes reads unquoted \`${text}\` as a YAML 1.1 boolean; quote it ("${text}")`;
          else if (/\/command\/|\/args\//.test(v.path)) message += '; quote it: command and args must be strings';
        }
        out.problems.push(problem(doc, base, resource, v.code, message, v.path));
      }
    } catch (error: unknown) {
      if (!isRollsafeError(error, 'alias-bomb')) throw error;
      out.problems.push(problem(doc, base, resource, 'alias-bomb', `${error.message}; refused as a possible alias bomb`, ''));
      return;
    }
  }
  for (const v of semanticViolations(kind, value, typed)) out.problems.push(problem(doc, base, resource, v.code, v.message, v.path));
  out.resources.push(resource);
}

/** The ignore annotation silences invalid-manifest on its object too (e.g. a field newer than the schema). */
function suppressed(resource: Resource): boolean {
  const ignored = ignoredRules(resource);
  return ignored.has('invalid-manifest') || ignored.has('all');
}

/** Kinds without a namespace (of those rollsafe analyzes). */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['Namespace']);

/**
 * The identity of an object in the API server: kind, namespace and name. The API group and version
 * are not part of it (apps/v1 and extensions/v1beta1 Deployments are the same stored object).
 * Objects named by `generateName` get a fresh name each time and have no identity here.
 */
function identityOf(resource: Resource): string | undefined {
  const name = stringAt(recordAt(resource.object, 'metadata'), 'name');
  if (name === undefined || name === '') return undefined;
  return `${resource.kind}\u0000${CLUSTER_SCOPED.has(resource.kind) ? '' : effectiveNamespace(resource)}\u0000${name}`;
}

/** `file:line:column` of an object's `metadata.name`. */
function placeOf(resource: Resource): string {
  const pos = locate(resource.doc, `${resource.base}/metadata/name`);
  return `${resource.doc.source.path}:${pos.line}:${pos.column}`;
}

/**
 * Objects with the same kind, namespace and name, in two files or twice in one: the API server
 * holds one object per identity, so applying both keeps only the one applied last. Each place is
 * reported, naming the others; each stays its own object for the rules.
 */
function reportDuplicates(out: LoadResult): void {
  const byIdentity = new Map<string, Resource[]>();
  for (const resource of out.resources) {
    const identity = identityOf(resource);
    if (identity === undefined) continue;
    const same = byIdentity.get(identity);
    if (same) same.push(resource);
    else byIdentity.set(identity, [resource]);
  }
  for (const same of byIdentity.values()) {
    if (same.length < 2) continue;
    for (const resource of same) {
      if (suppressed(resource)) continue;
      const others = same.filter((o) => o !== resource).map(placeOf).join(', ');
      const what = `${resource.kind} ${resource.namespace === '' || CLUSTER_SCOPED.has(resource.kind) ? '' : `${resource.namespace}/`}${resource.name}`;
      const doc = resource.doc;
      out.problems.push(problem(doc, resource.base, resource, 'duplicate-object', `${what} is defined more than once (also at ${others}): the API server keeps one object per kind, namespace and name, so applying both keeps only the one applied last`, '/metadata/name'));
    }
  }
}

/** Loads sources into resources, problems and notes. */
export function loadSources(sources: readonly SourceText[], k8sVersion: string = DEFAULT_K8S_VERSION, onParsed?: (done: number, total: number) => void): LoadResult {
  const out: LoadResult = { k8sVersion, resources: [], problems: [], notes: [], objects: 0 };
  for (const [i, source] of sources.entries()) {
    const parsed = parseSource(source);
    out.problems.push(...parsed.problems);
    for (const doc of parsed.documents) addObject(out, doc, '', doc.value);
    onParsed?.(i + 1, sources.length);
  }
  reportDuplicates(out);
  return out;
}
