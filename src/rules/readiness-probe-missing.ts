import type { Rule } from './types.js';
import { probeTarget, probeTiming, resolvePort } from '../model/container.js';
import { recordAt } from '../model/k8s.js';
import type { ContainerView } from '../model/workload.js';
import { livenessNoLaterThanReadiness, nameOf } from './util.js';
import { servedPorts, servingContainers } from '../domain/serving.js';
import { replacedAfterDeletion } from '../domain/replacement.js';

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

/** The container's startupProbe as `httpGet 8080/live` when it checks a port the container serves, else undefined. */
function startupOnServedPort(c: ContainerView, ports: readonly { port: number | string }[]): string | undefined {
  const startup = recordAt(c.container, 'startupProbe');
  const target = startup ? probeTarget(c, startup) : undefined;
  if (target?.port === undefined) return undefined;
  return ports.some((p) => resolvePort(c, p.port) === target.port) ? target.action : undefined;
}

/**
 * A serving container without a readinessProbe is Ready (and gets traffic) as soon as it runs.
 * Two cases lower the finding to `info`:
 * - every rollout deletes the pods before any replacement exists (domain/replacement.ts): no
 *   other pod serves meanwhile, so a probe cannot move requests anywhere; the simulator finds its
 *   fix worthless or harmful, and none is offered;
 * - the container's startupProbe checks a port it serves: the kubelet reports a container Ready
 *   only once it has started (kubernetes/kubernetes pkg/kubelet/prober/prober_manager.go,
 *   `UpdatePodStatus`: readiness is set only `if started`), so the pod joins the endpoints after
 *   the app answers there; a readiness probe still takes it out when it stops answering later;
 * - another container of the pod has a readinessProbe: a pod is Ready only when all its containers
 *   are (kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-conditions, `Ready` after
 *   `ContainersReady`), so that probe already gates the pod — it protects this container as far
 *   as it checks it, which the manifest does not show.
 */
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
      replacedFirst: 'container `{{container}}` of {{workload}} has no readinessProbe, but every rollout deletes its pod before a replacement exists ({{why}}): no other pod serves meanwhile, so a probe cannot keep requests off a pod that does not listen yet (no automatic fix; a probe still makes readiness and `kubectl rollout status` honest)',
      startupGated: 'container `{{container}}` of {{workload}} has no readinessProbe; its startupProbe ({{probe}}) keeps it out of the endpoints until the app answers on the port it serves, but once started nothing takes it out of rotation when it stops answering',
      siblingGated: 'container `{{container}}` of {{workload}} has no readinessProbe of its own; the pod is Ready only when all its containers are, so the readinessProbe of container `{{sibling}}` gates it, and keeps this container out of the endpoints before it listens only if it checks this container too',
      missingLiveness: 'container `{{container}}` of {{workload}} has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens (no automatic fix: its livenessProbe checks port {{port}} and gives up after {{liveness}} s, too soon for a readiness probe on that port to give up first)',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      const replacedFirst = replacedAfterDeletion(context, workload);
      for (const c of servingContainers(context, workload)) {
        if (recordAt(c.container, 'readinessProbe')) continue;
        const report = { resource: workload.resource, path: c.path, data: { container: c.name, workload: nameOf(workload) } };
        if (replacedFirst !== undefined) {
          context.report({ ...report, messageId: 'replacedFirst', severity: 'info', data: { ...report.data, why: replacedFirst } });
          continue;
        }
        const ports = servedPorts(context, workload, c);
        const startup = startupOnServedPort(c, ports);
        const sibling = workload.containers.find((o) => o !== c && recordAt(o.container, 'readinessProbe'));
        const gated = startup
          ? { messageId: 'startupGated', severity: 'info' as const, data: { ...report.data, probe: startup } }
          : sibling
            ? { messageId: 'siblingGated', severity: 'info' as const, data: { ...report.data, sibling: sibling.name } }
            : undefined;
        const tcp = ports.find((p) => p.protocol === 'TCP');
        const [first] = ports;
        if (!tcp) {
          // A tcpSocket probe on a UDP or SCTP port never connects: the pod would never be Ready.
          if (gated) context.report({ ...report, ...gated });
          else if (first) context.report({ ...report, messageId: 'missingNotTcp', data: { ...report.data, port: first.port, protocol: first.protocol } });
          else context.report({ ...report, messageId: 'missing' });
          continue;
        }
        const probe = readinessProbeFor(c, tcp.port);
        if (!probe) {
          if (gated) {
            context.report({ ...report, ...gated });
            continue;
          }
          const liveness = probeTiming(recordAt(c.container, 'livenessProbe') ?? {});
          context.report({ ...report, messageId: 'missingLiveness', data: { ...report.data, port: tcp.port, liveness: liveness.period * liveness.failureThreshold } });
          continue;
        }
        context.report({ ...report, ...(gated ?? { messageId: 'missing' }), fix: { kind: 'patch', description: `add a tcpSocket readinessProbe on port ${tcp.port}`, operations: [{ op: 'add', path: `${c.path}/readinessProbe`, value: probe }] } });
      }
    }
  },
};
