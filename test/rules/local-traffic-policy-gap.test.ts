import { describe, expect, test } from 'vitest';
import { localTrafficPolicyGap } from '../../src/rules/local-traffic-policy-gap.js';
import { conventionViolations, findingAt, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'local-traffic-policy-gap';
const V122 = 'local-traffic-policy-gap.k8s-1.22';
const NLB = 'local-traffic-policy-gap.eks-nlb-ip';
const ETP = '/spec/externalTrafficPolicy';

ruleTester.run('local-traffic-policy-gap', localTrafficPolicyGap, {
  valid: [withoutFiring(FIXTURE, 'ack-flannel')],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'Service fire-no-prestop uses externalTrafficPolicy: Local; when the rollout of Deployment ltp-no-prestop/web (maxSurge 1, maxUnavailable 0) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop (0 s) is shorter than the load balancer (a generic L4 LB: the profile names none) needs to take the node out (27 s = kube-proxy 3 s, p99, then 8 s × 3 failed health checks)', path: '/spec/externalTrafficPolicy', line: 14, column: 3, severity: 'warning' },
        { message: 'Service fire-statefulset uses externalTrafficPolicy: Local; when the rollout of StatefulSet ltp-sts/cache (StatefulSet replaces pods one by one) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop (0 s) is shorter than the load balancer (a generic L4 LB: the profile names none) needs to take the node out (27 s = kube-proxy 3 s, p99, then 8 s × 3 failed health checks)', path: '/spec/externalTrafficPolicy', line: 102, column: 3, severity: 'warning' },
        { message: 'Service fire-eni-annotation-on-flannel uses externalTrafficPolicy: Local; when the rollout of Deployment ltp-flannel-eni/orders (maxSurge 1, maxUnavailable 0) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop (0 s) is shorter than the load balancer (a generic L4 LB: the profile names none) needs to take the node out (27 s = kube-proxy 3 s, p99, then 8 s × 3 failed health checks)', path: '/spec/externalTrafficPolicy', line: 144, column: 3, severity: 'warning' },
        { message: 'Service dont-fire-long-prestop uses externalTrafficPolicy: Local; when the rollout of Deployment ltp-long-prestop/checkout (maxSurge 1, maxUnavailable 0) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop (10 s) is shorter than the load balancer (a generic L4 LB: the profile names none) needs to take the node out (27 s = kube-proxy 3 s, p99, then 8 s × 3 failed health checks)', path: '/spec/externalTrafficPolicy', line: 186, column: 3, severity: 'warning' },
      ],
    },
    {
      ...fixtureCase(FIXTURE, 'ack-flannel'),
      findings: [
        { message: 'Service fire-no-prestop uses externalTrafficPolicy: Local; when the rollout of Deployment ltp-no-prestop/web (maxSurge 1, maxUnavailable 0) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop (0 s) is shorter than the CLB of profile ack-flannel needs to take the node out (9 s = kube-proxy 3 s, p99, then 2 s × 3 failed health checks)', path: '/spec/externalTrafficPolicy', line: 14, column: 3, severity: 'warning' },
        { message: 'Service fire-nodeport-short-prestop uses externalTrafficPolicy: Local; when the rollout of Deployment ltp-nodeport/api (maxSurge 1, maxUnavailable 0) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop (3 s) is shorter than the CLB of profile ack-flannel needs to take the node out (9 s = kube-proxy 3 s, p99, then 2 s × 3 failed health checks)', path: '/spec/externalTrafficPolicy', line: 56, column: 3, severity: 'warning' },
        { message: 'Service fire-statefulset uses externalTrafficPolicy: Local; when the rollout of StatefulSet ltp-sts/cache (StatefulSet replaces pods one by one) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop (0 s) is shorter than the CLB of profile ack-flannel needs to take the node out (9 s = kube-proxy 3 s, p99, then 2 s × 3 failed health checks)', path: '/spec/externalTrafficPolicy', line: 102, column: 3, severity: 'warning' },
        { message: 'Service fire-eni-annotation-on-flannel uses externalTrafficPolicy: Local; when the rollout of Deployment ltp-flannel-eni/orders (maxSurge 1, maxUnavailable 0) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop (0 s) is shorter than the CLB of profile ack-flannel needs to take the node out (9 s = kube-proxy 3 s, p99, then 2 s × 3 failed health checks)', path: '/spec/externalTrafficPolicy', line: 144, column: 3, severity: 'warning' },
      ],
    },
    {
      ...fixtureCase(FIXTURE, 'ack-flannel', '1.22'),
      findings: [
        { message: 'Service fire-no-prestop uses externalTrafficPolicy: Local and the rollout of Deployment ltp-no-prestop/web (maxSurge 1, maxUnavailable 0) can remove the last pod of a node while the LB still sends to it; Kubernetes 1.22 has no ProxyTerminatingEndpoints (1.26+), so those requests have no local endpoint. Keep a pod per node (maxUnavailable 0, maxSurge ≥ 1, nodeAffinity) or use Cluster mode', path: '/spec/externalTrafficPolicy', line: 14, column: 3, severity: 'error' },
        { message: 'Service fire-nodeport-short-prestop uses externalTrafficPolicy: Local and the rollout of Deployment ltp-nodeport/api (maxSurge 1, maxUnavailable 0) can remove the last pod of a node while the LB still sends to it; Kubernetes 1.22 has no ProxyTerminatingEndpoints (1.26+), so those requests have no local endpoint. Keep a pod per node (maxUnavailable 0, maxSurge ≥ 1, nodeAffinity) or use Cluster mode', path: '/spec/externalTrafficPolicy', line: 56, column: 3, severity: 'error' },
        { message: 'Service fire-statefulset uses externalTrafficPolicy: Local and the rollout of StatefulSet ltp-sts/cache (StatefulSet replaces pods one by one) can remove the last pod of a node while the LB still sends to it; Kubernetes 1.22 has no ProxyTerminatingEndpoints (1.26+), so those requests have no local endpoint. Keep a pod per node (maxUnavailable 0, maxSurge ≥ 1, nodeAffinity) or use Cluster mode', path: '/spec/externalTrafficPolicy', line: 102, column: 3, severity: 'error' },
        { message: 'Service fire-eni-annotation-on-flannel uses externalTrafficPolicy: Local and the rollout of Deployment ltp-flannel-eni/orders (maxSurge 1, maxUnavailable 0) can remove the last pod of a node while the LB still sends to it; Kubernetes 1.22 has no ProxyTerminatingEndpoints (1.26+), so those requests have no local endpoint. Keep a pod per node (maxUnavailable 0, maxSurge ≥ 1, nodeAffinity) or use Cluster mode', path: '/spec/externalTrafficPolicy', line: 144, column: 3, severity: 'error' },
        { message: 'Service dont-fire-long-prestop uses externalTrafficPolicy: Local and the rollout of Deployment ltp-long-prestop/checkout (maxSurge 1, maxUnavailable 0) can remove the last pod of a node while the LB still sends to it; Kubernetes 1.22 has no ProxyTerminatingEndpoints (1.26+), so those requests have no local endpoint. Keep a pod per node (maxUnavailable 0, maxSurge ≥ 1, nodeAffinity) or use Cluster mode', path: '/spec/externalTrafficPolicy', line: 186, column: 3, severity: 'error' },
      ],
    },
    {
      ...fixtureCase(NLB, 'eks-nlb-ip'),
      findings: [
        { message: 'Service fire-instance-targets uses externalTrafficPolicy: Local; when the rollout of Deployment ltpn-instance/api (maxSurge 1, maxUnavailable 0) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop (0 s) is shorter than the NLB of profile eks-nlb-ip needs to take the node out (33 s = kube-proxy 3 s, p99, then 10 s × 3 failed health checks)', path: '/spec/externalTrafficPolicy', line: 61, column: 3, severity: 'warning' },
        { message: 'Service fire-in-tree-nlb uses externalTrafficPolicy: Local; when the rollout of Deployment ltpn-intree/cart (maxSurge 1, maxUnavailable 0) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop (0 s) is shorter than the NLB of profile eks-nlb-ip needs to take the node out (33 s = kube-proxy 3 s, p99, then 10 s × 3 failed health checks)', path: '/spec/externalTrafficPolicy', line: 105, column: 3, severity: 'warning' },
        { message: 'Service fire-external-default-instance uses externalTrafficPolicy: Local; when the rollout of Deployment ltpn-external/shop (maxSurge 1, maxUnavailable 0) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop (0 s) is shorter than the NLB of profile eks-nlb-ip needs to take the node out (33 s = kube-proxy 3 s, p99, then 10 s × 3 failed health checks)', path: '/spec/externalTrafficPolicy', line: 149, column: 3, severity: 'warning' },
        { message: 'Service fire-class-default-instance uses externalTrafficPolicy: Local; when the rollout of Deployment ltpn-class/feed (maxSurge 1, maxUnavailable 0) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop (0 s) is shorter than the NLB of profile eks-nlb-ip needs to take the node out (33 s = kube-proxy 3 s, p99, then 10 s × 3 failed health checks)', path: '/spec/externalTrafficPolicy', line: 192, column: 3, severity: 'warning' },
      ],
    },
    {
      ...fixtureCase(V122, 'ack-flannel', '1.22'),
      findings: [
        { message: 'Service fire-long-prestop-no-pte uses externalTrafficPolicy: Local and the rollout of Deployment ltp22-long-prestop/checkout (maxSurge 1, maxUnavailable 0) can remove the last pod of a node while the LB still sends to it; Kubernetes 1.22 has no ProxyTerminatingEndpoints (1.26+), so those requests have no local endpoint. Keep a pod per node (maxUnavailable 0, maxSurge ≥ 1, nodeAffinity) or use Cluster mode', path: '/spec/externalTrafficPolicy', line: 14, column: 3, severity: 'error' },
        { message: 'Service fire-surge-without-affinity uses externalTrafficPolicy: Local and the rollout of Deployment ltp22-no-affinity/web (maxSurge 1, maxUnavailable 0) can remove the last pod of a node while the LB still sends to it; Kubernetes 1.22 has no ProxyTerminatingEndpoints (1.26+), so those requests have no local endpoint. Keep a pod per node (maxUnavailable 0, maxSurge ≥ 1, nodeAffinity) or use Cluster mode', path: '/spec/externalTrafficPolicy', line: 61, column: 3, severity: 'error' },
        { message: 'Service fire-daemonset-default uses externalTrafficPolicy: Local and the rollout of DaemonSet ltp22-ds/ingress (delete then create per node) can remove the last pod of a node while the LB still sends to it; Kubernetes 1.22 has no ProxyTerminatingEndpoints (1.26+), so those requests have no local endpoint. Keep a pod per node (maxUnavailable 0, maxSurge ≥ 1, nodeAffinity) or use Cluster mode', path: '/spec/externalTrafficPolicy', line: 108, column: 3, severity: 'error' },
      ],
    },
    {
      ...fixtureCase(V122, 'ack-flannel', '1.25'),
      findings: [
        { message: 'Service fire-long-prestop-no-pte uses externalTrafficPolicy: Local and the rollout of Deployment ltp22-long-prestop/checkout (maxSurge 1, maxUnavailable 0) can remove the last pod of a node while the LB still sends to it; Kubernetes 1.25 has no ProxyTerminatingEndpoints (1.26+), so those requests have no local endpoint. Keep a pod per node (maxUnavailable 0, maxSurge ≥ 1, nodeAffinity) or use Cluster mode', path: '/spec/externalTrafficPolicy', line: 14, column: 3, severity: 'error' },
        { message: 'Service fire-surge-without-affinity uses externalTrafficPolicy: Local and the rollout of Deployment ltp22-no-affinity/web (maxSurge 1, maxUnavailable 0) can remove the last pod of a node while the LB still sends to it; Kubernetes 1.25 has no ProxyTerminatingEndpoints (1.26+), so those requests have no local endpoint. Keep a pod per node (maxUnavailable 0, maxSurge ≥ 1, nodeAffinity) or use Cluster mode', path: '/spec/externalTrafficPolicy', line: 61, column: 3, severity: 'error' },
        { message: 'Service fire-daemonset-default uses externalTrafficPolicy: Local and the rollout of DaemonSet ltp22-ds/ingress (delete then create per node) can remove the last pod of a node while the LB still sends to it; Kubernetes 1.25 has no ProxyTerminatingEndpoints (1.26+), so those requests have no local endpoint. Keep a pod per node (maxUnavailable 0, maxSurge ≥ 1, nodeAffinity) or use Cluster mode', path: '/spec/externalTrafficPolicy', line: 108, column: 3, severity: 'error' },
      ],
    },
    {
      ...fixtureCase(V122, 'ack-flannel', '1.26'),
      findings: [
        { message: 'Service fire-surge-without-affinity uses externalTrafficPolicy: Local; when the rollout of Deployment ltp22-no-affinity/web (maxSurge 1, maxUnavailable 0) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop (0 s) is shorter than the CLB of profile ack-flannel needs to take the node out (9 s = kube-proxy 3 s, p99, then 2 s × 3 failed health checks)', path: '/spec/externalTrafficPolicy', line: 61, column: 3, severity: 'warning' },
        { message: 'Service fire-daemonset-default uses externalTrafficPolicy: Local; when the rollout of DaemonSet ltp22-ds/ingress (delete then create per node) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop (0 s) is shorter than the CLB of profile ack-flannel needs to take the node out (9 s = kube-proxy 3 s, p99, then 2 s × 3 failed health checks)', path: '/spec/externalTrafficPolicy', line: 108, column: 3, severity: 'warning' },
      ],
    },
  ],
});

describe('local-traffic-policy-gap', () => {
  describe('ack-flannel on 1.30 (ProxyTerminatingEndpoints)', () => {
    test('a warning where no pod per node is kept and the preStop is shorter than kube-proxy\'s 3 s + the 6 s health-check detection', () => {
      const findings = run(FIXTURE, 'ack-flannel');
      expect(rows(findings)).toEqual([
        ['fire-eni-annotation-on-flannel', ETP, 'warning'],
        ['fire-no-prestop', ETP, 'warning'],
        ['fire-nodeport-short-prestop', ETP, 'warning'],
        ['fire-statefulset', ETP, 'warning'],
      ]);
      expect(findings).toHaveLength(4);
      expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
      expect(findings.every((f) => !f.fixable)).toBe(true);
    });

    test('suppression: the ignored object would fire without its annotation', () => {
      expect(rowsOf(runUnsuppressed(FIXTURE, 'ack-flannel'), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', ETP, 'warning']]);
    });

    // Regression: `service.beta.kubernetes.io/backend-type: eni` was taken as "pods are the LB
    // backends" under every profile, but Flannel does not support ENI backends
    // (knowledge/cloud-load-balancers.md §1): under ack-flannel the nodes stay the backends.
    test('still fires under Flannel for a Service annotated with ENI backends', () => {
      expect(rowsOf(run(FIXTURE, 'ack-flannel'), ['fire-eni-annotation-on-flannel'])).toEqual([['fire-eni-annotation-on-flannel', ETP, 'warning']]);
    });

    // A Local LoadBalancer Service proves an LB that health-checks the nodes: under generic the
    // domain assumes a generic L4 LB (GCE's check, 8 s × 3, after kube-proxy's 3 s: 27 s), so the
    // gap does not vanish because the profile names no cloud. A NodePort Service proves none.
    test('generic: a Local LoadBalancer Service meets a generic L4 LB, 27 s to take a node out', () => {
      const findings = run(FIXTURE, 'generic');
      expect(rows(findings)).toEqual([
        ['dont-fire-long-prestop', ETP, 'warning'],
        ['fire-eni-annotation-on-flannel', ETP, 'warning'],
        ['fire-no-prestop', ETP, 'warning'],
        ['fire-statefulset', ETP, 'warning'],
      ]);
      expect(findingAt(findings, 'dont-fire-long-prestop', ETP).message).toContain('its preStop (10 s) is shorter than the load balancer (a generic L4 LB: the profile names none) needs to take the node out (27 s = kube-proxy 3 s, p99, then 8 s × 3 failed health checks)');
    });
  });

  describe('ack-flannel on 1.22 (no ProxyTerminatingEndpoints)', () => {
    test('an error wherever the rollout does not keep a pod per node, preStop or not', () => {
      const findings = run(V122, 'ack-flannel', '1.22');
      expect(rows(findings)).toEqual([
        ['fire-daemonset-default', ETP, 'error'],
        ['fire-long-prestop-no-pte', ETP, 'error'],
        ['fire-surge-without-affinity', ETP, 'error'],
      ]);
      expect(conventionViolations(V122, findings)).toEqual({ silentFire: [], firedDontFire: [] });
      expect(findingAt(findings, 'fire-long-prestop-no-pte', ETP).line).toBe(14);
      expect(findingAt(findings, 'fire-daemonset-default', ETP).line).toBe(108);
    });

    test('1.25 is still before ProxyTerminatingEndpoints; from 1.26 a long preStop closes the gap', () => {
      expect(rows(run(V122, 'ack-flannel', '1.25'))).toEqual(rows(run(V122, 'ack-flannel', '1.22')));
      expect(rows(run(V122, 'ack-flannel', '1.26'))).toEqual([
        ['fire-daemonset-default', ETP, 'warning'],
        ['fire-surge-without-affinity', ETP, 'warning'],
      ]);
    });

    test('the 1.30 fixture on 1.22: the long preStop no longer helps, the in-place rollout still does', () => {
      expect(rows(run(FIXTURE, 'ack-flannel', '1.22'))).toEqual([
        ['dont-fire-long-prestop', ETP, 'error'],
        ['fire-eni-annotation-on-flannel', ETP, 'error'],
        ['fire-no-prestop', ETP, 'error'],
        ['fire-nodeport-short-prestop', ETP, 'error'],
        ['fire-statefulset', ETP, 'error'],
      ]);
    });
  });

  describe('eks-nlb-ip (ip targets by default)', () => {
    test('pods as targets bypass node routing', () => {
      expect(rowsOf(run(NLB, 'eks-nlb-ip'), ['dont-fire-ip-targets'])).toEqual([]);
    });

    // Regression: the profile's `backend: pod` won over the Service's own
    // `aws-load-balancer-nlb-target-type: instance`, with which the NLB sends to nodes and
    // kube-proxy forwards (knowledge/cloud-load-balancers.md §2): the Local-policy gap applies.
    test('fires for a Service that asks for instance targets', () => {
      const findings = run(NLB, 'eks-nlb-ip');
      expect(rows(findings)).toEqual([
        ['fire-class-default-instance', ETP, 'warning'],
        ['fire-external-default-instance', ETP, 'warning'],
        ['fire-in-tree-nlb', ETP, 'warning'],
        ['fire-instance-targets', ETP, 'warning'],
      ]);
      // kube-proxy 3 s, then the NLB's 3 failed checks 10 s apart.
      expect(findingAt(findings, 'fire-in-tree-nlb', ETP).message).toContain('(33 s = kube-proxy 3 s, p99, then 10 s × 3 failed health checks)');
      expect(conventionViolations(NLB, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    });
  });
});
