/**
 * Every CEL expression `rollsafe policy` writes is evaluated with a conformance-tested CEL
 * implementation (@bufbuild/cel) on every workload of the rules' fixtures, the bundled examples and
 * deploy/, one object at a time, and its verdict must equal the rule's on that object alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { run as celRun } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { checkSources } from '../../src/engine/run.js';
import { KUBERNETES_YAML_SCHEMA } from '../../src/load/yaml11.js';
import { celRules, compilePolicies, POLICY_VARIABLES, uncompiledRules } from '../../src/policy/compile.js';
import { JUDGED_KINDS } from '../../src/server/review.js';
import { captureIo, ROOT } from '../helpers.js';
import { profileNamed } from '../server/helpers.js';

/** Evaluates with the strings extension, which Kubernetes' CEL environment has too (trim, substring, …). */
function runCel(expression: string, bindings: Record<string, unknown>): unknown {
  return celRun(expression, bindings as never, { funcs: strings });
}

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
  // A function, not a replacement string: the expressions hold `$'`, which a string would expand.
  for (const v of [...POLICY_VARIABLES].reverse()) out = out.replaceAll(`variables.${v.name}`, () => `(${v.expression})`);
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

// Hooks in every form the model reads (native sleep, sleep N with units, sh -c 'sleep N …', other),
// against grace periods around preStop + the generic profile's 30 s drain.
const HOOKS: unknown[] = [
  { sleep: { seconds: 20 } },
  { exec: { command: ['sleep', '20s'] } },
  { exec: { command: ['sleep', '1m'] } },
  { exec: { command: ['/bin/sleep', '0.5'] } },
  { exec: { command: ['sleep', 25] } },
  { exec: { command: ['sleep', 'x'] } },
  { exec: { command: ['sh', '-c', 'sleep 25 && nginx -s quit'] } },
  { exec: { command: ['/bin/sh', '-c', '  /bin/sleep 40'] } },
  { exec: { command: ['bash', '-c', 'sleep\t35 ; echo done'] } },
  { exec: { command: ['sh', '-c', 'echo hi; sleep 50'] } },
  { httpGet: { path: '/drain', port: 8080 } },
];
HOOKS.forEach((preStop, i) => {
  for (const grace of [45, 55, 61, 95]) {
    objects.push({
      file: 'synthetic',
      object: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `hook-${i}-grace-${grace}`, namespace: 'synthetic' },
        spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { terminationGracePeriodSeconds: grace, containers: [{ name: 'app', image: 'registry.example.com/app:1', ports: [{ containerPort: 8080 }], lifecycle: { preStop } }] } } },
      },
    });
  }
});

// Ports named for metrics or health only: not served, so no Service-dependent rule fires; one client port is enough.
for (const ports of [[{ name: 'metrics', containerPort: 9090 }], [{ name: 'healthz', containerPort: 8081 }, { name: 'http-metrics', containerPort: 9100 }], [{ name: 'metrics', containerPort: 9090 }, { containerPort: 8080 }]]) {
  objects.push({
    file: 'synthetic',
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `ports-${ports.map((p) => p.name ?? p.containerPort).join('-')}`, namespace: 'synthetic' },
      spec: { strategy: { type: 'Recreate' }, selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { terminationGracePeriodSeconds: 5, containers: [{ name: 'app', image: 'registry.example.com/app:1', ports }] } } },
    },
  });
}

describe('rollsafe policy', () => {
  it('has workloads to judge', () => {
    expect(objects.length).toBeGreaterThan(40);
  });

  for (const rule of celRules(profileNamed('generic'))) {
    it(`${rule.ruleId}: the CEL verdict equals the rule's on every workload alone`, () => {
      const expression = inline(rule.expression);
      let fires = 0;
      for (const { file, object } of objects) {
        const findings = checkSources([{ path: file, text: JSON.stringify(object) }], { profile: profileNamed('generic') }).findings;
        const ruleFires = findings.some((f) => f.ruleId === rule.ruleId);
        const passes = runCel(expression, { object: celValue(object) });
        // An error would be a verdict of failurePolicy, not of the rule: every object must evaluate.
        expect(typeof passes, `${file} ${String(passes)}`).toBe('boolean');
        expect({ file, name: (object['metadata'] as { name?: string }).name, fires: passes !== true }).toEqual({ file, name: (object['metadata'] as { name?: string }).name, fires: ruleFires });
        if (ruleFires) {
          fires++;
          const message = runCel(inline(rule.messageExpression), { object: celValue(object) });
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
    const warn = compilePolicies({ profile: profileNamed('generic'), ruleSeverities: { 'recreate-strategy': 'error', 'readiness-probe-missing': 'off' }, mode: 'warn' });
    expect(warn.map((d) => String(d['kind']))).toEqual(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    expect(warn[1]).toMatchObject({ spec: { policyName: 'rollsafe-errors', validationActions: ['Warn', 'Audit'] } });
  });

  it('lists every rule it does not compile, with the reason', () => {
    const left = uncompiledRules();
    expect(left.map((r) => r.ruleId).length + celRules(profileNamed('generic')).length).toBe(23);
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
    expect(documents[0]?.spec.validations?.map((v) => v.expression)).toEqual([celRules(profileNamed('generic')).find((r) => r.ruleId === 'recreate-strategy')?.expression]);
  });

  it('refuses a cluster before 1.30, where the v1 API does not exist', () => {
    const { io, out } = captureIo();
    expect(main(['policy', '--k8s-version', '1.29'], { ...io, fileExists: () => false })).toBe(2);
    expect(out().stderr).toContain('GA (admissionregistration.k8s.io/v1) from Kubernetes 1.30');
  });
});
