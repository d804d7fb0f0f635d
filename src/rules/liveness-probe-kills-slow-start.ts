import type { Rule } from './types.js';
import { probeTiming } from '../model/container.js';
import { recordAt } from '../model/k8s.js';

/**
 * Without a startupProbe, liveness starts counting at container start: when its budget
 * (initialDelay + period × failureThreshold) is shorter than the app's startup, the kubelet kills
 * the new pod before it is ready, and the rollout stalls or loses capacity.
 */
export const livenessProbeKillsSlowStart: Rule = {
  meta: {
    id: 'liveness-probe-kills-slow-start',
    category: 'startup',
    severity: 'warning',
    description: 'no startupProbe and the liveness budget is shorter than the time the app needs to become ready',
    fixable: false,
    serviceDependent: false,
    messages: {
      short: 'livenessProbe of container `{{container}}` restarts it after {{budget}} s (initialDelay {{delay}} + {{period}} × {{threshold}}) but the app needs {{needed}} s to become ready ({{why}}); add a startupProbe',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      for (const c of workload.containers) {
        const liveness = recordAt(c.container, 'livenessProbe');
        if (!liveness || recordAt(c.container, 'startupProbe')) continue;
        const lt = probeTiming(liveness);
        const budget = lt.initialDelay + lt.period * lt.failureThreshold;
        const readiness = recordAt(c.container, 'readinessProbe');
        const readyDelay = readiness ? probeTiming(readiness).initialDelay : 0;
        const startup = context.profile.app.startupSeconds;
        const needed = Math.max(readyDelay, startup);
        if (budget >= needed) continue;
        const why = readyDelay >= startup ? `readinessProbe initialDelaySeconds ${readyDelay}` : `app startup ${startup} s in profile ${context.profile.name}`;
        context.report({ resource: workload.resource, path: `${c.path}/livenessProbe`, messageId: 'short', data: { container: c.name, budget, delay: lt.initialDelay, period: lt.period, threshold: lt.failureThreshold, needed, why } });
      }
    }
  },
};
