import { describe, expect, test } from 'vitest';
import { lbReadinessGateMissing } from '../../src/rules/lb-readiness-gate-missing.js';
import { conventionViolations, findingAt, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'lb-readiness-gate-missing';
const POD_SPEC = '/spec/template/spec';

ruleTester.run('lb-readiness-gate-missing', lbReadinessGateMissing, {
  valid: [withoutFiring(FIXTURE, 'eks-alb-ip'), fixtureCase(FIXTURE), fixtureCase(FIXTURE, 'ack-terway'), fixtureCase(FIXTURE, 'gke-neg')],
  invalid: [
    {
      ...fixtureCase(FIXTURE, 'eks-alb-ip'),
      findings: [
        { message: 'Deployment rgm-ingress/fire-behind-alb-ingress pods are direct targets of the AWS ALB (profile eks-alb-ip) but have no readiness gate: the rollout removes old pods before the LB registered the new ones (registration p99 40 s); label namespace rgm-ingress with `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`', path: '/spec/template/spec', line: 55, column: 5, severity: 'error' },
        { message: 'StatefulSet rgm-unlabelled/fire-statefulset-unlabelled-namespace pods are direct targets of the AWS ALB (profile eks-alb-ip) but have no readiness gate: the rollout removes old pods before the LB registered the new ones (registration p99 40 s); label namespace rgm-unlabelled with `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`', path: '/spec/template/spec', line: 165, column: 5, severity: 'error' },
        { message: 'Deployment rgm-legacy/fire-legacy-nlb-ip pods are direct targets of the AWS NLB (profile eks-alb-ip) but have no readiness gate: the rollout removes old pods before the LB registered the new ones (registration p99 160 s); label namespace rgm-legacy with `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`', path: '/spec/template/spec', line: 622, column: 5, severity: 'error' },
        { message: 'Deployment rgm-external-ip/fire-external-ip-targets pods are direct targets of the AWS NLB (profile eks-alb-ip) but have no readiness gate: the rollout removes old pods before the LB registered the new ones (registration p99 160 s); label namespace rgm-external-ip with `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`', path: '/spec/template/spec', line: 666, column: 5, severity: 'error' },
      ],
    },
    {
      ...fixtureCase(FIXTURE, 'eks-instance'),
      findings: [
        { message: 'Deployment rgm-legacy/fire-legacy-nlb-ip pods are direct targets of the AWS NLB (profile eks-instance) but have no readiness gate: the rollout removes old pods before the LB registered the new ones (registration p99 160 s); label namespace rgm-legacy with `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`', path: '/spec/template/spec', line: 622, column: 5, severity: 'error' },
        { message: 'Deployment rgm-external-ip/fire-external-ip-targets pods are direct targets of the AWS NLB (profile eks-instance) but have no readiness gate: the rollout removes old pods before the LB registered the new ones (registration p99 160 s); label namespace rgm-external-ip with `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`', path: '/spec/template/spec', line: 666, column: 5, severity: 'error' },
      ],
    },
    {
      ...fixtureCase(FIXTURE, 'eks-nlb-ip'),
      findings: [
        { message: 'Deployment rgm-ingress/fire-behind-alb-ingress pods are direct targets of the AWS ALB (profile eks-nlb-ip) but have no readiness gate: the rollout removes old pods before the LB registered the new ones (registration p99 40 s); label namespace rgm-ingress with `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`', path: '/spec/template/spec', line: 55, column: 5, severity: 'error' },
        { message: 'StatefulSet rgm-unlabelled/fire-statefulset-unlabelled-namespace pods are direct targets of the AWS ALB (profile eks-nlb-ip) but have no readiness gate: the rollout removes old pods before the LB registered the new ones (registration p99 40 s); label namespace rgm-unlabelled with `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`', path: '/spec/template/spec', line: 165, column: 5, severity: 'error' },
        { message: 'Deployment rgm-legacy/fire-legacy-nlb-ip pods are direct targets of the AWS NLB (profile eks-nlb-ip) but have no readiness gate: the rollout removes old pods before the LB registered the new ones (registration p99 160 s); label namespace rgm-legacy with `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`', path: '/spec/template/spec', line: 622, column: 5, severity: 'error' },
        { message: 'Deployment rgm-external-ip/fire-external-ip-targets pods are direct targets of the AWS NLB (profile eks-nlb-ip) but have no readiness gate: the rollout removes old pods before the LB registered the new ones (registration p99 160 s); label namespace rgm-external-ip with `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`', path: '/spec/template/spec', line: 666, column: 5, severity: 'error' },
      ],
    },
  ],
});

describe('lb-readiness-gate-missing', () => {
  test('eks-alb-ip: fires on workloads whose pods are LB targets, without a gate or an injecting namespace', () => {
    const findings = run(FIXTURE, 'eks-alb-ip');
    expect(rows(findings)).toEqual([
      ['fire-behind-alb-ingress', POD_SPEC, 'error'],
      ['fire-external-ip-targets', POD_SPEC, 'error'],
      ['fire-legacy-nlb-ip', POD_SPEC, 'error'],
      ['fire-statefulset-unlabelled-namespace', POD_SPEC, 'error'],
    ]);
    expect(findings).toHaveLength(4);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findings.every((f) => !f.fixable)).toBe(true);
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE, 'eks-alb-ip'), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', POD_SPEC, 'error']]);
  });

  test('silent where there is no gate to add (generic, ack-terway) or the provider injects it (gke-neg)', () => {
    expect(run(FIXTURE, 'generic')).toEqual([]);
    expect(run(FIXTURE, 'ack-terway')).toEqual([]);
    expect(run(FIXTURE, 'gke-neg')).toEqual([]);
  });

  // Regression: the profile's `backend: pod` was assumed for every Ingress, but
  // `alb.ingress.kubernetes.io/target-type: instance` makes the nodes the targets; the AWS gate
  // "only works with target-type: ip" (knowledge/cloud-load-balancers.md §2).
  test('does not fire when the Ingress asks for instance targets', () => {
    expect(rowsOf(run(FIXTURE, 'eks-alb-ip'), ['dont-fire-instance-targets'])).toEqual([]);
  });

  // The Service's own annotations decide the target type, whatever the profile says: the in-tree
  // `aws-load-balancer-type: nlb` and the controller's `external` (default instance, LBC
  // guide/service/annotations.md) register nodes; `nlb-ip` and `nlb-target-type: ip` register pods.
  test('annotated NLB Services: instance targets never fire, IP targets fire under every AWS profile', () => {
    const annotated = ['dont-fire-in-tree-nlb', 'dont-fire-external-default-instance', 'dont-fire-nlb-instance-targets', 'fire-legacy-nlb-ip', 'fire-external-ip-targets'];
    const ip = [
      ['fire-external-ip-targets', POD_SPEC, 'error'],
      ['fire-legacy-nlb-ip', POD_SPEC, 'error'],
    ];
    expect(rowsOf(run(FIXTURE, 'eks-alb-ip'), annotated)).toEqual(ip);
    expect(rowsOf(run(FIXTURE, 'eks-nlb-ip'), annotated)).toEqual(ip);
    // eks-instance: the profile's targets are nodes, but these two Services ask for IP targets.
    expect(rows(run(FIXTURE, 'eks-instance'))).toEqual(ip);
    // They are NLBs, whose registration takes minutes (p99 150 s, then a 10 s check), not the ALB's 25 s + 15 s.
    expect(findingAt(run(FIXTURE, 'eks-alb-ip'), 'fire-legacy-nlb-ip', POD_SPEC).message).toContain('direct targets of the AWS NLB (profile eks-alb-ip) but have no readiness gate: the rollout removes old pods before the LB registered the new ones (registration p99 160 s)');
    expect(findingAt(run(FIXTURE, 'eks-alb-ip'), 'fire-behind-alb-ingress', POD_SPEC).message).toContain('(registration p99 40 s)');
  });
});
