import { classifyService, levelOf } from '../domain/service-role.js';
import type { Rule } from '../engine/types.js';
import { declaredPorts } from '../model/container.js';
import { arrayAt, isRecord, recordAt } from '../model/k8s.js';
import { nameOf } from './util.js';

/**
 * A named targetPort that no selected container declares gives the Service no endpoints port;
 * a numbered one that no container declares, where containers declare ports, may be a renumbered
 * port or an undeclared one (declaring is optional): an info.
 */
export const serviceTargetPortUnserved: Rule = {
  meta: {
    id: 'service-target-port-unserved',
    category: 'config',
    severity: 'error',
    description: "a Service's targetPort (number or name) is served by no container of the workloads it selects",
    fixable: false,
    serviceDependent: false,
    needs: ['Service'],
    messages: {
      name: 'Service {{service}} sends port {{port}} to targetPort `{{target}}`, but no container of {{workload}} declares a port of that name: the Service has no endpoints for it',
      number: 'Service {{service}} sends port {{port}} to targetPort {{target}}, but the containers of {{workload}} declare only {{declared}}: fine if the app listens on {{target}} without declaring it (declaring ports is optional), a renumbered port otherwise',
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
          const data = { service: service.resource.name, port: port.port ?? '?', target, workload: nameOf(workload), declared: declared.map((p) => p.port).join(', ') };
          const raw = arrayAt(recordAt(service.resource.object, 'spec'), 'ports')[port.index];
          const path = `${port.path}/${isRecord(raw) && 'targetPort' in raw ? 'targetPort' : 'port'}`;
          if (typeof target === 'string' && !/^\d+$/.test(target)) {
            if (declared.some((p) => p.name === target)) continue;
            if (role) context.report({ resource: service.resource, path, messageId: 'nameNoRequests', data: { ...data, role: role.role, evidence: role.evidence }, severity: 'warning' });
            else context.report({ resource: service.resource, path, messageId: 'name', data });
          } else if (declared.length > 0 && !declared.some((p) => p.port === Number(target))) {
            context.report({ resource: service.resource, path, messageId: 'number', data, severity: 'info' });
          }
        }
      }
    }
  },
};
