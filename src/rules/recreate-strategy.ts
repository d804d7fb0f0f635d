import { servedBy } from '../domain/service-role.js';
import { singletonReason } from '../domain/singleton.js';
import type { Rule } from './types.js';
import { recordAt, stringAt } from '../model/k8s.js';
import { nameOf } from './util.js';

/** Why a workload that no user Service selects gets no fix. */
const NOT_USER: Readonly<Record<'peer' | 'api-server' | 'unknown' | 'none', string>> = {
  peer: 'no user Service selects it',
  'api-server': 'no user Service selects it',
  unknown: 'no Service in the input shows that clients pay for the outage',
  none: 'nothing in the input sends it requests',
};

/**
 * Recreate kills every old pod and waits for them to be gone before creating new ones
 * (pkg/controller/deployment/recreate.go): every rollout is a full outage of old termination
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
      recreate: '{{workload}} uses strategy Recreate: every rollout stops all old pods before any new pod starts, a full outage (the fix assumes two of its pods may run side by side: no volume claim, no sign of a controller without leader election)',
      recreateNoFix: '{{workload}} uses strategy Recreate: every rollout stops all old pods before any new pod starts, a full outage (no automatic fix: {{reason}})',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      if (workload.kind !== 'Deployment') continue;
      const strategy = recordAt(recordAt(workload.resource.object, 'spec'), 'strategy');
      if (stringAt(strategy, 'type') !== 'Recreate') continue;
      const base = { resource: workload.resource, path: '/spec/strategy/type', data: { workload: nameOf(workload) } };
      // The fix trades the outage for two pods side by side: only where clients are known to pay
      // for the outage and nothing says the workload must run alone.
      const level = servedBy(context, workload).level;
      const reason = level === 'user' ? singletonReason(workload)?.reason : `${NOT_USER[level]}, and Recreate may be deliberate`;
      if (reason !== undefined) {
        context.report({ ...base, messageId: 'recreateNoFix', data: { ...base.data, reason } });
        continue;
      }
      context.report({
        ...base,
        messageId: 'recreate',
        fix: { kind: 'patch', description: 'roll out with maxUnavailable 0 and maxSurge 1', operations: [{ op: 'replace', path: '/spec/strategy', value: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }] },
      });
    }
  },
};
