import type { Rule } from '../engine/types.js';
import { annotationPointer } from '../load/positions.js';
import { recordAt } from '../model/k8s.js';

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
    messages: {
      eni: 'LoadBalancer Service {{service}} on Terway sends through nodes and kube-proxy; `{{annotation}}: "eni"` makes the pods the CLB backends and removes the node-routing and proxy races',
    },
  },
  check(context) {
    if (context.profile.networkPlugin !== 'terway') return;
    for (const service of context.graph.services) {
      if (service.type !== 'LoadBalancer' || service.resource.annotations[ENI_ANNOTATION] === 'eni') continue;
      // A reused (shared) CLB does not support ENI backends (knowledge/cloud-load-balancers.md §1).
      if (service.resource.annotations[REUSED_LB] !== undefined) continue;
      const hasAnnotations = recordAt(recordAt(service.resource.object, 'metadata'), 'annotations') !== undefined;
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
