/**
 * What the single-object assumption costs: the policy's verdict on each workload object against
 * `rollsafe check` on the whole file it came from (with its Services, PDBs and HPAs), per rule.
 * `extra`: the policy reports it, check on the file does not (a Service in the file selects other
 * containers or none of the workload, the budget of a Service without a cloud LB is shorter, an
 * HPA sets the floor); `missed`: check on the file reports it, the policy does not (a Service's
 * numeric targetPort served by a container that declares no ports, a longer budget through the LB).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../src/engine/run.js';
import { loadSources } from '../../src/load/objects.js';
import { compilePolicy } from '../../src/policy/policy.js';
import { POLICY_KINDS } from '../../src/policy/rules.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { CORPUS_PRESENT, filesOf } from './corpus.js';
import { judge, type PolicyView } from './evaluate.js';

const generic = findBuiltinProfile('generic');
if (!generic) throw new Error('no generic profile');
const profile = generic;

function measure(files: readonly [string, string][]): Record<string, { extra: number; missed: number }> {
  const compiled = compilePolicy({ profile, mode: 'warn' });
  const spec = (compiled.documents[0] as { spec: PolicyView }).spec;
  const out: Record<string, { extra: number; missed: number }> = {};
  for (const [display, path] of files) {
    const text = readFileSync(path, 'utf8');
    const findings = checkSources([{ path: display, text }], { profile }).findings;
    for (const resource of loadSources([{ path: display, text }], profile.k8sVersion).resources) {
      if (!(POLICY_KINDS as readonly string[]).includes(resource.kind)) continue;
      if (resource.apiVersion !== (resource.kind === 'ReplicationController' ? 'v1' : 'apps/v1')) continue;
      const verdict = judge(spec, resource.object);
      compiled.rules.forEach((rule, i) => {
        const inFile = findings.some((f) => f.ruleId === rule.ruleId && f.resource.kind === resource.kind && f.resource.name === resource.name && f.resource.namespace === resource.namespace);
        const policy = verdict.failed.has(i);
        if (inFile === policy) return;
        const entry = (out[rule.ruleId] ??= { extra: 0, missed: 0 });
        if (policy) entry.extra++;
        else entry.missed++;
      });
    }
  }
  return out;
}

describe('the single-object assumption against rollsafe check on the whole file (profile generic)', () => {
  it('rule fixtures and examples', () => {
    // The fixtures are built to show where a Service changes a verdict, so they diverge the most.
    expect(measure([...filesOf('fixtures'), ...filesOf('examples')])).toEqual({
      'prestop-missing': { extra: 38, missed: 17 },
      'readiness-probe-missing': { extra: 52, missed: 8 },
      'readiness-probe-port-mismatch': { extra: 0, missed: 4 },
      'recreate-strategy': { extra: 1, missed: 0 },
      'rollout-max-unavailable': { extra: 1, missed: 5 },
      'single-replica': { extra: 5, missed: 0 },
    });
  });

  it.skipIf(!CORPUS_PRESENT)('peer corpus', () => {
    expect(measure(filesOf('corpus'))).toEqual({
      'prestop-missing': { extra: 5, missed: 8 },
      'readiness-probe-missing': { extra: 4, missed: 11 },
      'single-replica': { extra: 2, missed: 9 },
    });
  });
});
