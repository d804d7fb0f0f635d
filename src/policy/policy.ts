/**
 * `rollsafe policy`: the rules that can be judged from one object and the profile, compiled into
 * a ValidatingAdmissionPolicy and its binding (admissionregistration.k8s.io/v1, GA in Kubernetes
 * 1.30; kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/).
 */
import { recommendedPreStopSeconds } from '../domain/prestop.js';
import { budgetFor } from '../domain/routing.js';
import { loadSources } from '../load/objects.js';
import { buildGraph } from '../model/graph.js';
import { IGNORE_ANNOTATION } from '../model/resource.js';
import { DEFAULT_GRACE_SECONDS } from '../model/workload.js';
import type { Profile } from '../profiles/types.js';
import { compareVersions } from '../schema/kinds.js';
import { declaredCel, declaresPortCel, fieldOr, hasPath, nonClientPortNameCel, scaled, str } from './cel.js';
import { RULES } from '../rules/index.js';
import { MUTATING_POLICY_SINCE, mutationExpression } from './mutation.js';
import { compileRules, POLICY_KINDS, type CompiledRule, type PolicyNumbers } from './rules.js';
import { RollsafeError } from '../errors.js';

/** What the policy does with a violation: `validationActions` of the binding. */
export type PolicyMode = 'deny' | 'warn' | 'audit';

export const POLICY_MODES: readonly PolicyMode[] = ['deny', 'warn', 'audit'];

/** The first Kubernetes release that serves admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy. */
export const VALIDATING_POLICY_SINCE = '1.30';

/** The name of the policy and its binding. */
const POLICY_NAME = 'rollsafe';

/** The name of the mutating policy and its binding. */
const MUTATING_POLICY_NAME = 'rollsafe-fixes';

/**
 * Rules that need more than the object being admitted, with the reason. Every rule of the catalog
 * is either compiled (rules.ts) or listed here (a test holds the two together).
 */
export const NOT_COMPILED: Readonly<Record<string, string>> = {
  'eni-backend-recommended': 'judges a LoadBalancer Service, not a workload',
  'hpa-replicas-conflict': 'needs the HorizontalPodAutoscaler that targets the workload',
  'invalid-manifest': 'the API server validates the object against its schema before admission policies run',
  'lb-connection-drain-missing': 'judges a LoadBalancer Service, its Ingress or BackendConfig',
  'lb-drain-exceeds-grace': "compares a Service's drain timeout with the grace period of the pods it selects",
  'lb-readiness-gate-missing': 'needs the Service or Ingress that makes the pods direct load-balancer targets, and the namespace labels',
  'local-traffic-policy-gap': 'needs the Service with externalTrafficPolicy: Local that selects the workload',
  'pdb-missing': 'needs to know that no PodDisruptionBudget selects the workload',
  'service-selects-nothing': 'judges a Service against every workload',
  'service-target-port-unserved': 'judges a Service against the workloads it selects',
  'grace-period-too-short': 'reads the whole preStop hook (domain/hooks.ts: known steps, drains, hooks of unknown length) since this release; the CEL reading of a leading sleep no longer matches it and is not recompiled yet',
  'prestop-too-short': 'reads the whole preStop hook (domain/hooks.ts: known steps, drains, hooks of unknown length) since this release; the CEL reading of a leading sleep no longer matches it and is not recompiled yet',
};

/** What the served assumption and the other single-object assumptions are, for the header and the docs. */
export const ASSUMPTIONS: readonly string[] = [
  'every matched workload is served unless every port it declares is named for metrics or health, and its containers that declare another port are the serving ones (what rollsafe check assumes when the input has no Service);',
  'the propagation budget is the profile\'s full path (kube-proxy, the ingress and the cloud load balancer of the profile);',
  'no HorizontalPodAutoscaler targets the workload (single-replica judges spec.replicas) and no PodDisruptionBudget limits it (rollout-max-unavailable judges only the all-replicas case);',
  'the readiness probe is compared with the ports the pod\'s containers declare, not with a Service\'s targetPort.',
];

export interface PolicyOptions {
  readonly profile: Profile;
  readonly mode: PolicyMode;
  /** Rules turned off (`.rollsafe.yaml` or `--rule ID=off`): no validation, no fix. */
  readonly off?: ReadonlySet<string>;
}

export interface CompiledPolicy {
  /** The objects to apply, in order. */
  readonly documents: readonly Record<string, unknown>[];
  readonly rules: readonly CompiledRule[];
  readonly numbers: PolicyNumbers;
  /** Rule id → why it is not compiled. */
  readonly notCompiled: Readonly<Record<string, string>>;
  /** Compiled rules left out because they are turned off. */
  readonly off: readonly string[];
}

/**
 * The budget a workload gets when no Service is in view: computed by budgetFor itself on a graph
 * that holds one Deployment and nothing else, so the policy follows domain/routing.ts.
 */
function singleObjectNumbers(profile: Profile): PolicyNumbers {
  const loaded = loadSources([{ path: '<policy>', text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: policy\n' }], profile.k8sVersion);
  const graph = buildGraph(loaded.resources);
  const [workload] = graph.workloads;
  if (!workload) throw new Error('the synthetic Deployment did not load');
  const budget = budgetFor({ graph, profile }, workload);
  return { budgetSeconds: budget.seconds, budgetPath: budget.path, recommendedPreStopSeconds: recommendedPreStopSeconds(budget), drainSeconds: profile.app.drainSeconds, startupSeconds: profile.app.startupSeconds, nodes: profile.nodes };
}

/** The policy's variables: the pod template's containers, the serving ones, grace, replicas, ignored rules. */
function policyVariables(nodes: number): { name: string; expression: string }[] {
  const podSpec = ['spec', 'template', 'spec'];
  const annotations = 'object.metadata.annotations';
  return [
    { name: 'containers', expression: fieldOr('object', [...podSpec, 'containers'], '[]') },
    { name: 'serving', expression: `variables.containers.filter(c, ${declaresPortCel('c')})` },
    // domain/service-role.ts servedBy with no Service in view: not served when every port it
    // declares is named for metrics or health, or when it is a DaemonSet with no hostPort and no
    // hostNetwork (a node agent) — the Service-dependent rules then report nothing.
    {
      name: 'served',
      expression:
        `!(variables.containers.exists(c, ${declaredCel('c')}.size() > 0) && variables.containers.all(c, ${declaredCel('c')}.all(p, has(p.name) && ${nonClientPortNameCel('p.name')}))) && ` +
        `!(object.kind == 'DaemonSet' && !(${fieldOr('object', [...podSpec, 'hostNetwork'], 'false')} == true) && variables.containers.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0)))`,
    },
    // Containers and native sidecars (initContainers with restartPolicy Always): the pod's listeners.
    {
      name: 'listeners',
      expression: `variables.containers + ${fieldOr('object', [...podSpec, 'initContainers'], '[]')}.filter(i, has(i.restartPolicy) && i.restartPolicy == 'Always')`,
    },
    // A negative grace period is stored as 1 for a Pod (model/workload.ts gracePeriodSeconds).
    { name: 'grace', expression: `[${fieldOr('object', [...podSpec, 'terminationGracePeriodSeconds'], String(DEFAULT_GRACE_SECONDS))}].map(g, g < 0 ? 1 : g)[0]` },
    // -1 when spec.replicas is one the API server rejects (negative, not whole): the rules skip it.
    { name: 'replicas', expression: `[${fieldOr('object', ['spec', 'replicas'], '1')}].map(r, type(r) == int && r >= 0 ? r : -1)[0]` },
    // domain/replacement.ts deletesBeforeReplacing with no Service in view: every pod is deleted
    // before a replacement exists (a one-replica StatefulSet, Recreate, a DaemonSet rolling all nodes).
    { name: 'deletesFirst', expression: deletesFirst(nodes) },
    {
      name: 'ignored',
      expression: `${hasPath('object', ['metadata', 'annotations'])} && ${str(IGNORE_ANNOTATION)} in ${annotations} ? ${annotations}[${str(IGNORE_ANNOTATION)}].split(',').map(s, s.trim()) : []`,
    },
  ];
}

/** The validating policy's variables: the shared ones, then each per-container rule's list. */
export function validatingVariables(rules: readonly CompiledRule[], nodes: number): { name: string; expression: string }[] {
  return [...policyVariables(nodes), ...rules.flatMap((r) => (r.variable ? [{ ...r.variable }] : []))];
}

function deletesFirst(nodes: number): string {
  const ds = 'object.spec.updateStrategy.rollingUpdate';
  const unavailable = scaled(`(${hasPath('object', ['spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable'])} ? ${ds}.maxUnavailable : 1)`, String(nodes), true);
  const surge = scaled(`(${hasPath('object', ['spec', 'updateStrategy', 'rollingUpdate', 'maxSurge'])} ? ${ds}.maxSurge : 0)`, String(nodes), true);
  return (
    `object.kind == 'StatefulSet' ? variables.replicas == 1 || variables.replicas == -1 : ` +
    `object.kind == 'Deployment' ? ${fieldOr('object', ['spec', 'strategy', 'type'], "''")} == 'Recreate' : ` +
    `object.kind == 'DaemonSet' && ${fieldOr('object', ['spec', 'updateStrategy', 'type'], "''")} != 'OnDelete' && ${unavailable.valid} && ${surge.valid} && ${surge.value} == 0 && ${unavailable.value} >= ${nodes}`
  );
}

/** The validation of one compiled rule: the ignore annotation, the kinds, then the rule. */
export function validationExpression(rule: CompiledRule): string {
  const guards = [`'all' in variables.ignored`, `${str(rule.ruleId)} in variables.ignored`];
  // The engine drops a Service-dependent rule's findings on a workload nothing serves.
  if (RULES.get(rule.ruleId)?.meta.serviceDependent === true) guards.push('!variables.served');
  if (POLICY_KINDS.some((k) => !rule.kinds.includes(k))) guards.push(`!(object.kind in [${rule.kinds.map(str).join(', ')}])`);
  return `${guards.join(' || ')} ||\n(${rule.check})`;
}

const RESOURCES: Readonly<Record<string, { group: string; resource: string }>> = {
  Deployment: { group: 'apps', resource: 'deployments' },
  StatefulSet: { group: 'apps', resource: 'statefulsets' },
  DaemonSet: { group: 'apps', resource: 'daemonsets' },
  ReplicaSet: { group: 'apps', resource: 'replicasets' },
  ReplicationController: { group: '', resource: 'replicationcontrollers' },
};

/** matchConstraints: the workload kinds, CREATE and UPDATE, outside kube-system. */
function matchConstraints(): Record<string, unknown> {
  const groups = [...new Set(POLICY_KINDS.map((k) => RESOURCES[k]?.group ?? ''))];
  return {
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] },
    resourceRules: groups.map((group) => ({
      apiGroups: [group],
      apiVersions: ['v1'],
      operations: ['CREATE', 'UPDATE'],
      resources: POLICY_KINDS.filter((k) => RESOURCES[k]?.group === group).map((k) => RESOURCES[k]?.resource ?? ''),
    })),
  };
}

const ACTIONS: Readonly<Record<PolicyMode, string[]>> = { deny: ['Deny'], warn: ['Warn'], audit: ['Audit'] };

/** Compiles the policy for a profile (its Kubernetes version decides what the cluster serves). */
export function compilePolicy(options: PolicyOptions): CompiledPolicy {
  const { profile, mode } = options;
  if (compareVersions(profile.k8sVersion, VALIDATING_POLICY_SINCE) < 0) {
    throw new RollsafeError('unsupported-version', `ValidatingAdmissionPolicy is served as admissionregistration.k8s.io/v1 from Kubernetes ${VALIDATING_POLICY_SINCE}; the cluster has ${profile.k8sVersion} (use rollsafe check in CI, or a newer cluster)`);
  }
  const numbers = singleObjectNumbers(profile);
  const offRules = options.off ?? new Set<string>();
  const all = compileRules(numbers)
    .filter((r) => !(r.ruleId in NOT_COMPILED))
    // prestop-missing skips a workload whose pods are all deleted before any replacement exists.
    .map((r) => (r.ruleId === 'prestop-missing' ? { ...r, check: `variables.deletesFirst || ${r.check}` } : r));
  const rules = all.filter((r) => !offRules.has(r.ruleId));
  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: POLICY_NAME, annotations: { 'rollsafe.io/profile': profile.name, 'rollsafe.io/k8s-version': profile.k8sVersion } },
    spec: {
      // An expression that cannot be evaluated never blocks a rollout: the policy only judges.
      failurePolicy: 'Ignore',
      matchConstraints: matchConstraints(),
      matchConditions: [{ name: 'not-being-deleted', expression: `!(${hasPath('object', ['metadata', 'deletionTimestamp'])})` }],
      variables: validatingVariables(rules, numbers.nodes),
      validations: rules.map((rule) => ({
        expression: validationExpression(rule),
        message: `${rule.ruleId}: see rollsafe explain ${rule.ruleId}`,
        messageExpression: rule.message,
        reason: 'Invalid',
      })),
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: POLICY_NAME },
    spec: { policyName: POLICY_NAME, validationActions: ACTIONS[mode] },
  };
  const documents: Record<string, unknown>[] = [policy, binding];
  // The mutation applies no fix of a rule that is off or not compiled.
  const noFix = new Set([...offRules, ...Object.keys(NOT_COMPILED)]);
  if (compareVersions(profile.k8sVersion, MUTATING_POLICY_SINCE) >= 0) documents.push(...mutatingPolicy(numbers, profile.k8sVersion, noFix));
  return { documents, rules, numbers, notCompiled: NOT_COMPILED, off: all.filter((r) => offRules.has(r.ruleId)).map((r) => r.ruleId) };
}

/** The MutatingAdmissionPolicy with the fixes CEL can express, and its binding. */
function mutatingPolicy(numbers: PolicyNumbers, k8sVersion: string, off: ReadonlySet<string>): Record<string, unknown>[] {
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingAdmissionPolicy',
      metadata: { name: MUTATING_POLICY_NAME },
      spec: {
        failurePolicy: 'Ignore',
        // The patch is idempotent (it adds only what is missing), so a second pass after other
        // mutations is safe.
        reinvocationPolicy: 'IfNeeded',
        matchConstraints: matchConstraints(),
        matchConditions: [{ name: 'not-being-deleted', expression: `!(${hasPath('object', ['metadata', 'deletionTimestamp'])})` }],
        variables: policyVariables(numbers.nodes),
        mutations: [{ patchType: 'JSONPatch', jsonPatch: { expression: mutationExpression(numbers, k8sVersion, 'kubernetes', off) } }],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingAdmissionPolicyBinding',
      metadata: { name: MUTATING_POLICY_NAME },
      spec: { policyName: MUTATING_POLICY_NAME },
    },
  ];
}
