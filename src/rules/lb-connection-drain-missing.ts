import type { Rule } from '../engine/types.js';
import { annotationPointer } from '../load/positions.js';
import { recordAt } from '../model/k8s.js';
import { drainLabel, drainSetting } from './drain.js';
import { drainApplies } from './util.js';

/** The annotation value that turns a drain flag on, per provider convention. */
function flagValue(key: string, timeout: string): string {
  if (key.endsWith('target-group-attributes')) return `deregistration_delay.timeout_seconds=${timeout}`;
  if (key.endsWith('timeout')) return timeout;
  return key.endsWith('enabled') ? 'true' : 'on';
}

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
      missing: 'Service {{service}} is exposed by the {{lb}} without connection draining ({{setting}}): when the LB removes a backend during a rollout it cuts the connections still open to it',
      disabled: 'Service {{service}} turns connection draining off ({{setting}}): connections still open to a removed backend are cut',
      incomplete: 'Service {{service}} sets connection draining only in part: {{missing}} is missing, so the {{lb}} does not drain',
      range: 'connection-drain timeout {{timeout}} s of Service {{service}} is outside the {{lb}} range {{min}}–{{max}} s',
      notSeconds: 'connection-drain timeout `{{timeout}}` of Service {{service}} is not a whole number of seconds, so the {{lb}} does not drain',
    },
  },
  check(context) {
    if (!context.profile.loadBalancer?.drain) return;
    for (const service of context.graph.services) {
      // A GKE BackendConfig drains NEG backends of an Ingress; a plain LoadBalancer Service there is
      // a passthrough LB with no drain setting.
      if (!drainApplies(context, service)) continue;
      const setting = drainSetting(context, service);
      if (!setting) continue;
      const drain = setting.drain;
      const data = { service: service.resource.name, setting: drain.on === 'backendconfig' ? 'BackendConfig spec.connectionDraining.drainingTimeoutSec' : drain.annotations.join(' + '), lb: drainLabel(drain) };
      const [min, max] = drain.timeoutRange;
      if (setting.invalidTimeout !== undefined) {
        context.report({ resource: setting.resource, path: setting.path, messageId: 'notSeconds', data: { ...data, timeout: setting.invalidTimeout } });
        continue;
      }
      if (setting.enabled) {
        const timeout = setting.timeoutSeconds;
        if (!setting.implicit && timeout !== undefined && (timeout < min || timeout > max)) {
          context.report({ resource: setting.resource, path: setting.path, messageId: 'range', data: { ...data, timeout, min, max } });
        }
        continue;
      }
      if (setting.missing.length > 0 && !setting.implicit) {
        context.report({ resource: setting.resource, path: setting.path, messageId: 'incomplete', data: { ...data, missing: setting.missing.join(' + ') } });
        continue;
      }
      if (!setting.implicit) {
        context.report({ resource: setting.resource, path: setting.path, messageId: 'disabled', data });
        continue;
      }
      const timeout = String(drain.recommendedTimeoutSeconds);
      const hasAnnotations = recordAt(recordAt(service.resource.object, 'metadata'), 'annotations') !== undefined;
      const values: Record<string, string> = {};
      for (const key of drain.annotations) values[key] = flagValue(key, timeout);
      context.report({
        resource: service.resource,
        path: '/metadata',
        messageId: 'missing',
        data,
        ...(drain.on === 'service'
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
