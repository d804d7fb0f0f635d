/**
 * Values the API server rejects that the OpenAPI schema cannot express: int-or-string fields that
 * are neither an integer nor a percentage, negative counts, ports outside 1–65535, port names that
 * are not names. Each check follows a validation function of the Kubernetes source, named at the
 * check. The model reads none of these values (model/rollout.ts, model/ports.ts,
 * model/container.ts, model/workload.ts), so no rule computes with them.
 */
import { isRecord } from '../model/k8s.js';
import { validIntOrPercent } from '../model/intstr.js';
import { validPort, validPortName } from '../model/ports.js';
import type { SchemaViolation } from './validate.js';

type Violation = SchemaViolation;

function describe(value: unknown): string {
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Collects violations at pointers relative to the object. */
class Checks {
  readonly out: Violation[] = [];
  /** When the schema validated the object, a value of the wrong type is already reported. */
  constructor(private readonly typed: boolean) {}

  private skip(value: unknown, types: readonly string[]): boolean {
    return value === undefined || value === null || (this.typed && !types.includes(typeof value));
  }

  invalid(path: string, message: string): void {
    this.out.push({ code: 'invalid-value', path, message });
  }

  /** ValidateNonnegativeField (apimachinery pkg/api/validation): an integer ≥ 0. */
  nonNegative(record: unknown, key: string, path: string): void {
    const value = isRecord(record) ? record[key] : undefined;
    // A fraction fails the schema's integer type already.
    if (this.skip(value, ['number']) || (this.typed && !Number.isInteger(value))) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) this.invalid(`${path}/${key}`, `must be a non-negative integer, found ${describe(value)}: the API server rejects it`);
  }

  /** ValidatePositiveIntOrPercent and IsNotMoreThan100Percent (pkg/apis/apps/validation, pkg/apis/policy/validation). */
  intOrPercent(record: unknown, key: string, path: string, atMost100: boolean): void {
    const value = isRecord(record) ? record[key] : undefined;
    if (this.skip(value, ['number', 'string'])) return;
    if (!validIntOrPercent(value)) {
      const hint = typeof value === 'string' && /^[0-9]+$/.test(value) ? ` (a string must be a percentage: ${value} or "${value}%")` : '';
      this.invalid(`${path}/${key}`, `must be a non-negative integer or a percentage such as "25%", found ${describe(value)}${hint}: the API server rejects it`);
    } else if (atMost100 && typeof value === 'string' && Number(value.slice(0, -1)) > 100) {
      this.invalid(`${path}/${key}`, `must not be more than 100%, found "${value}": the API server rejects it`);
    }
  }

  /** ValidatePortNumOrName (pkg/apis/core/validation): IsValidPortNum or IsValidPortName. */
  portNumOrName(record: unknown, key: string, path: string): void {
    const value = isRecord(record) ? record[key] : undefined;
    if (this.skip(value, ['number', 'string'])) return;
    if (validPort(value) || validPortName(value)) return;
    const why = typeof value === 'string' ? (/^[0-9]+$/.test(value) ? ' (a port number is written without quotes)' : ' (a port name is 1–15 characters of a-z, 0-9 and -, with a letter)') : '';
    this.invalid(`${path}/${key}`, `must be a port number in 1–65535 or a port name, found ${describe(value)}${why}: the API server rejects it`);
  }

  /** IsValidPortNum (apimachinery pkg/util/validation): an integer in 1–65535. */
  port(record: unknown, key: string, path: string): void {
    const value = isRecord(record) ? record[key] : undefined;
    if (this.skip(value, ['number'])) return;
    if (!validPort(value)) this.invalid(`${path}/${key}`, `must be a port number in 1–65535, found ${describe(value)}: the API server rejects it`);
  }
}

function list(record: unknown, key: string): unknown[] {
  const value = isRecord(record) ? record[key] : undefined;
  return Array.isArray(value) ? value : [];
}

function child(record: unknown, key: string): Record<string, unknown> | undefined {
  const value = isRecord(record) ? record[key] : undefined;
  return isRecord(value) ? value : undefined;
}

/** The port of an httpGet or tcpSocket action, and of a grpc one (validateHandler, validateGRPCAction). */
function checkHandler(c: Checks, handler: unknown, path: string): void {
  c.portNumOrName(child(handler, 'httpGet'), 'port', `${path}/httpGet`);
  c.portNumOrName(child(handler, 'tcpSocket'), 'port', `${path}/tcpSocket`);
  c.port(child(handler, 'grpc'), 'port', `${path}/grpc`);
}

const PROBE_FIELDS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const;

/** validateContainers, validateProbe, validateLifecycle and validateContainerPorts (pkg/apis/core/validation). */
function checkPodSpec(c: Checks, podSpec: unknown, path: string): void {
  const grace = isRecord(podSpec) ? podSpec['terminationGracePeriodSeconds'] : undefined;
  if (typeof grace === 'number' && grace < 0) {
    // Not rejected: a Pod's is stored as 1 and a template's draws a warning (kubernetes#115606).
    c.invalid(`${path}/terminationGracePeriodSeconds`, `must not be negative, found ${grace}: Kubernetes treats it as 1 second`);
  }
  for (const key of ['initContainers', 'containers']) {
    list(podSpec, key).forEach((container, i) => {
      const at = `${path}/${key}/${i}`;
      list(container, 'ports').forEach((p, j) => c.port(p, 'containerPort', `${at}/ports/${j}`));
      for (const probeKey of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        const probe = child(container, probeKey);
        if (!probe) continue;
        const probePath = `${at}/${probeKey}`;
        for (const field of PROBE_FIELDS) c.nonNegative(probe, field, probePath);
        // validateLivenessProbe, validateStartupProbe: successThreshold must be 1 (0 defaults to 1).
        const success = probe['successThreshold'];
        if (probeKey !== 'readinessProbe' && typeof success === 'number' && success > 1) c.invalid(`${probePath}/successThreshold`, `must be 1 for a ${probeKey}, found ${success}: the API server rejects it`);
        checkHandler(c, probe, probePath);
      }
      const lifecycle = child(container, 'lifecycle');
      for (const hook of ['preStop', 'postStart']) {
        const handler = child(lifecycle, hook);
        if (handler) checkHandler(c, handler, `${at}/lifecycle/${hook}`);
      }
    });
  }
}

/** ValidateRollingUpdateDeployment / ValidateRollingUpdateDaemonSet (pkg/apis/apps/validation). */
function checkRollingUpdate(c: Checks, rolling: Record<string, unknown> | undefined, path: string): void {
  if (!rolling) return;
  c.intOrPercent(rolling, 'maxUnavailable', path, true);
  c.intOrPercent(rolling, 'maxSurge', path, false);
  const zero = (v: unknown): boolean => v === 0 || v === '0%';
  if (zero(rolling['maxUnavailable']) && zero(rolling['maxSurge'])) c.invalid(`${path}/maxUnavailable`, 'may not be 0 when `maxSurge` is 0: the API server rejects it (nothing could be replaced)');
}

const CONTROLLERS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController']);

/**
 * Violations of one object of a modeled kind. `typed` tells that the OpenAPI schema validated it
 * (values of a wrong type are reported there, not again here).
 */
export function semanticViolations(kind: string, object: Record<string, unknown>, typed: boolean): SchemaViolation[] {
  const c = new Checks(typed);
  const spec = child(object, 'spec');
  if (kind === 'Pod') checkPodSpec(c, spec, '/spec');
  if (CONTROLLERS.has(kind)) {
    if (kind !== 'DaemonSet') c.nonNegative(spec, 'replicas', '/spec');
    c.nonNegative(spec, 'minReadySeconds', '/spec');
    checkPodSpec(c, child(child(spec, 'template'), 'spec'), '/spec/template/spec');
  }
  if (kind === 'Deployment') {
    const strategy = child(spec, 'strategy');
    checkRollingUpdate(c, child(strategy, 'rollingUpdate'), '/spec/strategy/rollingUpdate');
  }
  if (kind === 'DaemonSet') checkRollingUpdate(c, child(child(spec, 'updateStrategy'), 'rollingUpdate'), '/spec/updateStrategy/rollingUpdate');
  if (kind === 'StatefulSet') c.nonNegative(child(child(spec, 'updateStrategy'), 'rollingUpdate'), 'partition', '/spec/updateStrategy/rollingUpdate');
  if (kind === 'PodDisruptionBudget') {
    // ValidatePodDisruptionBudgetSpec (pkg/apis/policy/validation).
    c.intOrPercent(spec, 'minAvailable', '/spec', true);
    c.intOrPercent(spec, 'maxUnavailable', '/spec', true);
    if (spec && spec['minAvailable'] !== undefined && spec['maxUnavailable'] !== undefined) c.invalid('/spec/maxUnavailable', 'minAvailable and maxUnavailable cannot be both set: the API server rejects it');
  }
  if (kind === 'Service') {
    // validateServicePort (pkg/apis/core/validation); targetPort 0 or "" defaults to the port.
    list(spec, 'ports').forEach((p, i) => {
      c.port(p, 'port', `/spec/ports/${i}`);
      const target = isRecord(p) ? p['targetPort'] : undefined;
      if (target !== 0 && target !== '') c.portNumOrName(p, 'targetPort', `/spec/ports/${i}`);
    });
  }
  return c.out;
}

