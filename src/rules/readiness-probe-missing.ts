import type { Rule } from './types.js';
import { probeTiming } from '../model/container.js';
import { recordAt } from '../model/k8s.js';
import type { ContainerView } from '../model/workload.js';
import { livenessNoLaterThanReadiness, nameOf } from './util.js';
import { servedPorts, servingContainers } from '../domain/serving.js';

/** API default periodSeconds and failureThreshold of a probe (Probe v1 API defaults: periodSeconds 10, failureThreshold 3). */
const DEFAULT_PERIOD = 10;
const DEFAULT_FAILURE_THRESHOLD = 3;

/**
 * The tcpSocket readiness probe for a port: API-default timing, unless the container's
 * livenessProbe checks the same port and gives up no later — then readiness must give up first
 * (shorter period, and fewer failures when a shorter period is not enough), so a slow app is
 * taken out of rotation before liveness restarts it. Undefined when no timing gives up first.
 */
function readinessProbeFor(c: ContainerView, port: number | string): Record<string, unknown> | undefined {
  const probe = { tcpSocket: { port } };
  const liveness = recordAt(c.container, 'livenessProbe');
  if (!liveness || !livenessNoLaterThanReadiness(c, probe, liveness)) return probe;
  const lt = probeTiming(liveness);
  const livenessGivesUp = lt.period * lt.failureThreshold;
  for (let failureThreshold = DEFAULT_FAILURE_THRESHOLD; failureThreshold >= 1; failureThreshold--) {
    // Whole seconds: the largest period that still gives up strictly before liveness.
    const periodSeconds = Math.min(DEFAULT_PERIOD, Math.ceil(livenessGivesUp / failureThreshold) - 1);
    if (periodSeconds < 1) continue;
    const faster = failureThreshold === DEFAULT_FAILURE_THRESHOLD ? { ...probe, periodSeconds } : { ...probe, periodSeconds, failureThreshold };
    return livenessNoLaterThanReadiness(c, faster, liveness) ? undefined : faster;
  }
  return undefined;
}

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
      missingNotTcp: 'container `{{container}}` of {{workload}} has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens (no automatic fix: it serves port {{port}} over {{protocol}}, which a tcpSocket probe cannot check)',
      missingLiveness: 'container `{{container}}` of {{workload}} has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens (no automatic fix: its livenessProbe checks port {{port}} and gives up after {{liveness}} s, too soon for a readiness probe on that port to give up first)',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      for (const c of servingContainers(context, workload)) {
        if (recordAt(c.container, 'readinessProbe')) continue;
        const report = { resource: workload.resource, path: c.path, data: { container: c.name, workload: nameOf(workload) } };
        const ports = servedPorts(context, workload, c);
        const tcp = ports.find((p) => p.protocol === 'TCP');
        const [first] = ports;
        if (!tcp) {
          // A tcpSocket probe on a UDP or SCTP port never connects: the pod would never be Ready.
          if (first) context.report({ ...report, messageId: 'missingNotTcp', data: { ...report.data, port: first.port, protocol: first.protocol } });
          else context.report({ ...report, messageId: 'missing' });
          continue;
        }
        const probe = readinessProbeFor(c, tcp.port);
        if (!probe) {
          const liveness = probeTiming(recordAt(c.container, 'livenessProbe') ?? {});
          context.report({ ...report, messageId: 'missingLiveness', data: { ...report.data, port: tcp.port, liveness: liveness.period * liveness.failureThreshold } });
          continue;
        }
        context.report({ ...report, messageId: 'missing', fix: { kind: 'patch', description: `add a tcpSocket readinessProbe on port ${tcp.port}`, operations: [{ op: 'add', path: `${c.path}/readinessProbe`, value: probe }] } });
      }
    }
  },
};
