import type { Rule } from './types.js';
import { gracePeriodSeconds } from '../model/workload.js';
import { drainLabel, drainSetting } from '../domain/drain.js';
import { nameOf } from './util.js';
import { drainApplies, lbFollowsPods } from '../domain/routing.js';

/**
 * The LB keeps draining connections to a removed backend for its timeout, but the kubelet kills
 * the pod at the end of its grace period: connections the LB still drains are cut by SIGKILL
 * anyway (AWS ELBv2 docs, target group attributes: deregistration delay default 300 s).
 * Only where the LB removes backends as the pods go (pod targets, or nodes under
 * `externalTrafficPolicy: Local`: domain/routing.ts `lbFollowsPods`): with node targets under the
 * Cluster policy every node stays a backend through a rollout and nothing is deregistered.
 */
export const lbDrainExceedsGrace: Rule = {
  meta: {
    id: 'lb-drain-exceeds-grace',
    category: 'lb-drain',
    severity: 'warning',
    description: "the LB drain timeout is longer than the pod's grace period",
    fixable: false,
    serviceDependent: false,
    needs: ['Service', 'Ingress'],
    messages: {
      exceeds: 'the {{lb}} drains connections for {{drain}} s{{implicit}}, but pods of {{workload}} are killed after {{grace}} s (terminationGracePeriodSeconds): connections still draining are cut by SIGKILL',
    },
  },
  check(context) {
    for (const service of context.graph.services) {
      if (!drainApplies(context, service) || !lbFollowsPods(context, service)) continue;
      const setting = drainSetting(context, service);
      if (!setting?.enabled || setting.timeoutSeconds === undefined) continue;
      for (const workload of context.graph.workloadsOf(service)) {
        const grace = gracePeriodSeconds(workload);
        if (setting.timeoutSeconds <= grace.seconds) continue;
        context.report({
          resource: setting.resource,
          path: setting.path,
          messageId: 'exceeds',
          data: { lb: drainLabel(setting.drain), drain: setting.timeoutSeconds, implicit: setting.timeoutDefaulted ? ' (provider default)' : '', workload: nameOf(workload), grace: grace.seconds },
        });
      }
    }
  },
};
