/**
 * Every CEL validation of the policy, evaluated with a conformance-tested CEL implementation
 * (@bufbuild/cel), agrees with the rule it compiles on every workload object of the rule
 * fixtures, the bundled examples and the peer corpus — the rule run by `rollsafe check` on the
 * object alone, which is what the policy sees at admission — under profiles whose numbers differ.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy, NOT_COMPILED, validatingVariables, validationExpression } from '../../src/policy/policy.js';
import { compileRules, type CompiledRule } from '../../src/policy/rules.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import type { Profile } from '../../src/profiles/types.js';
import { casesOf, CORPUS, CORPUS_PRESENT, filesOf, type Case } from './corpus.js';
import { judge, type PolicyView } from './evaluate.js';

function builtin(name: string): Profile {
  const profile = findBuiltinProfile(name);
  if (!profile) throw new Error(`no profile ${name}`);
  return profile;
}

/**
 * Built-in profiles with budgets 10, 20, 25, 30, 40, 70 and 120 s (they share drain, startup and
 * nodes), and one that changes those: drain 5 s, startup 60 s, one node.
 */
const PROFILES: Profile[] = [
  ...['generic', 'aks', 'eks-alb-ip', 'ack-flannel', 'gke-neg', 'eks-instance', 'eks-nlb-ip'].map(builtin),
  { ...builtin('generic'), name: 'custom', nodes: 1, app: { ...builtin('generic').app, drainSeconds: 5, startupSeconds: 60 } },
];

function specOf(profile: Profile): PolicyView {
  const [policy] = compilePolicy({ profile, mode: 'warn' }).documents;
  return (policy as { spec: PolicyView }).spec;
}

/** Where the policy and the rules disagree: `rule-id case-id rule=… cel=…`. */
function disagreements(cases: readonly Case[], rules: readonly CompiledRule[], spec: PolicyView): { diffs: string[]; errors: string[]; fired: Record<string, number> } {
  const diffs: string[] = [];
  const errors: string[] = [];
  const fired: Record<string, number> = {};
  for (const c of cases) {
    const verdict = judge(spec, c.object);
    errors.push(...verdict.errors.map((e) => `${c.id}: ${e}`));
    rules.forEach((rule, i) => {
      const cel = verdict.failed.has(i);
      if (cel) fired[rule.ruleId] = (fired[rule.ruleId] ?? 0) + 1;
      if (cel !== c.fired.has(rule.ruleId)) diffs.push(`${rule.ruleId} ${c.id} rule=${c.fired.has(rule.ruleId)} cel=${cel}`);
    });
  }
  return { diffs, errors, fired };
}

const SETS = [
  { set: 'fixtures', objects: 333, invalid: 3 }, // 333: two Deployments in the lb-drain-exceeds-grace fixtures (ack-flannel Cluster twin, eks-instance), five in prestop-missing.self-delay
  { set: 'load', objects: 15, invalid: 1 },
  { set: 'examples', objects: 7, invalid: 3 },
  { set: 'corpus', objects: 226, invalid: 154 },
] as const;

// In CI the peer corpus lies beside the project: its absence fails the run instead of skipping it.
const CI = process.env['CI'] !== undefined && process.env['CI'] !== '';

describe('the policy agrees with the rules, object by object', () => {
  it.runIf(CI)(`the peer corpus is present in CI (${CORPUS})`, () => {
    expect(CORPUS_PRESENT).toBe(true);
  });

  for (const { set, objects, invalid } of SETS) {
    describe.skipIf(set === 'corpus' && !CORPUS_PRESENT)(set, () => {
      it(`holds ${objects} workload objects the policy matches, ${invalid} of them invalid manifests (compared too)`, () => {
        const cases = casesOf(filesOf(set), builtin('generic'));
        expect(cases).toHaveLength(objects);
        expect(cases.filter((c) => !c.valid)).toHaveLength(invalid);
      });
      for (const profile of PROFILES) {
        it(`profile ${profile.name}: every verdict equal, no expression fails to evaluate`, () => {
          const rules = compilePolicy({ profile, mode: 'warn' }).rules;
          const result = disagreements(casesOf(filesOf(set), profile), rules, specOf(profile));
          expect(result.errors).toEqual([]);
          expect(result.diffs).toEqual([]);
        });
      }
    });
  }

  it('every compiled rule fires and stays quiet somewhere in the inputs (profile generic)', () => {
    const profile = builtin('generic');
    const files = [...filesOf('fixtures'), ...filesOf('examples'), ...(CORPUS_PRESENT ? filesOf('corpus') : [])];
    const cases = casesOf(files, profile);
    const rules = compilePolicy({ profile, mode: 'warn' }).rules;
    const { fired } = disagreements(cases, rules, specOf(profile));
    const expected: Record<string, number> = CORPUS_PRESENT
      ? {
          'fast-shutdown-image': 19,
          'liveness-probe-kills-slow-start': 4,
          'liveness-probe-same-as-readiness': 11,
          'prestop-exec-unavailable': 3,
          'prestop-missing': 254,
          'readiness-probe-missing': 213,
          'readiness-probe-port-mismatch': 7,
          'recreate-strategy': 11,
          'rollout-max-unavailable': 7,
          'sigterm-not-forwarded': 10,
          'single-replica': 43,
        }
      : {};
    if (CORPUS_PRESENT) expect(fired).toEqual(expected);
    for (const rule of rules) expect(fired[rule.ruleId] ?? 0, rule.ruleId).toBeLessThan(cases.length);
  });
});

describe('the comparison can fail', () => {
  // A policy compiled with other numbers than the profile's must disagree with the rules.
  const profile = builtin('generic');
  const cases = casesOf(filesOf('fixtures'), profile);
  const numbers = compilePolicy({ profile, mode: 'warn' }).numbers;

  function diffRules(changed: typeof numbers): string[] {
    const rules = compileRules(changed).filter((r) => !(r.ruleId in NOT_COMPILED)).map((r) => (r.ruleId === 'prestop-missing' ? { ...r, check: `variables.deletesFirst || ${r.check}` } : r));
    const spec = { ...specOf(profile), variables: validatingVariables(rules, changed.nodes), validations: rules.map((r) => ({ expression: validationExpression(r), messageExpression: r.message })) };
    return [...new Set(disagreements(cases, rules, spec).diffs.map((d) => d.split(' ')[0] ?? ''))].sort();
  }

  it('a longer startup time, or fewer nodes, changes the verdicts of the rules that read them', () => {
    // The budget and the drain time are read by prestop-too-short and grace-period-too-short,
    // which are not compiled in this release (see NOT_COMPILED).
    expect(diffRules({ ...numbers, startupSeconds: 100 })).toEqual(['liveness-probe-kills-slow-start']);
    // Fewer nodes: a DaemonSet may roll every node at once (rollout-max-unavailable), and then no preStop helps (prestop-missing).
    expect(diffRules({ ...numbers, nodes: 1 })).toEqual(['prestop-missing', 'rollout-max-unavailable']);
  });
});
