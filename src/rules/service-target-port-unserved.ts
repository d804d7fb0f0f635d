import type { Rule } from '../engine/types.js';
import { declaredPorts } from '../model/container.js';
import { arrayAt, isRecord, recordAt } from '../model/k8s.js';
import { nameOf } from './util.js';

/**
 * A named targetPort that no selected container declares gives the Service no endpoints port;
 * a numbered one that no container declares, where containers declare ports, is likely wrong.
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
      number: 'Service {{service}} sends port {{port}} to targetPort {{target}}, but the containers of {{workload}} declare only {{declared}}',
    },
  },
  check(context) {
    for (const service of context.graph.services) {
      for (const workload of context.graph.workloadsOf(service)) {
        const declared = workload.containers.flatMap((c) => declaredPorts(c));
        for (const port of service.ports) {
          const target = port.targetPort;
          if (target === undefined) continue;
          const data = { service: service.resource.name, port: port.port ?? '?', target, workload: nameOf(workload), declared: declared.map((p) => p.port).join(', ') };
          const raw = arrayAt(recordAt(service.resource.object, 'spec'), 'ports')[port.index];
          const path = `${port.path}/${isRecord(raw) && 'targetPort' in raw ? 'targetPort' : 'port'}`;
          if (typeof target === 'string' && !/^\d+$/.test(target)) {
            if (!declared.some((p) => p.name === target)) context.report({ resource: service.resource, path, messageId: 'name', data });
          } else if (declared.length > 0 && !declared.some((p) => p.port === Number(target))) {
            context.report({ resource: service.resource, path, messageId: 'number', data, severity: 'warning' });
          }
        }
      }
    }
  },
};
