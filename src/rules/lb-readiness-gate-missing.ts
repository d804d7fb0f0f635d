import type { Rule } from './types.js';
import { arrayAt, stringAt, stringMapAt, recordAt } from '../model/k8s.js';
import { effectiveNamespace } from '../model/resource.js';
import { updateStrategyOf } from '../model/rollout.js';
import { nameOf } from './util.js';
import { loadBalancerFor } from '../domain/routing.js';
import { registeredAndChecked } from '../profiles/builtin.js';

/** AWS LB Controller injects its gate only into namespaces with this label (pod_readiness_gate.md). */
const AWS_INJECT_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';
const AWS_GATE_PREFIX = 'target-health.';

/**
 * Pods that are direct LB targets become Ready long before the LB has registered them and seen
 * them healthy; without a readiness gate the rollout removes old pods while the LB has only
 * `initial` targets (LBC docs/deploy/pod_readiness_gate.md, aws-load-balancer-controller#1124).
 * Instance targets are the nodes (the in-tree `aws-load-balancer-type: nlb`, the controller's
 * `nlb-target-type: instance`, its default): the gate "only works with target-type: ip", and the
 * rule follows the Service's own annotations whatever the profile says (domain/routing.ts).
 */
export const lbReadinessGateMissing: Rule = {
  meta: {
    id: 'lb-readiness-gate-missing',
    category: 'startup',
    severity: 'error',
    description: 'pods are direct LB targets and no readiness gate holds the rollout until the LB registered them',
    fixable: false,
    serviceDependent: false,
    needs: ['Service', 'Ingress', 'Namespace'],
    messages: {
      missing: '{{workload}} pods are direct targets of the {{lb}} but have no readiness gate: the rollout removes old pods before the LB registered the new ones (registration p99 {{register}} s); label namespace {{namespace}} with `{{label}}: enabled`',
    },
    impact: { advice: 'the LB readiness gate', after: { lbReadinessGate: true } },
  },
  check(context) {
    // The AWS LB Controller has a gate to inject; GKE injects its NEG gate by itself, and the
    // other providers' pod backends have none rollsafe can check.
    if (context.profile.provider !== 'aws') return;
    for (const workload of context.graph.workloads) {
      const services = context.graph.servicesOf(workload);
      // The LB as the domain decides it: an NLB Service is an NLB whatever the profile's kind.
      const lb = services
        .filter((s) => s.type === 'LoadBalancer' || context.graph.ingressesOf(s).length > 0)
        .map((s) => loadBalancerFor(context, s))
        .find((l) => l?.backend === 'pod');
      // OnDelete: no rollout removes old pods (only someone deleting them does), so no gate would hold one.
      if (!lb || updateStrategyOf(workload).type === 'OnDelete') continue;
      const gates = arrayAt(workload.podSpec, 'readinessGates').map((g) => stringAt(g, 'conditionType') ?? '');
      if (gates.some((g) => g.startsWith(AWS_GATE_PREFIX))) continue;
      const namespace = effectiveNamespace(workload.resource);
      const ns = context.graph.namespace(namespace);
      if (ns && stringMapAt(recordAt(ns.object, 'metadata'), 'labels')[AWS_INJECT_LABEL] === 'enabled') continue;
      context.report({
        resource: workload.resource,
        path: workload.podSpecPath,
        messageId: 'missing',
        data: { workload: nameOf(workload), lb: `AWS ${lb.kind.toUpperCase()} (profile ${context.profile.name})`, register: registeredAndChecked(lb), namespace, label: AWS_INJECT_LABEL },
      });
    }
  },
};
