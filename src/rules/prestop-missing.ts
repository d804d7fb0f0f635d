import type { Rule } from './types.js';
import { preStopOf } from '../domain/hooks.js';
import { graceAtLeast, nameOf } from './util.js';
import { preStopHook, recommendedPreStopSeconds } from '../domain/prestop.js';
import { deletesBeforeReplacing } from '../domain/replacement.js';
import { budgetFor } from '../domain/routing.js';
import { discoveredOnly, servingContainers } from '../domain/serving.js';
import { likelyShellless, selfShutdownDelay } from '../domain/images.js';
import { hasSleepAction } from '../domain/versions.js';

/**
 * Deletion starts endpoint removal and SIGTERM at the same time: without a preStop delay the app
 * stops while kube-proxy, ingress and the cloud LB still send it requests.
 */
export const prestopMissing: Rule = {
  meta: {
    id: 'prestop-missing',
    category: 'termination',
    severity: 'error',
    description: 'a serving container has no preStop delay, so it stops before every layer stopped routing to it',
    fixable: true,
    serviceDependent: true,
    messages: {
      missing: 'container `{{container}}` of {{workload}} has no preStop hook: it gets SIGTERM while endpoints still route to it for up to {{budget}} s (profile {{profile}}: {{path}}, p99)',
      selfDelayShort: 'container `{{container}}` of {{workload}} has no preStop hook, and its image keeps serving only {{delay}} s after SIGTERM ({{flag}}, {{source}}): endpoints still route to it for up to {{budget}} s (profile {{profile}}: {{path}}, p99)',
    },
  },
  check(context) {
    const version = context.profile.k8sVersion;
    for (const workload of context.graph.workloads) {
      // Every pod deleted before any replacement exists: no preStop helps (single-replica,
      // recreate-strategy and rollout-max-unavailable say so).
      if (deletesBeforeReplacing(context, workload)) continue;
      const budget = budgetFor(context, workload);
      for (const c of servingContainers(context, workload)) {
        if (preStopOf(c).kind !== 'none') continue;
        // Clients that read the pods from the API when they connect: no proxy lags behind the deletion.
        if (discoveredOnly(context, workload, c) !== undefined) continue;
        // An image that keeps serving after SIGTERM for a known delay does what a preStop sleep does.
        const self = selfShutdownDelay(c);
        if (self && self.seconds >= budget.seconds) continue;
        const seconds = recommendedPreStopSeconds(budget);
        // Never propose exec sleep for an image that likely has no sleep binary.
        const fixable = hasSleepAction(version) || !likelyShellless(c);
        const hook = preStopHook(version, seconds);
        const lifecycle = c.container.lifecycle;
        context.report({
          resource: workload.resource,
          path: c.path,
          messageId: self ? 'selfDelayShort' : 'missing',
          data: { container: c.name, workload: nameOf(workload), budget: budget.seconds, profile: context.profile.name, path: budget.path, ...(self ? { delay: self.seconds, flag: self.flag, source: self.source } : {}) },
          ...(fixable
            ? {
                fix: {
                  kind: 'patch',
                  description: `add a ${seconds} s preStop sleep`,
                  operations: [
                    lifecycle === undefined ? { op: 'add', path: `${c.path}/lifecycle`, value: { preStop: hook } } : { op: 'add', path: `${c.path}/lifecycle/preStop`, value: hook },
                    ...graceAtLeast(workload, seconds + context.profile.app.drainSeconds),
                  ],
                },
              }
            : {}),
        });
      }
    }
  },
};
