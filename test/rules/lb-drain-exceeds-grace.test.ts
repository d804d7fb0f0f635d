import { describe, expect, test } from 'vitest';
import { lbDrainExceedsGrace } from '../../src/rules/lb-drain-exceeds-grace.js';
import { conventionViolations, findingAt, findingsOf, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'lb-drain-exceeds-grace';
const ACK = 'lb-drain-exceeds-grace.ack-flannel';
const GKE = 'lb-drain-exceeds-grace.gke-neg';
const EKS_INSTANCE = 'lb-drain-exceeds-grace.eks-instance';
const CLB_DRAINING = '/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-connection-draining-enabled';
const TG_ATTRIBUTES = '/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-target-group-attributes';
const ACK_TIMEOUT = '/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain-timeout';

ruleTester.run('lb-drain-exceeds-grace', lbDrainExceedsGrace, {
  valid: [withoutFiring(FIXTURE, 'eks-nlb-ip'), fixtureCase(FIXTURE), fixtureCase(FIXTURE, 'aks')],
  invalid: [
    {
      ...fixtureCase(FIXTURE, 'eks-nlb-ip'),
      findings: [
        { message: 'the AWS NLB drains connections for 300 s (provider default), but pods of Deployment ldg-default/web are killed after 30 s (terminationGracePeriodSeconds): connections still draining are cut by SIGKILL', path: '/metadata', line: 8, column: 1, severity: 'warning' },
        { message: 'the AWS NLB drains connections for 120 s, but pods of Deployment ldg-explicit/api are killed after 60 s (terminationGracePeriodSeconds): connections still draining are cut by SIGKILL', path: '/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-target-group-attributes', line: 58, column: 5, severity: 'warning' },
        { message: 'the AWS NLB drains connections for 90 s, but pods of Deployment ldg-two/payments-stable are killed after 60 s (terminationGracePeriodSeconds): connections still draining are cut by SIGKILL', path: '/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-target-group-attributes', line: 104, column: 5, severity: 'warning' },
        { message: 'the AWS NLB drains connections for 90 s, but pods of Deployment ldg-two/payments-canary are killed after 30 s (terminationGracePeriodSeconds): connections still draining are cut by SIGKILL', path: '/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-target-group-attributes', line: 104, column: 5, severity: 'warning' },
      ],
    },
    {
      ...fixtureCase(ACK, 'ack-flannel'),
      findings: [
        { message: 'the ACK CLB drains connections for 60 s, but pods of Deployment ldga-60/web are killed after 30 s (terminationGracePeriodSeconds): connections still draining are cut by SIGKILL', path: '/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain-timeout', line: 12, column: 5, severity: 'warning' },
      ],
    },
    {
      ...fixtureCase(EKS_INSTANCE, 'eks-instance'),
      findings: [
        { message: 'the AWS CLB drains connections for 300 s (provider default), but pods of Deployment ldga-nlb/web are killed after 30 s (terminationGracePeriodSeconds): connections still draining are cut by SIGKILL', path: '/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-connection-draining-enabled', line: 46, column: 5, severity: 'warning' },
      ],
    },
    {
      ...fixtureCase(GKE, 'gke-neg'),
      findings: [
        { message: 'the GKE load balancer drains connections for 60 s, but pods of Deployment ldgg-60/web are killed after 30 s (terminationGracePeriodSeconds): connections still draining are cut by SIGKILL', path: '/spec/connectionDraining/drainingTimeoutSec', line: 28, column: 5, severity: 'warning' },
      ],
    },
  ],
});

describe('lb-drain-exceeds-grace', () => {
  test('eks-nlb-ip: one finding per selected workload killed before the deregistration delay ends', () => {
    const findings = run(FIXTURE, 'eks-nlb-ip');
    expect(rows(findings)).toEqual([
      ['fire-default-delay', '/metadata', 'warning'],
      ['fire-delay-120', TG_ATTRIBUTES, 'warning'],
      ['fire-two-workloads', TG_ATTRIBUTES, 'warning'],
      ['fire-two-workloads', TG_ATTRIBUTES, 'warning'],
    ]);
    expect(findings).toHaveLength(4);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findings.every((f) => !f.fixable)).toBe(true);
  });

  test('eks-nlb-ip positions: the Service metadata for the provider default, else the annotation', () => {
    const findings = run(FIXTURE, 'eks-nlb-ip');
    expect(findingAt(findings, 'fire-default-delay', '/metadata').line).toBe(8);
    expect(findingAt(findings, 'fire-delay-120', TG_ATTRIBUTES).line).toBe(58);
    expect(findingsOf(findings, 'fire-two-workloads').map((f) => f.line)).toEqual([104, 104]);
  });

  test('suppression (on the Service): the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE, 'eks-nlb-ip'), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', '/metadata', 'warning']]);
  });

  test('profiles without LB draining are silent', () => {
    expect(run(FIXTURE, 'generic')).toEqual([]);
    expect(run(FIXTURE, 'aks')).toEqual([]);
  });

  test('ack-flannel: the CLB drain timeout against the grace period, only under the Local policy (Cluster: no node leaves in a rollout)', () => {
    const findings = run(ACK, 'ack-flannel');
    expect(rows(findings)).toEqual([['fire-drain-60', ACK_TIMEOUT, 'warning']]);
    expect(rowsOf(findings, ['dont-fire-drain-60-cluster'])).toEqual([]);
    expect(conventionViolations(ACK, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-drain-60', ACK_TIMEOUT).line).toBe(12);
  });

  test('gke-neg: reported on the BackendConfig that sets the timeout', () => {
    const findings = run(GKE, 'gke-neg');
    expect(rows(findings)).toEqual([['fire-backendconfig-60', '/spec/connectionDraining/drainingTimeoutSec', 'warning']]);
    expect(conventionViolations(GKE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-backendconfig-60', '/spec/connectionDraining/drainingTimeoutSec').line).toBe(28);
  });

  test('eks-instance: a LoadBalancer Service gets no ALB; node targets under the Cluster policy are silent, the CLB under Local is named', () => {
    const findings = run(EKS_INSTANCE, 'eks-instance');
    expect(rows(findings)).toEqual([['fire-clb-local-on', CLB_DRAINING, 'warning']]);
    expect(conventionViolations(EKS_INSTANCE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-clb-local-on', CLB_DRAINING).message).toBe(
      'the AWS CLB drains connections for 300 s (provider default), but pods of Deployment ldga-nlb/web are killed after 30 s (terminationGracePeriodSeconds): connections still draining are cut by SIGKILL',
    );
    expect(findings.some((f) => f.message.includes('ALB'))).toBe(false);
  });
});
