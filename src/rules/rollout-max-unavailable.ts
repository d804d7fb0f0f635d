import type { PatchOperation, Rule, RuleContext } from '../engine/types.js';
import { recordAt, stringAt } from '../model/k8s.js';
import { resolveFenceposts, scaledValue } from '../model/intstr.js';
import { effectiveReplicas, type Workload } from '../model/workload.js';
import { nameOf, othersServing } from './util.js';

/**
 * The Deployment controller resolves maxSurge rounding up and maxUnavailable rounding down, and
 * forces maxUnavailable to 1 when both are 0 (knowledge/rollout-algorithm.md §1.5). When that
 * takes every replica down, or more than the workload's PodDisruptionBudget allows, the rollout
 * drops capacity below what the workload can lose.
 */
/** Operations that set maxUnavailable 0 and maxSurge ≥ 1, editing only what is there. */
export function strategyFix(strategy: Record<string, unknown> | undefined, rolling: Record<string, unknown> | undefined, surge: number): PatchOperation[] {
  const value = { maxUnavailable: 0, maxSurge: Math.max(1, surge) };
  if (!strategy) return [{ op: 'add', path: '/spec/strategy', value: { type: 'RollingUpdate', rollingUpdate: value } }];
  if (!rolling) return [{ op: 'add', path: '/spec/strategy/rollingUpdate', value }];
  const operations: PatchOperation[] = [{ op: 'maxUnavailable' in rolling ? 'replace' : 'add', path: '/spec/strategy/rollingUpdate/maxUnavailable', value: 0 }];
  if (surge === 0) operations.push({ op: 'maxSurge' in rolling ? 'replace' : 'add', path: '/spec/strategy/rollingUpdate/maxSurge', value: 1 });
  return operations;
}

/**
 * DaemonSet: maxUnavailable (default 1) rounds up against the nodes that run the pod; with no
 * surge each node's pod is deleted before its replacement starts (rollout-algorithm.md §3.2).
 */
function checkDaemonSet(context: RuleContext, workload: Workload): void {
  const updateStrategy = recordAt(recordAt(workload.resource.object, 'spec'), 'updateStrategy');
  // OnDelete: the controller replaces nothing by itself, so there is no rolling update to judge.
  if (stringAt(updateStrategy, 'type') === 'OnDelete') return;
  const rolling = recordAt(updateStrategy, 'rollingUpdate');
  const nodes = context.profile.nodes;
  const unavailable = scaledValue(rolling?.['maxUnavailable'] ?? 1, nodes, true);
  const surge = scaledValue(rolling?.['maxSurge'] ?? 0, nodes, true);
  if (unavailable === undefined || surge === undefined || surge > 0 || unavailable < nodes) return;
  context.report({
    resource: workload.resource,
    path: rolling && 'maxUnavailable' in rolling ? '/spec/updateStrategy/rollingUpdate/maxUnavailable' : '/spec/updateStrategy',
    messageId: 'daemonSet',
    data: { workload: nameOf(workload), unavailable, nodes, profile: context.profile.name },
  });
}

export const rolloutMaxUnavailable: Rule = {
  meta: {
    id: 'rollout-max-unavailable',
    category: 'capacity',
    severity: 'error',
    description: 'the effective maxUnavailable takes all replicas down, or more than the workload can lose',
    fixable: true,
    serviceDependent: true,
    messages: {
      all: 'rolling update of {{workload}} may take {{unavailable}} of {{replicas}} replicas down at once (maxSurge {{surge}}, maxUnavailable {{unavailable}}{{forced}}): no replica serves during the rollout',
      daemonSet: 'rolling update of {{workload}} may stop its pod on {{unavailable}} of {{nodes}} nodes at once (maxUnavailable {{unavailable}}, maxSurge 0; {{nodes}} nodes in profile {{profile}}): no node serves during the rollout',
      allShared: 'rolling update of {{workload}} may take {{unavailable}} of {{replicas}} replicas down at once (maxSurge {{surge}}, maxUnavailable {{unavailable}}{{forced}}): none of its pods serves meanwhile, but {{others}}, which keep serving with less capacity',
      pdb: 'rolling update of {{workload}} may take {{unavailable}} of {{replicas}} replicas down at once, more than its PodDisruptionBudget {{pdb}} allows ({{allowed}})',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      if (workload.kind === 'DaemonSet') {
        checkDaemonSet(context, workload);
        continue;
      }
      if (workload.kind !== 'Deployment') continue;
      const spec = recordAt(workload.resource.object, 'spec');
      const strategy = recordAt(spec, 'strategy');
      const type = stringAt(strategy, 'type') ?? 'RollingUpdate';
      if (type !== 'RollingUpdate') continue;
      const replicas = effectiveReplicas(workload);
      if (replicas < 1) continue;
      const rolling = recordAt(strategy, 'rollingUpdate');
      const fence = resolveFenceposts(rolling?.['maxSurge'], rolling?.['maxUnavailable'], replicas);
      if (!fence) continue;
      const path = rolling && 'maxUnavailable' in rolling ? '/spec/strategy/rollingUpdate/maxUnavailable' : '/spec/strategy';
      const operations = strategyFix(strategy, rolling, fence.surge);
      const fix = { kind: 'patch' as const, description: 'roll out with maxUnavailable 0 and maxSurge ≥ 1', operations };
      const data = { workload: nameOf(workload), unavailable: fence.unavailable, replicas, surge: fence.surge, forced: fence.forced ? ', forced to 1 because both resolve to 0' : '' };
      if (fence.unavailable >= replicas) {
        // Behind Services that also send to other workloads' pods (stable and canary), those keep serving.
        const others = othersServing(context, workload);
        if (others !== undefined) {
          context.report({ resource: workload.resource, path, messageId: 'allShared', data: { ...data, others }, severity: 'warning', fix });
          continue;
        }
        context.report({ resource: workload.resource, path, messageId: 'all', data, fix });
        continue;
      }
      for (const pdb of context.graph.pdbsOf(workload)) {
        const pdbSpec = recordAt(pdb.object, 'spec');
        const maxUnavailable = pdbSpec?.['maxUnavailable'];
        const minAvailable = pdbSpec?.['minAvailable'];
        let allowed: number | undefined;
        if (maxUnavailable !== undefined) allowed = scaledValue(maxUnavailable, replicas, true);
        else if (minAvailable !== undefined) {
          const min = scaledValue(minAvailable, replicas, true);
          allowed = min === undefined ? undefined : Math.max(0, replicas - min);
        }
        if (allowed === undefined || fence.unavailable <= allowed || allowed === 0) continue;
        context.report({ resource: workload.resource, path, messageId: 'pdb', data: { ...data, pdb: pdb.name, allowed }, severity: 'warning', fix });
        break;
      }
    }
  },
};
