/**
 * The seed article's manifests: each "before" variant shows its cause, the recommended configs show
 * none of the four causes, and the article's own mistakes are caught.
 */
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../src/engine/run.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { withK8sVersion } from '../../src/profiles/load.js';
import type { Finding } from '../../src/rules/types.js';
import { source } from '../helpers.js';

/** Rule ids per seed cause (DESIGN.md §1). */
const CAUSE_RULES: Record<number, readonly string[]> = {
  1: ['readiness-probe-missing', 'readiness-probe-port-mismatch', 'lb-readiness-gate-missing'],
  2: ['prestop-missing', 'prestop-too-short', 'grace-period-too-short'],
  3: ['local-traffic-policy-gap'],
  4: ['lb-connection-drain-missing', 'lb-drain-exceeds-grace'],
};
const ALL_CAUSE_RULES = Object.values(CAUSE_RULES).flat();

function check(path: string, profile = 'ack-flannel', version = '1.18'): Finding[] {
  const p = findBuiltinProfile(profile);
  if (!p) throw new Error(`no profile ${profile}`);
  return checkSources([source(path)], { profile: withK8sVersion(p, version) }).findings;
}

function summary(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.ruleId} ${f.severity} ${f.resource.kind}/${f.resource.name} ${f.path} @${f.line}`);
}

describe('seed "before" variants, profile ack-flannel on Kubernetes 1.18 (the article\'s time)', () => {
  it('cause 1: a new pod without readinessProbe', () => {
    expect(summary(check('examples/seed/before/new-pod-no-readiness.yaml'))).toEqual([
      'pdb-missing warning Deployment/nginx  @8',
      'prestop-missing error Deployment/nginx /spec/template/spec/containers/0 @29',
      'readiness-probe-missing error Deployment/nginx /spec/template/spec/containers/0 @29',
      'lb-connection-drain-missing warning Service/nginx /metadata @38',
    ]);
  });

  it('cause 2: an old pod without preStop', () => {
    expect(summary(check('examples/seed/before/old-pod-no-prestop.yaml'))).toEqual([
      'pdb-missing warning Deployment/nginx  @9',
      'prestop-missing error Deployment/nginx /spec/template/spec/containers/0 @30',
      'lb-connection-drain-missing warning Service/nginx /metadata @45',
    ]);
  });

  it('cause 3: Local mode without an in-place rollout', () => {
    const findings = check('examples/seed/before/local-mode-no-inplace.yaml');
    const gap = findings.filter((f) => f.ruleId === 'local-traffic-policy-gap');
    expect(summary(gap)).toEqual(['local-traffic-policy-gap error Service/nginx /spec/externalTrafficPolicy @60']);
  });

  it('cause 3 is covered on 1.30: ProxyTerminatingEndpoints keeps the terminating pod serving through its 30 s preStop', () => {
    const findings = check('examples/seed/before/local-mode-no-inplace.yaml', 'ack-flannel', '1.30');
    expect(findings.filter((f) => f.ruleId === 'local-traffic-policy-gap')).toEqual([]);
  });

  it('cause 4: a LoadBalancer Service without connection draining', () => {
    const findings = check('examples/seed/before/lb-no-drain.yaml');
    expect(summary(findings.filter((f) => f.category === 'lb-drain'))).toEqual(['lb-connection-drain-missing warning Service/nginx /metadata @54']);
    expect(findings.find((f) => f.ruleId === 'lb-connection-drain-missing')?.fix).toEqual({
      kind: 'patch',
      description: 'enable connection draining with a 30 s timeout',
      operations: [{ op: 'add', path: '/metadata/annotations', value: { 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain': 'on', 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout': '30' } }],
    });
  });
});

describe('seed recommended configs show none of the four causes', () => {
  const cases: Array<[string, string]> = [
    ['examples/seed/after/cluster-mode.yaml', 'ack-flannel'],
    ['examples/seed/after/local-inplace.yaml', 'ack-flannel'],
    ['examples/seed/after/eni-mode.yaml', 'ack-terway'],
  ];
  for (const [path, profile] of cases) {
    it(`${path} under ${profile}`, () => {
      for (const version of ['1.18', '1.30']) {
        const causes = check(path, profile, version).filter((f) => ALL_CAUSE_RULES.includes(f.ruleId) && f.ruleId !== 'readiness-probe-port-mismatch');
        expect(summary(causes)).toEqual([]);
      }
    });
  }
});

describe("the article's own mistakes are caught", () => {
  it('probe port 5084 is not the port the Service sends to (80), and `sleep 30` is a number', () => {
    const findings = check('examples/seed/article-pod.yaml');
    expect(summary(findings.filter((f) => f.ruleId === 'readiness-probe-port-mismatch' || f.ruleId === 'invalid-manifest'))).toEqual([
      'readiness-probe-port-mismatch info Pod/nginx /spec/containers/0/readinessProbe/tcpSocket/port @36',
      'invalid-manifest error Pod/nginx /spec/containers/0/lifecycle/preStop/exec/command/1 @44',
    ]);
    expect(findings.find((f) => f.ruleId === 'invalid-manifest')?.column).toBe(13);
  });

  it('the same mistakes in each recommended config', () => {
    for (const path of ['examples/seed/after/cluster-mode.yaml', 'examples/seed/after/local-inplace.yaml']) {
      const ids = check(path).map((f) => f.ruleId);
      expect(ids.filter((id) => id === 'readiness-probe-port-mismatch' || id === 'invalid-manifest')).toEqual(['readiness-probe-port-mismatch', 'invalid-manifest']);
    }
  });

  it('identical liveness and readiness probes are flagged', () => {
    expect(check('examples/seed/article-pod.yaml').filter((f) => f.ruleId === 'liveness-probe-same-as-readiness').map((f) => f.path)).toEqual(['/spec/containers/0/livenessProbe']);
  });
});

describe('examples/what-you-see.txt, printed after `npm run examples`, says what the run shows', () => {
  const errorsAndInfos = (path: string): string[] =>
    check(`examples/seed/${path}`)
      .filter((f) => f.severity !== 'warning')
      .map((f) => `${f.severity} ${f.ruleId}`)
      .sort();

  it('the article\'s own configs: an error for the numeric sleep and an info for the 5084 probe, nothing else', () => {
    for (const path of ['after/cluster-mode.yaml', 'after/eni-mode.yaml', 'after/local-inplace.yaml', 'article-pod.yaml']) {
      expect(errorsAndInfos(path)).toEqual(['error invalid-manifest', 'info readiness-probe-port-mismatch']);
    }
  });

  it('each before/ file shows its cause; lb-no-drain as a warning', () => {
    expect(errorsAndInfos('before/new-pod-no-readiness.yaml')).toEqual(['error prestop-missing', 'error readiness-probe-missing']);
    expect(errorsAndInfos('before/old-pod-no-prestop.yaml')).toEqual(['error prestop-missing']);
    expect(errorsAndInfos('before/local-mode-no-inplace.yaml')).toEqual(['error local-traffic-policy-gap']);
    expect(errorsAndInfos('before/lb-no-drain.yaml')).toEqual([]);
    expect(check('examples/seed/before/lb-no-drain.yaml').map((f) => `${f.severity} ${f.ruleId}`)).toContain('warning lb-connection-drain-missing');
  });
});
