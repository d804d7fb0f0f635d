import { describe, expect, it } from 'vitest';
import { decide, type Advice } from '../../src/advise/decide.js';
import { resolveFacts, type PlatformFacts } from '../../src/advise/facts.js';
import { SOURCES, type Cited } from '../../src/advise/sources.js';
import { BRANCHES, factsOf, VERSIONS } from './branches.js';
import { RollsafeError } from '../../src/errors.js';

const KNOWN_SOURCES = new Set<string>(Object.values(SOURCES));

function allCited(advice: Advice): Cited[] {
  return [
    ...advice.reasons,
    ...advice.notes,
    ...advice.comparison.flatMap((c) => [...Object.values(c.cells), ...(c.unavailable ? [c.unavailable] : [])]),
  ];
}

describe('decide: every branch of the decision procedure', () => {
  for (const branch of BRANCHES) {
    it(branch.id, () => {
      for (const version of VERSIONS) {
        const advice = decide(factsOf(branch, version));
        const e = branch.expect;
        expect({
          mode: advice.mode,
          podDirect: advice.podDirect,
          profile: advice.profile,
          lbKind: advice.facts.lbKind,
          serviceType: advice.serviceType,
          externalTrafficPolicy: advice.externalTrafficPolicy,
          inPlaceRollout: advice.inPlaceRollout,
          gate: advice.readinessGate?.how,
        }).toEqual({
          mode: e.mode,
          podDirect: e.podDirect,
          profile: e.profile,
          lbKind: e.lbKind,
          serviceType: e.serviceType,
          externalTrafficPolicy: e.externalTrafficPolicy,
          inPlaceRollout: e.inPlaceRollout,
          gate: e.gate,
        });
        const t = advice.timing;
        expect([t.preStopSeconds, t.gracePeriodSeconds, t.lbDrainSeconds, t.minReadySeconds]).toEqual(e.timing);
        expect(t.preStopAction).toBe(version === '1.30' || version === '1.34' ? 'sleep' : 'exec');
        expect(advice.comparison.map((c) => c.mode)).toEqual(['cluster', 'local', 'pod-direct']);
        expect(advice.comparison.map((c) => c.available)).toEqual(e.available);
        expect(advice.comparison.filter((c) => c.recommended).map((c) => c.mode)).toEqual([e.mode]);
        expect(advice.comparison.every((c) => c.available === (c.unavailable === undefined))).toBe(true);
      }
    });
  }

  it('the first reason of every branch is the seed\'s conclusion (or its extension)', () => {
    for (const branch of BRANCHES) expect(decide(factsOf(branch, '1.30')).reasons[0]?.sources, branch.id).toContain(SOURCES.seedConclusion);
  });

  it('every reason, note and comparison cell cites a known source', () => {
    for (const branch of BRANCHES) {
      for (const cited of allCited(decide(factsOf(branch, '1.25')))) {
        if (cited.text === '—') continue;
        expect(cited.sources.length, `${branch.id}: ${cited.text}`).toBeGreaterThan(0);
        for (const source of cited.sources) expect(KNOWN_SOURCES.has(source), source).toBe(true);
      }
    }
  });

  it('the drain timeout ends within the grace period, and the grace covers preStop + app drain', () => {
    for (const branch of BRANCHES) {
      const t = decide(factsOf(branch, '1.30')).timing;
      expect(t.gracePeriodSeconds).toBe(t.preStopSeconds + t.appDrainSeconds);
      // The proposed preStop covers the budget (p99); the 99.9th percentile adds at most 12 s (NLB: 120 → 132).
      expect(t.preStopSeconds).toBeGreaterThanOrEqual(t.budgetSeconds);
      expect(t.preStopSeconds - t.budgetSeconds).toBeLessThanOrEqual(12);
      if (t.lbDrainSeconds !== undefined) expect(t.lbDrainSeconds).toBeLessThanOrEqual(t.gracePeriodSeconds);
    }
  });

  it('normalizes aliases and versions', () => {
    expect(resolveFacts({ provider: 'ACK' as never, networkPlugin: 'Terway', preserveSourceIp: false, lbQuotaTight: false, k8sVersion: 'v1.31.4' })).toEqual({
      provider: 'alibaba',
      networkPlugin: 'terway',
      lbKind: 'clb',
      preserveSourceIp: false,
      lbQuotaTight: false,
      k8sVersion: '1.31',
    });
    expect(resolveFacts({ provider: 'eks' as never, networkPlugin: 'vpc-cni', lbKind: 'ALB', preserveSourceIp: true, lbQuotaTight: false, k8sVersion: '1.28' }).networkPlugin).toBe('aws-vpc-cni');
  });
});

describe('decide: a recommendation says what it needs', () => {
  // Pods as LB backends make the LB's deregistration part of every termination: ACK ENI without a
  // preStop drops 1,271 requests per rollout where Cluster mode drops 71 (test/sim/consistency.test.ts).
  it('pod-direct modes say that they need the preStop that covers the deregistration; other modes do not', () => {
    const need = (advice: Advice): string[] => advice.reasons.map((r) => r.text).filter((t) => t.startsWith('the pods as LB backends need'));
    const byId = new Map(BRANCHES.map((b) => [b.id, need(decide(factsOf(b, '1.30')))]));
    expect(byId.get('alibaba terway → ENI')).toEqual(["the pods as LB backends need the 35 s preStop: without one that covers the LB's deregistration (30 s) this mode drops more requests than Cluster mode"]);
    expect(byId.get('aws vpc-cni, NLB → IP targets + gate')).toEqual(["the pods as LB backends need the 132 s preStop: without one that covers the LB's deregistration (120 s) this mode drops more requests than Cluster mode"]);
    for (const branch of BRANCHES) expect(byId.get(branch.id)?.length, branch.id).toBe(branch.expect.mode === 'pod-direct' ? 1 : 0);
  });
});

describe('decide: facts it cannot advise on are typed errors', () => {
  const base: PlatformFacts = { provider: 'alibaba', networkPlugin: 'terway', preserveSourceIp: false, lbQuotaTight: false, k8sVersion: '1.30' };
  const cases: Array<[string, Partial<PlatformFacts>, string]> = [
    ['terway on aws', { provider: 'aws', networkPlugin: 'terway' }, 'unsupported-plugin'],
    ['aws-vpc-cni on alibaba', { networkPlugin: 'aws-vpc-cni' }, 'unsupported-plugin'],
    ['flannel on gcp', { provider: 'gcp', networkPlugin: 'flannel' }, 'unsupported-plugin'],
    ['azure-cni on bare metal', { provider: 'bare-metal', networkPlugin: 'azure-cni' }, 'unsupported-plugin'],
    ['an unknown plugin', { networkPlugin: 'frobnet' }, 'unknown-plugin'],
    ['no plugin', { networkPlugin: ' ' }, 'missing-fact'],
    ['an unknown provider', { provider: 'oracle' as never }, 'unknown-provider'],
    ['AGIC on azure (no profile yet)', { provider: 'azure', networkPlugin: 'azure-cni', lbKind: 'agic' }, 'unsupported-lb'],
    ['the in-tree CLB on aws', { provider: 'aws', networkPlugin: 'aws-vpc-cni', lbKind: 'clb' }, 'unsupported-lb'],
    ['an NLB on gcp', { provider: 'gcp', networkPlugin: 'vpc-native', lbKind: 'nlb' }, 'unsupported-lb'],
    ['version 2.0', { k8sVersion: '2.0' }, 'invalid-version'],
    ['version "1.3O"', { k8sVersion: '1.3O' }, 'invalid-version'],
    ['version 1.20 (before policy/v1 PDB)', { k8sVersion: '1.20' }, 'unsupported-version'],
  ];
  for (const [name, facts, code] of cases) {
    it(name, () => {
      let caught: unknown;
      try {
        decide({ ...base, ...facts });
      } catch (error: unknown) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RollsafeError);
      expect((caught as RollsafeError).code).toBe(code);
    });
  }

  it('names the plugins that do run on the provider', () => {
    expect(() => decide({ ...base, provider: 'aws', networkPlugin: 'terway' })).toThrow('on aws use one of: aws-vpc-cni, calico, cilium');
  });
});
