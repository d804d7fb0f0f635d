/**
 * Validation against the Kubernetes OpenAPI schema, using the validators kubernetes-models
 * compiles from it. Those validators check types, formats and required fields; for unknown
 * fields (which the API server rejects under strict field validation, or silently drops) we
 * observe which properties the schema validator reads: a key present in the object that the
 * schema never asked for is not in the schema.
 */
import { DaemonSet, Deployment, HpaV1, HpaV2, Ingress, Namespace, Pod, PodDisruptionBudget, ReplicaSet, Service, StatefulSet, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from './models.js';
import { escapeToken } from '../document/pointer.js';
import { isRecord } from '../model/k8s.js';
import { RollsafeError } from '../errors.js';

interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

type ValidateThis = (this: unknown) => void;

/**
 * A schema validator: `validate` throws the schema errors of `this`; `isValid`, which the build
 * adds to the bundled validators (scripts/build.js), runs the same checks and only answers whether
 * there are none, without building the errors' paths. Unbundled (as under the tests), there is no
 * `isValid` and every object takes `validate`.
 */
interface Validator {
  readonly validate: ValidateThis;
  readonly isValid: ((this: unknown) => boolean) | undefined;
}

function validatorOf(model: { prototype: unknown }): Validator {
  const prototype = model.prototype as { validate: ValidateThis; isValid?: (this: unknown) => boolean };
  return { validate: prototype.validate, isValid: prototype.isValid };
}

const VALIDATORS: ReadonlyMap<string, Validator> = new Map([
  ['admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy', validatorOf(ValidatingAdmissionPolicy)],
  ['admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding', validatorOf(ValidatingAdmissionPolicyBinding)],
  ['apps/v1/DaemonSet', validatorOf(DaemonSet)],
  ['apps/v1/Deployment', validatorOf(Deployment)],
  ['apps/v1/ReplicaSet', validatorOf(ReplicaSet)],
  ['apps/v1/StatefulSet', validatorOf(StatefulSet)],
  ['autoscaling/v1/HorizontalPodAutoscaler', validatorOf(HpaV1)],
  ['autoscaling/v2/HorizontalPodAutoscaler', validatorOf(HpaV2)],
  ['networking.k8s.io/v1/Ingress', validatorOf(Ingress)],
  ['policy/v1/PodDisruptionBudget', validatorOf(PodDisruptionBudget)],
  ['v1/Namespace', validatorOf(Namespace)],
  ['v1/Pod', validatorOf(Pod)],
  ['v1/Service', validatorOf(Service)],
]);

/** True when rollsafe validates this apiVersion/kind against the schema. */
export function hasSchema(apiVersion: string, kind: string): boolean {
  return VALIDATORS.has(`${apiVersion}/${kind}`);
}

/** One schema violation, at a JSON Pointer relative to the object. */
export interface SchemaViolation {
  readonly code: 'wrong-type' | 'missing-field' | 'unknown-field' | 'misplaced-field' | 'invalid-value';
  readonly path: string;
  readonly message: string;
  /** For wrong-type: the type the schema wants. */
  readonly expected?: string;
}

/**
 * What the schema declares at one place of an object, learned by observing the validator:
 * `fields` are the declared keys (each with its own node), `map` marks free-keyed maps (the
 * validator iterated the keys), `items` is the element node of a list. A node whose object the
 * validator never saw is not `learned` yet.
 */
interface ShapeNode {
  learned: boolean;
  isMap: boolean;
  readonly fields: Map<string, ShapeNode>;
  items: ShapeNode | undefined;
  values: ShapeNode | undefined;
}

function newShape(): ShapeNode {
  return { learned: false, isMap: false, fields: new Map(), items: undefined, values: undefined };
}

/** The shape tree per `apiVersion/kind`. */
const shapes = new Map<string, ShapeNode>();

/**
 * Runs the schema validator once over recording proxies of `value`, learning the declared keys of
 * every object the document has (the validator reads every declared property, present or not).
 */
function learnShapes(root: ShapeNode, validate: ValidateThis, value: Record<string, unknown>): void {
  const wrap = (target: unknown, node: ShapeNode): unknown => {
    if (typeof target !== 'object' || target === null) return target;
    node.learned = true;
    if (Array.isArray(target)) {
      return new Proxy(target, {
        get(t, key, receiver) {
          const v: unknown = Reflect.get(t, key, receiver);
          if (typeof key !== 'string' || !/^\d+$/.test(key)) return v;
          node.items ??= newShape();
          return wrap(v, node.items);
        },
      });
    }
    return new Proxy(target, {
      get(t, key, receiver) {
        const v: unknown = Reflect.get(t, key, receiver);
        if (typeof key !== 'string') return v;
        if (node.isMap) {
          node.values ??= newShape();
          return wrap(v, node.values);
        }
        let child = node.fields.get(key);
        if (!child) {
          child = newShape();
          node.fields.set(key, child);
        }
        return wrap(v, child);
      },
      ownKeys(t) {
        // `for key in data` means additionalProperties: a map with free keys.
        node.isMap = true;
        return Reflect.ownKeys(t);
      },
    });
  };
  try {
    validate.call(wrap(value, root));
  } catch {
    // Validation errors are collected by validateObject; here we only learn shapes.
  }
}

/** Budget of nodes walked per object: an alias bomb expands past it. */
const MAX_NODES_PER_OBJECT = 200_000;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return `${typeof value} ${String(value)}`;
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  if (pointer === '') return node;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isRecord(node)) node = node[token];
    else return undefined;
  }
  return node;
}

function fromSchemaError(e: SchemaError, root: unknown): SchemaViolation {
  const path = e.instancePath;
  switch (e.keyword) {
    case 'type': {
      const expected = String(e.params['type']);
      return { code: 'wrong-type', path, expected, message: `must be ${expected}, found ${describe(valueAt(root, path))}` };
    }
    case 'required': {
      const missing = String(e.params['missingProperty']);
      return { code: 'missing-field', path: `${path}/${escapeToken(missing)}`, message: `required field \`${missing}\` is missing` };
    }
    case 'format':
      return { code: 'invalid-value', path, message: `must be a valid ${String(e.params['format'])}, found ${describe(valueAt(root, path))}` };
    case 'enum':
      return { code: 'invalid-value', path, message: `must be one of ${JSON.stringify(e.params['allowedValues'])}` };
    default:
      return { code: 'invalid-value', path, message: e.message ?? `fails schema keyword ${e.keyword}` };
  }
}

/**
 * Validates one object (a whole Kubernetes object, apiVersion/kind known to `hasSchema`).
 * Throws a RollsafeError `alias-bomb` for alias bombs; otherwise returns violations (empty when valid).
 */
export function validateObject(apiVersion: string, kind: string, value: Record<string, unknown>): SchemaViolation[] {
  const id = `${apiVersion}/${kind}`;
  const validator = VALIDATORS.get(id);
  if (!validator) return [];
  const validate = validator.validate;
  const violations: SchemaViolation[] = [];
  try {
    // The errors are built only for objects that have some: the same checks tell which first.
    if (validator.isValid?.call(value) !== true) validate.call(value);
  } catch (error: unknown) {
    const errors = (error as { errors?: SchemaError[] }).errors;
    if (!Array.isArray(errors)) throw error;
    // IntOrString fields fail three ways at once (not a string, not an integer, not oneOf): one finding a field.
    const seen = new Set<string>();
    for (const e of errors) {
      const v = fromSchemaError(e, value);
      const key = `${v.code}:${v.path}`;
      if (seen.has(key) || (e.keyword === 'oneOf' && seen.has(`wrong-type:${v.path}`))) continue;
      seen.add(key);
      const intOrString = errors.some((o) => o.instancePath === e.instancePath && o.keyword === 'oneOf');
      violations.push(intOrString && v.code === 'wrong-type' ? { ...v, expected: 'integer or string', message: `must be an integer or a string, found ${describe(valueAt(value, v.path))}` } : v);
    }
  }
  let root = shapes.get(id);
  if (!root) {
    root = newShape();
    shapes.set(id, root);
  }
  const top = root;
  let budget = MAX_NODES_PER_OBJECT;
  let learned = false;
  const tokens: string[] = [];
  const parents: ShapeNode[] = [];
  const walk = (node: unknown, shape: ShapeNode | undefined): void => {
    if (--budget < 0) throw new RollsafeError('alias-bomb', `object expands to more than ${MAX_NODES_PER_OBJECT} nodes`);
    if (typeof node !== 'object' || node === null) return;
    if (shape && !shape.learned && !learned) {
      learnShapes(top, validate, value);
      learned = true;
    }
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        tokens.push(String(i));
        walk(node[i], shape?.items);
        tokens.pop();
      }
      return;
    }
    if (!shape || !shape.learned) return;
    const record = node as Record<string, unknown>;
    if (shape.isMap) {
      for (const key in record) {
        tokens.push(key);
        walk(record[key], shape.values);
        tokens.pop();
      }
      return;
    }
    // A learned object whose validator read no key is free-form (e.g. RawExtension).
    if (shape.fields.size === 0) return;
    parents.push(shape);
    for (const key in record) {
      const child = shape.fields.get(key);
      tokens.push(key);
      if (child) walk(record[key], child);
      else violations.push(unknownField(key, tokens, parents));
      tokens.pop();
    }
    parents.pop();
  };
  walk(value, top);
  return violations;
}

function unknownField(key: string, tokens: readonly string[], parents: readonly ShapeNode[]): SchemaViolation {
  const path = '/' + tokens.map(escapeToken).join('/');
  // A key the schema knows at an ancestor level was put at the wrong depth (e.g. `strategy`
  // under the pod template): Kubernetes drops or rejects it, and the user's intent is lost.
  for (let depth = parents.length - 2; depth >= 0; depth--) {
    if (parents[depth]?.fields.has(key)) {
      const where = depth === 0 ? 'the top level' : `\`${tokens.slice(0, depth).filter((t) => !/^\d+$/.test(t)).join('.')}\``;
      return { code: 'misplaced-field', path, message: `\`${key}\` is not a field here; it belongs under ${where}, so Kubernetes ignores it where it is` };
    }
  }
  return { code: 'unknown-field', path, message: `unknown field \`${key}\`: the API server rejects it under strict field validation (kubectl's default) or drops it` };
}
