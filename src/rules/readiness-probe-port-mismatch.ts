import { servingContainers } from '../domain/serving.js';
import { trafficServicesOf } from '../domain/service-role.js';
import type { Rule } from './types.js';
import { declaredPorts, probeTarget } from '../model/container.js';
import { arrayAt, numberAt, recordAt, stringAt } from '../model/k8s.js';
import type { Workload } from '../model/workload.js';
import { resolvePort } from './util.js';

/** Other containers of the pod that listen in its network namespace: containers and native sidecars (initContainers with restartPolicy Always). */
function otherListeners(workload: Workload, name: string): { name: string; ports: { name: string | undefined; port: number }[] }[] {
  const sidecars = arrayAt(workload.podSpec, 'initContainers').filter((c) => stringAt(c, 'restartPolicy') === 'Always');
  const all = [...workload.containers.map((c) => c.container), ...sidecars];
  return all
    .filter((c) => stringAt(c, 'name') !== name)
    .map((c) => ({
      name: stringAt(c, 'name') ?? '?',
      ports: arrayAt(c, 'ports').flatMap((p) => {
        const port = numberAt(p, 'containerPort');
        return port === undefined ? [] : [{ name: stringAt(p, 'name'), port }];
      }),
    }));
}

/**
 * A readiness probe protects a rollout only if it reflects the container that serves. The
 * evidence that it cannot: a port name the container does not declare (the kubelet resolves names
 * in the probed container only, and a probe that errors leaves readiness at its initial Failure),
 * or a port that another container of the pod declares (the probe reaches that container's
 * listener through the shared network namespace). A different port of the same container — a
 * health, status or admin port — is the recommended probe and not a finding; only a port nothing
 * in the pod declares, on a container that declares no ports, next to a Service that sends
 * elsewhere, is worth an info.
 */
export const readinessProbePortMismatch: Rule = {
  meta: {
    id: 'readiness-probe-port-mismatch',
    category: 'startup',
    severity: 'error',
    description: 'the readiness probe cannot reflect the serving container: a port name it does not declare, or a port of another container',
    fixable: false,
    serviceDependent: false,
    messages: {
      unknownName: 'readinessProbe of container `{{container}}` uses port name `{{port}}`, which the container does not declare: the kubelet resolves a probe port name only in the probed container, so the probe never succeeds and the pod never becomes Ready',
      otherContainersName: 'readinessProbe of container `{{container}}` uses port name `{{port}}`, which only container `{{owner}}` declares: the kubelet resolves a probe port name only in the probed container, so the probe never succeeds and the pod never becomes Ready',
      sidecarPort: 'readinessProbe of container `{{container}}` checks port {{port}}, which container `{{owner}}` declares: the probe reaches `{{owner}}` through the pod network, so `{{container}}` counts as Ready whenever `{{owner}}` listens, whether or not it serves',
      unseenPort: 'readinessProbe of container `{{container}}` checks port {{port}} and Service {{service}} sends to port {{target}}: fine if the same process answers readiness on {{port}} (a health or admin port), but no container declares {{port}}; if nothing listens there the pod never becomes Ready',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      const serving = new Set(servingContainers(context, workload).map((c) => c.name));
      for (const c of workload.containers) {
        const probe = recordAt(c.container, 'readinessProbe');
        if (!probe) continue;
        const target = probeTarget(c, probe);
        if (!target || target.field === 'exec' || target.portRef === undefined) continue;
        const action = recordAt(probe, target.field);
        // A probe with a host goes to that address, not to the pod (hostNetwork pods probe 127.0.0.1).
        if (stringAt(action, 'host') !== undefined) continue;
        const base = { resource: workload.resource, path: `${c.path}/readinessProbe/${target.field}/port` };
        if (typeof target.portRef === 'string' && !/^\d+$/.test(target.portRef) && target.port === undefined) {
          const owner = otherListeners(workload, c.name).find((o) => o.ports.some((p) => p.name === target.portRef));
          if (owner) context.report({ ...base, messageId: 'otherContainersName', data: { container: c.name, port: target.portRef, owner: owner.name } });
          else context.report({ ...base, messageId: 'unknownName', data: { container: c.name, port: target.portRef } });
          continue;
        }
        const port = target.port;
        if (port === undefined || declaredPorts(c).some((p) => p.port === port)) continue;
        const owner = otherListeners(workload, c.name).find((o) => o.ports.some((p) => p.port === port));
        if (owner) {
          // Service meshes rewrite probes to their agent on purpose, which forwards them to the app (Istio's /app-health/).
          if ((stringAt(action, 'path') ?? '').startsWith('/app-health/')) continue;
          context.report({ ...base, messageId: 'sidecarPort', data: { container: c.name, port, owner: owner.name }, severity: serving.has(c.name) ? 'error' : 'warning' });
          continue;
        }
        // Only where the manifest says nothing about the container's listeners: controllers declare
        // their serving ports and commonly leave the health port undeclared (kubebuilder binds :8081).
        if (!serving.has(c.name) || declaredPorts(c).length > 0) continue;
        for (const service of trafficServicesOf(context, workload)) {
          const targets = [...new Set(service.ports.map((p) => resolvePort(c, p.targetPort)).filter((n): n is number => n !== undefined))];
          if (targets.length === 0 || targets.includes(port)) continue;
          context.report({ ...base, messageId: 'unseenPort', data: { container: c.name, port, service: service.resource.name, target: targets.join(', ') }, severity: 'info' });
          break;
        }
      }
    }
  },
};
