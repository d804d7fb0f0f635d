import type { Rule } from './types.js';
import { recordAt } from '../model/k8s.js';
import { livenessNoLaterThanReadiness } from './util.js';

/**
 * Liveness and readiness probe the same endpoint and liveness gives up no later than readiness:
 * an overloaded or slow app is restarted instead of being taken out of rotation.
 */
export const livenessProbeSameAsReadiness: Rule = {
  meta: {
    id: 'liveness-probe-same-as-readiness',
    category: 'startup',
    severity: 'warning',
    description: 'liveness and readiness probe the same thing, so a slow response restarts the container instead of taking it out of rotation',
    fixable: false,
    serviceDependent: false,
    messages: {
      same: 'livenessProbe of container `{{container}}` checks the same {{action}} as its readinessProbe and fails after {{liveness}} s, no later than readiness ({{readiness}} s): a slow app is restarted instead of being taken out of rotation',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      for (const c of workload.containers) {
        const readiness = recordAt(c.container, 'readinessProbe');
        const liveness = recordAt(c.container, 'livenessProbe');
        if (!readiness || !liveness) continue;
        const same = livenessNoLaterThanReadiness(c, readiness, liveness);
        if (!same) continue;
        context.report({ resource: workload.resource, path: `${c.path}/livenessProbe`, messageId: 'same', data: { container: c.name, action: same.action, liveness: same.liveness, readiness: same.readiness } });
      }
    }
  },
};
