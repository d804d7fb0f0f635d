/** How a workload's rollout replaces its pods, where that decides what a preStop can do. */
import type { Graph } from '../model/graph.js';
import { effectiveReplicas, type Workload } from '../model/workload.js';

/**
 * True when every rollout deletes the workload's only pod before its replacement exists: a
 * StatefulSet with one replica (and no HPA that could add more). The StatefulSet controller
 * updates from the highest ordinal down and creates the new pod of an ordinal only after the old
 * one is gone (kubernetes/kubernetes pkg/controller/statefulset/stateful_set_control.go,
 * updateStatefulSet; kubernetes.io/docs/concepts/workloads/controllers/statefulset/#rolling-updates:
 * "terminate each Pod … wait until an updated Pod is Running and Ready prior to updating its
 * predecessor"). Nothing serves in between, so a preStop delay only moves the outage.
 */
export function deletesBeforeReplacing(graph: Graph, workload: Workload): boolean {
  return workload.kind === 'StatefulSet' && effectiveReplicas(workload) === 1 && graph.hpasOf(workload).length === 0;
}
