import type { Rule, Severity } from './types.js';
import { preStopOf, unknownSteps } from '../domain/hooks.js';
import { gracePeriodSeconds } from '../model/workload.js';
import { nameOf } from './util.js';
import { budgetFor } from '../domain/routing.js';
import { servingContainers } from '../domain/serving.js';

/**
 * The grace period runs from the start of deletion, preStop included: when it is shorter than
 * preStop + the app's drain time, SIGKILL cuts in-flight requests (the seed article and ACK: grace
 * at least preStop + 30 s). The preStop's length is read from the manifest (src/domain/hooks.ts);
 * the drain time is the profile's assumption (`app.drainSeconds`). Only a grace period that cuts
 * a known preStop short below the propagation budget fails without that assumption (the app gets
 * SIGTERM while routed to): an error. Otherwise — the assumed drain time alone makes it fail, or
 * the preStop's length is unknown — a warning that says so.
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
      cut: 'terminationGracePeriodSeconds {{grace}} s{{implicit}} of {{workload}} cuts its preStop {{preStop}} s short, below the {{budget}} s propagation budget of profile {{profile}}: the kubelet sends SIGTERM at {{grace}} s while endpoints may still route to the pod, and SIGKILL at {{kill}} s',
      short: 'terminationGracePeriodSeconds {{grace}} s{{implicit}} of {{workload}} is shorter than its preStop {{preStop}} s: the kubelet cuts the hook at {{grace}} s and sends SIGKILL at {{kill}} s, leaving the app 2 s; profile {{profile}} assumes it needs {{drain}} s to finish requests in flight (app.drainSeconds, an assumption: set it for your app)',
      assumed: 'terminationGracePeriodSeconds {{grace}} s{{implicit}} of {{workload}} leaves {{left}} s after preStop {{preStop}} s; profile {{profile}} assumes the app needs {{drain}} s to finish requests in flight (app.drainSeconds, an assumption: set it for your app) = {{needed}} s',
      unknown: 'terminationGracePeriodSeconds {{grace}} s{{implicit}} of {{workload}}: its preStop runs {{unknown}}, whose length rollsafe cannot know{{atLeast}}; with the {{drain}} s drain profile {{profile}} assumes (app.drainSeconds) it needs at least {{needed}} s',
    },
  },
  check(context) {
    const drain = context.profile.app.drainSeconds;
    for (const workload of context.graph.workloads) {
      const serving = servingContainers(context, workload);
      if (serving.length === 0) continue;
      const delays = serving.flatMap((c) => {
        const p = preStopOf(c);
        return p.kind === 'none' ? [] : [p.delay];
      });
      const preStop = Math.max(0, ...delays.map((d) => d.seconds));
      const unknown = delays.filter((d) => !d.known);
      const needed = preStop + drain;
      const grace = gracePeriodSeconds(workload);
      if (grace.seconds >= needed) continue;
      const path = `${workload.podSpecPath}/terminationGracePeriodSeconds`;
      // The kubelet kills at max(grace, min(preStop, grace) + 2) (killContainer, minimumGracePeriodInSeconds).
      const budget = budgetFor(context, workload).seconds;
      const cutShort = unknown.length === 0 && grace.seconds < preStop;
      const messageId = unknown.length > 0 ? 'unknown' : cutShort ? (grace.seconds < budget ? 'cut' : 'short') : 'assumed';
      // Only `cut` is known without an assumption: the rule's error; the engine caps it for a workload the input does not show served.
      const severity: Severity | undefined = messageId === 'cut' ? undefined : 'warning';
      context.report({
        resource: workload.resource,
        path: grace.explicit ? path : workload.podSpecPath,
        messageId,
        data: {
          grace: grace.seconds,
          implicit: grace.explicit ? '' : ' (default)',
          workload: nameOf(workload),
          preStop,
          drain,
          profile: context.profile.name,
          needed,
          budget,
          left: Math.max(0, grace.seconds - preStop),
          kill: Math.max(grace.seconds, Math.min(preStop, grace.seconds) + 2),
          unknown: unknown.map(unknownSteps).join(', '),
          atLeast: preStop > 0 ? ` (at least ${preStop} s)` : '',
        },
        ...(severity ? { severity } : {}),
        fix: { kind: 'patch', description: `set terminationGracePeriodSeconds to ${needed}`, operations: [{ op: grace.explicit ? 'replace' : 'add', path, value: needed }] },
      });
    }
  },
};
