/** Reading a Service's LB connection-drain setting, per provider. */
import { annotationPointer } from '../document/pointer.js';
import type { ServiceView } from '../model/graph.js';
import { numberAt, recordAt } from '../model/k8s.js';
import { effectiveNamespace, type Resource } from '../model/resource.js';
import { DRAIN_SETTINGS } from '../profiles/builtin.js';
import type { ProviderDrain } from '../profiles/types.js';
import type { DomainContext } from './context.js';
import { loadBalancerFor } from './routing.js';

/** The drain setting as configured: whether it is on, its timeout, and where it is set. */
export interface DrainSetting {
  readonly enabled: boolean;
  readonly timeoutSeconds: number | undefined;
  /** Pointer (relative to `resource`) of the field that sets it. */
  readonly path: string;
  /** True when nothing in the manifests configures it (the provider default applies). */
  readonly implicit: boolean;
  /** True when the timeout is the provider's default (not written in the manifests). */
  readonly timeoutDefaulted: boolean;
  /** The object that sets it (the Service, its Ingress or its BackendConfig). */
  readonly resource: Resource;
  /** Which provider setting it is. */
  readonly drain: ProviderDrain;
  /** Annotations of the setting that are required but missing. */
  readonly missing: readonly string[];
  /** A timeout annotation that is not whole seconds (e.g. `30s`), as written. */
  readonly invalidTimeout?: string;
}

/** Names the load balancer a drain setting belongs to, for messages. */
export function drainLabel(drain: ProviderDrain): string {
  for (const [id, known] of Object.entries(DRAIN_SETTINGS)) {
    if (known.annotations[0] === drain.annotations[0]) return LABELS[id] ?? id;
  }
  return 'load balancer';
}

const LABELS: Readonly<Record<string, string>> = {
  'alibaba-clb': 'ACK CLB',
  'aws-alb': 'AWS ALB',
  'aws-nlb': 'AWS NLB',
  'aws-clb-in-tree': 'AWS CLB',
  'gke-backendconfig': 'GKE load balancer',
};

const ON = /^(?:on|true)$/i;

/** True for an annotation that carries the drain timeout (not a flag). */
export function isTimeoutKey(key: string): boolean {
  return key.endsWith('timeout') || key.endsWith('target-group-attributes');
}

/** `deregistration_delay.timeout_seconds=N` inside an ELBv2 target-group-attributes annotation. */
function deregistrationDelay(value: string | undefined): number | undefined {
  const m = value ? /deregistration_delay\.timeout_seconds\s*=\s*(\d+)/.exec(value) : null;
  return m ? Number(m[1]) : undefined;
}

/** Reads one provider's annotations on an object; undefined when none of them is set. */
function readAnnotations(drain: ProviderDrain, resource: Resource): DrainSetting | undefined {
  const a = resource.annotations;
  const present = drain.annotations.filter((k) => a[k] !== undefined);
  const [first] = present;
  if (first === undefined) return undefined;
  let flagsOn = true;
  let timeout: number | undefined;
  let timeoutPath: string | undefined;
  let offPath: string | undefined;
  let invalidTimeout: string | undefined;
  let defaulted = false;
  const missing: string[] = [];
  for (const key of drain.annotations) {
    const value = a[key];
    if (isTimeoutKey(key)) {
      const seconds = key.endsWith('target-group-attributes') ? deregistrationDelay(value) : value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
      if (seconds !== undefined) {
        timeout = seconds;
        timeoutPath = annotationPointer(key);
      } else if (value !== undefined && !key.endsWith('target-group-attributes')) {
        invalidTimeout = value;
        timeoutPath = annotationPointer(key);
      } else if (drain.defaultTimeoutSeconds === undefined && drain.enabledTimeoutSeconds === undefined) {
        missing.push(key);
      } else {
        defaulted = true;
      }
    } else if (value === undefined) {
      missing.push(key);
      flagsOn = false;
    } else if (!ON.test(value)) {
      flagsOn = false;
      offPath = annotationPointer(key);
    }
  }
  // Point at the flag that turns draining off, else at the timeout, else at the first annotation.
  const path = offPath ?? timeoutPath ?? annotationPointer(first);
  timeout ??= flagsOn ? (drain.enabledTimeoutSeconds ?? drain.defaultTimeoutSeconds) : undefined;
  // A zero timeout drains nothing (ELBv2 deregistration delay 0, GKE drainingTimeoutSec 0).
  const enabled = flagsOn && missing.length === 0 && invalidTimeout === undefined && (timeout === undefined || timeout > 0);
  // A flag that turns draining off says more than a missing timeout.
  const setting = { enabled, timeoutSeconds: timeout, path, implicit: false, timeoutDefaulted: defaulted || (timeoutPath === undefined && timeout !== undefined), resource, drain, missing: offPath ? [] : missing };
  return invalidTimeout === undefined ? setting : { ...setting, invalidTimeout };
}

/**
 * Reads the drain setting of a Service exposed by the cloud LB under the context's profile.
 * A provider's annotations on the Service itself win (e.g. an NLB Service under an ALB profile),
 * then those on an Ingress that routes to it, then its GKE BackendConfig, then the profile's
 * default.
 */
export function drainSetting(context: DomainContext, service: ServiceView): DrainSetting | undefined {
  const profileDrain = context.profile.loadBalancer?.drain;
  if (!profileDrain) return undefined;
  const known: readonly ProviderDrain[] = [profileDrain, ...Object.values(DRAIN_SETTINGS)];
  for (const drain of known) {
    if (drain.on !== 'service') continue;
    const setting = readAnnotations(drain, service.resource);
    if (setting) return setting;
  }
  for (const drain of known) {
    if (drain.on !== 'ingress') continue;
    for (const ingress of context.graph.ingressesOf(service)) {
      const setting = readAnnotations(drain, ingress);
      if (setting) return setting;
    }
  }
  if (profileDrain.on === 'backendconfig') {
    const a = service.resource.annotations;
    const ref = a['cloud.google.com/backend-config'] ?? a['beta.cloud.google.com/backend-config'];
    const name = ref ? (/"default"\s*:\s*"([^"]+)"/.exec(ref)?.[1] ?? /:\s*"([^"]+)"/.exec(ref)?.[1]) : undefined;
    const config = name ? context.graph.backendConfig(effectiveNamespace(service.resource), name) : undefined;
    const seconds = numberAt(recordAt(recordAt(config?.object, 'spec'), 'connectionDraining'), 'drainingTimeoutSec');
    if (config && seconds !== undefined) return { enabled: seconds > 0, timeoutSeconds: seconds, path: '/spec/connectionDraining/drainingTimeoutSec', implicit: false, timeoutDefaulted: false, resource: config, drain: profileDrain, missing: [] };
  }
  // Nothing set: the default of the LB the Service gets (an NLB for a LoadBalancer Service under an
  // ALB profile), else the profile's.
  const own = loadBalancerFor(context, service)?.drain ?? profileDrain;
  const fallback = own.defaultTimeoutSeconds;
  return { enabled: fallback !== undefined && fallback > 0, timeoutSeconds: fallback, path: '/metadata', implicit: true, timeoutDefaulted: true, resource: service.resource, drain: own, missing: [] };
}
