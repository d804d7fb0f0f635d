/**
 * The built validators (dist/schema/models.js) answer `isValid()` before building errors
 * (scripts/build.js); validation skips `validate()` when it is true. These tests hold that
 * `isValid()` is true exactly when `validate()` finds nothing, and that validation through the
 * built bundle gives the very violations the unbundled validators give, over every manifest of the
 * fixtures, the examples and the corpora, and over objects mutated at random.
 */
import fc from 'fast-check';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/load/parse.js';
import { validateObject } from '../../src/schema/validate.js';
import { ROOT } from '../helpers.js';

const MODELS = `${ROOT}dist/schema/models.js`;
const VALIDATE = `${ROOT}dist/schema/validate.js`;
const built = existsSync(MODELS) && existsSync(VALIDATE);

interface BuiltModel {
  readonly apiVersion: string;
  readonly kind: string;
  readonly prototype: { validate(this: unknown): void; isValid?(this: unknown): boolean };
}

type ValidateObject = typeof validateObject;

async function loadBuilt(): Promise<{ models: Map<string, BuiltModel>; validateBuilt: ValidateObject }> {
  const modules = (await import(MODELS)) as Record<string, BuiltModel>;
  const models = new Map(Object.values(modules).map((m) => [`${m.apiVersion}/${m.kind}`, m]));
  const { validateObject: validateBuilt } = (await import(VALIDATE)) as { validateObject: ValidateObject };
  return { models, validateBuilt };
}

const MANIFEST = /\.(?:ya?ml|json)$/i;

function manifestFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'node_modules' || name === '.git' ? [] : manifestFiles(path);
      return MANIFEST.test(name) ? [path] : [];
    });
}

/** Every object (List items too) of the manifests under the given folders. */
function objectsUnder(dirs: readonly string[]): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [];
  const add = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    const record = value as Record<string, unknown>;
    if (record['kind'] === 'List' && Array.isArray(record['items'])) record['items'].forEach(add);
    else objects.push(record);
  };
  for (const path of dirs.flatMap(manifestFiles)) {
    for (const doc of parseSource({ path, text: readFileSync(path, 'utf8') }).documents) add(doc.value);
  }
  return objects;
}

function validates(model: BuiltModel, value: unknown): boolean {
  try {
    model.prototype.validate.call(value);
    return true;
  } catch {
    return false;
  }
}

const SOURCES = [`${ROOT}test/fixtures`, `${ROOT}examples`, `${ROOT}../shared/corpus`, `${ROOT}bench/.corpus/A`];

describe.runIf(built)('the validators fast path (dist)', () => {
  it('every built validator has one', async () => {
    const { models } = await loadBuilt();
    expect([...models.keys()].sort()).toEqual([
      'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy',
      'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding',
      'apps/v1/DaemonSet',
      'apps/v1/Deployment',
      'apps/v1/ReplicaSet',
      'apps/v1/StatefulSet',
      'autoscaling/v1/HorizontalPodAutoscaler',
      'autoscaling/v2/HorizontalPodAutoscaler',
      'networking.k8s.io/v1/Ingress',
      'policy/v1/PodDisruptionBudget',
      'v1/Namespace',
      'v1/Pod',
      'v1/Service',
    ]);
    expect([...models.values()].filter((m) => typeof m.prototype.isValid !== 'function').map((m) => m.kind)).toEqual([]);
  });

  it('agrees with the full validators on every object of the fixtures, examples and corpora', async () => {
    const { models, validateBuilt } = await loadBuilt();
    const mismatches: string[] = [];
    const outcomes = new Set<boolean>();
    for (const object of objectsUnder(SOURCES)) {
      const id = `${String(object['apiVersion'])}/${String(object['kind'])}`;
      const model = models.get(id);
      if (!model) continue;
      const fast = model.prototype.isValid?.call(object);
      const full = validates(model, object);
      outcomes.add(full);
      if (fast !== full) mismatches.push(`${id} ${JSON.stringify(object).slice(0, 200)}`);
      const [apiVersion, kind] = [String(object['apiVersion']), String(object['kind'])];
      expect(validateBuilt(apiVersion, kind, object)).toEqual(validateObject(apiVersion, kind, object));
    }
    expect(mismatches).toEqual([]);
    expect([...outcomes].sort()).toEqual([false, true]);
  });

  it('agrees with the full validators on mutated objects (property)', async () => {
    const { models, validateBuilt } = await loadBuilt();
    const seeds = objectsUnder([`${ROOT}test/fixtures`, `${ROOT}examples`]).filter((o) => models.has(`${String(o['apiVersion'])}/${String(o['kind'])}`));
    const leaf = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom('', '80', '50%', 'http', 'TCP', 'a-b', '1Gi', '100m', 'Always', 'ClusterIP', 'apps/v1', 'RollingUpdate', '25%x', '-1'),
      fc.integer({ min: -3, max: 70000 }),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.constant(null),
      fc.constant([]),
      fc.constant({}),
      fc.constant([{}]),
      fc.constant({ name: 'x' }),
    );
    const mutation = fc.record({ seed: fc.nat(), steps: fc.array(fc.nat(), { minLength: 0, maxLength: 12 }), op: fc.constantFrom('set', 'delete', 'add'), key: fc.constantFrom('name', 'port', 'x', 'type', 'containers', 'selector', 'spec'), value: leaf });
    let invalid = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const seed = seeds[(mutations[0]?.seed ?? 0) % seeds.length] ?? {};
        const object = structuredClone(seed);
        for (const m of mutations) mutate(object, m.steps, m.op, m.key, m.value);
        const id = `${String(object['apiVersion'])}/${String(object['kind'])}`;
        const model = models.get(`${String(seed['apiVersion'])}/${String(seed['kind'])}`);
        if (!model) return;
        const full = validates(model, object);
        if (!full) invalid++;
        expect(model.prototype.isValid?.call(object)).toBe(full);
        if (models.has(id)) {
          const [apiVersion, kind] = [String(object['apiVersion']), String(object['kind'])];
          expect(validateBuilt(apiVersion, kind, object)).toEqual(validateObject(apiVersion, kind, object));
        }
      }),
      { numRuns: 3000, seed: 20261205 },
    );
    expect(invalid).toBeGreaterThan(500);
  });
});

/** Follows `steps` (child indexes) down from the root, then sets, deletes or adds a field there. */
function mutate(root: Record<string, unknown>, steps: readonly number[], op: string, key: string, value: unknown): void {
  let parent: Record<string, unknown> | unknown[] = root;
  let at: string | number = Object.keys(root)[0] ?? 'kind';
  for (const step of steps) {
    const child: unknown = Array.isArray(parent) ? parent[at as number] : parent[at as string];
    if (typeof child !== 'object' || child === null) break;
    const keys = Array.isArray(child) ? child.map((_, i) => i) : Object.keys(child);
    if (keys.length === 0) break;
    parent = child as Record<string, unknown> | unknown[];
    at = keys[step % keys.length] ?? 0;
  }
  const value2 = structuredClone(value);
  if (Array.isArray(parent)) {
    if (op === 'delete') parent.splice(at as number, 1);
    else if (op === 'add') parent.push(value2);
    else parent[at as number] = value2;
  } else if (op === 'delete') {
    Reflect.deleteProperty(parent, at);
  } else if (op === 'add') {
    parent[key] = value2;
  } else {
    parent[at as string] = value2;
  }
}
