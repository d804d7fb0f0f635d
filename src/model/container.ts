/** Facts about one container: its ports and probes (its preStop hook is read in ../domain/hooks.ts). */
import { arrayAt, numberAt, recordAt, stringAt } from './k8s.js';
import type { ContainerView } from './workload.js';

/** A declared container port. */
export interface PortView {
  readonly name: string | undefined;
  readonly port: number;
}

/** The ports a container declares. */
export function declaredPorts(container: ContainerView): PortView[] {
  const out: PortView[] = [];
  for (const p of arrayAt(container.container, 'ports')) {
    const port = numberAt(p, 'containerPort');
    if (port !== undefined) out.push({ name: stringAt(p, 'name'), port });
  }
  return out;
}

/** Resolves a port reference (number or port name) against a container's declared ports. */
export function resolvePort(container: ContainerView, ref: unknown): number | undefined {
  if (typeof ref === 'number') return ref;
  if (typeof ref !== 'string') return undefined;
  if (/^\d+$/.test(ref)) return Number(ref);
  return declaredPorts(container).find((p) => p.name === ref)?.port;
}

export type ProbeKind = 'readinessProbe' | 'livenessProbe' | 'startupProbe';

/** A probe's action in comparable form, e.g. `httpGet :8080/healthz`. */
export function probeTarget(container: ContainerView, probe: Record<string, unknown>): { action: string; port: number | undefined; portRef: unknown; field: string } | undefined {
  const http = recordAt(probe, 'httpGet');
  if (http) {
    const portRef = http['port'];
    const port = resolvePort(container, portRef);
    return { action: `httpGet ${String(port ?? portRef)}${stringAt(http, 'path') ?? '/'}`, port, portRef, field: 'httpGet' };
  }
  const tcp = recordAt(probe, 'tcpSocket');
  if (tcp) {
    const portRef = tcp['port'];
    const port = resolvePort(container, portRef);
    return { action: `tcpSocket ${String(port ?? portRef)}`, port, portRef, field: 'tcpSocket' };
  }
  const grpc = recordAt(probe, 'grpc');
  if (grpc) {
    const port = numberAt(grpc, 'port');
    return { action: `grpc ${String(port)}/${stringAt(grpc, 'service') ?? ''}`, port, portRef: port, field: 'grpc' };
  }
  const exec = recordAt(probe, 'exec');
  if (exec) return { action: `exec ${JSON.stringify(arrayAt(exec, 'command'))}`, port: undefined, portRef: undefined, field: 'exec' };
  return undefined;
}

/** Probe timing with the API defaults (knowledge/rollout-algorithm.md §2). */
export function probeTiming(probe: Record<string, unknown>): { initialDelay: number; period: number; failureThreshold: number; successThreshold: number; timeout: number } {
  return {
    initialDelay: numberAt(probe, 'initialDelaySeconds') ?? 0,
    period: numberAt(probe, 'periodSeconds') ?? 10,
    failureThreshold: numberAt(probe, 'failureThreshold') ?? 3,
    successThreshold: numberAt(probe, 'successThreshold') ?? 1,
    timeout: numberAt(probe, 'timeoutSeconds') ?? 1,
  };
}
