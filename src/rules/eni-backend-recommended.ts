import type { Rule } from '../engine/types.js';
import { annotationPointer } from '../load/positions.js';
import { preStopOf, preStopSeconds } from '../domain/hooks.js';
import { recordAt } from '../model/k8s.js';
import { propagationBudget } from '../profiles/types.js';
import { nameOf } from './util.js';
import { servingContainers } from '../domain/serving.js';

const ENI_ANNOTATION = 'service.beta.kubernetes.io/backend-type';
const REUSED_LB = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-id';

/**
 * On ACK with Terway, `backend-type: eni` puts pods directly behind the CLB, bypassing kube-proxy:
 * no node-routing gap (cause 3) and no proxy propagation race (most of cause 2) — the seed's
 * recommended setup (cloud-provider-alibaba-cloud docs/usage.md).
 */
export const eniBackendRecommended: Rule = {
  meta: {
    id: 'eni-backend-recommended',
    category: 'node-routing',
    severity: 'info',
    description: 'ACK with Terway: the ENI backend annotation removes causes 3 and most of 2',
    fixable: true,
    serviceDependent: false,
    needs: ['Service'],
    messages: {
      eni: 'LoadBalancer Service {{service}} on Terway sends through nodes and kube-proxy; `{{annotation}}: "eni"` makes the pods the CLB backends and removes the node-routing and proxy races',
      eniNoFix: 'LoadBalancer Service {{service}} on Terway sends through nodes and kube-proxy; `{{annotation}}: "eni"` makes the pods the CLB backends and removes the node-routing and proxy races (no automatic fix: with the pods as backends the CLB deregistration counts, {{budget}} s, and the preStop of {{workload}} is shorter; raise it first)',
    },
  },
  check(context) {
    if (context.profile.networkPlugin !== 'terway') return;
    for (const service of context.graph.services) {
      if (service.type !== 'LoadBalancer' || service.resource.annotations[ENI_ANNOTATION] === 'eni') continue;
      // A reused (shared) CLB does not support ENI backends (knowledge/cloud-load-balancers.md §1).
      if (service.resource.annotations[REUSED_LB] !== undefined) continue;
      const hasAnnotations = recordAt(recordAt(service.resource.object, 'metadata'), 'annotations') !== undefined;
      // With the pods as backends the CLB's deregistration joins the propagation budget: offer the
      // switch only when no preStop sleep behind the Service becomes too short by it (a missing
      // preStop is added by prestop-missing at the new budget).
      const budget = propagationBudget(context.profile, { viaLoadBalancer: true, viaIngress: false }).seconds;
      const short = context.graph.workloadsOf(service).find((w) =>
        servingContainers(context, w).some((c) => {
          const p = preStopOf(c);
          return p.kind !== 'none' && (preStopSeconds(p) ?? 0) < budget;
        }),
      );
      if (short) {
        context.report({ resource: service.resource, path: '/spec/type', messageId: 'eniNoFix', data: { service: service.resource.name, annotation: ENI_ANNOTATION, budget, workload: nameOf(short) } });
        continue;
      }
      context.report({
        resource: service.resource,
        path: '/spec/type',
        messageId: 'eni',
        data: { service: service.resource.name, annotation: ENI_ANNOTATION },
        fix: { kind: 'patch', description: 'use ENI backends', operations: [hasAnnotations ? { op: 'add', path: annotationPointer(ENI_ANNOTATION), value: 'eni' } : { op: 'add', path: '/metadata/annotations', value: { [ENI_ANNOTATION]: 'eni' } }] },
      });
    }
  },
};
