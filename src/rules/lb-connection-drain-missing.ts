import type { Fix, Rule, RuleContext } from './types.js';
import { annotationPointer } from '../document/pointer.js';
import type { ServiceView } from '../model/graph.js';
import { recordAt } from '../model/k8s.js';
import { preStopOf, preStopSeconds } from '../domain/hooks.js';
import { gracePeriodSeconds } from '../model/workload.js';
import type { ProviderDrain } from '../profiles/types.js';
import { drainLabel, drainSetting, isTimeoutKey } from '../domain/drain.js';
import { nameOf } from './util.js';
import { drainCoveringPreStop } from '../domain/prestop.js';
import { drainApplies, loadBalancerFor } from '../domain/routing.js';
import { servingContainers } from '../domain/serving.js';

/** The annotation value that turns a drain flag on, per provider convention. */
function flagValue(key: string, timeout: string): string {
  if (key.endsWith('target-group-attributes')) return `deregistration_delay.timeout_seconds=${timeout}`;
  if (key.endsWith('timeout')) return timeout;
  return key.endsWith('enabled') ? 'true' : 'on';
}

/** Why no drain setting can be written: the pods behind the Service stop before the LB would finish. */
interface NoFit {
  readonly workload: string;
  readonly grace: number;
  /** The shortest drain the LB would apply. */
  readonly drain: number;
}

/**
 * The drain timeout to write: the profile's recommendation, raised so that the LB does not cut a
 * removed pod's connections before the pod closes them after its preStop sleep (when the LB's
 * backends are the pods, or nodes under the Local policy: drainCoveringPreStop), then lowered to
 * the shortest grace period of the pods behind the Service (a longer drain is cut by SIGKILL:
 * lb-drain-exceeds-grace), in whole seconds within the provider's range and above 0 (0 turns
 * draining off). `undefined` for a setting without a timeout annotation whose LB timeout fits; a
 * NoFit when nothing fits.
 */
function drainTimeoutFor(context: RuleContext, service: ServiceView, drain: ProviderDrain): { timeout: number | undefined } | NoFit {
  const low = Math.max(drain.timeoutRange[0], 1);
  let shortest: { workload: string; grace: number } | undefined;
  let preStop = 0;
  for (const workload of context.graph.workloadsOf(service)) {
    const grace = gracePeriodSeconds(workload).seconds;
    if (!shortest || grace < shortest.grace) shortest = { workload: nameOf(workload), grace };
    for (const container of servingContainers(context, workload)) preStop = Math.max(preStop, preStopSeconds(preStopOf(container)) ?? 0);
  }
  // The LB removes a backend that still serves when the pods are the backends, or a Local node
  // when its controller follows the endpoints (ACK); a health check alone lets connections go on.
  const lb = loadBalancerFor(context, service);
  const removesPods = lb?.backend === 'pod' || (service.externalTrafficPolicy === 'Local' && lb?.nodeRemoval === 'controller');
  const wanted = removesPods ? drainCoveringPreStop(lb?.deregister, drain.recommendedTimeoutSeconds, preStop) : drain.recommendedTimeoutSeconds;
  const grace = shortest?.grace ?? Infinity;
  if (!drain.annotations.some(isTimeoutKey)) {
    // Without a timeout annotation the LB drains for its own timeout once the flag is on.
    const applied = drain.enabledTimeoutSeconds ?? drain.defaultTimeoutSeconds;
    return applied === undefined || applied <= grace || !shortest ? { timeout: undefined } : { ...shortest, drain: applied };
  }
  const timeout = Math.min(wanted, drain.timeoutRange[1], Math.floor(grace));
  return timeout >= low || !shortest ? { timeout } : { ...shortest, drain: low };
}

/** Adds every annotation of the drain setting: flags on, the timeout (when the setting has one) as given. */
function drainFix(service: ServiceView, drain: ProviderDrain, seconds: number | undefined): Fix {
  const timeout = String(seconds);
  const values: Record<string, string> = {};
  for (const key of drain.annotations) values[key] = flagValue(key, timeout);
  const hasAnnotations = recordAt(recordAt(service.resource.object, 'metadata'), 'annotations') !== undefined;
  return {
    kind: 'patch',
    description: seconds === undefined ? 'enable connection draining' : `enable connection draining with a ${timeout} s timeout`,
    operations: hasAnnotations
      ? Object.entries(values).map(([key, value]) => ({ op: 'add' as const, path: annotationPointer(key), value }))
      : [{ op: 'add', path: '/metadata/annotations', value: values }],
  };
}

/**
 * When the cloud LB removes a backend it cuts the connections still open to it, unless the LB
 * drains them (cause 4 of the Alibaba Cloud article; ACK, AWS ELBv2 and GKE BackendConfig draining docs in docs/rules/lb-connection-drain-missing.md).
 */
export const lbConnectionDrainMissing: Rule = {
  meta: {
    id: 'lb-connection-drain-missing',
    category: 'lb-drain',
    severity: 'warning',
    description: "a LoadBalancer Service without the profile's provider drain setting",
    fixable: true,
    serviceDependent: false,
    needs: ['Service', 'Ingress', 'BackendConfig'],
    messages: {
      missing: 'Service {{service}} is exposed by the {{lb}} without connection draining ({{setting}}): when the LB removes a backend during a rollout it cuts the connections still open to it',
      disabled: 'Service {{service}} turns connection draining off ({{setting}}): connections still open to a removed backend are cut',
      incomplete: 'Service {{service}} sets connection draining only in part: {{missing}} is missing, so the {{lb}} does not drain',
      range: 'connection-drain timeout {{timeout}} s of Service {{service}} is outside the {{lb}} range {{min}}–{{max}} s',
      missingNoFit: 'Service {{service}} is exposed by the {{lb}} without connection draining ({{setting}}): when the LB removes a backend during a rollout it cuts the connections still open to it (no automatic fix: pods of {{workload}} are killed after {{grace}} s, sooner than any drain the {{lb}} accepts ({{drain}} s at least))',
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
      const choice = drain.on === 'service' ? drainTimeoutFor(context, service, drain) : undefined;
      if (choice && 'grace' in choice) {
        context.report({ resource: service.resource, path: '/metadata', messageId: 'missingNoFit', data: { ...data, workload: choice.workload, grace: choice.grace, drain: choice.drain } });
        continue;
      }
      context.report({ resource: service.resource, path: '/metadata', messageId: 'missing', data, ...(choice ? { fix: drainFix(service, drain, choice.timeout) } : {}) });
    }
  },
};
