/** Reading a Service's LB connection-drain setting, per provider. */
import type { RuleContext } from '../engine/types.js';
import { annotationPointer } from '../load/positions.js';
import type { ServiceView } from '../model/graph.js';
import { numberAt, recordAt } from '../model/k8s.js';
import { effectiveNamespace, type Resource } from '../model/resource.js';

/** The drain setting as configured: whether it is on, its timeout, and where it is set. */
export interface DrainSetting {
  readonly enabled: boolean;
  readonly timeoutSeconds: number | undefined;
  /** Pointer (relative to the Service) of the field that sets the timeout, or the annotations. */
  readonly path: string;
  /** True when nothing in the manifests configures it (the provider default applies). */
  readonly implicit: boolean;
  /** The object that sets it (the Service, its Ingress or its BackendConfig). */
  readonly resource: Resource;
}

const ON = /^(?:on|true)$/i;


/** `deregistration_delay.timeout_seconds=N` inside an ELBv2 target-group-attributes annotation. */
function deregistrationDelay(value: string | undefined): number | undefined {
  const m = value ? /deregistration_delay\.timeout_seconds\s*=\s*(\d+)/.exec(value) : null;
  return m ? Number(m[1]) : undefined;
}

/** Reads the drain setting of a LoadBalancer Service under the context's profile. */
export function drainSetting(context: RuleContext, service: ServiceView): DrainSetting | undefined {
  const drain = context.profile.loadBalancer?.drain;
  if (!drain) return undefined;
  const fallback = drain.defaultTimeoutSeconds;
  if (drain.on === 'backendconfig') {
    const a = service.resource.annotations;
    const ref = a['cloud.google.com/backend-config'] ?? a['beta.cloud.google.com/backend-config'];
    const name = ref ? /"default"\s*:\s*"([^"]+)"/.exec(ref)?.[1] ?? /:\s*"([^"]+)"/.exec(ref)?.[1] : undefined;
    const config = name ? context.graph.backendConfig(effectiveNamespace(service.resource), name) : undefined;
    const seconds = numberAt(recordAt(recordAt(config?.object, 'spec'), 'connectionDraining'), 'drainingTimeoutSec');
    if (config && seconds !== undefined) return { enabled: seconds > 0, timeoutSeconds: seconds, path: '/spec/connectionDraining/drainingTimeoutSec', implicit: false, resource: config };
    return { enabled: fallback !== undefined && fallback > 0, timeoutSeconds: fallback, path: '/metadata', implicit: true, resource: service.resource };
  }
  // ALB settings live on the Ingress that routes to the Service.
  const holder = drain.on === 'ingress' ? context.graph.ingressesOf(service).find((i) => drain.annotations.some((k) => i.annotations[k] !== undefined)) : service.resource;
  const keys = drain.annotations;
  const a2 = holder?.annotations ?? {};
  const present = keys.filter((k) => a2[k] !== undefined);
  if (!holder || present.length === 0) return { enabled: fallback !== undefined && fallback > 0, timeoutSeconds: fallback, path: '/metadata', implicit: true, resource: service.resource };
  let enabled = true;
  let timeout: number | undefined;
  let path = annotationPointer(present[0] ?? '');
  for (const key of keys) {
    const value = a2[key];
    if (key.endsWith('target-group-attributes')) {
      const delay = deregistrationDelay(value);
      if (delay !== undefined) {
        timeout = delay;
        path = annotationPointer(key);
      }
    } else if (key.endsWith('timeout')) {
      if (value !== undefined && /^\d+$/.test(value)) {
        timeout = Number(value);
        path = annotationPointer(key);
      }
    } else if (value === undefined || !ON.test(value)) {
      enabled = false;
    }
  }
  return { enabled, timeoutSeconds: timeout ?? fallback, path, implicit: false, resource: holder };
}
