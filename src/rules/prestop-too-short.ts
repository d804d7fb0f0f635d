import { selfShutdownDelay } from '../domain/images.js';
import type { PatchOperation, Rule } from './types.js';
import { preStopOf, sleepFirst, unknownSteps } from '../domain/hooks.js';
import { graceAtLeast, nameOf } from './util.js';
import { recommendedPreStopSeconds } from '../domain/prestop.js';
import { deletesBeforeReplacing } from '../domain/replacement.js';
import { budgetFor } from '../domain/routing.js';
import { discoveredOnly, servingContainers } from '../domain/serving.js';

/**
 * A preStop that lets the app stop accepting before the propagation budget has passed still lets
 * it stop while routed to. A sleep, or a known command (src/domain/hooks.ts), has a known length;
 * any other hook an unknown one, which is only a warning that says what could not be judged.
 */
export const prestopTooShort: Rule = {
  meta: {
    id: 'prestop-too-short',
    category: 'termination',
    severity: 'error',
    description: "the preStop delay is shorter than the profile's propagation budget",
    fixable: true,
    serviceDependent: true,
    messages: {
      short: 'preStop sleep {{seconds}} s of container `{{container}}`{{self}} is shorter than the {{budget}} s propagation budget of profile {{profile}} ({{path}}, p99)',
      shortHook: 'preStop of container `{{container}}` lets the app accept connections for {{seconds}} s ({{what}}){{self}}, shorter than the {{budget}} s propagation budget of profile {{profile}} ({{path}}, p99); sleep before it',
      unknown: 'preStop of container `{{container}}` runs {{unknown}}, whose length rollsafe cannot know{{atLeast}}: it cannot judge whether the app keeps accepting for the {{budget}} s propagation budget of profile {{profile}} ({{path}}, p99)',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      // Every pod deleted before any replacement exists: no preStop helps (single-replica,
      // recreate-strategy and rollout-max-unavailable say so).
      if (deletesBeforeReplacing(context, workload)) continue;
      const budget = budgetFor(context, workload);
      const where = { budget: budget.seconds, profile: context.profile.name, path: budget.path };
      for (const c of servingContainers(context, workload)) {
        const preStop = preStopOf(c);
        // No hook at all is prestop-missing's.
        if (preStop.kind === 'none') continue;
        // Clients that read the pods from the API when they connect: no proxy lags behind the deletion.
        if (discoveredOnly(context, workload, c) !== undefined) continue;
        const own = selfShutdownDelay(c);
        const self = own ? `, plus the ${own.seconds} s its image keeps serving after SIGTERM (${own.flag}, ${own.source}),` : '';
        // An image that keeps serving after SIGTERM adds its own delay to the hook's (domain/images.ts).
        if (preStop.delay.seconds + (own?.seconds ?? 0) >= budget.seconds) continue;
        const delay = preStop.delay;
        if (!delay.known) {
          const atLeast = delay.seconds > 0 ? ` (at least ${delay.seconds} s)` : '';
          context.report({ resource: workload.resource, path: preStop.path, messageId: 'unknown', data: { container: c.name, unknown: unknownSteps(delay), atLeast, ...where }, severity: 'warning' });
          continue;
        }
        const seconds = recommendedPreStopSeconds(budget);
        if (preStop.kind === 'other' || delay.stops || delay.seconds !== preStop.seconds) {
          const what = delay.knownSteps.join('; ');
          // Sleep first for what the recommended delay still lacks; the grace period follows.
          const more = Math.ceil(seconds - delay.seconds);
          const edit = sleepFirst(c, more);
          const fix = edit && {
            kind: 'patch' as const,
            description: `sleep ${more} s before the hook`,
            operations: [{ op: 'replace' as const, path: edit.path, value: edit.value }, ...graceAtLeast(workload, seconds + context.profile.app.drainSeconds)],
          };
          context.report({ resource: workload.resource, path: preStop.path, messageId: 'shortHook', data: { container: c.name, seconds: delay.seconds, what, self, ...where }, ...(fix ? { fix } : {}) });
          continue;
        }
        let operations: PatchOperation[] | undefined;
        const grace = graceAtLeast(workload, seconds + context.profile.app.drainSeconds);
        if (preStop.kind === 'sleep') operations = [{ op: 'replace', path: preStop.path, value: seconds }, ...grace];
        else if (!preStop.viaShell) operations = [{ op: 'replace', path: `${preStop.path}/1`, value: String(seconds) }, ...grace];
        context.report({
          resource: workload.resource,
          path: preStop.path,
          messageId: 'short',
          data: { seconds: preStop.seconds, container: c.name, workload: nameOf(workload), self, ...where },
          ...(operations ? { fix: { kind: 'patch', description: `raise the preStop sleep to ${seconds} s`, operations } } : {}),
        });
      }
    }
  },
};
