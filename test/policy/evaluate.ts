/**
 * Evaluates a ValidatingAdmissionPolicy the way the API server does, for one object, with
 * @bufbuild/cel (CEL for ECMAScript, run against the cel-spec conformance suite) and its
 * `strings` extension, the library Kubernetes adds to CEL for these expressions.
 *
 * The object is given as the API server holds it after decoding: fields set to null are absent
 * and whole numbers are CEL ints (int64), other numbers doubles.
 */
import { celEnv, isCelError, isCelList, isCelMap, parse, plan, type CelInput } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { isRecord } from '../../src/model/k8s.js';

/** A JSON value as CEL sees a decoded Kubernetes object. */
function toCel(value: unknown): CelInput {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined).map(toCel);
  if (isRecord(value)) {
    const map = new Map<string, CelInput>();
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) map.set(k, toCel(v));
    return map;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  return null;
}

type Program = ReturnType<typeof plan>;

/** Standard CEL plus the `strings` extension. */
const ENV = celEnv({ funcs: strings });

const programs = new Map<string, Program>();

/** Plans an expression once (the text is the key). */
function programOf(expression: string): Program {
  let p = programs.get(expression);
  if (!p) programs.set(expression, (p = plan(ENV, parse(expression))));
  return p;
}

/** Evaluates one expression; a CEL error is returned as `{ error }`. */
function evaluate(expression: string, bindings: Record<string, CelInput>): { value: unknown } | { error: string } {
  let result: unknown;
  try {
    result = programOf(expression)(bindings);
  } catch (error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  if (isCelError(result)) return { error: result.message };
  return { value: result };
}

interface Validation {
  readonly expression: string;
  readonly messageExpression: string;
}

export interface PolicyView {
  readonly variables: readonly { name: string; expression: string }[];
  readonly validations: readonly Validation[];
  readonly matchConditions: readonly { name: string; expression: string }[];
}

/**
 * The Namespace object the API server binds to `namespaceObject`: the object's namespace, or
 * `default` where it has none (kubectl sends it there).
 */
function namespaceOf(object: unknown): unknown {
  const metadata = isRecord(object) ? object['metadata'] : undefined;
  const namespace = isRecord(metadata) && typeof metadata['namespace'] === 'string' ? metadata['namespace'] : 'default';
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
}

/** What the policy says about one object. */
export interface Verdict {
  /** False when a matchCondition excluded the object. */
  readonly matched: boolean;
  /** Index of each failed validation with its message. */
  readonly failed: ReadonlyMap<number, string>;
  /** Expressions that did not evaluate (the API server applies failurePolicy to them). */
  readonly errors: readonly string[];
}

/** Runs the policy's match conditions, variables and validations on `object`. */
export function judge(policy: PolicyView, object: unknown): Verdict {
  const cel = toCel(object);
  const errors: string[] = [];
  const variables = new Map<string, CelInput>();
  const namespaceObject = toCel(namespaceOf(object));
  const bindings = (): Record<string, CelInput> => ({ object: cel, variables, namespaceObject });
  for (const condition of policy.matchConditions) {
    const r = evaluate(condition.expression, bindings());
    if ('error' in r) errors.push(`matchCondition ${condition.name}: ${r.error}`);
    else if (r.value !== true) return { matched: false, failed: new Map(), errors };
  }
  for (const v of policy.variables) {
    const r = evaluate(v.expression, bindings());
    if ('error' in r) errors.push(`variable ${v.name}: ${r.error}`);
    else variables.set(v.name, r.value as CelInput);
  }
  const failed = new Map<number, string>();
  policy.validations.forEach((validation, i) => {
    const r = evaluate(validation.expression, bindings());
    if ('error' in r) {
      errors.push(`validation ${i}: ${r.error}`);
      return;
    }
    if (r.value === true) return;
    if (r.value !== false) {
      errors.push(`validation ${i}: not a bool: ${String(r.value)}`);
      return;
    }
    const m = evaluate(validation.messageExpression, bindings());
    if ('error' in m || typeof m.value !== 'string') {
      errors.push(`messageExpression ${i}: ${'error' in m ? m.error : 'not a string'}`);
      failed.set(i, '');
    } else failed.set(i, m.value);
  });
  return { matched: true, failed, errors };
}

/** A CEL result as JSON: lists, maps, ints (as numbers), doubles, strings, booleans. */
function fromCel(value: unknown): unknown {
  if (isCelList(value)) return [...value].map(fromCel);
  if (isCelMap(value)) return Object.fromEntries([...value].map(([k, v]) => [String(k), fromCel(v)]));
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/** Evaluates `expression` on `object` after the policy's variables, as JSON (or the error). */
export function evaluateOn(policy: Pick<PolicyView, 'variables'>, object: unknown, expression: string): { value: unknown } | { error: string } {
  const cel = toCel(object);
  const variables = new Map<string, CelInput>();
  for (const v of policy.variables) {
    const r = evaluate(v.expression, { object: cel, variables });
    if ('error' in r) return { error: `variable ${v.name}: ${r.error}` };
    variables.set(v.name, r.value as CelInput);
  }
  const r = evaluate(expression, { object: cel, variables });
  return 'error' in r ? r : { value: fromCel(r.value) };
}
