/**
 * The MutatingAdmissionPolicy (Kubernetes 1.36+): its JSON Patch, evaluated with @bufbuild/cel
 * and applied with the project's RFC 6902 operations, turns every workload object of the inputs
 * into what `rollsafe fix --only` the mutated rules writes, and a second
 * admission of the patched object patches nothing.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { PatchOperation } from '../../src/rules/types.js';
import { fixSources } from '../../src/fix/driver.js';
import { applyOperation, cloneValue } from '../../src/fix/patch.js';
import { MAX_PATCHED_CONTAINERS, MUTATED_RULES, mutationExpression } from '../../src/policy/mutation.js';
import { compilePolicy, NOT_COMPILED } from '../../src/policy/policy.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { withK8sVersion } from '../../src/profiles/load.js';
import type { Profile } from '../../src/profiles/types.js';
import { casesOf, CORPUS_PRESENT, filesOf } from './corpus.js';
import { evaluateOn, type PolicyView } from './evaluate.js';

function at136(name: string): Profile {
  const profile = findBuiltinProfile(name);
  if (!profile) throw new Error(`no profile ${name}`);
  return withK8sVersion(profile, '1.36');
}

function documentsOf(profile: Profile): Record<string, unknown>[] {
  return [...compilePolicy({ profile, mode: 'warn' }).documents];
}

describe('which documents a Kubernetes version gets', () => {
  it('1.30 to 1.35: the validating policy and its binding; 1.36: also the mutating policy and its binding', () => {
    const kinds = (version: string): unknown[] => documentsOf(withK8sVersion(at136('generic'), version)).map((d) => d['kind']);
    expect(kinds('1.30')).toEqual(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    expect(kinds('1.35')).toEqual(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    expect(kinds('1.36')).toEqual(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding']);
  });

  it('the Kubernetes syntax differs from the evaluated one only in the JSONPatch type', () => {
    const numbers = compilePolicy({ profile: at136('generic'), mode: 'warn' }).numbers;
    const kubernetes = mutationExpression(numbers, '1.36', 'kubernetes', new Set(Object.keys(NOT_COMPILED)));
    expect(kubernetes.match(/JSONPatch\{/g)).toHaveLength(5 * MAX_PATCHED_CONTAINERS + 2);
    const plain = kubernetes.replace(/JSONPatch\{op: (.*?), path: (.*?), value: /g, "{'op': $1, 'path': $2, 'value': ");
    expect(plain).toBe(mutationExpression(numbers, '1.36', 'plain', new Set(Object.keys(NOT_COMPILED))));
  });
});

/** What `rollsafe fix` writes for the mutated rules, on the object alone (with some rules turned off). */
function fixed(object: Record<string, unknown>, profile: Profile, off: readonly string[] = []): unknown {
  const ruleSeverities = Object.fromEntries(off.map((id) => [id, 'off' as const]));
  const result = fixSources([{ path: 'object.yaml', text: JSON.stringify(object) }], { profile, only: MUTATED_RULES, ruleSeverities });
  return parse(result.files[0]?.after ?? '');
}

const SETS = [
  // 275 (was 295): DaemonSets with no hostPort are node agents with no Service in view, and a rollout
  // that deletes every pod before replacing it gets no readiness probe (readiness-probe-missing).
  { set: 'fixtures', patched: 275 },
  { set: 'examples', patched: 2 },
  { set: 'corpus', patched: 25 },
] as const;

for (const { set, patched } of SETS) {
  describe.skipIf(set === 'corpus' && !CORPUS_PRESENT)(`${set}: the patch is rollsafe fix's`, () => {
    for (const name of ['generic', 'ack-flannel']) {
      it(`profile ${name} at 1.36${name === 'generic' ? `: ${patched} objects patched` : ''}`, () => {
        const profile = at136(name);
        const numbers = compilePolicy({ profile, mode: 'warn' }).numbers;
        const expression = mutationExpression(numbers, profile.k8sVersion, 'plain', new Set(Object.keys(NOT_COMPILED)));
        const spec = (documentsOf(profile)[2] as { spec: PolicyView }).spec;
        const wrong: string[] = [];
        let count = 0;
        for (const c of casesOf(filesOf(set), profile)) {
          const result = evaluateOn(spec, c.object, expression);
          if ('error' in result) {
            wrong.push(`${c.id}: ${result.error}`);
            continue;
          }
          const ops = result.value as PatchOperation[];
          if (ops.length > 0) count++;
          const after = ops.reduce<unknown>((value, op) => applyOperation(value, op), cloneValue(c.object));
          expect(after, c.id).toEqual(fixed(c.object, profile));
          const again = evaluateOn(spec, after, expression);
          expect(again, c.id).toEqual({ value: [] });
        }
        expect(wrong).toEqual([]);
        if (name === 'generic') expect(count).toBe(patched);
      });
    }
  });
}

describe('a rule turned off has no fix in the patch, as rollsafe fix applies none', () => {
  for (const off of [['prestop-missing'], ['readiness-probe-missing']]) {
    it(`off: ${off.join(', ')} (fixtures, profile ack-flannel at 1.36)`, () => {
      const profile = at136('ack-flannel');
      const numbers = compilePolicy({ profile, mode: 'warn' }).numbers;
      const expression = mutationExpression(numbers, profile.k8sVersion, 'plain', new Set([...off, ...Object.keys(NOT_COMPILED)]));
      const spec = (documentsOf(profile)[2] as { spec: PolicyView }).spec;
      for (const c of casesOf(filesOf('fixtures'), profile)) {
        const result = evaluateOn(spec, c.object, expression);
        if ('error' in result) throw new Error(`${c.id}: ${result.error}`);
        const after = (result.value as PatchOperation[]).reduce<unknown>((value, op) => applyOperation(value, op), cloneValue(c.object));
        expect(after, c.id).toEqual(fixed(c.object, profile, off));
      }
    });
  }
});
