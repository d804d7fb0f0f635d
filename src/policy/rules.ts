/**
 * The rules compiled to CEL: for each rule that can be judged from one object and the profile,
 * an expression that is true when the rule reports nothing on the object. The numbers (the
 * propagation budget, the app's drain and startup times, the nodes of a DaemonSet, API defaults)
 * come from the functions and constants the rules use, so a change there changes the policy.
 *
 * The served assumption: a single object does not show whether a Service selects it, so a
 * workload is taken as served unless all its declared ports are named for metrics or health, and
 * the containers that declare another port as the serving ones — what the rules do when the input
 * has no Service (domain/serving.ts, domain/service-role.ts).
 */
import { probeTiming } from '../model/container.js';
import { DEFAULT_MAX_SURGE, DEFAULT_MAX_UNAVAILABLE } from '../model/intstr.js';
import type { WorkloadKind } from '../model/workload.js';
import { atLeastPattern, DEBUG_VARIANT, SELF_DELAYING_IMAGES, SHELLLESS } from '../domain/images.js';
import { bind, dbl, declaredCel, fieldOr, hasPath, preStopCel, re2, scaled, str, validPortCel, validPortNameCel } from './cel.js';

/** One rule as a CEL validation. */
export interface CompiledRule {
  readonly ruleId: string;
  /** The kinds the rule judges (of those the policy matches). */
  readonly kinds: readonly WorkloadKind[];
  /** True when the rule reports nothing on `object`. */
  readonly check: string;
  /** The message (a string expression) when `check` is false: the field and what to change. */
  readonly message: string;
  /** For a rule judged per container: the policy variable listing the names of the containers it reports. */
  readonly variable?: { readonly name: string; readonly expression: string };
}

/** The numbers the compiled rules take from the profile (and the rules' own functions). */
export interface PolicyNumbers {
  /** The propagation budget in seconds for a workload with no Service in view. */
  readonly budgetSeconds: number;
  /** Its path, e.g. `endpoint → kube-proxy`. */
  readonly budgetPath: string;
  /** The preStop sleep the rules' fixes write for that budget (`recommendedPreStopSeconds`). */
  readonly recommendedPreStopSeconds: number;
  readonly drainSeconds: number;
  readonly startupSeconds: number;
  /** Nodes that run a DaemonSet's pods. */
  readonly nodes: number;
}

/** The kinds the policy matches (bare Pods are not matched: their controllers' templates are judged). */
export const POLICY_KINDS: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController'];

const CONTAINERS = 'variables.containers';
const SERVING = 'variables.serving';
/**
 * `Deployment shop/web`: the object as messages name it. The namespace is read from
 * `namespaceObject`: `namespace` is a reserved word in CEL, so Kubernetes exposes the object's
 * field only as `__namespace__`.
 */
const OBJECT = `object.kind + ' ' + (namespaceObject != null ? namespaceObject.metadata.name + '/' : '') + ${fieldOr('object', ['metadata', 'name'], "''")}`;

/** `prestop-missing` → `prestopMissing`: the rule's policy variable. */
function variableName(ruleId: string): string {
  return ruleId.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());
}

/**
 * A rule judged per container: a variable lists the names of the containers of `list` for which
 * `reports` (over `c`) holds; the check is that the list is empty, the message names them.
 */
function perContainer(ruleId: string, list: string, reports: string, text: string): CompiledRule {
  const name = variableName(ruleId);
  return {
    ruleId,
    kinds: POLICY_KINDS,
    check: `size(variables.${name}) == 0`,
    message: `${str(`${ruleId}: `)} + ${OBJECT} + ': container ' + variables.${name}.join(', ') + ${str(text)}`,
    variable: { name, expression: `${list}.filter(c, ${reports}).map(c, has(c.name) ? c.name : '')` },
  };
}

function objectMessage(ruleId: string, text: string): string {
  return `${str(`${ruleId}: `)} + ${OBJECT} + ${str(text)}`;
}

/** Probe timing fields with the API defaults probeTiming applies. */
export function timing(probe: string): { initialDelay: string; period: string; failureThreshold: string } {
  const d = probeTiming({});
  // Unset or 0 is the default (SetDefaults_Probe), and so is a value the API server rejects.
  const field = (key: string, fallback: number): string => `(has(${probe}.${key}) && type(${probe}.${key}) == int && ${probe}.${key} > 0 ? ${probe}.${key} : ${fallback})`;
  return {
    initialDelay: field('initialDelaySeconds', d.initialDelay),
    period: field('periodSeconds', d.period),
    failureThreshold: field('failureThreshold', d.failureThreshold),
  };
}

/** The declared ports of container `c` (model/container.ts declaredPorts): entries with a containerPort. */
function declared(c: string): string {
  return declaredCel(c);
}

/**
 * A probe's port reference as probeTarget prints it: the resolved number (a number, a numeric
 * string, or the name of a declared port), else the reference as written.
 */
export function portText(c: string, handler: string): string {
  const ref = `${handler}.port`;
  const named = `${declared(c)}.filter(p, has(p.name) && p.name == ${ref})`;
  return `(!has(${ref}) ? 'undefined' : ${validPortCel(ref)} ? string(${ref}) : ${validPortNameCel(ref)} && size(${named}) > 0 ? string(${named}[0].containerPort) : string(${ref}))`;
}

/** probeTarget's kind: the first handler present. */
export function probeKind(probe: string): string {
  return `(has(${probe}.httpGet) ? 'httpGet' : has(${probe}.tcpSocket) ? 'tcpSocket' : has(${probe}.grpc) ? 'grpc' : has(${probe}.exec) ? 'exec' : '')`;
}

/** True when readiness and liveness of container `c` check the same target (probeTarget's action). */
function sameTarget(c: string): string {
  const r = `${c}.readinessProbe`;
  const l = `${c}.livenessProbe`;
  const kind = probeKind(r);
  const http = `${portText(c, `${r}.httpGet`)} == ${portText(c, `${l}.httpGet`)} && ${fieldOr(`${r}.httpGet`, ['path'], "'/'")} == ${fieldOr(`${l}.httpGet`, ['path'], "'/'")}`;
  const tcp = `${portText(c, `${r}.tcpSocket`)} == ${portText(c, `${l}.tcpSocket`)}`;
  const grpcPort = (p: string): string => `(has(${p}.grpc.port) && ${validPortCel(`${p}.grpc.port`)} ? string(${p}.grpc.port) : 'undefined')`;
  const grpc = `${grpcPort(r)} == ${grpcPort(l)} && ${fieldOr(`${r}.grpc`, ['service'], "''")} == ${fieldOr(`${l}.grpc`, ['service'], "''")}`;
  const exec = `${fieldOr(`${r}.exec`, ['command'], '[]')} == ${fieldOr(`${l}.exec`, ['command'], '[]')}`;
  return `(${kind} != '' && ${kind} == ${probeKind(l)} && (${kind} == 'httpGet' ? (${http}) : ${kind} == 'tcpSocket' ? (${tcp}) : ${kind} == 'grpc' ? (${grpc}) : (${exec})))`;
}

/**
 * The readiness probe cannot reflect container `c` (rules/readiness-probe-port-mismatch.ts, no
 * Service in view): a port name `c` does not declare, or a port number `c` does not declare and
 * another container or native sidecar of the pod does (unless a mesh rewrote the probe to
 * `/app-health/`). A probe with a `host` goes elsewhere and is not judged.
 */
function readinessPortMismatch(c: string): string {
  const probe = `${c}.readinessProbe`;
  const ports = declared(c);
  const others = `variables.listeners.filter(o, !has(o.name) || o.name != ${c}.name)`;
  const handler = `(has(${probe}.httpGet) ? dyn(${probe}.httpGet) : has(${probe}.tcpSocket) ? dyn(${probe}.tcpSocket) : dyn(${probe}.grpc))`;
  const kind = `(has(${probe}.httpGet) ? 'httpGet' : has(${probe}.tcpSocket) ? 'tcpSocket' : has(${probe}.grpc) ? 'grpc' : '')`;
  const unknownName = `type(h.port) == string && k != 'grpc' && !h.port.matches('^[0-9]+$') && !(${validPortNameCel('h.port')} && ${ports}.exists(p, has(p.name) && p.name == h.port))`;
  const otherPort = `${validPortCel('h.port')} && !${ports}.exists(p, p.containerPort == h.port) && ${others}.exists(o, has(o.ports) && o.ports.exists(p, has(p.containerPort) && p.containerPort == h.port)) && !(k == 'httpGet' && has(h.path) && h.path.startsWith('/app-health/'))`;
  return `has(${probe}) && [${kind}].exists(k, k != '' && [${handler}].exists(h, has(h.port) && !has(h.host) && ((${unknownName}) || (${otherPort}))))`;
}

/** The image of container `c` names a shell-less image (domain/images.ts likelyShellless). */
function shellless(c: string): string {
  const image = fieldOr(c, ['image'], "''");
  return `((${SHELLLESS.map((re) => `${image}.matches(${str(re2(re))})`).join(' || ')}) && !${image}.matches(${str(re2(DEBUG_VARIANT))}))`;
}

/**
 * Container `c` runs a known release of an image that keeps serving after SIGTERM for at least
 * `budget` seconds (domain/images.ts selfShutdownDelay: the default, or every `--flag=N` ≥ budget;
 * the separate-argument form or a value that is not whole seconds counts nothing).
 */
export function selfDelayCovers(c: string, budget: number): string {
  const image = fieldOr(c, ['image'], "''");
  const words = `(${fieldOr(c, ['command'], '[]')} + ${fieldOr(c, ['args'], '[]')}).filter(a, type(a) == string)`;
  const known = SELF_DELAYING_IMAGES.map((k) => {
    const [major, minor, patch] = k.since;
    if (patch !== 0) throw new Error(`${k.name}: a first release with a patch number is not compiled`);
    const version = `(?:${atLeastPattern(major + 1)}\\.0*[0-9]+|0*${major}\\.${atLeastPattern(minor)})\\.[0-9]+`;
    const name = k.name.replace(/[.+*?^$()[\]{}|\\]/g, '\\$&');
    const imageRe = `^(?:.*/)?${name}:v?${version}[^/:@]*(?:@.*)?$`;
    const isFlag = `(w == ${str(k.flag)} || w.startsWith(${str(`${k.flag}=`)}))`;
    const values = `${words}.all(w, !${isFlag} || w.matches(${str(`^${k.flag}=${atLeastPattern(budget)}$`)}))`;
    const defaulted = k.defaultSeconds >= budget ? 'true' : `${words}.exists(w, w.startsWith(${str(`${k.flag}=`)}))`;
    return `(${image}.matches(${str(imageRe)}) && ${values} && ${defaulted})`;
  });
  return `(${known.join(' || ') || 'false'})`;
}

/** The image of container `c` stops abruptly on SIGTERM (rules/fast-shutdown-image.ts). */
function fastShutdown(c: string): string {
  // nginx before 1.19.5; a tag without a patch version floats to the newest patch of its minor.
  const oldNginx = "tag.matches('^(0+\\\\.[0-9]|0*1\\\\.0*([0-9]|1[0-8])([^0-9]|$)|0*1\\\\.0*19\\\\.0*[0-4]([^0-9]|$))')";
  const kind = `name.matches('(^|/)bitnami/nginx$') || name.matches('(^|/)openresty/openresty$') || name.matches('(^|/)envoyproxy/envoy(-[a-z]+)?$') || (name.matches('^(docker\\\\.io/)?(library/)?nginx$') && ${oldNginx})`;
  const image = bind('ref', `${fieldOr(c, ['image'], "''")}.split('@')[0]`, bind('tagged', "ref.lastIndexOf(':') > ref.lastIndexOf('/')", bind('name', "tagged ? ref.substring(0, ref.lastIndexOf(':')) : ref", bind('tag', "tagged ? ref.substring(ref.lastIndexOf(':') + 1) : ''", kind))));
  const graceful = `(${hasPath(c, ['lifecycle', 'preStop', 'exec', 'command'])} && ${c}.lifecycle.preStop.exec.command.join(' ').matches('nginx\\\\s+-s\\\\s+quit|drain_listeners|healthcheck/fail|kill\\\\s+-(QUIT|3)\\\\b'))`;
  return `(${image} && !${graceful})`;
}

/** The container's command runs the app under a shell without exec, or a package manager (rules/sigterm-not-forwarded.ts). */
function sigtermHazard(c: string): string {
  const argvOf = `(${hasPath(c, ['command'])} && size(${c}.command) > 0 ? ${c}.command + ${fieldOr(c, ['args'], '[]')} : [])`;
  const trap = "argv[2].matches('\\\\btrap\\\\b[^\\\\n]*\\\\b(TERM|SIGTERM|15)\\\\b')";
  const segments = "argv[2].replace('&&', '\\n').replace('||', '\\n').replace(';', '\\n').replace('|', '\\n').split('\\n').map(s, s.trim()).filter(s, s != '')";
  const packageStart = "segs[size(segs) - 1].matches('^(exec\\\\s+)?(/usr/(local/)?bin/)?(npm|yarn|pnpm)\\\\s+(start|run|run-script|dev|serve)\\\\b')";
  const lastNotExec = "size(segs) >= 2 && !segs[size(segs) - 1].matches('^exec\\\\s')";
  const viaShell = `size(argv) >= 3 && type(argv[0]) == string && argv[0].matches('^(/usr)?(/bin/)?(sh|bash|ash|dash)$') && type(argv[1]) == string && argv[1].matches('^-[a-z]*c[a-z]*$') && type(argv[2]) == string && !${trap} && ${bind('segs', segments, `size(segs) > 0 && (${packageStart} || (${lastNotExec}))`)}`;
  const packageManager = "size(argv) >= 2 && type(argv[0]) == string && argv[0].matches('^(/usr/(local/)?bin/)?(npm|yarn|pnpm)$') && type(argv[1]) == string && argv[1].matches('^(start|run|run-script|dev|serve)$')";
  return bind('argv', argvOf, `(${viaShell}) || (${packageManager})`);
}

/**
 * domain/singleton.ts singletonReason is `election`: no volume claim, and leader election set off
 * (an env var named like ELECT set to `false`, or a `--leader-elect[ion]` flag set false), or no
 * leader election at all in a workload named like a controller.
 */
function mustRunAlone(): string {
  const claim = `${fieldOr('object', ['spec', 'template', 'spec', 'volumes'], '[]')}.exists(v, has(v.persistentVolumeClaim) && has(v.persistentVolumeClaim.claimName))`;
  const env = (off: boolean): string => `${CONTAINERS}.exists(c, has(c.env) && c.env.exists(e, has(e.name) && e.name.matches('(?i)ELECT')${off ? " && has(e.value) && e.value == 'false'" : ''}))`;
  // The arguments joined by U+001F, so that a flag and the value after it are matched together.
  const argv = `(${fieldOr('c', ['command'], '[]')} + ${fieldOr('c', ['args'], '[]')}).filter(a, type(a) == string).join('\\u001f')`;
  const flag = "(^|\\x1f)--?(enable-)?leader-elect(ion)?";
  const flagOff = `${CONTAINERS}.exists(c, ${argv}.matches('${flag}(=false|\\x1ffalse)(\\x1f|$)'))`;
  const flagAny = `${CONTAINERS}.exists(c, ${argv}.matches('${flag}(=[A-Za-z0-9_]+)?(\\x1f|$)'))`;
  const name = `${fieldOr('object', ['metadata', 'name'], "''")}.lowerAscii().replace('replicationcontroller', '').replace('replication-controller', '')`;
  return `(!${claim} && (${env(true)} || ${flagOff} || (!${env(false)} && !${flagAny} && ${name}.matches('controller|operator|manager|scheduler'))))`;
}

/** Every rule that compiles, in the catalog's order. */
export function compileRules(n: PolicyNumbers): CompiledRule[] {
  const ps = preStopCel('c');
  const budget = dbl(n.budgetSeconds);
  const drain = dbl(n.drainSeconds);
  const grace = 'double(variables.grace)';
  const all = POLICY_KINDS;
  const replicated: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController'];

  const liveness = timing('c.livenessProbe');
  const livenessBudget = `(${liveness.initialDelay} + ${liveness.period} * ${liveness.failureThreshold})`;
  const readyDelay = `(has(c.readinessProbe) ? ${timing('c.readinessProbe').initialDelay} : 0)`;
  const slowStart = `has(c.livenessProbe) && !has(c.startupProbe) && (${livenessBudget} < ${readyDelay} || double(${livenessBudget}) < ${dbl(n.startupSeconds)})`;

  const r = timing('c.readinessProbe');
  const same = `has(c.readinessProbe) && has(c.livenessProbe) && ${sameTarget('c')} && ${liveness.period} * ${liveness.failureThreshold} <= ${r.period} * ${r.failureThreshold}`;

  const tooShort = `[${ps.seconds}].exists(s, s >= 0.0 && s < ${budget})`;
  const graceShort = `${grace} < ${drain} || ${SERVING}.exists(c, [${ps.seconds}].exists(s, s >= 0.0 && ${grace} < s + ${drain}))`;

  // Deployment rollout: ResolveFenceposts (model/intstr.ts) against spec.replicas.
  const rolling = 'object.spec.strategy.rollingUpdate';
  const surgeRef = `(${hasPath('object', ['spec', 'strategy', 'rollingUpdate', 'maxSurge'])} ? ${rolling}.maxSurge : ${str(DEFAULT_MAX_SURGE)})`;
  const unavailableRef = `(${hasPath('object', ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'])} ? ${rolling}.maxUnavailable : ${str(DEFAULT_MAX_UNAVAILABLE)})`;
  const surge = scaled(surgeRef, 'variables.replicas', true);
  const unavailable = scaled(unavailableRef, 'variables.replicas', false, true);
  const strategyType = fieldOr('object', ['spec', 'strategy', 'type'], "''");
  const deploymentAll = `object.kind == 'Deployment' && ${strategyType} in ['', 'RollingUpdate'] && variables.replicas >= 1 && ${surge.valid} && ${unavailable.valid} && (${surge.value} == 0 && ${unavailable.value} == 0 ? 1 >= variables.replicas : ${unavailable.value} >= variables.replicas)`;
  // DaemonSet: maxUnavailable (default 1) and maxSurge (default 0) round up against the nodes.
  const dsRolling = 'object.spec.updateStrategy.rollingUpdate';
  const dsUnavailable = scaled(`(${hasPath('object', ['spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable'])} ? ${dsRolling}.maxUnavailable : 1)`, String(n.nodes), true, true);
  const dsSurge = scaled(`(${hasPath('object', ['spec', 'updateStrategy', 'rollingUpdate', 'maxSurge'])} ? ${dsRolling}.maxSurge : 0)`, String(n.nodes), true);
  const daemonSetAll = `object.kind == 'DaemonSet' && ${fieldOr('object', ['spec', 'updateStrategy', 'type'], "''")} in ['', 'RollingUpdate'] && ${dsUnavailable.valid} && ${dsSurge.valid} && ${dsSurge.value} <= 0 && ${dsUnavailable.value} >= ${n.nodes}`;

  return [
    perContainer('fast-shutdown-image', CONTAINERS, fastShutdown('c'), ': the image stops abruptly on SIGTERM; add a preStop that drains gracefully (spec.template.spec.containers[].lifecycle.preStop)'),
    {
      ruleId: 'grace-period-too-short',
      kinds: all,
      check: `size(${SERVING}) == 0 || !(${graceShort})`,
      message: `${str('grace-period-too-short: ')} + ${OBJECT} + ': spec.template.spec.terminationGracePeriodSeconds ' + string(variables.grace) + ${str(` s is shorter than the longest preStop sleep + the app drain time (${n.drainSeconds} s): SIGKILL cuts requests still in flight`)}`,
    },
    perContainer('liveness-probe-kills-slow-start', CONTAINERS, slowStart, `: livenessProbe gives up before the app is ready (startup ${n.startupSeconds} s or readinessProbe.initialDelaySeconds); add a startupProbe (spec.template.spec.containers[].startupProbe)`),
    perContainer('liveness-probe-same-as-readiness', CONTAINERS, same, ': livenessProbe checks the same target as readinessProbe and gives up no later; make liveness give up later (spec.template.spec.containers[].livenessProbe)'),
    perContainer('prestop-exec-unavailable', CONTAINERS, `${ps.execSleep} && ${shellless('c')}`, ': preStop runs `sleep` in an image that likely has no sleep binary; use the native sleep action (spec.template.spec.containers[].lifecycle.preStop)'),
    perContainer('prestop-missing', SERVING, `!${ps.any} && !${selfDelayCovers('c', n.budgetSeconds)}`, `: no preStop hook; it gets SIGTERM while endpoints still route to it for up to ${n.budgetSeconds} s (${n.budgetPath}); add spec.template.spec.containers[].lifecycle.preStop`),
    perContainer('prestop-too-short', SERVING, tooShort, `: the preStop sleep is shorter than the ${n.budgetSeconds} s propagation budget (${n.budgetPath}) (spec.template.spec.containers[].lifecycle.preStop)`),
    perContainer('readiness-probe-missing', SERVING, `!has(c.readinessProbe)`, ': no readinessProbe; it joins the endpoints before the app listens (spec.template.spec.containers[].readinessProbe)'),
    perContainer('readiness-probe-port-mismatch', CONTAINERS, readinessPortMismatch('c'), ': the readinessProbe checks a port the container does not declare (spec.template.spec.containers[].readinessProbe)'),
    {
      ruleId: 'recreate-strategy',
      kinds: ['Deployment'],
      check: `!(${fieldOr('object', ['spec', 'strategy', 'type'], "''")} == 'Recreate')`,
      message: objectMessage('recreate-strategy', ': spec.strategy.type Recreate stops all old pods before any new pod starts, a full outage on every rollout; use RollingUpdate'),
    },
    {
      ruleId: 'rollout-max-unavailable',
      kinds: ['Deployment', 'DaemonSet'],
      check: `!(${deploymentAll}) && !(${daemonSetAll})`,
      message: objectMessage('rollout-max-unavailable', `: the rolling update may take every replica down at once (spec.strategy.rollingUpdate / spec.updateStrategy.rollingUpdate.maxUnavailable; DaemonSets on ${n.nodes} nodes); set maxUnavailable 0 and maxSurge 1`),
    },
    perContainer('sigterm-not-forwarded', CONTAINERS, sigtermHazard('c'), ': the command runs the app under a shell without exec or under a package manager, which do not pass SIGTERM on (spec.template.spec.containers[].command)'),
    {
      ruleId: 'single-replica',
      kinds: replicated,
      // With no Service in view, a workload none of whose containers declares a client port is not judged (rules/single-replica.ts).
      check: `variables.replicas != 1 || ${mustRunAlone()} || variables.serving.size() == 0`,
      message: objectMessage('single-replica', ': spec.replicas is 1; any restart, eviction or node drain leaves nothing serving'),
    },
  ];
}
