import type { Rule } from '../engine/types.js';
import { declaredPorts, probeTarget } from '../model/container.js';
import { recordAt } from '../model/k8s.js';
import { nameOf, resolvePort } from './util.js';

/** The readiness probe checks a port the container does not serve: Ready says nothing about the app. */
export const readinessProbePortMismatch: Rule = {
  meta: {
    id: 'readiness-probe-port-mismatch',
    category: 'startup',
    severity: 'error',
    description: 'the readiness probe checks a port the container does not serve',
    fixable: false,
    serviceDependent: false,
    messages: {
      unknownName: 'readinessProbe of container `{{container}}` uses port name `{{port}}`, which the container does not declare: the probe never succeeds and the pod never becomes Ready',
      notDeclared: 'readinessProbe of container `{{container}}` checks port {{port}}, but the container declares only {{declared}}',
      notServiceTarget: 'readinessProbe of container `{{container}}` checks port {{port}}, but Service {{service}} sends traffic to port {{target}}: Ready says nothing about the port that serves',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      const services = context.graph.servicesOf(workload);
      for (const c of workload.containers) {
        const probe = recordAt(c.container, 'readinessProbe');
        if (!probe) continue;
        const target = probeTarget(c, probe);
        if (!target || target.field === 'exec' || target.portRef === undefined) continue;
        const path = `${c.path}/readinessProbe/${target.field}/port`;
        const base = { resource: workload.resource, path };
        if (typeof target.portRef === 'string' && !/^\d+$/.test(target.portRef) && target.port === undefined) {
          context.report({ ...base, messageId: 'unknownName', data: { container: c.name, port: target.portRef } });
          continue;
        }
        const port = target.port;
        if (port === undefined) continue;
        const declared = declaredPorts(c);
        if (declared.length > 0 && !declared.some((p) => p.port === port)) {
          context.report({ ...base, messageId: 'notDeclared', data: { container: c.name, port, declared: declared.map((p) => p.port).join(', ') } });
          continue;
        }
        // Compare with the port each selecting Service sends to in this container.
        for (const service of services) {
          const targets = service.ports.map((p) => resolvePort(c, p.targetPort)).filter((n): n is number => n !== undefined);
          const servedHere = declared.length === 0 || targets.some((t) => declared.some((d) => d.port === t));
          if (!servedHere || targets.length === 0 || targets.includes(port)) continue;
          context.report({ ...base, messageId: 'notServiceTarget', data: { container: c.name, port, service: service.resource.name, target: targets.join(', '), workload: nameOf(workload) } });
          break;
        }
      }
    }
  },
};
