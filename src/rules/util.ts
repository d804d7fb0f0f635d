/** Helpers shared by rules: severities, names and patch pieces. The facts rules share with the simulator and advise are in ../domain. */
import type { DomainContext } from '../domain/context.js';
import { sharedServices } from '../domain/service-role.js';
import type { PatchOperation } from './types.js';
import { probeTarget, probeTiming, resolvePort } from '../model/container.js';
import { recordAt } from '../model/k8s.js';
import { gracePeriodSeconds, type ContainerView, type Workload } from '../model/workload.js';

/**
 * When liveness checks the same target as readiness and gives up no later (period ×
 * failureThreshold), a slow app is restarted instead of being taken out of rotation: the seconds
 * after which each gives up, else undefined. liveness-probe-same-as-readiness reports this, and
 * readiness-probe-missing keeps its fix out of it.
 */
export function livenessNoLaterThanReadiness(container: ContainerView, readiness: Record<string, unknown>, liveness: Record<string, unknown>): { action: string; liveness: number; readiness: number } | undefined {
  // The timing first: it is only numbers, and rules most probe pairs out.
  const rt = probeTiming(readiness);
  const lt = probeTiming(liveness);
  const rFail = rt.period * rt.failureThreshold;
  const lFail = lt.period * lt.failureThreshold;
  if (lFail > rFail) return undefined;
  const r = probeTarget(container, readiness);
  const l = probeTarget(container, liveness);
  if (!r || !l || r.action !== l.action) return undefined;
  return { action: l.action, liveness: lFail, readiness: rFail };
}

/**
 * Operations that keep terminationGracePeriodSeconds at least `seconds`: the API server rejects a
 * native sleep longer than the grace period, and SIGKILL would cut an exec sleep short anyway.
 */
export function graceAtLeast(workload: Workload, seconds: number): PatchOperation[] {
  const grace = gracePeriodSeconds(workload);
  if (grace.seconds >= seconds) return [];
  return [{ op: grace.explicit ? 'replace' : 'add', path: `${workload.podSpecPath}/terminationGracePeriodSeconds`, value: seconds }];
}

/**
 * When every Service that carries requests to the workload also sends to other workloads' pods
 * (stable and canary, blue and green), names them for a message — "Service web also sends to
 * Deployment shop/web-stable (3 replicas)" —, else undefined.
 */
export function othersServing(context: DomainContext, workload: Workload): string | undefined {
  const shared = sharedServices(context, workload);
  if (shared.length === 0 || shared.some((s) => s.others.length === 0)) return undefined;
  return shared.map((s) => `Service ${s.service.resource.name} also sends to ${s.others.map((o) => `${nameOf(o.workload)} (${o.replicas} replica${o.replicas === 1 ? '' : 's'})`).join(', ')}`).join('; ');
}

/** Names a workload in messages: `Deployment default/nginx`. */
export function nameOf(workload: Workload): string {
  const r = workload.resource;
  return `${r.kind} ${r.namespace === '' ? '' : r.namespace + '/'}${r.name}`;
}

/** The pod template's `affinity.nodeAffinity`, if any. */
export function nodeAffinityOf(workload: Workload): Record<string, unknown> | undefined {
  return recordAt(recordAt(workload.podSpec, 'affinity'), 'nodeAffinity');
}

export { resolvePort };

