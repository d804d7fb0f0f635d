import type { Rule } from '../engine/types.js';
import { numberAt, recordAt } from '../model/k8s.js';
import { effectiveNamespace } from '../model/resource.js';
import { effectiveReplicas } from '../model/workload.js';
import { nameOf, servedSeverity } from './util.js';

/**
 * Node drains (upgrades, autoscaler scale-down) evict through the Eviction API, which only a
 * PodDisruptionBudget limits; without one a drain may evict every replica at once
 * (knowledge/rollout-algorithm.md §4). Rolling updates themselves are not limited by PDBs.
 */
export const pdbMissing: Rule = {
  meta: {
    id: 'pdb-missing',
    category: 'disruption',
    severity: 'warning',
    description: 'a multi-replica served workload has no PodDisruptionBudget',
    fixable: true,
    serviceDependent: false,
    messages: {
      missing: '{{workload}} has {{replicas}} replicas and no PodDisruptionBudget: a node drain may evict all of them at once',
    },
  },
  check(context) {
    const taken = new Set(context.graph.pdbs.map((p) => `${effectiveNamespace(p)}/${p.name}`));
    for (const workload of context.graph.workloads) {
      if (workload.kind !== 'Deployment' && workload.kind !== 'StatefulSet') continue;
      if (!servedSeverity(context, workload) || context.graph.pdbsOf(workload).length > 0) continue;
      const hpaMin = Math.max(0, ...context.graph.hpasOf(workload).map((h) => numberAt(recordAt(h.object, 'spec'), 'minReplicas') ?? 1));
      const replicas = Math.max(effectiveReplicas(workload), hpaMin);
      if (replicas < 2) continue;
      // The workload's own selector (matchLabels and matchExpressions), so the PDB covers exactly its pods.
      const selector = recordAt(recordAt(workload.resource.object, 'spec'), 'selector') ?? { matchLabels: workload.podLabels };
      const namespace = effectiveNamespace(workload.resource);
      let name = workload.resource.name;
      for (let n = 1; taken.has(`${namespace}/${name}`); n++) name = n === 1 ? `${workload.resource.name}-pdb` : `${workload.resource.name}-pdb-${n}`;
      taken.add(`${namespace}/${name}`);
      const metadata: Record<string, unknown> = { name };
      if (workload.resource.namespace !== '') metadata['namespace'] = workload.resource.namespace;
      context.report({
        resource: workload.resource,
        path: '',
        messageId: 'missing',
        data: { workload: nameOf(workload), replicas },
        fix: {
          kind: 'document',
          description: 'add a PodDisruptionBudget that allows one disruption at a time',
          document: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata, spec: { maxUnavailable: 1, selector } },
        },
      });
    }
  },
};
