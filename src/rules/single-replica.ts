import type { Rule } from '../engine/types.js';
import { numberAt, recordAt } from '../model/k8s.js';
import { effectiveReplicas, replicasRejected } from '../model/workload.js';
import { nameOf, servedSeverity } from './util.js';

/** One replica and no HPA: any restart, eviction or node drain leaves nothing serving. */
export const singleReplica: Rule = {
  meta: {
    id: 'single-replica',
    category: 'capacity',
    severity: 'warning',
    description: 'one replica (or an HPA that may scale to one): any restart or drain is an outage',
    fixable: false,
    serviceDependent: false,
    messages: {
      single: '{{workload}} runs {{replicas}}: any restart, eviction or node drain leaves nothing serving',
      bare: '{{workload}} is a bare Pod: no controller replaces it, and any change deletes it before a new one serves',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      if (workload.kind === 'DaemonSet' || !servedSeverity(context, workload)) continue;
      if (workload.kind === 'Pod') {
        context.report({ resource: workload.resource, path: '', messageId: 'bare', data: { workload: nameOf(workload) } });
        continue;
      }
      const [hpa] = context.graph.hpasOf(workload);
      if (hpa) {
        // Under an HPA the floor is minReplicas (default 1).
        const min = numberAt(recordAt(hpa.object, 'spec'), 'minReplicas') ?? 1;
        if (min <= 1) context.report({ resource: hpa, path: '/spec/minReplicas', messageId: 'single', data: { workload: nameOf(workload), replicas: `as few as ${min} replica${min === 1 ? '' : 's'} (HorizontalPodAutoscaler ${hpa.name} minReplicas ${min})` } });
        continue;
      }
      if (replicasRejected(workload) || effectiveReplicas(workload) !== 1) continue;
      const explicit = workload.replicas !== undefined;
      context.report({ resource: workload.resource, path: explicit ? '/spec/replicas' : '/spec', messageId: 'single', data: { workload: nameOf(workload), replicas: explicit ? '1 replica' : '1 replica (spec.replicas defaults to 1)' } });
    }
  },
};
