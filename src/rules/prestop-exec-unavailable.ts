import type { Rule } from './types.js';
import { preStopOf } from '../domain/hooks.js';
import { imageOf, likelyShellless } from '../domain/images.js';
import { hasSleepAction } from '../domain/versions.js';
import { graceAtLeast } from './util.js';

export const prestopExecUnavailable: Rule = {
  meta: {
    id: 'prestop-exec-unavailable',
    category: 'termination',
    severity: 'warning',
    description: '`exec: sleep` in an image that likely has no shell or sleep binary',
    fixable: true,
    serviceDependent: false,
    messages: {
      shellless: 'preStop of container `{{container}}` runs `sleep`, but image {{image}} likely has no sleep binary: the hook fails and the app gets SIGTERM at once{{hint}}',
    },
  },
  check(context) {
    const version = context.profile.k8sVersion;
    const native = hasSleepAction(version);
    for (const workload of context.graph.workloads) {
      for (const c of workload.containers) {
        const preStop = preStopOf(c);
        if (preStop.kind !== 'exec-sleep' || !likelyShellless(c)) continue;
        const preStopPath = `${c.path}/lifecycle/preStop`;
        // The native action takes whole seconds, at least 1 (0 needs PodLifecycleSleepActionAllowZero, 1.33).
        const seconds = Math.max(1, Math.ceil(preStop.seconds));
        context.report({
          resource: workload.resource,
          path: preStop.path,
          messageId: 'shellless',
          data: { container: c.name, image: imageOf(c), hint: native ? '; use the native `sleep` action' : ` (the native sleep action needs Kubernetes 1.30, profile has ${version})` },
          ...(native ? { fix: { kind: 'patch', description: `use the native sleep action for ${seconds} s`, operations: [{ op: 'replace', path: preStopPath, value: { sleep: { seconds } } }, ...graceAtLeast(workload, seconds + context.profile.app.drainSeconds)] } } : {}),
        });
      }
    }
  },
};
