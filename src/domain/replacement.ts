/** How a workload's rollout replaces its pods, where that decides what a preStop can do. */
import type { DomainContext } from './context.js';
import { recordAt, stringAt } from '../model/k8s.js';
import { servedBy } from './service-role.js';
import { singletonReason } from './singleton.js';
import { scaledValue } from '../model/intstr.js';
import { effectiveReplicas, type Workload } from '../model/workload.js';

/**
 * True when every rollout deletes all the workload's serving pods before any replacement exists,
 * so nothing serves in between and a preStop delay only moves the outage:
 * - a StatefulSet with one replica (and no HPA that could add more): the controller creates the
 *   new pod of an ordinal only after the old one is gone (kubernetes/kubernetes
 *   pkg/controller/statefulset/stateful_set_control.go; kubernetes.io/docs/concepts/workloads/
 *   controllers/statefulset/#rolling-updates);
 * - a Deployment with strategy Recreate that recreate-strategy offers no fix for (no user Service
 *   shows clients paying for the outage, or the workload must run alone: domain/singleton.ts):
 *   "All existing Pods are killed before new ones are created"
 *   (kubernetes.io/docs/concepts/workloads/controllers/deployment/#recreate-deployment). Where it
 *   offers the fix to a rolling update, that comes first, and then a preStop matters;
 * - a DaemonSet whose maxUnavailable covers every node of the profile, without surge (each node's
 *   pod is deleted before its replacement starts; pkg/controller/daemon/update.go).
 * The rules that say so are single-replica, recreate-strategy and rollout-max-unavailable; the
 * rules whose fix only helps while another pod serves (prestop-missing, prestop-too-short,
 * readiness-probe-missing) offer none there.
 */
export function deletesBeforeReplacing(context: DomainContext, workload: Workload): boolean {
  return replacedAfterDeletion(context, workload) !== undefined;
}

/** Why every rollout deletes the workload's pods before any replacement exists (see {@link deletesBeforeReplacing}), for messages; undefined when it does not. */
export function replacedAfterDeletion(context: DomainContext, workload: Workload): string | undefined {
  const spec = recordAt(workload.resource.object, 'spec');
  if (workload.kind === 'StatefulSet') return effectiveReplicas(workload) === 1 && context.graph.hpasOf(workload).length === 0 ? 'a StatefulSet with one replica creates the new pod only after the old one is gone' : undefined;
  if (workload.kind === 'Deployment') {
    const recreate = stringAt(recordAt(spec, 'strategy'), 'type') === 'Recreate' && (servedBy(context, workload).level !== 'user' || singletonReason(workload) !== undefined);
    return recreate ? 'strategy Recreate kills every pod before it creates new ones' : undefined;
  }
  if (workload.kind === 'DaemonSet') {
    const strategy = recordAt(spec, 'updateStrategy');
    if (stringAt(strategy, 'type') === 'OnDelete') return undefined;
    const rolling = recordAt(strategy, 'rollingUpdate');
    const nodes = context.profile.nodes;
    const unavailable = scaledValue(rolling?.['maxUnavailable'] ?? 1, nodes, true);
    const surge = scaledValue(rolling?.['maxSurge'] ?? 0, nodes, true);
    return unavailable !== undefined && surge === 0 && unavailable >= nodes ? `maxUnavailable covers all ${nodes} nodes of the profile without surge, so each node's pod is deleted before its replacement starts` : undefined;
  }
  return undefined;
}
