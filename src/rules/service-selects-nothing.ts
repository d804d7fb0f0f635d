import type { Rule } from './types.js';

/** A Service whose selector matches no workload in the input (a typo, or its pods live elsewhere). */
export const serviceSelectsNothing: Rule = {
  meta: {
    id: 'service-selects-nothing',
    category: 'config',
    severity: 'info',
    description: 'a Service selects no workload in the input',
    fixable: false,
    serviceDependent: false,
    needs: ['Service'],
    messages: {
      nothing: 'Service {{service}} selects {{selector}}, which matches no workload in the input',
    },
  },
  check(context) {
    if (!context.graph.input.hasWorkloads) return;
    for (const service of context.graph.services) {
      if (Object.keys(service.selector).length === 0 || service.type === 'ExternalName') continue;
      if (context.graph.workloadsOf(service).length > 0) continue;
      const selector = Object.entries(service.selector).map(([k, v]) => `${k}=${v}`).join(',');
      context.report({ resource: service.resource, path: '/spec/selector', messageId: 'nothing', data: { service: service.resource.name, selector } });
    }
  },
};
