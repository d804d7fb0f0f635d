/**
 * Narrow Kubernetes types: only the fields rollsafe reads, every field optional because the
 * input is untrusted. Values are checked with the guards below before use.
 */

export type IntOrString = number | string;

interface ContainerPort {
  name?: string;
  containerPort?: number;
  protocol?: string;
}

interface ExecAction { command?: unknown[] }
interface HTTPGetAction { path?: string; port?: IntOrString; scheme?: string }
interface TCPSocketAction { port?: IntOrString }
interface GRPCAction { port?: number; service?: string }
interface SleepAction { seconds?: number }

interface Probe {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  grpc?: GRPCAction;
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
}

interface LifecycleHandler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  sleep?: SleepAction;
}

interface Lifecycle {
  preStop?: LifecycleHandler;
  postStart?: LifecycleHandler;
}

export interface Container {
  name?: string;
  image?: string;
  command?: unknown[];
  args?: unknown[];
  ports?: ContainerPort[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: Lifecycle;
  restartPolicy?: string;
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
  readinessGates?: Array<{ conditionType?: string }>;
  affinity?: unknown;
}

/** True when `value` is a plain (non-array) object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `obj[key]` when it is an object, else undefined. */
export function recordAt(obj: unknown, key: string): Record<string, unknown> | undefined {
  if (!isRecord(obj)) return undefined;
  const value = obj[key];
  return isRecord(value) ? value : undefined;
}

/** Reads `obj[key]` when it is an array, else an empty array. */
export function arrayAt(obj: unknown, key: string): unknown[] {
  if (!isRecord(obj)) return [];
  const value = obj[key];
  return Array.isArray(value) ? value : [];
}

/** Reads `obj[key]` when it is a finite number. */
export function numberAt(obj: unknown, key: string): number | undefined {
  if (!isRecord(obj)) return undefined;
  const value = obj[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Reads `obj[key]` when it is a string. */
export function stringAt(obj: unknown, key: string): string | undefined {
  if (!isRecord(obj)) return undefined;
  const value = obj[key];
  return typeof value === 'string' ? value : undefined;
}

/** Reads a string map (labels, annotations, selectors); non-string values are dropped. */
export function stringMapAt(obj: unknown, key: string): Record<string, string> {
  const map = recordAt(obj, key);
  const out: Record<string, string> = {};
  if (!map) return out;
  for (const k in map) {
    const v = map[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}
