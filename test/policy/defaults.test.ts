/**
 * The API server applies its defaults before validating admission runs, so the policy sees
 * `spec.replicas: 1`, the default strategy, `terminationGracePeriodSeconds: 30` and the probe
 * timing written out. The CEL applies the same defaults when a field is absent: on every workload
 * object of the inputs, its verdicts are the same with the defaults written out as without.
 */
import { describe, expect, it } from 'vitest';
import { cloneValue } from '../../src/fix/patch.js';
import { isRecord } from '../../src/model/k8s.js';
import { compilePolicy } from '../../src/policy/policy.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { casesOf, CORPUS_PRESENT, filesOf } from './corpus.js';
import { judge, type PolicyView } from './evaluate.js';

function setDefault(record: Record<string, unknown>, key: string, value: unknown): void {
  if (record[key] === undefined || record[key] === null) record[key] = value;
}

function defaultProbe(probe: unknown): void {
  if (!isRecord(probe)) return;
  for (const [key, value] of [['periodSeconds', 10], ['failureThreshold', 3], ['successThreshold', 1], ['timeoutSeconds', 1]] as const) setDefault(probe, key, value);
  if (isRecord(probe['httpGet'])) {
    setDefault(probe['httpGet'], 'path', '/');
    setDefault(probe['httpGet'], 'scheme', 'HTTP');
  }
}

/** The defaults of the fields the policy reads (k8s.io/kubernetes pkg/apis/{apps,core}/v1/defaults.go). */
function withDefaults(object: Record<string, unknown>): Record<string, unknown> {
  const o = cloneValue(object);
  const spec = o['spec'];
  if (!isRecord(spec)) return o;
  const kind = o['kind'];
  if (kind !== 'DaemonSet') setDefault(spec, 'replicas', 1);
  if (kind === 'Deployment') {
    setDefault(spec, 'strategy', { type: 'RollingUpdate' });
    const strategy = spec['strategy'];
    if (isRecord(strategy) && strategy['type'] === 'RollingUpdate') {
      setDefault(strategy, 'rollingUpdate', {});
      if (isRecord(strategy['rollingUpdate'])) {
        setDefault(strategy['rollingUpdate'], 'maxUnavailable', '25%');
        setDefault(strategy['rollingUpdate'], 'maxSurge', '25%');
      }
    }
  }
  if (kind === 'DaemonSet') {
    setDefault(spec, 'updateStrategy', { type: 'RollingUpdate' });
    const strategy = spec['updateStrategy'];
    if (isRecord(strategy) && strategy['type'] === 'RollingUpdate') {
      setDefault(strategy, 'rollingUpdate', {});
      if (isRecord(strategy['rollingUpdate'])) {
        setDefault(strategy['rollingUpdate'], 'maxUnavailable', 1);
        setDefault(strategy['rollingUpdate'], 'maxSurge', 0);
      }
    }
  }
  const template = spec['template'];
  const podSpec = isRecord(template) ? template['spec'] : undefined;
  if (!isRecord(podSpec)) return o;
  setDefault(podSpec, 'terminationGracePeriodSeconds', 30);
  for (const c of Array.isArray(podSpec['containers']) ? podSpec['containers'] : []) {
    if (!isRecord(c)) continue;
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) defaultProbe(c[probe]);
    for (const p of Array.isArray(c['ports']) ? c['ports'] : []) if (isRecord(p)) setDefault(p, 'protocol', 'TCP');
  }
  return o;
}

describe('the verdicts do not change when the API server writes its defaults out', () => {
  const profile = findBuiltinProfile('generic');
  if (!profile) throw new Error('no generic profile');
  const compiled = compilePolicy({ profile, mode: 'warn' });
  const spec = (compiled.documents[0] as { spec: PolicyView }).spec;

  for (const set of ['fixtures', 'examples', 'corpus'] as const) {
    it.skipIf(set === 'corpus' && !CORPUS_PRESENT)(set, () => {
      const changed: string[] = [];
      let defaulted = 0;
      for (const c of casesOf(filesOf(set), profile)) {
        const after = withDefaults(c.object);
        if (JSON.stringify(after) !== JSON.stringify(c.object)) defaulted++;
        const before = [...judge(spec, c.object).failed.keys()];
        const verdict = judge(spec, after);
        expect(verdict.errors, c.id).toEqual([]);
        if (JSON.stringify([...verdict.failed.keys()]) !== JSON.stringify(before)) changed.push(c.id);
      }
      expect(changed).toEqual([]);
      expect(defaulted).toBeGreaterThan(0);
    });
  }
});
