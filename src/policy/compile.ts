/**
 * `rollsafe policy`: the rules that CEL can express, compiled into a ValidatingAdmissionPolicy and
 * its binding (admissionregistration.k8s.io/v1), for clusters that want no webhook server. Pure.
 *
 * A rule is compiled only when its verdict on one object is a plain condition on that object;
 * test/policy checks every expression against the rule itself, object by object.
 */
import type { Severity } from '../engine/types.js';
import { IGNORE_ANNOTATION } from '../model/resource.js';
import { RULES } from '../rules/index.js';
import type { Profile } from '../profiles/types.js';

/** One rule as CEL: `expression` holds (the object passes) unless the rule would report it. */
export interface CelRule {
  readonly ruleId: string;
  readonly expression: string;
  readonly messageExpression: string;
}

/** A declared container port (model/container.ts, declaredPorts): a number. */
const DECLARED = 'has(p.containerPort) && (type(p.containerPort) == int || type(p.containerPort) == double)';
/** A port named for metrics, admin or health (domain/service-role.ts, isNonClientPortName). */
const NON_CLIENT = "(has(p.name) && type(p.name) == string && (p.name.matches('(?i)metrics|^prom(etheus)?$') || p.name.matches('(?i)(^|-)(admin|health|healthz|status|pprof|debug)($|-)')))";

/** The policy's variables: the pod's containers wherever the kind keeps them, and the ignore list. */
export const POLICY_VARIABLES: ReadonlyArray<{ readonly name: string; readonly expression: string }> = [
  {
    name: 'podSpec',
    expression: "object.kind == 'Pod' ? (has(object.spec) ? object.spec : {}) : (has(object.spec) && has(object.spec.template) && has(object.spec.template.spec) ? object.spec.template.spec : {})",
  },
  { name: 'containers', expression: 'has(variables.podSpec.containers) ? variables.podSpec.containers : []' },
  {
    name: 'ignored',
    expression: `has(object.metadata.annotations) && '${IGNORE_ANNOTATION}' in object.metadata.annotations ? object.metadata.annotations['${IGNORE_ANNOTATION}'] : ''`,
  },
  // Whether it may be served when no Service is known: unless every port it declares is named for
  // metrics or health (domain/service-role.ts, servedBy).
  {
    name: 'served',
    expression: `!(variables.containers.exists(c, has(c.ports) && c.ports.exists(p, ${DECLARED})) && variables.containers.all(c, !has(c.ports) || c.ports.all(p, !(${DECLARED}) || ${NON_CLIENT})))`,
  },
  // The containers that receive traffic when no Service is known: those declaring a port for clients.
  { name: 'serving', expression: `variables.containers.filter(c, has(c.ports) && c.ports.exists(p, (${DECLARED}) && !(${NON_CLIENT})))` },
];

/** `variables.ignored` lists the rule or `all` (comma-separated, spaces allowed). */
function notIgnored(ruleId: string): string {
  return `variables.ignored.matches('(^|,)\\\\s*(all|${ruleId})\\\\s*(,|$)')`;
}

/** A field that is set to a mapping (objects read from YAML may hold null). */
function isMapping(field: string): string {
  return `has(${field}) && type(${field}) == map`;
}

const COMPILED: readonly CelRule[] = [
  {
    ruleId: 'readiness-probe-missing',
    expression: `${notIgnored('readiness-probe-missing')} || variables.serving.all(c, ${isMapping('c.readinessProbe')})`,
    messageExpression: `'rollsafe readiness-probe-missing: container ' + variables.serving.filter(c, !(${isMapping('c.readinessProbe')}))[0].name + ' has no readinessProbe; add one'`,
  },
  {
    ruleId: 'recreate-strategy',
    expression: `${notIgnored('recreate-strategy')} || !variables.served || object.kind != 'Deployment' || !(${isMapping('object.spec.strategy')} && has(object.spec.strategy.type) && object.spec.strategy.type == 'Recreate')`,
    messageExpression: "'rollsafe recreate-strategy: spec.strategy.type is Recreate, a full outage on every rollout; use RollingUpdate with maxUnavailable 0'",
  },
];

/** The rules compiled to CEL for a profile. */
export function celRules(profile: Profile): readonly CelRule[] {
  // grace-period-too-short and prestop-missing were compiled too until the rules began to read hook
  // scripts and one-replica StatefulSets as domain/hooks.ts does; their CEL no longer matched the
  // rules on the fixtures, so they are left out. The profile will set the timing of such rules.
  void profile;
  return [...COMPILED].sort((a, b) => (a.ruleId < b.ruleId ? -1 : 1));
}

/** The rules not compiled, with the reason. */
export function uncompiledRules(): Array<{ ruleId: string; reason: string }> {
  const compiled = new Set(COMPILED.map((r) => r.ruleId));
  return [...RULES.values()]
    .filter((r) => !compiled.has(r.meta.id))
    .map((r) => ({
      ruleId: r.meta.id,
      reason: (r.meta.needs?.length ?? 0) > 0 ? `needs other objects (${(r.meta.needs ?? []).join(', ')})` : 'not compiled to CEL yet',
    }));
}

const RESOURCE_RULES = [
  { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], operations: ['CREATE', 'UPDATE'] },
  { apiGroups: [''], apiVersions: ['v1'], resources: ['pods', 'replicationcontrollers'], operations: ['CREATE', 'UPDATE'] },
];

function policy(name: string, rules: readonly CelRule[]): Record<string, unknown> {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name },
    spec: {
      failurePolicy: 'Ignore',
      matchConstraints: {
        resourceRules: RESOURCE_RULES,
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'rollsafe-system'] }] },
      },
      matchConditions: [{ name: 'not-a-controlled-pod', expression: "!(object.kind == 'Pod' && has(object.metadata.ownerReferences) && object.metadata.ownerReferences.exists(r, has(r.controller) && r.controller))" }],
      variables: POLICY_VARIABLES,
      validations: rules.map((r) => ({ expression: r.expression, messageExpression: r.messageExpression, reason: 'Invalid' })),
    },
  };
}

/**
 * The policies for a profile: one for the rules at error level (bound with Deny in `enforce`
 * mode) and one for the rest (bound with Warn), each with its binding; empty ones are left out.
 */
export function compilePolicies(options: { readonly profile: Profile; readonly ruleSeverities: Readonly<Record<string, Severity | 'off'>>; readonly mode: 'enforce' | 'warn' }): Array<Record<string, unknown>> {
  const severityOf = (id: string): Severity | 'off' => {
    const override = options.ruleSeverities[id];
    if (override !== undefined) return override;
    const meta = RULES.get(id)?.meta;
    // Service-dependent rules are warnings when no Service is known, as for one object in `check`.
    return meta?.serviceDependent ? 'warning' : (meta?.severity ?? 'warning');
  };
  const active = celRules(options.profile).filter((r) => severityOf(r.ruleId) !== 'off');
  const groups: Array<{ name: string; rules: CelRule[]; action: string }> = [
    { name: 'rollsafe-errors', rules: active.filter((r) => severityOf(r.ruleId) === 'error'), action: options.mode === 'enforce' ? 'Deny' : 'Warn' },
    { name: 'rollsafe-warnings', rules: active.filter((r) => severityOf(r.ruleId) !== 'error'), action: 'Warn' },
  ];
  return groups
    .filter((g) => g.rules.length > 0)
    .flatMap((g) => [
      policy(g.name, g.rules),
      { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: g.name }, spec: { policyName: g.name, validationActions: [g.action, 'Audit'] } },
    ]);
}
