import type { Rule } from './types.js';
import { annotationPointer } from '../document/pointer.js';
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
      eniNoFix: 'LoadBalancer Service {{service}} on Terway sends through nodes and kube-proxy; `{{annotation}}: "eni"` makes the pods the CLB backends and removes the node-routing and proxy races, but only together with a preStop of at least the CLB deregistration ({{budget}} s): the preStop of {{workload}} is {{preStop}} s, and with it the switch drops more requests than it saves (no automatic fix; raise the preStop first)',
    },
  },
  check(context) {
    if (context.profile.networkPlugin !== 'terway') return;
    for (const service of context.graph.services) {
      if (service.type !== 'LoadBalancer' || service.resource.annotations[ENI_ANNOTATION] === 'eni') continue;
      // A reused (shared) CLB does not support ENI backends (ACK "Use annotations to configure a CLB instance").
      if (service.resource.annotations[REUSED_LB] !== undefined) continue;
      const hasAnnotations = recordAt(recordAt(service.resource.object, 'metadata'), 'annotations') !== undefined;
      // With the pods as backends the CLB's deregistration joins the propagation budget: a pod
      // then gets SIGTERM while the CLB still sends to it unless its preStop covers that. Offer
      // the switch only when every preStop behind the Service does (a missing one counts as 0 s:
      // prestop-missing would add one for today's budget, kube-proxy's, which is too short).
      const budget = propagationBudget(context.profile, { viaLoadBalancer: true, viaIngress: false }).seconds;
      let short: { workload: string; preStop: number } | undefined;
      for (const w of context.graph.workloadsOf(service)) {
        for (const c of servingContainers(context, w)) {
          const seconds = preStopSeconds(preStopOf(c)) ?? 0;
          if (seconds < budget && (!short || seconds < short.preStop)) short = { workload: nameOf(w), preStop: seconds };
        }
      }
      if (short) {
        context.report({ resource: service.resource, path: '/spec/type', messageId: 'eniNoFix', data: { service: service.resource.name, annotation: ENI_ANNOTATION, budget, ...short } });
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
