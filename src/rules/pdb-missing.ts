import type { Rule } from './types.js';
import { isRecord, numberAt, recordAt } from '../model/k8s.js';
import { effectiveNamespace } from '../model/resource.js';
import { labelSelectorMatches } from '../model/selector.js';
import { effectiveReplicas, replicasRejected, type Workload } from '../model/workload.js';
import { apiProblem } from '../schema/kinds.js';
import { nameOf } from './util.js';

/** PodDisruptionBudget API versions, newest first: policy/v1 from 1.21, policy/v1beta1 until 1.24. */
const PDB_API_VERSIONS = ['policy/v1', 'policy/v1beta1'] as const;

/**
 * Label syntax as the API server validates it (apimachinery `IsQualifiedName`, `IsValidLabelValue`):
 * an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters.
 */
const LABEL_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

function isLabelKey(key: unknown): boolean {
  if (typeof key !== 'string') return false;
  const slash = key.lastIndexOf('/');
  const prefix = key.slice(0, Math.max(slash, 0));
  return LABEL_NAME.test(key.slice(slash + 1)) && (slash < 0 || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
}

function isLabelValue(value: unknown): boolean {
  return typeof value === 'string' && (value === '' || LABEL_NAME.test(value));
}

/** One matchExpressions requirement the API server accepts: In/NotIn with values, Exists/DoesNotExist without. */
function isRequirement(req: unknown): boolean {
  if (!isRecord(req) || !Object.keys(req).every((k) => k === 'key' || k === 'operator' || k === 'values')) return false;
  const values = req['values'] ?? [];
  if (!isLabelKey(req['key']) || !Array.isArray(values) || !values.every(isLabelValue)) return false;
  const operator = req['operator'];
  if (operator === 'In' || operator === 'NotIn') return values.length > 0;
  return (operator === 'Exists' || operator === 'DoesNotExist') && values.length === 0;
}

/** True when `selector` is a LabelSelector the API server accepts and that selects something specific (not empty). */
function isSpecificSelector(selector: Record<string, unknown>): boolean {
  if (!Object.keys(selector).every((k) => k === 'matchLabels' || k === 'matchExpressions')) return false;
  const matchLabels = selector['matchLabels'] ?? {};
  const matchExpressions = selector['matchExpressions'] ?? [];
  if (!isRecord(matchLabels) || !Array.isArray(matchExpressions)) return false;
  if (!Object.entries(matchLabels).every(([k, v]) => isLabelKey(k) && isLabelValue(v))) return false;
  return matchExpressions.every(isRequirement) && Object.keys(matchLabels).length + matchExpressions.length > 0;
}

/** API versions whose controllers default a missing `spec.selector` to the pod template labels (apps/v1 requires it). */
const SELECTOR_DEFAULTS_TO_LABELS = new Set(['extensions/v1beta1/Deployment', 'apps/v1beta1/Deployment', 'apps/v1beta1/StatefulSet', 'v1/ReplicationController']);

/** Kinds whose replicas a PodDisruptionBudget protects from a drain (its controller finds their pods). */
const PDB_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'ReplicationController']);

/**
 * The selector a PDB needs to cover exactly the workload's pods: the workload's own `spec.selector`
 * (matchLabels and matchExpressions), or — where the API version defaults a missing one to the pod
 * template labels — those labels. Never an empty selector (policy/v1 reads it as every pod of the
 * namespace), never one the API server would reject, and only one that selects the workload's own
 * pods (so the PDB is found as the workload's on the next check).
 */
function pdbSelector(workload: Workload): { selector: Record<string, unknown> } | { reason: string } {
  const raw = recordAt(workload.resource.object, 'spec')?.['selector'];
  // A ReplicationController's selector is a plain label map (empty: its template labels,
  // SetDefaults_ReplicationController in pkg/apis/core/v1/defaults.go).
  const written = workload.kind === 'ReplicationController' && isRecord(raw) ? (Object.keys(raw).length > 0 ? { matchLabels: raw } : undefined) : raw;
  let selector: Record<string, unknown>;
  if (written === undefined || written === null) {
    if (!SELECTOR_DEFAULTS_TO_LABELS.has(`${workload.resource.apiVersion}/${workload.kind}`)) return { reason: 'it has no `spec.selector`' };
    selector = { matchLabels: { ...workload.podLabels } };
  } else if (isRecord(written)) {
    selector = written;
  } else {
    return { reason: 'its `spec.selector` is not a LabelSelector' };
  }
  if (Object.keys(selector).every((k) => isEmpty(selector[k]))) return { reason: written ? 'its `spec.selector` is empty' : 'it has no `spec.selector` and its pod template no labels' };
  if (!isSpecificSelector(selector)) return { reason: written ? 'its `spec.selector` is not a valid LabelSelector' : 'its pod template labels are not valid labels' };
  if (!labelSelectorMatches(selector, workload.podLabels)) return { reason: 'its `spec.selector` does not match its pod template labels' };
  return { selector };
}

/** An absent, empty map or empty list field. */
function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) ? value.length === 0 : isRecord(value) && Object.keys(value).length === 0);
}

/**
 * Node drains (upgrades, autoscaler scale-down) evict through the Eviction API, which only a
 * PodDisruptionBudget limits; without one a drain may evict every replica at once
 * (Kubernetes docs, "Disruptions": https://kubernetes.io/docs/concepts/workloads/pods/disruptions/). Rolling updates themselves are not limited by PDBs.
 */
export const pdbMissing: Rule = {
  meta: {
    id: 'pdb-missing',
    category: 'disruption',
    severity: 'warning',
    description: 'a multi-replica served workload has no PodDisruptionBudget',
    fixable: true,
    serviceDependent: true,
    needs: ['PodDisruptionBudget'],
    messages: {
      missing: '{{workload}} has {{replicas}} replicas and no PodDisruptionBudget: a node drain may evict all of them at once',
      missingNoFix: '{{workload}} has {{replicas}} replicas and no PodDisruptionBudget: a node drain may evict all of them at once (no automatic fix: {{reason}})',
    },
  },
  check(context) {
    const taken = new Set(context.graph.pdbs.map((p) => `${effectiveNamespace(p)}/${p.name}`));
    const apiVersion = PDB_API_VERSIONS.find((v) => apiProblem(v, 'PodDisruptionBudget', context.profile.k8sVersion) === undefined);
    for (const workload of context.graph.workloads) {
      if (!PDB_KINDS.has(workload.kind)) continue;
      if (context.graph.pdbsOf(workload).length > 0) continue;
      const hpaMin = Math.max(0, ...context.graph.hpasOf(workload).map((h) => numberAt(recordAt(h.object, 'spec'), 'minReplicas') ?? 1));
      if (replicasRejected(workload)) continue;
      const replicas = Math.max(effectiveReplicas(workload), hpaMin);
      if (replicas < 2) continue;
      const data = { workload: nameOf(workload), replicas };
      const found = pdbSelector(workload);
      if ('reason' in found || apiVersion === undefined) {
        // A PDB with a guessed selector could select other pods, or every pod of the namespace.
        const reason = 'reason' in found ? `${found.reason}, so no PodDisruptionBudget can select exactly its pods` : `Kubernetes ${context.profile.k8sVersion} serves no PodDisruptionBudget API version`;
        context.report({ resource: workload.resource, path: '', messageId: 'missingNoFix', data: { ...data, reason } });
        continue;
      }
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
        data,
        fix: {
          kind: 'document',
          description: 'add a PodDisruptionBudget that allows one disruption at a time',
          document: { apiVersion, kind: 'PodDisruptionBudget', metadata, spec: { maxUnavailable: 1, selector: found.selector } },
        },
      });
    }
  },
};
