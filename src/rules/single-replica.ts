import type { Rule } from '../engine/types.js';
import { effectiveReplicas } from '../model/workload.js';
import { nameOf, servedSeverity } from './util.js';

/** One replica and no HPA: any restart, eviction or node drain leaves nothing serving. */
export const singleReplica: Rule = {
  meta: {
    id: 'single-replica',
    category: 'capacity',
    severity: 'warning',
    description: 'one replica (and no HPA): any restart or drain is an outage',
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
      if (effectiveReplicas(workload) !== 1 || context.graph.hpasOf(workload).length > 0) continue;
      const explicit = workload.replicas !== undefined;
      context.report({ resource: workload.resource, path: explicit ? '/spec/replicas' : '/spec', messageId: 'single', data: { workload: nameOf(workload), replicas: explicit ? '1 replica' : '1 replica (spec.replicas defaults to 1)' } });
    }
  },
};
