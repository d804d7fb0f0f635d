import { describe, expect, test } from 'vitest';
import { lbConnectionDrainMissing } from '../../src/rules/lb-connection-drain-missing.js';
import { checkSources } from '../../src/engine/run.js';
import { fixSources } from '../../src/fix/driver.js';
import { conventionViolations, findingAt, fixedText, fixOf, fixtureCase, fixturePath, fixtureText, profileOf, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'lb-connection-drain-missing';
const NLB = 'lb-connection-drain-missing.eks-nlb-ip';
const GKE = 'lb-connection-drain-missing.gke-neg';
const DRAIN_KEY = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain';
const TIMEOUT_KEY = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout';
const DRAIN = '/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain';
const TIMEOUT = '/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain-timeout';
const TG_ATTRIBUTES = '/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-target-group-attributes';

ruleTester.run('lb-connection-drain-missing', lbConnectionDrainMissing, {
  valid: [withoutFiring(FIXTURE, 'ack-flannel'), fixtureCase(FIXTURE), fixtureCase(FIXTURE, 'aks')],
  invalid: [
    {
      ...fixtureCase(FIXTURE, 'ack-flannel'),
      findings: [
        { message: 'Service fire-no-annotations is exposed by the ACK CLB without connection draining (service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain + service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout): when the LB removes a backend during a rollout it cuts the connections still open to it', path: '/metadata', line: 9, column: 1, severity: 'warning' },
        { message: 'Service fire-other-annotations is exposed by the ACK CLB without connection draining (service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain + service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout): when the LB removes a backend during a rollout it cuts the connections still open to it', path: '/metadata', line: 50, column: 1, severity: 'warning' },
        { message: 'Service fire-drain-off turns connection draining off (service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain + service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout): connections still open to a removed backend are cut', path: '/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain', line: 97, column: 5, severity: 'warning' },
        { message: 'Service fire-drain-off-with-timeout turns connection draining off (service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain + service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout): connections still open to a removed backend are cut', path: '/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain', line: 140, column: 5, severity: 'warning' },
        { message: 'Service fire-timeout-only sets connection draining only in part: service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain is missing, so the ACK CLB does not drain', path: '/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain-timeout', line: 184, column: 5, severity: 'warning' },
        { message: 'Service fire-drain-without-timeout sets connection draining only in part: service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout is missing, so the ACK CLB does not drain', path: '/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain', line: 227, column: 5, severity: 'warning' },
        { message: 'connection-drain timeout 5 s of Service fire-timeout-out-of-range is outside the ACK CLB range 10–900 s', path: '/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain-timeout', line: 271, column: 5, severity: 'warning' },
        { message: 'Service fire-short-grace is exposed by the ACK CLB without connection draining (service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain + service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout): when the LB removes a backend during a rollout it cuts the connections still open to it', path: '/metadata', line: 468, column: 1, severity: 'warning' },
        { message: 'Service fire-grace-below-range is exposed by the ACK CLB without connection draining (service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain + service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout): when the LB removes a backend during a rollout it cuts the connections still open to it (no automatic fix: pods of Deployment lcd-grace-short/ticker are killed after 5 s, sooner than any drain the ACK CLB accepts (10 s at least))', path: '/metadata', line: 541, column: 1, severity: 'warning' },
      ],
      output: fixedText('lb-connection-drain-missing.ack-flannel'),
    },
    {
      ...fixtureCase(GKE, 'gke-neg'),
      findings: [
        { message: 'Service fire-no-backendconfig is exposed by the GKE load balancer without connection draining (BackendConfig spec.connectionDraining.drainingTimeoutSec): when the LB removes a backend during a rollout it cuts the connections still open to it', path: '/metadata', line: 8, column: 1, severity: 'warning' },
        { message: 'Service fire-backendconfig-without-draining is exposed by the GKE load balancer without connection draining (BackendConfig spec.connectionDraining.drainingTimeoutSec): when the LB removes a backend during a rollout it cuts the connections still open to it', path: '/metadata', line: 62, column: 1, severity: 'warning' },
        { message: 'Service orders turns connection draining off (BackendConfig spec.connectionDraining.drainingTimeoutSec): connections still open to a removed backend are cut', path: '/spec/connectionDraining/drainingTimeoutSec', line: 152, column: 5, severity: 'warning' },
      ],
    },
    {
      ...fixtureCase(NLB, 'eks-nlb-ip'),
      findings: [
        { message: 'Service fire-delay-zero turns connection draining off (service.beta.kubernetes.io/aws-load-balancer-target-group-attributes): connections still open to a removed backend are cut', path: '/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-target-group-attributes', line: 148, column: 5, severity: 'warning' },
      ],
    },
  ],
});

describe('lb-connection-drain-missing', () => {
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
