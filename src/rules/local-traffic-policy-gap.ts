import type { Rule } from './types.js';
import { preStopOf, preStopSeconds } from '../domain/hooks.js';
import { resolveFenceposts } from '../model/intstr.js';
import { updateStrategyOf } from '../model/rollout.js';
import { effectiveReplicas, type Workload } from '../model/workload.js';
import { nameOf, nodeAffinityOf } from './util.js';
import { loadBalancerFor } from '../domain/routing.js';
import { servingContainers } from '../domain/serving.js';
import { hasProxyTerminatingEndpoints } from '../domain/versions.js';

/**
 * With externalTrafficPolicy: Local, kube-proxy on a node only forwards to that node's pods. When
 * a rollout deletes a node's last ready pod, the LB still sends to the node until its health check
 * (the health-check node port) fails, and those requests have no local endpoint (the seed's cause
 * 3). The seed's fix keeps a running pod on every node ("in-place": maxUnavailable 0, maxSurge,
 * nodeAffinity). Since ProxyTerminatingEndpoints (KEP-1669, beta 1.26, GA 1.28) kube-proxy keeps
 * forwarding to a terminating pod that still serves, so a preStop that outlasts kube-proxy's sync
 * and the LB's health-check detection also closes the gap.
 */
export const localTrafficPolicyGap: Rule = {
  meta: {
    id: 'local-traffic-policy-gap',
    category: 'node-routing',
    severity: 'error',
    description: 'externalTrafficPolicy: Local and a rollout can leave a node with no ready local pod while the LB still sends to it',
    fixable: false,
    serviceDependent: false,
    needs: ['Service'],
    messages: {
      noTerminating: 'Service {{service}} uses externalTrafficPolicy: Local and the rollout of {{workload}} ({{strategy}}) can remove the last pod of a node while the LB still sends to it; Kubernetes {{version}} has no ProxyTerminatingEndpoints (1.26+), so those requests have no local endpoint. Keep a pod per node (maxUnavailable 0, maxSurge ≥ 1, nodeAffinity) or use Cluster mode',
      shortPreStop: 'Service {{service}} uses externalTrafficPolicy: Local; when the rollout of {{workload}} ({{strategy}}) removes the last pod of a node, kube-proxy keeps forwarding to it only while it serves: its preStop ({{preStop}} s) is shorter than the {{lb}} needs to take the node out ({{detect}} s = kube-proxy {{proxy}} s, p99, then {{interval}} s × {{threshold}} failed health checks)',
      // The same gaps for workloads no controller rolls out (OnDelete, ReplicationController, ReplicaSet, Pod): they open when someone deletes a pod.
      noTerminatingNoRollout: 'Service {{service}} uses externalTrafficPolicy: Local and {{workload}} ({{strategy}}) loses the last pod of a node whenever someone deletes it while the LB still sends to the node; Kubernetes {{version}} has no ProxyTerminatingEndpoints (1.26+), so those requests have no local endpoint. Keep a pod per node or use Cluster mode',
      shortPreStopNoRollout: 'Service {{service}} uses externalTrafficPolicy: Local; when someone deletes the last pod of {{workload}} ({{strategy}}) on a node, kube-proxy keeps forwarding to it only while it serves: its preStop ({{preStop}} s) is shorter than the {{lb}} needs to take the node out ({{detect}} s = kube-proxy {{proxy}} s, p99, then {{interval}} s × {{threshold}} failed health checks)',
    },
    impact: { advice: 'externalTrafficPolicy: Cluster', after: { externalTrafficPolicy: 'Cluster' } },
  },
  check(context) {
    const version = context.profile.k8sVersion;
    const proxy = context.profile.proxySync.p99;
    for (const service of context.graph.services) {
      if (service.externalTrafficPolicy !== 'Local' || (service.type !== 'LoadBalancer' && service.type !== 'NodePort')) continue;
      // The LB as the domain sees it: the Service's annotations win; under a profile with no LB a
      // Local LoadBalancer Service proves a generic one that health-checks the nodes.
      const lb = loadBalancerFor(context, service);
      // Pods as direct LB backends bypass kube-proxy's node routing (the seed's ENI mode).
      if (lb?.backend === 'pod') continue;
      // The node's healthCheckNodePort answers 503 once kube-proxy has synced a node with no ready
      // local endpoint (pkg/proxy/healthcheck/service_health.go); the LB then needs its failed checks.
      const hc = lb?.healthCheck;
      const detect = hc ? proxy + hc.intervalSeconds * hc.unhealthyThreshold : 0;
      for (const workload of context.graph.workloadsOf(service)) {
        const plan = rolloutPlan(workload);
        if (plan.keepsPodPerNode) continue;
        const base = { resource: service.resource, path: '/spec/externalTrafficPolicy' };
        const data = { service: service.resource.name, workload: nameOf(workload), strategy: plan.description, version };
        if (!hasProxyTerminatingEndpoints(version)) {
          context.report({ ...base, messageId: plan.rollout === false ? 'noTerminatingNoRollout' : 'noTerminating', data });
          continue;
        }
        const serving = servingContainers(context, workload);
        const preStop = Math.min(...serving.map((c) => preStopSeconds(preStopOf(c)) ?? 0), Number.POSITIVE_INFINITY);
        const shortest = Number.isFinite(preStop) ? preStop : 0;
        if (shortest >= detect) continue;
        const kind = lb?.kind.toUpperCase() ?? 'LB';
        // Name the LB the Service gets when it is not the profile's own (an NLB under an ALB profile).
        const own = lb?.kind === context.profile.loadBalancer?.kind;
        const name = context.profile.loadBalancer ? (own ? `${kind} of profile ${context.profile.name}` : `${kind} that Service ${service.resource.name} gets under profile ${context.profile.name}`) : 'load balancer (a generic L4 LB: the profile names none)';
        context.report({ ...base, messageId: plan.rollout === false ? 'shortPreStopNoRollout' : 'shortPreStop', severity: 'warning', data: { ...data, preStop: shortest, detect, lb: name, proxy, interval: hc?.intervalSeconds ?? 0, threshold: hc?.unhealthyThreshold ?? 0 } });
      }
    }
  },
};

/** Whether a workload's rollout keeps a running pod on every node (the seed's in-place rollout). */
function rolloutPlan(workload: Workload): { keepsPodPerNode: boolean; description: string; rollout?: false } {
  const strategy = updateStrategyOf(workload);
  // No automatic rollout: the gap opens when someone deletes a node's last pod.
  if (strategy.type === 'OnDelete') return { keepsPodPerNode: false, rollout: false, description: `updateStrategy OnDelete${strategy.defaulted ? ', its API version\'s default' : ''}: no automatic rollout` };
  if (workload.kind === 'DaemonSet') {
    const surge = strategy.type === 'RollingUpdate' ? strategy.maxSurge : undefined;
    const unavailable = strategy.type === 'RollingUpdate' ? strategy.maxUnavailable : undefined;
    const keeps = surge !== undefined && surge !== 0 && surge !== '0%' && (unavailable === 0 || unavailable === '0%');
    return { keepsPodPerNode: keeps, description: keeps ? 'surge per node' : 'delete then create per node' };
  }
  if (strategy.type === 'None') return { keepsPodPerNode: false, rollout: false, description: `no controller rolls a ${workload.kind} out` };
  if (workload.kind !== 'Deployment') return { keepsPodPerNode: false, description: `${workload.kind} replaces pods one by one` };
  if (strategy.type === 'Recreate') return { keepsPodPerNode: false, description: 'Recreate' };
  if (strategy.type !== 'RollingUpdate' || strategy.maxSurge === undefined || strategy.maxUnavailable === undefined) return { keepsPodPerNode: false, description: 'unresolvable strategy' };
  const fence = resolveFenceposts(strategy.maxSurge, strategy.maxUnavailable, effectiveReplicas(workload));
  if (!fence) return { keepsPodPerNode: false, description: 'unresolvable strategy' };
  const description = `maxSurge ${fence.surge}, maxUnavailable ${fence.unavailable}`;
  const keeps = fence.unavailable === 0 && fence.surge >= 1 && nodeAffinityOf(workload) !== undefined;
  return { keepsPodPerNode: keeps, description: keeps ? `${description}, nodeAffinity` : description };
}
