/**
 * Admission review (`admission.k8s.io/v1`), pure: a parsed review body in, an AdmissionResponse
 * out. `/validate` runs the rules that can judge one object with the profile alone; `/mutate`
 * returns the fixes `rollsafe fix` applies to that object as an RFC 6902 JSON Patch. No I/O.
 */
import jsYaml from 'js-yaml';
import { checkSources } from '../engine/run.js';
import type { Finding, Severity } from '../rules/types.js';
import { fixSources } from '../fix/driver.js';
import { deepEqual } from '../fix/patch.js';
import { MAX_DEPTH } from '../load/parse.js';
import { pointerTokens } from '../document/pointer.js';
import { KUBERNETES_YAML_SCHEMA } from '../load/yaml11.js';
import { isRecord } from '../model/k8s.js';
import type { Profile } from '../profiles/types.js';
import { RULES } from '../rules/index.js';
import { toJsonPatch, type JsonPatchOperation } from './patch.js';
import { RollsafeError } from '../errors.js';

const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

/** Kinds a review is judged for, by API group (core is ''); anything else is allowed unjudged. */
export const JUDGED_KINDS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['apps', new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'])],
  ['', new Set(['Pod', 'ReplicationController'])],
]);

/** `k8s.io/api/admission/v1` AdmissionResponse.warnings: "Limit warnings to 120 characters if possible." */
export const MAX_WARNING_LENGTH = 120;
/** The API server ignores warnings past 4096 characters in all (admission webhook docs, "Response"). */
export const MAX_WARNINGS_LENGTH = 4096;

/** Nesting a review may have: the loader's object limit plus the review envelope (request.object). */
const MAX_REVIEW_DEPTH = MAX_DEPTH + 2;

export type Mode = 'enforce' | 'warn';

export interface ReviewOptions {
  readonly profile: Profile;
  /** Severities from the config file and `--rule` (the skipped rules are turned off on top). */
  readonly ruleSeverities: Readonly<Record<string, Severity | 'off'>>;
  readonly mode: Mode;
}

interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** The fields of an AdmissionRequest the review reads. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: GroupVersionKind;
  readonly operation: string;
  readonly subResource: string;
  readonly namespace: string;
  readonly name: string;
  readonly object: unknown;
  readonly dryRun: boolean;
}

interface Status {
  readonly code: number;
  readonly reason?: string;
  readonly message: string;
}

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: Status;
  readonly patch?: string;
  readonly patchType?: 'JSONPatch';
  readonly auditAnnotations?: Readonly<Record<string, string>>;
  readonly warnings?: readonly string[];
}

/** What the review decided, for the response and the metrics. */
export type Decision = 'allowed' | 'denied' | 'patched' | 'skipped' | 'error';

export interface ReviewResult {
  readonly response: AdmissionResponse;
  readonly decision: Decision;
  /** The findings the rules reported (for `/mutate`: those its patch fixes). */
  readonly findings: readonly Finding[];
}

/** A review body that is not an `admission.k8s.io/v1` AdmissionReview request: HTTP 400. */
function badReview(message: string): RollsafeError {
  return new RollsafeError('bad-review', message);
}

/** The depth of a JSON value, counted without recursion (a hostile body may nest very deep). */
function depthOf(value: unknown, limit: number): number {
  let max = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: node, depth } = stack.pop() as { value: unknown; depth: number };
    if (depth > max) max = depth;
    if (max > limit) return max;
    if (typeof node === 'object' && node !== null) for (const child of Object.values(node)) stack.push({ value: child, depth: depth + 1 });
  }
  return max;
}

function stringField(record: Record<string, unknown>, key: string, what: string, required: boolean): string {
  const value = record[key];
  if (value === undefined && !required) return '';
  if (typeof value !== 'string') throw badReview(`${what}.${key} must be a string`);
  return value;
}

/** Reads a parsed body as an AdmissionReview v1 request; throws a RollsafeError `bad-review` with the reason. */
export function parseReview(body: unknown): AdmissionRequest {
  if (!isRecord(body)) throw badReview('the body is not a JSON object');
  if (depthOf(body, MAX_REVIEW_DEPTH) > MAX_REVIEW_DEPTH) throw badReview(`the review nests deeper than ${MAX_REVIEW_DEPTH} levels`);
  const apiVersion = body['apiVersion'];
  const kind = body['kind'];
  if (kind !== 'AdmissionReview') throw badReview(`expected kind AdmissionReview, got ${JSON.stringify(kind) ?? 'none'}`);
  if (apiVersion !== ADMISSION_API_VERSION) {
    throw badReview(`expected apiVersion ${ADMISSION_API_VERSION}, got ${JSON.stringify(apiVersion) ?? 'none'} (set admissionReviewVersions: [v1] in the webhook configuration)`);
  }
  const request = body['request'];
  if (!isRecord(request)) throw badReview('the review has no request');
  const uid = stringField(request, 'uid', 'request', true);
  if (uid === '') throw badReview('request.uid is empty');
  const gvk = request['kind'];
  if (!isRecord(gvk)) throw badReview('request.kind must be an object with group, version and kind');
  const kindOf: GroupVersionKind = { group: stringField(gvk, 'group', 'request.kind', false), version: stringField(gvk, 'version', 'request.kind', true), kind: stringField(gvk, 'kind', 'request.kind', true) };
  const operation = stringField(request, 'operation', 'request', true);
  if (!['CREATE', 'UPDATE', 'DELETE', 'CONNECT'].includes(operation)) throw badReview(`request.operation must be CREATE, UPDATE, DELETE or CONNECT, got ${JSON.stringify(operation)}`);
  const object = request['object'] ?? null;
  if ((operation === 'CREATE' || operation === 'UPDATE') && !isRecord(object)) throw badReview(`request.object must be an object for ${operation}`);
  const dryRun = request['dryRun'];
  if (dryRun !== undefined && dryRun !== null && typeof dryRun !== 'boolean') throw badReview('request.dryRun must be a boolean');
  return {
    uid,
    kind: kindOf,
    operation,
    subResource: stringField(request, 'subResource', 'request', false),
    namespace: stringField(request, 'namespace', 'request', false),
    name: stringField(request, 'name', 'request', false),
    object,
    dryRun: dryRun === true,
  };
}

/** The rules `serve` skips: those that must see other objects (their `needs`), sorted. */
export function skippedRules(): string[] {
  return [...RULES.values()].filter((r) => (r.meta.needs?.length ?? 0) > 0).map((r) => r.meta.id).sort();
}

/** Why a request is allowed without being judged, or undefined when it is judged. */
function notJudged(request: AdmissionRequest): string | undefined {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return `${request.operation} is not judged`;
  if (request.subResource !== '') return `the ${request.subResource} subresource is not judged`;
  const { group, version, kind } = request.kind;
  if (!JUDGED_KINDS.get(group)?.has(kind)) return `${group === '' ? '' : group + '/'}${version} ${kind} is not judged`;
  const object = request.object as Record<string, unknown>;
  const apiVersion = group === '' ? version : `${group}/${version}`;
  if (object['kind'] !== kind || object['apiVersion'] !== apiVersion) throw badReview(`request.object is ${String(object['apiVersion'])} ${String(object['kind'])}, but request.kind is ${apiVersion} ${kind}`);
  if (kind === 'Pod') {
    // A controller's Pod is judged through its controller; denying it would stall the controller.
    const owners = (object['metadata'] as { ownerReferences?: unknown } | undefined)?.ownerReferences;
    if (Array.isArray(owners) && owners.some((o) => isRecord(o) && o['controller'] === true)) return 'a Pod created by a controller is judged through its controller';
  }
  return undefined;
}

function severitiesFor(options: ReviewOptions): Record<string, Severity | 'off'> {
  const severities: Record<string, Severity | 'off'> = { ...options.ruleSeverities };
  for (const id of skippedRules()) severities[id] = 'off';
  return severities;
}

/** The object as the one source the engine reads (JSON is YAML; every string stays quoted; compact parses fastest). */
function sourceOf(request: AdmissionRequest): { path: string; text: string } {
  const { kind } = request.kind;
  const name = request.name === '' ? '(generated name)' : request.name;
  return { path: `${kind}/${request.namespace === '' ? '' : request.namespace + '/'}${name}`, text: JSON.stringify(request.object) };
}

/** A JSON Pointer as a field path: `/spec/template/spec/containers/0` → `spec.template.spec.containers[0]`. */
export function fieldPath(pointer: string): string {
  let out = '';
  for (const token of pointerTokens(pointer)) {
    if (/^(?:0|[1-9]\d*)$/.test(token)) out += `[${token}]`;
    else out += /^[A-Za-z_][\w-]*$/.test(token) ? `${out === '' ? '' : '.'}${token}` : `[${JSON.stringify(token)}]`;
  }
  return out === '' ? '(object)' : out;
}

/** What to change for a finding: its fix, else where the rule's page says. */
function whatToChange(finding: Finding): string {
  return finding.fix ? finding.fix.description : `see \`rollsafe explain ${finding.ruleId}\``;
}

/** Cuts a text to at most `max` characters, ending in `…` when cut. */
function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** One finding as a warning of at most MAX_WARNING_LENGTH characters. */
function warningOf(finding: Finding): string {
  return truncate(`rollsafe ${finding.ruleId}: ${whatToChange(finding)} (${fieldPath(finding.path)})`, MAX_WARNING_LENGTH);
}

/** Warnings up to the API server's total budget; the last one says how many were left out. */
export function limitWarnings(warnings: readonly string[]): string[] {
  const out: string[] = [];
  let total = 0;
  for (let i = 0; i < warnings.length; i++) {
    const warning = warnings[i] ?? '';
    const rest = warnings.length - i;
    const more = `rollsafe: ${rest} more findings; run rollsafe check on the manifest`;
    if (total + warning.length + more.length > MAX_WARNINGS_LENGTH && rest > 1) {
      out.push(more);
      return out;
    }
    out.push(warning);
    total += warning.length;
  }
  return out;
}

function auditAnnotations(): Record<string, string> {
  return { 'skipped-rules': skippedRules().join(',') };
}

function objectName(request: AdmissionRequest): string {
  const name = request.name === '' ? '(generated name)' : request.name;
  return `${request.kind.kind} ${request.namespace === '' ? '' : request.namespace + '/'}${name}`;
}

/** `/validate`: judge the object; `enforce` denies on error-level findings, `warn` never does. */
export function validateReview(request: AdmissionRequest, options: ReviewOptions): ReviewResult {
  const skip = notJudged(request);
  if (skip !== undefined) return { response: { uid: request.uid, allowed: true }, decision: 'skipped', findings: [] };
  const findings = checkSources([sourceOf(request)], { profile: options.profile, ruleSeverities: severitiesFor(options) }).findings;
  const errors = findings.filter((f) => f.severity === 'error');
  const audit = auditAnnotations();
  if (options.mode === 'enforce' && errors.length > 0) {
    const reasons = errors.map((f) => `${f.ruleId} at ${fieldPath(f.path)}: ${f.message}; change: ${whatToChange(f)}`);
    const message = `rollsafe denied ${objectName(request)} (profile ${options.profile.name}): ${reasons.join(' | ')}. Not judged here (they need other objects): ${skippedRules().join(', ')}`;
    const rest = limitWarnings(findings.filter((f) => f.severity !== 'error').map(warningOf));
    return {
      response: { uid: request.uid, allowed: false, status: { code: 403, reason: 'Forbidden', message }, auditAnnotations: audit, ...(rest.length > 0 ? { warnings: rest } : {}) },
      decision: 'denied',
      findings,
    };
  }
  const warnings = limitWarnings([...errors, ...findings.filter((f) => f.severity !== 'error')].map(warningOf));
  return { response: { uid: request.uid, allowed: true, auditAnnotations: audit, ...(warnings.length > 0 ? { warnings } : {}) }, decision: 'allowed', findings };
}

/** base64 of a string's UTF-8 bytes, without Node's Buffer (the review stays platform-neutral). */
export function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Reads the first document of the fixer's output the way the loader reads YAML. */
function firstDocument(text: string): unknown {
  const documents = jsYaml.loadAll(text, undefined, { schema: KUBERNETES_YAML_SCHEMA });
  return documents[0];
}

/** The JSON Patch that makes `rollsafe fix`'s changes to the request's object, and what it fixes. */
function patchFor(request: AdmissionRequest, options: ReviewOptions): { operations: JsonPatchOperation[]; fixed: Finding[]; converged: boolean } {
  const source = sourceOf(request);
  const result = fixSources([source], { profile: options.profile, ruleSeverities: severitiesFor(options) });
  if (result.stop !== 'done') return { operations: [], fixed: [], converged: false };
  const operations: JsonPatchOperation[] = [];
  const fixed: Finding[] = [];
  let value: unknown = request.object;
  for (const { finding } of result.appliedFixes) {
    // The object is the whole document (base ''), so the fix's document pointers are the object's.
    if (finding.fix?.kind !== 'patch') continue;
    fixed.push(finding);
    for (const op of finding.fix.operations) {
      const step = toJsonPatch(value, op);
      operations.push(...step.operations);
      value = step.next;
    }
  }
  // The patch must mean what the fixer wrote; anything else is a defect, answered per failure policy.
  const after = result.files[0]?.after ?? source.text;
  if (!deepEqual(value, firstDocument(after))) throw new Error('the JSON Patch does not reproduce the fixed object');
  return { operations, fixed, converged: true };
}

/** `/mutate`: the fixes as a base64 JSON Patch; always allowed. */
export function mutateReview(request: AdmissionRequest, options: ReviewOptions): ReviewResult {
  const skip = notJudged(request);
  if (skip !== undefined) return { response: { uid: request.uid, allowed: true }, decision: 'skipped', findings: [] };
  const { operations, fixed, converged } = patchFor(request, options);
  if (!converged) {
    return { response: { uid: request.uid, allowed: true, warnings: ['rollsafe: the fixes for this object do not converge; nothing was changed'] }, decision: 'allowed', findings: [] };
  }
  if (operations.length === 0) return { response: { uid: request.uid, allowed: true }, decision: 'allowed', findings: [] };
  const warnings = limitWarnings(fixed.map((f) => truncate(`rollsafe fixed ${f.ruleId}: ${whatToChange(f)} (${fieldPath(f.path)})`, MAX_WARNING_LENGTH)));
  return {
    response: { uid: request.uid, allowed: true, patch: base64(JSON.stringify(operations)), patchType: 'JSONPatch', warnings },
    decision: 'patched',
    findings: fixed,
  };
}

/** The response to a request that failed inside the server: `allowed` per the failure policy, uid echoed. */
export function failureResponse(uid: string, failurePolicy: 'fail' | 'ignore', reason: string): AdmissionResponse {
  const message = `rollsafe could not review this object: ${reason}`;
  return failurePolicy === 'ignore' ? { uid, allowed: true, warnings: [truncate(message, MAX_WARNING_LENGTH)] } : { uid, allowed: false, status: { code: 500, reason: 'InternalError', message } };
}

/** The AdmissionReview that carries a response. */
export function reviewOf(response: AdmissionResponse): { apiVersion: string; kind: 'AdmissionReview'; response: AdmissionResponse } {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}
