import type { Rule } from './types.js';
import { nameOf } from './util.js';

/**
 * With an HPA, every `kubectl apply` of a manifest that sets spec.replicas resets the scale to
 * that number until the HPA corrects it (Kubernetes docs, HorizontalPodAutoscaler "Migrating Deployments and StatefulSets to horizontal autoscaling"; kubernetes#25238).
 */
export const hpaReplicasConflict: Rule = {
  meta: {
    id: 'hpa-replicas-conflict',
    category: 'capacity',
    severity: 'warning',
    description: 'an HPA targets the workload and the manifest still sets spec.replicas',
    fixable: true,
    serviceDependent: false,
    needs: ['HorizontalPodAutoscaler'],
    messages: {
      conflict: 'HorizontalPodAutoscaler {{hpa}} scales {{workload}}, but the manifest sets replicas: {{replicas}}: every apply resets the scale to {{replicas}}',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      if (workload.replicas === undefined) continue;
      const [hpa] = context.graph.hpasOf(workload);
      if (!hpa) continue;
      context.report({
        resource: workload.resource,
        path: '/spec/replicas',
        messageId: 'conflict',
        data: { hpa: hpa.name, workload: nameOf(workload), replicas: workload.replicas },
        fix: { kind: 'patch', description: 'remove spec.replicas and let the HPA own the scale', operations: [{ op: 'remove', path: '/spec/replicas' }] },
      });
    }
  },
};
