import type { PatchOperation, Rule, RuleContext } from './types.js';
import { disruptionBudgetOf } from '../model/disruption.js';
import { recordAt } from '../model/k8s.js';
import { resolveFenceposts, scaledValue } from '../model/intstr.js';
import { updateStrategyOf } from '../model/rollout.js';
import { effectiveReplicas, replicasRejected, type Workload } from '../model/workload.js';
import { nameOf, othersServing } from './util.js';

/**
 * The Deployment controller resolves maxSurge rounding up and maxUnavailable rounding down, and
 * forces maxUnavailable to 1 when both are 0 (pkg/controller/deployment/util/deployment_util.go ResolveFenceposts). When that
 * takes every replica down, or more than the workload's PodDisruptionBudget allows, the rollout
 * drops capacity below what the workload can lose.
 */
/** Operations that set maxUnavailable 0 and maxSurge ≥ 1, editing only what is there. */
function strategyFix(strategy: Record<string, unknown> | undefined, rolling: Record<string, unknown> | undefined, surge: number): PatchOperation[] {
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
  // OnDelete (written, or extensions/v1beta1's default): the controller replaces nothing by
  // itself, so there is no rolling update to judge; an invalid value is invalid-manifest's.
  const strategy = updateStrategyOf(workload);
  if (strategy.type !== 'RollingUpdate' || strategy.maxSurge === undefined || strategy.maxUnavailable === undefined) return;
  const rolling = recordAt(recordAt(recordAt(workload.resource.object, 'spec'), 'updateStrategy'), 'rollingUpdate');
  const nodes = context.profile.nodes;
  const unavailable = scaledValue(strategy.maxUnavailable, nodes, true);
  const surge = scaledValue(strategy.maxSurge, nodes, true);
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
      // maxSurge and maxUnavailable after defaulting (1 and 1 for extensions/v1beta1, 25 % else);
      // undefined when the API server rejects the value: no arithmetic on it.
      const effective = updateStrategyOf(workload);
      if (effective.type !== 'RollingUpdate' || effective.maxSurge === undefined || effective.maxUnavailable === undefined) continue;
      const replicas = effectiveReplicas(workload);
      if (replicas < 1 || replicasRejected(workload)) continue;
      const rolling = recordAt(strategy, 'rollingUpdate');
      const fence = resolveFenceposts(effective.maxSurge, effective.maxUnavailable, replicas);
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
        // A budget the API server rejects (both fields, "150%") is invalid-manifest's: skipped.
        const budget = disruptionBudgetOf(pdb);
        let allowed: number | undefined;
        if (budget && 'maxUnavailable' in budget) allowed = scaledValue(budget.maxUnavailable, replicas, true);
        else if (budget) {
          const min = scaledValue(budget.minAvailable, replicas, true);
          allowed = min === undefined ? undefined : Math.max(0, replicas - min);
        }
        if (allowed === undefined || fence.unavailable <= allowed || allowed === 0) continue;
        context.report({ resource: workload.resource, path, messageId: 'pdb', data: { ...data, pdb: pdb.name, allowed }, severity: 'warning', fix });
        break;
      }
    }
  },
};
