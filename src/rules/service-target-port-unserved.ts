import { classifyService, levelOf } from '../domain/service-role.js';
import type { Rule } from './types.js';
import { declaredPorts } from '../model/container.js';
import { arrayAt, isRecord, recordAt } from '../model/k8s.js';
import { nameOf } from './util.js';

/**
 * A named targetPort that no selected container declares gives the Service no endpoints port.
 * A numbered one is not judged: declaring container ports is optional ("Not specifying a port
 * here DOES NOT prevent that port from being exposed", core/v1 Container `ports`), so every
 * container of the selected pods could serve it and the manifest cannot tell a renumbered port
 * from an undeclared one.
 */
export const serviceTargetPortUnserved: Rule = {
  meta: {
    id: 'service-target-port-unserved',
    category: 'config',
    severity: 'error',
    description: "a Service's named targetPort is declared by no container of the workloads it selects",
    fixable: false,
    serviceDependent: false,
    needs: ['Service'],
    messages: {
      name: 'Service {{service}} sends port {{port}} to targetPort `{{target}}`, but no container of {{workload}} declares a port of that name: the Service has no endpoints for it',
      nameNoRequests: 'Service {{service}} sends port {{port}} to targetPort `{{target}}`, but no container of {{workload}} declares a port of that name: the Service has no endpoints for it ({{role}} Service, {{evidence}}: what breaks is its {{role}} endpoint, not client requests)',
    },
  },
  check(context) {
    for (const service of context.graph.services) {
      // A Service that carries no requests (metrics, admin, failurePolicy-Ignore webhook) loses no client request: one level lower.
      const role = levelOf(context, service) === 'none' ? classifyService(context, service) : undefined;
      for (const workload of context.graph.workloadsOf(service)) {
        const declared = workload.containers.flatMap((c) => declaredPorts(c));
        for (const port of service.ports) {
          const target = port.targetPort;
          if (target === undefined) continue;
          if (typeof target === 'string' && !/^\d+$/.test(target)) {
            if (declared.some((p) => p.name === target)) continue;
            const data = { service: service.resource.name, port: port.port ?? '?', target, workload: nameOf(workload) };
            const raw = arrayAt(recordAt(service.resource.object, 'spec'), 'ports')[port.index];
            const path = `${port.path}/${isRecord(raw) && 'targetPort' in raw ? 'targetPort' : 'port'}`;
            if (role) context.report({ resource: service.resource, path, messageId: 'nameNoRequests', data: { ...data, role: role.role, evidence: role.evidence }, severity: 'warning' });
            else context.report({ resource: service.resource, path, messageId: 'name', data });
          }
          // A numeric targetPort (or an unset one, which is `port`) reaches any container of the
          // pod whether or not it is declared: nothing to judge.
        }
      }
    }
  },
};
