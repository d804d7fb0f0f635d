/** Kubernetes features that change what a rollout drops, by the version that turns them on. */
import { compareVersions } from '../schema/kinds.js';

/** True when the cluster version has the native preStop `sleep` action (KEP-3960: beta, on by default, in 1.30). */
export function hasSleepAction(version: string): boolean {
  return compareVersions(version, '1.30') >= 0;
}

/** True when kube-proxy keeps sending to terminating-but-serving local endpoints (KEP-1669: beta, on by default, in 1.26; GA 1.28). */
export function hasProxyTerminatingEndpoints(version: string): boolean {
  return compareVersions(version, '1.26') >= 0;
}
