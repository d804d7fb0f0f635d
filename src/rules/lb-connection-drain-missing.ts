import type { Rule } from '../engine/types.js';
import { annotationPointer } from '../load/positions.js';
import { recordAt } from '../model/k8s.js';
import { drainSetting } from './drain.js';


/**
 * When the cloud LB removes a backend it cuts the connections still open to it, unless the LB
 * drains them (the seed's cause 4; knowledge/cloud-load-balancers.md §1–4).
 */
export const lbConnectionDrainMissing: Rule = {
  meta: {
    id: 'lb-connection-drain-missing',
    category: 'lb-drain',
    severity: 'warning',
    description: "a LoadBalancer Service without the profile's provider drain setting",
    fixable: true,
    serviceDependent: false,
    messages: {
      missing: 'LoadBalancer Service {{service}} has no connection draining ({{setting}}): when the {{lb}} removes a backend during a rollout it cuts the connections still open to it',
      disabled: 'LoadBalancer Service {{service}} turns connection draining off ({{setting}}): connections still open to a removed backend are cut',
    },
  },
  check(context) {
    const lb = context.profile.loadBalancer;
    const drain = lb?.drain;
    if (!lb || !drain) return;
    for (const service of context.graph.services) {
      const exposed = service.type === 'LoadBalancer' || (drain.on !== 'service' && context.graph.ingressesOf(service).length > 0);
      if (!exposed) continue;
      const setting = drainSetting(context, service);
      if (!setting || setting.enabled) continue;
      const names = drain.on === 'backendconfig' ? 'BackendConfig spec.connectionDraining.drainingTimeoutSec' : drain.annotations.join(' + ');
      const data = { service: service.resource.name, setting: names, lb: lb.kind.toUpperCase() };
      if (!setting.implicit) {
        context.report({ resource: setting.resource, path: setting.path, messageId: 'disabled', data });
        continue;
      }
      const timeout = String(drain.recommendedTimeoutSeconds);
      const fixable = drain.on === 'service';
      const hasAnnotations = recordAt(recordAt(service.resource.object, 'metadata'), 'annotations') !== undefined;
      const values: Record<string, string> = {};
      for (const key of drain.annotations) {
        values[key] = key.endsWith('target-group-attributes') ? `deregistration_delay.timeout_seconds=${timeout}` : key.endsWith('timeout') ? timeout : key.endsWith('enabled') ? 'true' : 'on';
      }
      context.report({
        resource: service.resource,
        path: '/metadata',
        messageId: 'missing',
        data,
        ...(fixable
          ? {
              fix: {
                kind: 'patch',
                description: `enable connection draining with a ${timeout} s timeout`,
                operations: hasAnnotations
                  ? Object.entries(values).map(([key, value]) => ({ op: 'add' as const, path: annotationPointer(key), value }))
                  : [{ op: 'add', path: '/metadata/annotations', value: values }],
              },
            }
          : {}),
      });
    }
  },
};
