import type { Rule } from '../engine/types.js';
import { preStopOf, preStopSeconds } from '../model/container.js';
import { gracePeriodSeconds } from '../model/workload.js';
import { nameOf } from './util.js';
import { servingContainers } from '../domain/serving.js';

/**
 * The grace period runs from the start of deletion, preStop included: when it is shorter than
 * preStop + the app's drain time, SIGKILL cuts in-flight requests (the seed and ACK: grace at
 * least preStop + 30 s; knowledge/termination.md, cloud-load-balancers.md §1).
 */
export const gracePeriodTooShort: Rule = {
  meta: {
    id: 'grace-period-too-short',
    category: 'termination',
    severity: 'error',
    description: 'terminationGracePeriodSeconds is shorter than the preStop delay plus the app drain time',
    fixable: true,
    serviceDependent: true,
    messages: {
      short: 'terminationGracePeriodSeconds {{grace}} s{{implicit}} of {{workload}} is shorter than preStop {{preStop}} s + app drain {{drain}} s (profile {{profile}}) = {{needed}} s: SIGKILL cuts requests still in flight',
    },
  },
  check(context) {
    const drain = context.profile.app.drainSeconds;
    for (const workload of context.graph.workloads) {
      const serving = servingContainers(context, workload);
      if (serving.length === 0) continue;
      const preStop = Math.max(0, ...serving.map((c) => preStopSeconds(preStopOf(c)) ?? 0));
      const needed = preStop + drain;
      const grace = gracePeriodSeconds(workload);
      if (grace.seconds >= needed) continue;
      const path = `${workload.podSpecPath}/terminationGracePeriodSeconds`;
      context.report({
        resource: workload.resource,
        path: grace.explicit ? path : workload.podSpecPath,
        messageId: 'short',
        data: { grace: grace.seconds, implicit: grace.explicit ? '' : ' (default)', workload: nameOf(workload), preStop, drain, profile: context.profile.name, needed },
        fix: { kind: 'patch', description: `set terminationGracePeriodSeconds to ${needed}`, operations: [{ op: grace.explicit ? 'replace' : 'add', path, value: needed }] },
      });
    }
  },
};
