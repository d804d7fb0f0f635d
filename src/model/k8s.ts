/**
 * Narrow Kubernetes types: only the fields rollsafe reads, every field optional because the
 * input is untrusted. Values are checked with the guards below before use.
 */

export type IntOrString = number | string;

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface LabelSelectorRequirement {
  key?: string;
  operator?: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface ContainerPort {
  name?: string;
  containerPort?: number;
  protocol?: string;
}

export interface ExecAction { command?: unknown[] }
export interface HTTPGetAction { path?: string; port?: IntOrString; scheme?: string }
export interface TCPSocketAction { port?: IntOrString }
export interface GRPCAction { port?: number; service?: string }
export interface SleepAction { seconds?: number }

export interface Probe {
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

export interface LifecycleHandler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  sleep?: SleepAction;
}

export interface Lifecycle {
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

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec?: PodSpec;
}

export interface RollingUpdate {
  maxSurge?: IntOrString;
  maxUnavailable?: IntOrString;
  partition?: number;
}

export interface WorkloadSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplateSpec;
  minReadySeconds?: number;
  /** Deployment */
  strategy?: { type?: string; rollingUpdate?: RollingUpdate };
  /** StatefulSet, DaemonSet */
  updateStrategy?: { type?: string; rollingUpdate?: RollingUpdate };
}

export interface ServicePort {
  name?: string;
  port?: number;
  targetPort?: IntOrString;
  protocol?: string;
  nodePort?: number;
}

export interface ServiceSpec {
  type?: string;
  selector?: Record<string, string>;
  ports?: ServicePort[];
  externalTrafficPolicy?: string;
  loadBalancerClass?: string;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: unknown;
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
  for (const [k, v] of Object.entries(map)) {
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}
