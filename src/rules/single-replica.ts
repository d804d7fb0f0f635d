import { singletonReason } from '../domain/singleton.js';
import type { Report, Rule, RuleContext } from './types.js';
import { numberAt, recordAt } from '../model/k8s.js';
import { effectiveReplicas, replicasRejected, type Workload } from '../model/workload.js';
import { nameOf, othersServing } from './util.js';
import { deletesBeforeReplacing } from '../domain/replacement.js';
import { servedBy } from '../domain/service-role.js';
import { servingContainers } from '../domain/serving.js';

/**
 * Reports one workload's replica floor: `single`, or — when every Service that carries requests to
 * it also sends to other workloads' pods (versioned or canary Deployments behind one Service) —
 * `shared` at info: those keep serving while its pod restarts.
 */
function reportFloor(context: RuleContext, workload: Workload, report: Omit<Report, 'messageId'> & { data: Record<string, string> }): void {
  const others = othersServing(context, workload);
  if (others === undefined) {
    context.report({ ...report, messageId: 'single' });
    return;
  }
  context.report({ ...report, messageId: 'shared', severity: 'info', data: { ...report.data, others } });
}

/** One replica and no HPA: any restart, eviction or node drain leaves nothing serving. */
export const singleReplica: Rule = {
  meta: {
    id: 'single-replica',
    category: 'capacity',
    severity: 'warning',
    description: 'one replica (or an HPA that may scale to one): any restart or drain is an outage',
    fixable: false,
    serviceDependent: true,
    needs: ['HorizontalPodAutoscaler'],
    messages: {
      single: '{{workload}} runs {{replicas}}: any restart, eviction or node drain leaves nothing serving',
      statefulSet: '{{workload}} runs {{replicas}}: a StatefulSet deletes its pod before it creates the new one, so every rollout is an outage that no preStop can shorten; run at least 2 replicas',
      shared: '{{workload}} runs {{replicas}}, but {{others}}: a restart, eviction or node drain of its pod leaves those serving, with less capacity',
      bare: '{{workload}} is a bare Pod: no controller replaces it, and any change deletes it before a new one serves',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      if (workload.kind === 'DaemonSet') continue;
      if (workload.kind === 'Pod') {
        context.report({ resource: workload.resource, path: '', messageId: 'bare', data: { workload: nameOf(workload) } });
        continue;
      }
      const [hpa] = context.graph.hpasOf(workload);
      // Without an HPA the floor is spec.replicas: only one replica is reported (checked first, as it rules most workloads out).
      if (!hpa && (replicasRejected(workload) || effectiveReplicas(workload) !== 1)) continue;
      // A controller that must run alone (no leader election): more replicas would be the bug.
      if (singletonReason(workload)?.kind === 'election') continue;
      // No Service in the input and no container that declares a client port: nothing shows that
      // it serves, and "leaves nothing serving" would be empty (the container rules skip it too).
      if (servedBy(context, workload).level === 'unknown' && servingContainers(context, workload).length === 0) continue;
      if (hpa) {
        // Under an HPA the floor is minReplicas (default 1).
        const min = numberAt(recordAt(hpa.object, 'spec'), 'minReplicas') ?? 1;
        if (min <= 1) reportFloor(context, workload, { resource: hpa, workload, path: '/spec/minReplicas', data: { workload: nameOf(workload), replicas: `as few as ${min} replica${min === 1 ? '' : 's'} (HorizontalPodAutoscaler ${hpa.name} minReplicas ${min})` } });
        continue;
      }
      const explicit = workload.replicas !== undefined;
      const data = { workload: nameOf(workload), replicas: explicit ? '1 replica' : '1 replica (spec.replicas defaults to 1)' };
      const path = explicit ? '/spec/replicas' : '/spec';
      if (workload.kind === 'StatefulSet' && deletesBeforeReplacing(context, workload)) context.report({ resource: workload.resource, path, messageId: 'statefulSet', data });
      else reportFloor(context, workload, { resource: workload.resource, path, data });
    }
  },
};
