/**
 * The fixes CEL can express, as the JSON Patch of a MutatingAdmissionPolicy
 * (admissionregistration.k8s.io/v1 from Kubernetes 1.36; KEP-3962: alpha 1.32, beta 1.34, off by
 * default until GA; kubernetes.io/docs/reference/access-authn-authz/mutating-admission-policy/):
 * the preStop sleep of prestop-missing and prestop-too-short, the grace period of
 * grace-period-too-short and the readiness probe of readiness-probe-missing, with the values
 * `rollsafe fix` writes (domain/prestop.ts, rules/readiness-probe-missing.ts).
 */
import { preStopHook } from '../domain/prestop.js';
import { probeTiming } from '../model/container.js';
import { dbl, declaredCel, declaresPortCel, hasPath, preStopCel, str } from './cel.js';
import { portText, probeKind, selfDelayCovers, timing, type PolicyNumbers } from './rules.js';

/** The first Kubernetes release that serves MutatingAdmissionPolicy as admissionregistration.k8s.io/v1. */
export const MUTATING_POLICY_SINCE = '1.36';

/** The rules whose fixes the mutation applies. */
export const MUTATED_RULES: readonly string[] = ['prestop-missing', 'readiness-probe-missing'];

/**
 * Containers patched, by index: CEL in Kubernetes 1.36 has no index-aware map over a list, so the
 * patch is unrolled over the first containers; the validating policy still reports any after them.
 */
export const MAX_PATCHED_CONTAINERS = 16;

/**
 * How a JSON Patch operation is written: `kubernetes` with the JSONPatch type of the policy's CEL
 * environment, `plain` as a CEL map (the same fields; what an evaluator without that type runs).
 */
export type PatchSyntax = 'kubernetes' | 'plain';

/** A value as a CEL literal (maps, lists, strings, whole numbers). */
function celLiteral(value: unknown): string {
  if (typeof value === 'string') return str(value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : dbl(value);
  if (Array.isArray(value)) return `[${value.map(celLiteral).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return `{${Object.entries(value).map(([k, v]) => `${str(k)}: ${celLiteral(v)}`).join(', ')}}`;
  throw new Error(`no CEL literal for ${String(value)}`);
}

function patch(syntax: PatchSyntax, op: string, path: string, value: string): string {
  return syntax === 'kubernetes' ? `JSONPatch{op: ${op}, path: ${path}, value: ${value}}` : `{'op': ${op}, 'path': ${path}, 'value': ${value}}`;
}

/**
 * The readinessProbe readiness-probe-missing adds to container `c` (rules/readiness-probe-missing.ts
 * readinessProbeFor) as a list of zero or one probe: with no Service in view the port is the
 * container's only declared port, over TCP; beside a liveness probe on that port that gives up no
 * later than the default readiness probe (30 s), a faster probe that gives up first, if one exists.
 */
function readinessProbe(c: string): string {
  const declared = declaredCel(c);
  const entries = `${c}.ports.filter(p, type(ref) == string ? (has(p.name) && p.name == ref) : (has(p.containerPort) && p.containerPort == ref))`;
  const tcp = `[${entries}].exists(e, size(e) == 0 || e.exists(p, !has(p.protocol) || p.protocol == 'TCP'))`;
  const l = timing(`${c}.livenessProbe`);
  const livenessGivesUp = `(${l.period} * ${l.failureThreshold})`;
  const sameTarget = `has(${c}.livenessProbe) && ${probeKind(`${c}.livenessProbe`)} == 'tcpSocket' && ${portText(c, `${c}.livenessProbe.tcpSocket`)} == string(d[0].containerPort) && ${livenessGivesUp} <= ${probeTiming({}).period * probeTiming({}).failureThreshold}`;
  const probe = (extra: string): string => `{'tcpSocket': dyn({'port': ref})${extra}}`;
  // The API-default readiness timing the rule starts from (probeTiming): a probe with a shorter
  // period, then fewer failures, that still gives up strictly before liveness.
  const d = probeTiming({});
  const period = (ft: number): string => `[(g + ${ft - 1}) / ${ft} - 1].map(x, x < ${d.period} ? x : ${d.period})[0]`;
  let faster = '[]';
  for (let ft = 1; ft <= d.failureThreshold; ft++) {
    const extra = ft === d.failureThreshold ? `, 'periodSeconds': dyn(${period(ft)})` : `, 'periodSeconds': dyn(${period(ft)}), 'failureThreshold': dyn(${ft})`;
    faster = `${period(ft)} >= 1 ? [${probe(extra)}] : ${faster}`;
  }
  faster = `[${livenessGivesUp}].map(g, ${faster})[0]`;
  return `[${declared}].map(d, size(d) != 1 ? [] : [has(d[0].name) ? dyn(d[0].name) : dyn(d[0].containerPort)].map(ref, !(${tcp}) ? [] : ${sameTarget} ? ${faster} : [${probe('')}])[0])[0]`;
}

/** True when the rule is on and the object's ignore annotation does not list it (nor `all`). */
function applies(ruleId: string, off: ReadonlySet<string>): string {
  if (off.has(ruleId)) return 'false';
  return `!('all' in variables.ignored) && !(${str(ruleId)} in variables.ignored)`;
}

/**
 * The CEL of the patch: a list of JSON Patch operations, empty when nothing needs fixing. It
 * writes what `rollsafe fix --only` those rules writes, and honours the
 * ignore annotation per rule as the fixer does (prestop-missing's fix raises the grace period to
 * cover its own sleep even when grace-period-too-short is ignored).
 */
export function mutationExpression(n: PolicyNumbers, k8sVersion: string, syntax: PatchSyntax, off: ReadonlySet<string> = new Set()): string {
  const seconds = n.recommendedPreStopSeconds;
  const hook = celLiteral(preStopHook(k8sVersion, seconds));
  const prestop = `${applies('prestop-missing', off)} && !variables.deletesFirst`;
  const short = applies('prestop-too-short', off);
  const grace = applies('grace-period-too-short', off);
  // readiness-probe-missing offers no fix where every pod is deleted before a replacement exists.
  const readiness = `${applies('readiness-probe-missing', off)} && !variables.deletesFirst`;
  const budget = dbl(n.budgetSeconds);
  const serving = declaresPortCel;
  const parts: string[] = [];
  for (let i = 0; i < MAX_PATCHED_CONTAINERS; i++) {
    const c = `variables.containers[${i}]`;
    const pc = preStopCel(c);
    const here = `variables.served && size(variables.containers) > ${i} && ${serving(c)}`;
    const base = `/spec/template/spec/containers/${i}/lifecycle`;
    // prestop-missing: add the hook; prestop-too-short: raise a native or direct exec sleep (a
    // sleep inside a shell script is not rewritten, as rollsafe fix does not).
    const add = `${prestop} && !${pc.any} && !${selfDelayCovers(c, n.budgetSeconds)} ? [has(${c}.lifecycle) ? ${patch(syntax, "'add'", str(`${base}/preStop`), hook)} : ${patch(syntax, "'add'", str(base), `{'preStop': ${hook}}`)}]`;
    const raiseNative = `${short} && ${pc.native} && double(${c}.lifecycle.preStop.sleep.seconds) < ${budget} ? [${patch(syntax, "'replace'", str(`${base}/preStop/sleep/seconds`), String(seconds))}]`;
    const raiseExec = `${short} && ${pc.direct} && ${pc.seconds} < ${budget} ? [${patch(syntax, "'replace'", str(`${base}/preStop/exec/command/1`), str(String(seconds)))}]`;
    const ready = `${readiness} && !has(${c}.readinessProbe) ? ${readinessProbe(c)}.map(p, ${patch(syntax, "'add'", str(`/spec/template/spec/containers/${i}/readinessProbe`), 'p')}) : []`;
    parts.push(`(${here} ? (${add} : ${raiseNative} : ${raiseExec} : []) + (${ready}) : [])`);
  }
  // The sleeps of the serving containers once the hooks are added and raised; the grace period
  // must cover the longest plus the app's drain time (grace-period-too-short), in whole seconds.
  const ps = preStopCel('c');
  const raised = `${short} && (${ps.native} || ${ps.direct}) && s >= 0.0 && s < ${budget}`;
  const sleeps = `variables.serving.map(c, !${ps.any} ? (${prestop} && !${selfDelayCovers('c', n.budgetSeconds)} ? ${dbl(seconds)} : 0.0) : [${ps.seconds}].map(s, ${raised} ? ${dbl(seconds)} : s >= 0.0 ? s : 0.0)[0])`;
  const whole = (x: string): string => `(double(int(${x})) < ${x} ? int(${x}) + 1 : int(${x}))`;
  const gracePath = str('/spec/template/spec/terminationGracePeriodSeconds');
  const op = `(${hasPath('object', ['spec', 'template', 'spec', 'terminationGracePeriodSeconds'])} ? 'replace' : 'add')`;
  const own = dbl(seconds + n.drainSeconds);
  const added = `((${prestop} && variables.serving.exists(c, !${ps.any} && !${selfDelayCovers('c', n.budgetSeconds)})) || (${short} && variables.serving.exists(c, [${ps.seconds}].exists(s, ${raised}))))`;
  const graceFix =
    `${grace} && double(variables.grace) < needed ? [${patch(syntax, op, gracePath, whole('needed'))}] : ` +
    `!(${grace}) && ${added} && double(variables.grace) < ${own} ? [${patch(syntax, op, gracePath, whole(own))}] : []`;
  // `[v].map(x, e)[0]` binds x to v in standard CEL (no `let`): the sleeps and their maximum once.
  parts.push(`(!variables.served || size(variables.serving) == 0 ? [] : [${sleeps}].map(sleeps, [sleeps.filter(s, sleeps.all(t, t <= s))[0] + ${dbl(n.drainSeconds)}].map(needed, ${graceFix})[0])[0])`);
  return parts.join(' +\n');
}
