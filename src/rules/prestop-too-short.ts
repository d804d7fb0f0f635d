import type { PatchOperation, Rule } from '../engine/types.js';
import { preStopOf } from '../model/container.js';
import { graceAtLeast, nameOf } from './util.js';
import { recommendedPreStopSeconds } from '../domain/prestop.js';
import { budgetFor } from '../domain/routing.js';
import { servingContainers } from '../domain/serving.js';

/** A preStop sleep shorter than the propagation budget still lets the app stop while routed to. */
export const prestopTooShort: Rule = {
  meta: {
    id: 'prestop-too-short',
    category: 'termination',
    severity: 'error',
    description: "the preStop delay is shorter than the profile's propagation budget",
    fixable: true,
    serviceDependent: true,
    messages: {
      short: 'preStop sleep {{seconds}} s of container `{{container}}` is shorter than the {{budget}} s propagation budget of profile {{profile}} ({{path}}, p99)',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      const budget = budgetFor(context, workload);
      for (const c of servingContainers(context, workload)) {
        const preStop = preStopOf(c);
        if (preStop.kind !== 'sleep' && preStop.kind !== 'exec-sleep') continue;
        if (preStop.seconds >= budget.seconds) continue;
        const seconds = recommendedPreStopSeconds(budget.seconds);
        let operations: PatchOperation[] | undefined;
        const grace = graceAtLeast(workload, seconds + context.profile.app.drainSeconds);
        if (preStop.kind === 'sleep') operations = [{ op: 'replace', path: preStop.path, value: seconds }, ...grace];
        else if (!preStop.viaShell) operations = [{ op: 'replace', path: `${preStop.path}/1`, value: String(seconds) }, ...grace];
        context.report({
          resource: workload.resource,
          path: preStop.path,
          messageId: 'short',
          data: { seconds: preStop.seconds, container: c.name, workload: nameOf(workload), budget: budget.seconds, profile: context.profile.name, path: budget.path },
          ...(operations ? { fix: { kind: 'patch', description: `raise the preStop sleep to ${seconds} s`, operations } } : {}),
        });
      }
    }
  },
};
