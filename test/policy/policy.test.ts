/**
 * `rollsafe policy`: what compiles, the documents it writes (valid against the Kubernetes OpenAPI
 * schema, loaded by `rollsafe check` without a finding), the options, and the known divergences
 * between the CEL and the rules, asserted.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { checkSources } from '../../src/engine/run.js';
import { RULES } from '../../src/rules/index.js';
import { compilePolicy, NOT_COMPILED } from '../../src/policy/policy.js';
import { BUILTIN_PROFILES, findBuiltinProfile } from '../../src/profiles/builtin.js';
import { withK8sVersion } from '../../src/profiles/load.js';
import type { Profile } from '../../src/profiles/types.js';
import { validateObject } from '../../src/schema/validate.js';
import { runCli } from '../helpers.js';
import { judge, type PolicyView } from './evaluate.js';

function generic(version?: string): Profile {
  const profile = findBuiltinProfile('generic');
  if (!profile) throw new Error('no generic profile');
  return version === undefined ? profile : withK8sVersion(profile, version);
}

const COMPILED = [
  'fast-shutdown-image',
  'liveness-probe-kills-slow-start',
  'liveness-probe-same-as-readiness',
  'prestop-exec-unavailable',
  'prestop-missing',
  'readiness-probe-missing',
  'readiness-probe-port-mismatch',
  'recreate-strategy',
  'rollout-max-unavailable',
  'sigterm-not-forwarded',
  'single-replica',
];

describe('what compiles', () => {
  const compiled = compilePolicy({ profile: generic(), mode: 'warn' });

  it('every rule of the catalog is either compiled or listed with the reason it is not', () => {
    const ids = compiled.rules.map((r) => r.ruleId);
    expect(ids).toEqual(COMPILED);
    expect([...ids, ...Object.keys(NOT_COMPILED)].sort()).toEqual([...RULES.keys()].sort());
    expect(Object.keys(NOT_COMPILED)).toHaveLength(12);
  });

  it('takes the numbers from the profile through the rules own functions', () => {
    expect(compiled.numbers).toEqual({ budgetSeconds: 3, budgetPath: 'endpoint → kube-proxy', recommendedPreStopSeconds: 5, drainSeconds: 30, startupSeconds: 10, nodes: 3 });
    const eks = findBuiltinProfile('eks-nlb-ip');
    if (!eks) throw new Error('no eks-nlb-ip');
    expect(compilePolicy({ profile: eks, mode: 'warn' }).numbers).toMatchObject({ budgetSeconds: 120, budgetPath: 'endpoint → NLB deregistration' });
  });

  it('docs/policy.md lists every compiled rule and every rule that does not compile, with the reason', () => {
    const page = readFileSync(new URL('../../docs/policy.md', import.meta.url), 'utf8');
    for (const id of COMPILED) expect(page).toContain(`| [\`${id}\`](rules/${id}.md) |`);
    for (const [id, why] of Object.entries(NOT_COMPILED)) expect(page).toContain(`| \`${id}\` | ${why.replace('externalTrafficPolicy: Local', '`externalTrafficPolicy: Local`')} |`);
  });

  it('refuses a cluster older than 1.30, which serves no v1 admission policy', () => {
    expect(() => compilePolicy({ profile: generic('1.29'), mode: 'warn' })).toThrow(expect.objectContaining({ name: 'RollsafeError', code: 'unsupported-version', message: expect.stringMatching(/from Kubernetes 1\.30; the cluster has 1\.29/) as unknown }));
  });
});

describe('the documents', () => {
  for (const version of ['1.30', '1.36']) {
    it(`${version}: the validating policy and binding pass the OpenAPI schema, and rollsafe check loads every document without a finding or a note`, () => {
      const run = runCli(['policy', '--k8s-version', version]);
      expect(run.code).toBe(0);
      const docs = parseAllDocuments(run.stdout).map((d) => d.toJS() as Record<string, unknown>);
      expect(docs.map((d) => d['kind'])).toEqual(
        version === '1.30' ? ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'] : ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding'],
      );
      for (const doc of docs.slice(0, 2)) expect(validateObject('admissionregistration.k8s.io/v1', String(doc['kind']), doc)).toEqual([]);
      const checked = checkSources([{ path: 'policy.yaml', text: run.stdout }], { profile: generic(version) });
      expect(checked.objects).toBe(docs.length);
      expect(checked.findings).toEqual([]);
      expect(checked.notes).toEqual([]);
    });
  }

  it('no expression uses a CEL reserved word as a name (cel-go rejects them; Kubernetes exposes such fields as __word__)', () => {
    // The evaluator the tests use accepts `object.metadata.namespace`; the API server's does not.
    const reserved = /\b(?:as|break|const|continue|else|for|function|if|import|let|loop|package|namespace|return|var|void|while)\b/;
    const expressions: string[] = [];
    const collect = (value: unknown, key: string): void => {
      if (typeof value === 'string' && /^(?:expression|messageExpression)$/.test(key)) expressions.push(value);
      else if (Array.isArray(value)) value.forEach((v) => collect(v, key));
      else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) collect(v, k);
    };
    for (const doc of compilePolicy({ profile: generic('1.36'), mode: 'warn' }).documents) collect(doc, '');
    // Validating: 8 shared and 8 per-container variables, 1 match condition, 11 validations with their messages; mutating: 8 variables, 1 match condition, the patch.
    expect(expressions.length).toBe(8 + 8 + 1 + 11 * 2 + 8 + 1 + 1);
    const offending = expressions.map((e) => e.replace(/'(?:[^'\\]|\\.)*'/g, "''")).filter((e) => reserved.test(e));
    expect(offending).toEqual([]);
  });

  it('the YAML reads back as exactly the documents the tests evaluate', () => {
    const run = runCli(['policy', '--profile', 'gke-neg', '--k8s-version', '1.36']);
    const gke = findBuiltinProfile('gke-neg');
    if (!gke) throw new Error('no gke-neg');
    expect(parseAllDocuments(run.stdout).map((d) => d.toJS() as unknown)).toEqual(compilePolicy({ profile: withK8sVersion(gke, '1.36'), mode: 'warn' }).documents);
  });

  it('for every built-in profile, at 1.30 and 1.36, the documents pass rollsafe check with no finding', () => {
    for (const name of BUILTIN_PROFILES.keys()) {
      for (const version of ['1.30', '1.36']) {
        const run = runCli(['policy', '--profile', name, '--k8s-version', version]);
        expect(run.code, `${name} ${version}`).toBe(0);
        const checked = checkSources([{ path: 'policy.yaml', text: run.stdout }], { profile: generic(version) });
        expect(checked.findings, `${name} ${version}`).toEqual([]);
        expect(checked.objects).toBe(version === '1.30' ? 2 : 4);
      }
    }
  });

  it('a misspelt field is caught by the same schema check', () => {
    const binding = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'rollsafe' }, spec: { policyName: 'rollsafe', validationAction: ['Deny'] } };
    expect(validateObject('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding', binding).map((v) => [v.code, v.path])).toEqual([['unknown-field', '/spec/validationAction']]);
  });

  it('matches the workload kinds on CREATE and UPDATE outside kube-system, one validation per compiled rule with its id', () => {
    const [policy] = compilePolicy({ profile: generic(), mode: 'warn' }).documents;
    const spec = (policy as { spec: Record<string, unknown> }).spec;
    expect(spec['matchConstraints']).toEqual({
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] },
      resourceRules: [
        { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'] },
        { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['replicationcontrollers'] },
      ],
    });
    expect(spec['failurePolicy']).toBe('Ignore');
    const validations = spec['validations'] as { expression: string; message: string; reason: string }[];
    expect(validations.map((v) => v.message.split(':')[0])).toEqual(COMPILED);
    expect(new Set(validations.map((v) => v.reason))).toEqual(new Set(['Invalid']));
  });

  for (const [mode, actions] of [['deny', ['Deny']], ['warn', ['Warn']], ['audit', ['Audit']]] as const) {
    it(`--mode ${mode} binds with validationActions ${actions.join(',')}`, () => {
      const run = runCli(['policy', '--mode', mode]);
      const binding = parseAllDocuments(run.stdout)[1]?.toJS() as { spec: Record<string, unknown> };
      expect(binding.spec).toEqual({ policyName: 'rollsafe', validationActions: actions });
    });
  }
});

describe('the command', () => {
  it('lists on stderr and in the YAML header every rule that does not compile', () => {
    const run = runCli(['policy', '--profile', 'ack-flannel']);
    expect(run.code).toBe(0);
    for (const id of Object.keys(NOT_COMPILED)) {
      expect(run.stderr).toContain(`  ${id}: `);
      expect(run.stdout).toContain(`#   - ${id}: `);
    }
    expect(run.stdout).toMatch(/^# rollsafe [\d.]+ policy for profile ack-flannel, Kubernetes 1\.30, mode warn\.\n/);
    expect(run.stdout).toContain('# Numbers: propagation budget 30 s (endpoint → CLB deregistration), app drain 30 s');
    expect(run.stderr.split('\n')[0]).toBe('rollsafe policy: 11 rules compiled into ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding');
  });

  it('--rule ID=off leaves a rule out and says so', () => {
    const run = runCli(['policy', '--rule', 'single-replica=off']);
    expect(run.code).toBe(0);
    const policy = parseAllDocuments(run.stdout)[0]?.toJS() as { spec: { validations: { message: string }[] } };
    expect(policy.spec.validations.map((v) => v.message.split(':')[0])).toEqual(COMPILED.filter((id) => id !== 'single-replica'));
    expect(run.stdout).toContain('# Turned off (config or --rule): single-replica.\n');
    expect(run.stderr.split('\n')[0]).toBe('rollsafe policy: 10 rules compiled into ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding');
    expect(runCli(['policy', '--rule', 'no-such-rule=off']).code).toBe(2);
  });

  it('-o writes the file and prints nothing on stdout', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rollsafe-policy-')), 'policy.yaml');
    const run = runCli(['policy', '-o', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(runCli(['policy']).stdout);
  });

  it('exits 2 on a bad mode, a path argument or a cluster older than 1.30', () => {
    expect(runCli(['policy', '--mode', 'enforce'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown --mode enforce; use deny, warn or audit') as unknown });
    expect(runCli(['policy', 'k8s/']).code).toBe(2);
    // Not a usage error: the version is valid, the cluster is too old; so no pointer to --help.
    expect(runCli(['policy', '--k8s-version', '1.29'])).toMatchObject({ code: 2, stderr: 'rollsafe: ValidatingAdmissionPolicy is served as admissionregistration.k8s.io/v1 from Kubernetes 1.30; the cluster has 1.29 (use rollsafe check in CI, or a newer cluster)\n' });
  });

  it('--help names the options; the main help names the command', () => {
    const help = runCli(['policy', '--help']);
    expect(help.code).toBe(0);
    for (const option of ['--profile', '--k8s-version', '--mode', '--output']) expect(help.stdout).toContain(option);
    expect(runCli(['--help']).stdout).toContain('rollsafe policy [options]');
  });
});

describe('judging one object', () => {
  const compiled = compilePolicy({ profile: generic(), mode: 'warn' });
  const spec = (compiled.documents[0] as { spec: PolicyView }).spec;
  const index = (id: string): number => compiled.rules.findIndex((r) => r.ruleId === id);
  const deployment = (annotations: Record<string, string>, container: Record<string, unknown>): Record<string, unknown> => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', annotations },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 10, containers: [{ name: 'app', image: 'web:1', ports: [{ containerPort: 8080 }], ...container }] } } },
  });

  it('names the object, the container and the field in the message', () => {
    const verdict = judge(spec, deployment({}, {}));
    expect([...verdict.failed.keys()]).toEqual([index('prestop-missing'), index('readiness-probe-missing')]);
    expect(verdict.failed.get(index('prestop-missing'))).toMatch(/^prestop-missing: Deployment shop\/web: container app: no preStop hook; .*spec\.template\.spec\.containers\[\]\.lifecycle\.preStop$/);
    expect(verdict.errors).toEqual([]);
  });

  it('honours rollsafe.io/ignore per rule and for all', () => {
    const some = judge(spec, deployment({ 'rollsafe.io/ignore': 'sigterm-not-forwarded, prestop-missing' }, {}));
    expect([...some.failed.keys()]).toEqual([index('readiness-probe-missing')]);
    expect(judge(spec, deployment({ 'rollsafe.io/ignore': 'all' }, {})).failed.size).toBe(0);
  });
});
