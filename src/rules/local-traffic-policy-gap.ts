import type { Rule } from '../engine/types.js';
import { preStopOf, preStopSeconds } from '../domain/hooks.js';
import { recordAt, stringAt } from '../model/k8s.js';
import { resolveFenceposts } from '../model/intstr.js';
import { effectiveReplicas, type Workload } from '../model/workload.js';
import { nameOf, nodeAffinityOf } from './util.js';
import { lbBackendOf } from '../domain/routing.js';
import { servingContainers } from '../domain/serving.js';
import { hasProxyTerminatingEndpoints } from '../domain/versions.js';

/**
 * With externalTrafficPolicy: Local, kube-proxy on a node only forwards to that node's pods. When
 * a rollout deletes a node's last ready pod, the LB still sends to the node until its health check
 * (the health-check node port) fails, and those requests have no local endpoint (the seed's cause
 * 3). The seed's fix keeps a running pod on every node ("in-place": maxUnavailable 0, maxSurge,
 * nodeAffinity). Since ProxyTerminatingEndpoints (KEP-1669, beta 1.26, GA 1.28) kube-proxy keeps
 * forwarding to a terminating pod that still serves, so a preStop that outlasts the LB's health
 * check detection also closes the gap.
 */
export const localTrafficPolicyGap: Rule = {
  meta: {
    id: 'local-traffic-policy-gap',
    category: 'node-routing',
    severity: 'error',
    description: 'externalTrafficPolicy: Local and a rollout can leave a node with no ready local pod while the LB still sends to it',
    fixable: false,
    serviceDependent: false,
    messages: {
      noTerminating: 'Service {{service}} uses externalTrafficPolicy: Local and the rollout of {{workload}} ({{strategy}}) can remove the last pod of a node while the LB still sends to it; Kubernetes {{version}} has no ProxyTerminatingEndpoints (1.26+), so those requests have no local endpoint. Keep a pod per node (maxUnavailable 0, maxSurge ≥ 1, nodeAffinity) or use Cluster mode',
      shortPreStop: 'Service {{service}} uses externalTrafficPolicy: Local; when the rollout of {{workload}} ({{strategy}}) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop ({{preStop}} s) is shorter than the LB health check needs to take the node out ({{detect}} s = {{interval}} s × {{threshold}})',
    },
  },
  check(context) {
    const version = context.profile.k8sVersion;
    const lb = context.profile.loadBalancer;
    const hc = lb?.healthCheck;
    const detect = hc ? hc.intervalSeconds * hc.unhealthyThreshold : 0;
    for (const service of context.graph.services) {
      if (service.externalTrafficPolicy !== 'Local' || (service.type !== 'LoadBalancer' && service.type !== 'NodePort')) continue;
      // Pods as direct LB backends bypass kube-proxy's node routing (the seed's ENI mode).
      if (lbBackendOf(context, service) === 'pod') continue;
      for (const workload of context.graph.workloadsOf(service)) {
        const plan = rolloutPlan(workload);
        if (plan.keepsPodPerNode) continue;
        const base = { resource: service.resource, path: '/spec/externalTrafficPolicy' };
        const data = { service: service.resource.name, workload: nameOf(workload), strategy: plan.description, version };
        if (!hasProxyTerminatingEndpoints(version)) {
          context.report({ ...base, messageId: 'noTerminating', data });
          continue;
        }
        const serving = servingContainers(context, workload);
        const preStop = Math.min(...serving.map((c) => preStopSeconds(preStopOf(c)) ?? 0), Number.POSITIVE_INFINITY);
        const shortest = Number.isFinite(preStop) ? preStop : 0;
        if (shortest >= detect) continue;
        context.report({ ...base, messageId: 'shortPreStop', severity: 'warning', data: { ...data, preStop: shortest, detect, interval: hc?.intervalSeconds ?? 0, threshold: hc?.unhealthyThreshold ?? 0 } });
      }
    }
  },
};

/** Whether a workload's rollout keeps a running pod on every node (the seed's in-place rollout). */
function rolloutPlan(workload: Workload): { keepsPodPerNode: boolean; description: string } {
  const spec = recordAt(workload.resource.object, 'spec');
  if (workload.kind === 'DaemonSet') {
    const rolling = recordAt(recordAt(spec, 'updateStrategy'), 'rollingUpdate');
    const surge = rolling?.['maxSurge'];
    const keeps = surge !== undefined && surge !== 0 && surge !== '0%' && (rolling?.['maxUnavailable'] === 0 || rolling?.['maxUnavailable'] === '0%');
    return { keepsPodPerNode: keeps, description: keeps ? 'surge per node' : 'delete then create per node' };
  }
  if (workload.kind !== 'Deployment') return { keepsPodPerNode: false, description: `${workload.kind} replaces pods one by one` };
  const strategy = recordAt(spec, 'strategy');
  if (stringAt(strategy, 'type') === 'Recreate') return { keepsPodPerNode: false, description: 'Recreate' };
  const rolling = recordAt(strategy, 'rollingUpdate');
  const fence = resolveFenceposts(rolling?.['maxSurge'], rolling?.['maxUnavailable'], effectiveReplicas(workload));
  if (!fence) return { keepsPodPerNode: false, description: 'unresolvable strategy' };
  const description = `maxSurge ${fence.surge}, maxUnavailable ${fence.unavailable}`;
  const keeps = fence.unavailable === 0 && fence.surge >= 1 && nodeAffinityOf(workload) !== undefined;
  return { keepsPodPerNode: keeps, description: keeps ? `${description}, nodeAffinity` : description };
}
