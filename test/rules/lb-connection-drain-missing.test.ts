import { describe, expect, test } from 'vitest';
import { checkSources } from '../../src/engine/run.js';
import { fixSources } from '../../src/fix/driver.js';
import { conventionViolations, findingAt, fixOf, fixturePath, fixtureText, loadProblems, profileOf, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'lb-connection-drain-missing';
const NLB = 'lb-connection-drain-missing.eks-nlb-ip';
const GKE = 'lb-connection-drain-missing.gke-neg';
const DRAIN_KEY = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain';
const TIMEOUT_KEY = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout';
const DRAIN = '/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain';
const TIMEOUT = '/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain-timeout';
const TG_ATTRIBUTES = '/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-target-group-attributes';

describe('lb-connection-drain-missing', () => {
  test('the fixtures are valid', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
    expect(loadProblems(NLB)).toEqual([]);
    expect(loadProblems(GKE)).toEqual([]);
  });

  describe('ack-flannel (CLB: both annotations required, timeout 10–900 s)', () => {
    test('fires on LoadBalancer Services whose draining is missing, off, incomplete or out of range', () => {
      const findings = run(FIXTURE, 'ack-flannel');
      expect(rows(findings)).toEqual([
        ['fire-drain-off', DRAIN, 'warning'],
        ['fire-drain-off-with-timeout', DRAIN, 'warning'],
        ['fire-drain-without-timeout', DRAIN, 'warning'],
        ['fire-grace-below-range', '/metadata', 'warning'],
        ['fire-no-annotations', '/metadata', 'warning'],
        ['fire-other-annotations', '/metadata', 'warning'],
        ['fire-short-grace', '/metadata', 'warning'],
        ['fire-timeout-only', TIMEOUT, 'warning'],
        ['fire-timeout-out-of-range', TIMEOUT, 'warning'],
      ]);
      expect(findings).toHaveLength(9);
      expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    });

    test('positions', () => {
      const findings = run(FIXTURE, 'ack-flannel');
      expect(findingAt(findings, 'fire-no-annotations', '/metadata').line).toBe(9);
      expect(findingAt(findings, 'fire-drain-off', DRAIN).line).toBe(97);
      expect(findingAt(findings, 'fire-timeout-out-of-range', TIMEOUT).line).toBe(271);
    });

    test('the fix for a missing setting adds both annotations with the recommended 30 s', () => {
      const findings = run(FIXTURE, 'ack-flannel');
      expect(fixOf(findings, 'fire-no-annotations', '/metadata')).toEqual({
        kind: 'patch',
        operations: [{ op: 'add', path: '/metadata/annotations', value: { [DRAIN_KEY]: 'on', [TIMEOUT_KEY]: '30' } }],
      });
      expect(fixOf(findings, 'fire-other-annotations', '/metadata')).toEqual({
        kind: 'patch',
        operations: [
          { op: 'add', path: DRAIN, value: 'on' },
          { op: 'add', path: TIMEOUT, value: '30' },
        ],
      });
      // A setting the user turned off is reported, not overridden.
      expect(fixOf(findings, 'fire-drain-off', DRAIN)).toBeUndefined();
    });

    test('the timeout is lowered to the shortest grace period of the pods behind the Service; no fix below the CLB minimum', () => {
      const findings = run(FIXTURE, 'ack-flannel');
      expect(fixOf(findings, 'fire-short-grace', '/metadata')).toEqual({
        kind: 'patch',
        operations: [{ op: 'add', path: '/metadata/annotations', value: { [DRAIN_KEY]: 'on', [TIMEOUT_KEY]: '15' } }],
      });
      expect(fixOf(findings, 'fire-grace-below-range', '/metadata')).toBeUndefined();
      expect(findingAt(findings, 'fire-grace-below-range', '/metadata').fixable).toBe(false);
      // The fixed timeouts are ones lb-drain-exceeds-grace accepts.
      const profile = profileOf('ack-flannel');
      const fixed = fixSources([{ path: fixturePath(FIXTURE), text: fixtureText(FIXTURE) }], { profile, only: ['lb-connection-drain-missing'] }).files[0]?.after ?? '';
      const after = checkSources([{ path: fixturePath(FIXTURE), text: fixed }], { profile }).findings.filter((f) => f.ruleId.startsWith('lb-'));
      expect(after.map((f) => `${f.ruleId} ${f.resource.name} ${f.path} ${String(f.fixable)}`).filter((r) => !r.includes(' fire-drain') && !r.includes(' fire-timeout'))).toEqual([
        'lb-connection-drain-missing fire-grace-below-range /metadata false',
      ]);
    });

    test('suppression: the ignored object would fire without its annotation', () => {
      expect(rowsOf(runUnsuppressed(FIXTURE, 'ack-flannel'), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', '/metadata', 'warning']]);
    });

    // Regression: with `connection-drain: "off"` and a timeout, the finding pointed at the timeout
    // (the last field read), not at the `off` (DESIGN §4: "the JSON Pointer of the offending field").
    test('points at the annotation that turns draining off, also when a timeout is set', () => {
      const findings = run(FIXTURE, 'ack-flannel');
      expect(rowsOf(findings, ['fire-drain-off-with-timeout'])).toEqual([['fire-drain-off-with-timeout', DRAIN, 'warning']]);
      expect(findingAt(findings, 'fire-drain-off-with-timeout', DRAIN).line).toBe(140);
      expect(fixOf(findings, 'fire-drain-off-with-timeout', DRAIN)).toBeUndefined();
    });

    test('profiles without a drain setting are silent', () => {
      expect(run(FIXTURE, 'generic')).toEqual([]);
      expect(run(FIXTURE, 'aks')).toEqual([]);
    });
  });

  describe('eks-nlb-ip (ELBv2 deregistration delay, 300 s by default)', () => {
    test('fires only where the delay is 0; the default drains', () => {
      const findings = run(NLB, 'eks-nlb-ip');
      expect(rows(findings)).toEqual([['fire-delay-zero', TG_ATTRIBUTES, 'warning']]);
      expect(conventionViolations(NLB, findings)).toEqual({ silentFire: [], firedDontFire: [] });
      expect(findingAt(findings, 'fire-delay-zero', TG_ATTRIBUTES).line).toBe(148);
      expect(fixOf(findings, 'fire-delay-zero', TG_ATTRIBUTES)).toBeUndefined();
    });
  });

  describe('gke-neg (BackendConfig connectionDraining, off when unset)', () => {
    test('fires on Ingress-exposed Services without draining; on the BackendConfig when it sets 0', () => {
      const findings = run(GKE, 'gke-neg');
      expect(rows(findings)).toEqual([
        ['fire-backendconfig-without-draining', '/metadata', 'warning'],
        ['fire-draining-zero', '/spec/connectionDraining/drainingTimeoutSec', 'warning'],
        ['fire-no-backendconfig', '/metadata', 'warning'],
      ]);
      expect(conventionViolations(GKE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
      expect(findingAt(findings, 'fire-no-backendconfig', '/metadata').line).toBe(8);
      expect(findingAt(findings, 'fire-draining-zero', '/spec/connectionDraining/drainingTimeoutSec').line).toBe(152);
    });

    test('no automatic fix: the setting lives in another object', () => {
      const findings = run(GKE, 'gke-neg');
      expect(findings.every((f) => f.fix === undefined && !f.fixable)).toBe(true);
    });
  });
});
