import type { Rule } from '../engine/types.js';
import { recordAt, stringAt } from '../model/k8s.js';
import { mountsClaim } from '../domain/replacement.js';
import { nameOf, servedSeverity } from './util.js';

/**
 * Recreate kills every old pod and waits for them to be gone before creating new ones
 * (knowledge/rollout-algorithm.md §1.9): every rollout is a full outage of old termination
 * time + new startup time.
 */
export const recreateStrategy: Rule = {
  meta: {
    id: 'recreate-strategy',
    category: 'capacity',
    severity: 'error',
    description: 'strategy Recreate on a served workload: every rollout is a full outage',
    fixable: true,
    serviceDependent: true,
    messages: {
      recreate: '{{workload}} uses strategy Recreate: every rollout stops all old pods before any new pod starts, a full outage',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      if (workload.kind !== 'Deployment') continue;
      const strategy = recordAt(recordAt(workload.resource.object, 'spec'), 'strategy');
      if (stringAt(strategy, 'type') !== 'Recreate') continue;
      const severity = servedSeverity(context, workload);
      if (!severity) continue;
      // A pod that mounts a PersistentVolumeClaim may need Recreate (a ReadWriteOnce volume
      // attaches to one node): no automatic fix there.
      const usesClaim = mountsClaim(workload);
      context.report({
        resource: workload.resource,
        path: '/spec/strategy/type',
        messageId: 'recreate',
        data: { workload: nameOf(workload) },
        severity,
        ...(usesClaim
          ? {}
          : { fix: { kind: 'patch', description: 'roll out with maxUnavailable 0 and maxSurge 1', operations: [{ op: 'replace', path: '/spec/strategy', value: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }] } }),
      });
    }
  },
};
