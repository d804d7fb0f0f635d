/**
 * Every CEL expression `rollsafe policy` writes is evaluated with a conformance-tested CEL
 * implementation (@bufbuild/cel) on every workload of the rules' fixtures, the bundled examples and
 * deploy/, one object at a time, and its verdict must equal the rule's on that object alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { run as runCel } from '@bufbuild/cel';
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { checkSources } from '../../src/engine/run.js';
import { KUBERNETES_YAML_SCHEMA } from '../../src/load/yaml11.js';
import { celRules, compilePolicies, POLICY_VARIABLES, uncompiledRules } from '../../src/policy/compile.js';
import { JUDGED_KINDS } from '../../src/server/review.js';
import { captureIo, ROOT } from '../helpers.js';
import { profileNamed } from '../server/helpers.js';

/** A parsed value as CEL input: mappings become Maps, whole numbers ints. */
function celValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(celValue);
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'object' && value !== null) return new Map(Object.entries(value).map(([k, v]) => [k, celValue(v)]));
  return value;
}

/** The expression with the policy's variables written out (the API server binds them; here they are inlined). */
function inline(expression: string): string {
  let out = expression;
  for (const v of [...POLICY_VARIABLES].reverse()) out = out.replaceAll(`variables.${v.name}`, `(${v.expression})`);
  // Inlining a variable can bring in an earlier one.
  return out.includes('variables.') ? inline(out) : out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(ROOT + dir, { recursive: true, withFileTypes: false })
    .map(String)
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
    .map((f) => `${dir}${f}`);
}

const judged = (o: Record<string, unknown>): boolean => {
  const apiVersion = String(o['apiVersion'] ?? '');
  const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
  const owners = (o['metadata'] as { ownerReferences?: Array<{ controller?: boolean }> } | undefined)?.ownerReferences ?? [];
  return JUDGED_KINDS.get(group)?.has(String(o['kind'])) === true && !owners.some((r) => r.controller === true);
};

const objects: Array<{ file: string; object: Record<string, unknown> }> = [];
for (const file of [...filesUnder('test/fixtures/rules/'), ...filesUnder('examples/'), ...filesUnder('deploy/')]) {
  let documents: unknown[];
  try {
    documents = jsYaml.loadAll(readFileSync(ROOT + file, 'utf8'), undefined, { schema: KUBERNETES_YAML_SCHEMA });
  } catch {
    continue;
  }
  for (const d of documents) if (typeof d === 'object' && d !== null && !Array.isArray(d) && judged(d as Record<string, unknown>)) objects.push({ file, object: d as Record<string, unknown> });
}

describe('rollsafe policy', () => {
  it('has workloads to judge', () => {
    expect(objects.length).toBeGreaterThan(40);
  });

  for (const rule of celRules()) {
    it(`${rule.ruleId}: the CEL verdict equals the rule's on every workload alone`, () => {
      const expression = inline(rule.expression);
      let fires = 0;
      for (const { file, object } of objects) {
        const findings = checkSources([{ path: file, text: JSON.stringify(object) }], { profile: profileNamed('generic') }).findings;
        const ruleFires = findings.some((f) => f.ruleId === rule.ruleId);
        const passes = runCel(expression, { object: celValue(object) } as never);
        expect({ file, name: (object['metadata'] as { name?: string }).name, fires: passes !== true }).toEqual({ file, name: (object['metadata'] as { name?: string }).name, fires: ruleFires });
        if (ruleFires) {
          fires++;
          const message = runCel(inline(rule.messageExpression), { object: celValue(object) } as never);
          expect(String(message)).toMatch(new RegExp(`^rollsafe ${rule.ruleId}: `));
        }
      }
      // Both verdicts occur, so the comparison can fail.
      expect(fires).toBeGreaterThan(0);
      expect(fires).toBeLessThan(objects.length);
    });
  }

  it('writes a policy and binding per severity; warnings are bound with Warn', () => {
    const documents = compilePolicies({ profile: profileNamed('generic'), ruleSeverities: { 'recreate-strategy': 'error' }, mode: 'enforce' });
    expect(documents.map((d) => `${String(d['kind'])}/${String((d['metadata'] as { name: string }).name)}`)).toEqual([
      'ValidatingAdmissionPolicy/rollsafe-errors',
      'ValidatingAdmissionPolicyBinding/rollsafe-errors',
      'ValidatingAdmissionPolicy/rollsafe-warnings',
      'ValidatingAdmissionPolicyBinding/rollsafe-warnings',
    ]);
    expect(documents[1]).toMatchObject({ spec: { policyName: 'rollsafe-errors', validationActions: ['Deny', 'Audit'] } });
    expect(documents[3]).toMatchObject({ spec: { policyName: 'rollsafe-warnings', validationActions: ['Warn', 'Audit'] } });
    const warn = compilePolicies({ profile: profileNamed('generic'), ruleSeverities: { 'recreate-strategy': 'error', 'prestop-missing': 'off' }, mode: 'warn' });
    expect(warn[1]).toMatchObject({ spec: { validationActions: ['Warn', 'Audit'] } });
    expect(((warn[2] as { spec: { validations: unknown[] } }).spec.validations)).toHaveLength(1);
  });

  it('lists every rule it does not compile, with the reason', () => {
    const left = uncompiledRules();
    expect(left.map((r) => r.ruleId).length + celRules().length).toBe(23);
    expect(left.find((r) => r.ruleId === 'pdb-missing')?.reason).toBe('needs other objects (PodDisruptionBudget)');
  });

  it('passes rollsafe check itself: its policies are valid admissionregistration.k8s.io/v1', () => {
    const text = compilePolicies({ profile: profileNamed('generic'), ruleSeverities: {}, mode: 'enforce' }).map((d) => jsYaml.dump(d)).join('---\n');
    expect(checkSources([{ path: 'policy.yaml', text }], { profile: profileNamed('generic') }).findings).toEqual([]);
  });
});

describe('rollsafe policy (command)', () => {
  it('prints the policies with the rules left out in a comment, and names them on stderr', () => {
    const { io, out } = captureIo();
    expect(main(['policy', '--rule', 'recreate-strategy=error'], { ...io, fileExists: () => false })).toBe(0);
    const { stdout, stderr } = out();
    const left = uncompiledRules().map((r) => r.ruleId);
    expect(stdout.split('\n').slice(0, 3)).toEqual(['# rollsafe policy (profile generic, Kubernetes 1.30, mode enforce)', '# Not compiled to CEL (use rollsafe serve or rollsafe check for them):', '#   eni-backend-recommended: needs other objects (Service)']);
    expect(stderr).toBe(`rollsafe: ${left.length} rules not compiled to CEL: ${left.join(', ')}\n`);
    const documents = jsYaml.loadAll(stdout) as Array<{ kind: string; spec: { validations?: Array<{ expression: string }> } }>;
    expect(documents.map((d) => d.kind)).toEqual(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    expect(documents[0]?.spec.validations?.map((v) => v.expression)).toEqual([celRules()[2]?.expression]);
  });

  it('refuses a cluster before 1.30, where the v1 API does not exist', () => {
    const { io, out } = captureIo();
    expect(main(['policy', '--k8s-version', '1.29'], { ...io, fileExists: () => false })).toBe(2);
    expect(out().stderr).toContain('GA (admissionregistration.k8s.io/v1) from Kubernetes 1.30');
  });
});
