import type { Rule } from '../engine/types.js';
import { recordAt } from '../model/k8s.js';
import { nameOf, servedPort, servedSeverity, servingContainers } from './util.js';

/** A serving container without a readinessProbe is Ready (and gets traffic) as soon as it runs. */
export const readinessProbeMissing: Rule = {
  meta: {
    id: 'readiness-probe-missing',
    category: 'startup',
    severity: 'error',
    description: 'a serving container has no readinessProbe, so it receives traffic before the app listens',
    fixable: true,
    serviceDependent: true,
    messages: {
      missing: 'container `{{container}}` of {{workload}} has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      const severity = servedSeverity(context, workload);
      if (!severity) continue;
      for (const c of servingContainers(context, workload)) {
        if (recordAt(c.container, 'readinessProbe')) continue;
        const port = servedPort(context, workload, c);
        context.report({
          resource: workload.resource,
          path: c.path,
          messageId: 'missing',
          data: { container: c.name, workload: nameOf(workload) },
          severity,
          ...(port === undefined
            ? {}
            : { fix: { kind: 'patch', description: `add a tcpSocket readinessProbe on port ${port}`, operations: [{ op: 'add', path: `${c.path}/readinessProbe`, value: { tcpSocket: { port } } }] } }),
        });
      }
    }
  },
};
