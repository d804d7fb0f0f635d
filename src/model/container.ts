/** Facts about one container: its ports and probes (its preStop hook is read in ../domain/hooks.ts). */
import { arrayAt, numberAt, recordAt, stringAt } from './k8s.js';
import { validPort, validPortName } from './ports.js';
import type { ContainerView } from './workload.js';

/** A declared container port. */
export interface PortView {
  readonly name: string | undefined;
  readonly port: number;
}

/** The ports a container declares. */
export function declaredPorts(container: ContainerView): readonly PortView[] {
  let ports = declared.get(container);
  if (!ports) declared.set(container, (ports = readPorts(container)));
  return ports;
}

/** Rules and domain facts ask for each container's ports many times: read once per container view. */
const declared = new WeakMap<ContainerView, readonly PortView[]>();

function readPorts(container: ContainerView): PortView[] {
  const out: PortView[] = [];
  for (const p of arrayAt(container.container, 'ports')) {
    // A containerPort outside 1–65535 is rejected by the API server (validateContainerPorts).
    const port = p !== null && typeof p === 'object' ? (p as Record<string, unknown>)['containerPort'] : undefined;
    if (validPort(port)) out.push({ name: stringAt(p, 'name'), port });
  }
  return out;
}

/**
 * Resolves a port reference (number or port name) against a container's declared ports. A value
 * the API server rejects (ValidatePortNumOrName: a number outside 1–65535, a string that is not a
 * port name, such as `"8080"`) resolves to nothing.
 */
export function resolvePort(container: ContainerView, ref: unknown): number | undefined {
  if (validPort(ref)) return ref;
  if (!validPortName(ref)) return undefined;
  return declaredPorts(container).find((p) => p.name === ref)?.port;
}

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
    const port = validPort(grpc['port']) ? grpc['port'] : undefined;
    return { action: `grpc ${String(port)}/${stringAt(grpc, 'service') ?? ''}`, port, portRef: port, field: 'grpc' };
  }
  const exec = recordAt(probe, 'exec');
  if (exec) return { action: `exec ${JSON.stringify(arrayAt(exec, 'command'))}`, port: undefined, portRef: undefined, field: 'exec' };
  return undefined;
}

/**
 * A probe field after defaulting: unset or 0 is the default (SetDefaults_Probe,
 * pkg/apis/core/v1/defaults.go); a negative or fractional value, which the API server rejects
 * (validateProbe, pkg/apis/core/validation: ValidateNonnegativeField), is ignored the same way.
 */
function probeField(probe: Record<string, unknown>, key: string, fallback: number): number {
  const value = numberAt(probe, key);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Probe timing with the API defaults: period 10 s, failureThreshold 3, successThreshold 1, timeout 1 s. */
export function probeTiming(probe: Record<string, unknown>): { initialDelay: number; period: number; failureThreshold: number; successThreshold: number; timeout: number } {
  return {
    initialDelay: probeField(probe, 'initialDelaySeconds', 0),
    period: probeField(probe, 'periodSeconds', 10),
    failureThreshold: probeField(probe, 'failureThreshold', 3),
    successThreshold: probeField(probe, 'successThreshold', 1),
    timeout: probeField(probe, 'timeoutSeconds', 1),
  };
}
