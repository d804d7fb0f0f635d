/** Kubernetes objects as loaded: the value, where it came from, and how to locate its fields. */
import { locate, type ParsedDocument } from '../document/document.js';
import type { Position } from '../document/types.js';
import { recordAt, stringAt } from './k8s.js';

/** How an object is named in findings. */
export interface ResourceRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** One Kubernetes object of the input. */
export interface Resource {
  readonly doc: ParsedDocument;
  /** JSON Pointer of the object inside its document: '' or `/items/N` in a List. */
  readonly base: string;
  readonly object: Record<string, unknown>;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** The namespace as written ('' when not set). */
  readonly namespace: string;
  readonly ref: ResourceRef;
  readonly annotations: Readonly<Record<string, string>>;
}

/** The namespace objects without one end up in (what `kubectl apply` without -n does). */
export const DEFAULT_NAMESPACE = 'default';

/** The namespace used to relate objects: unset means `default`. */
export function effectiveNamespace(resource: Resource): string {
  return resource.namespace === '' ? DEFAULT_NAMESPACE : resource.namespace;
}

/** Position of a field given by a pointer relative to the object. */
export function positionOf(resource: Resource, pointer: string): Position {
  return locate(resource.doc, resource.base + pointer);
}

/** Creates a Resource from an object value that has apiVersion and kind. */
export function toResource(doc: ParsedDocument, base: string, object: Record<string, unknown>): Resource {
  const metadata = recordAt(object, 'metadata');
  const apiVersion = stringAt(object, 'apiVersion') ?? '';
  const kind = stringAt(object, 'kind') ?? '';
  const name = stringAt(metadata, 'name') ?? stringAt(metadata, 'generateName') ?? '';
  const namespace = stringAt(metadata, 'namespace') ?? '';
  const rawAnnotations = recordAt(metadata, 'annotations') ?? {};
  const annotations: Record<string, string> = {};
  for (const k in rawAnnotations) {
    const v = rawAnnotations[k];
    if (typeof v === 'string') annotations[k] = v;
  }
  return { doc, base, object, apiVersion, kind, name, namespace, ref: { kind, namespace, name }, annotations };
}

/** The annotation that turns rules off for one object: `rollsafe.io/ignore: rule-id[,rule-id]` (or `all`). */
export const IGNORE_ANNOTATION = 'rollsafe.io/ignore';

const NOTHING_IGNORED: ReadonlySet<string> = new Set();

/** The rule ids an object's ignore annotation lists. */
export function ignoredRules(resource: Resource): ReadonlySet<string> {
  const value = resource.annotations[IGNORE_ANNOTATION];
  if (!value) return NOTHING_IGNORED;
  return new Set(value.split(',').map((s) => s.trim()).filter(Boolean));
}
