/**
 * Kubernetes kinds rollsafe knows: which it validates against the API's OpenAPI schema, which API
 * versions were removed, and which are built in (read without a note, not analyzed).
 */

/**
 * The Kubernetes version assumed when the user names none: loading judges API versions against
 * it, the built-in profiles and `advise` start from it. 1.30 is conservative and still common on
 * managed clouds (docs/profiles.md).
 */
export const DEFAULT_K8S_VERSION = '1.30';

/** The built-in group/version + kind pairs of the Kubernetes API (from the OpenAPI schema). */
const BUILTIN = `admissionregistration.k8s.io/v1 MutatingAdmissionPolicy MutatingAdmissionPolicyBinding MutatingWebhookConfiguration ValidatingAdmissionPolicy ValidatingAdmissionPolicyBinding ValidatingWebhookConfiguration
apiextensions.k8s.io/v1 CustomResourceDefinition
apiregistration.k8s.io/v1 APIService
apps/v1 ControllerRevision DaemonSet Deployment ReplicaSet StatefulSet
autoscaling/v1 HorizontalPodAutoscaler Scale
autoscaling/v2 HorizontalPodAutoscaler
batch/v1 CronJob Job
certificates.k8s.io/v1 CertificateSigningRequest
coordination.k8s.io/v1 Lease
discovery.k8s.io/v1 EndpointSlice
events.k8s.io/v1 Event
flowcontrol.apiserver.k8s.io/v1 FlowSchema PriorityLevelConfiguration
networking.k8s.io/v1 Ingress IngressClass NetworkPolicy IPAddress ServiceCIDR
node.k8s.io/v1 RuntimeClass
policy/v1 PodDisruptionBudget Eviction
rbac.authorization.k8s.io/v1 ClusterRole ClusterRoleBinding Role RoleBinding
scheduling.k8s.io/v1 PriorityClass
storage.k8s.io/v1 CSIDriver CSINode CSIStorageCapacity StorageClass VolumeAttachment
v1 Binding ComponentStatus ConfigMap Endpoints Event LimitRange Namespace Node PersistentVolume PersistentVolumeClaim Pod PodTemplate ReplicationController ResourceQuota Secret Service ServiceAccount List`;

const builtinKinds = new Set<string>();
for (const line of BUILTIN.split('\n')) {
  const [group, ...kinds] = line.split(' ');
  for (const kind of kinds) builtinKinds.add(`${group}/${kind}`);
}

/** True when apiVersion + kind name a kind the Kubernetes API serves or once served. */
export function isBuiltinKind(apiVersion: string, kind: string): boolean {
  return builtinKinds.has(`${apiVersion}/${kind}`) || REMOVED.some(([version, kinds]) => version === apiVersion && kinds.includes(kind));
}

/**
 * API versions removed from Kubernetes, with the release that removed them
 * (Kubernetes deprecated API migration guide, kubernetes.io/docs/reference/using-api/deprecation-guide/).
 */
const REMOVED: ReadonlyArray<readonly [string, readonly string[], string, string]> = [
  ['extensions/v1beta1', ['Deployment', 'DaemonSet', 'ReplicaSet'], '1.16', 'apps/v1'],
  ['extensions/v1beta1', ['NetworkPolicy'], '1.16', 'networking.k8s.io/v1'],
  ['extensions/v1beta1', ['PodSecurityPolicy'], '1.16', 'policy/v1beta1 (itself removed in 1.25: use Pod Security Admission)'],
  ['apps/v1beta1', ['Deployment', 'StatefulSet', 'ReplicaSet', 'ControllerRevision'], '1.16', 'apps/v1'],
  ['apps/v1beta2', ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ControllerRevision'], '1.16', 'apps/v1'],
  ['extensions/v1beta1', ['Ingress'], '1.22', 'networking.k8s.io/v1'],
  ['networking.k8s.io/v1beta1', ['Ingress', 'IngressClass'], '1.22', 'networking.k8s.io/v1'],
  ['policy/v1beta1', ['PodDisruptionBudget'], '1.25', 'policy/v1'],
  ['policy/v1beta1', ['PodSecurityPolicy'], '1.25', 'Pod Security Admission (no replacement kind)'],
  ['batch/v1beta1', ['CronJob'], '1.25', 'batch/v1'],
  ['autoscaling/v2beta1', ['HorizontalPodAutoscaler'], '1.25', 'autoscaling/v2'],
  ['autoscaling/v2beta2', ['HorizontalPodAutoscaler'], '1.26', 'autoscaling/v2'],
];

/**
 * API versions that reached GA after 1.16, with the release that first served them (the same
 * migration guide: "available since v1.N"). A cluster older than that rejects them.
 */
const INTRODUCED: ReadonlyArray<readonly [string, readonly string[], string]> = [
  ['networking.k8s.io/v1', ['Ingress', 'IngressClass'], '1.19'],
  ['policy/v1', ['PodDisruptionBudget'], '1.21'],
  ['batch/v1', ['CronJob'], '1.21'],
  ['discovery.k8s.io/v1', ['EndpointSlice'], '1.21'],
  ['autoscaling/v2', ['HorizontalPodAutoscaler'], '1.23'],
  // kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/ (GA 1.30) and
  // KEP-3962 (MutatingAdmissionPolicy: alpha 1.32, beta 1.34, GA 1.36).
  ['admissionregistration.k8s.io/v1', ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'], '1.30'],
  ['admissionregistration.k8s.io/v1', ['MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding'], '1.36'],
];

/** Why the API server of `clusterVersion` would not serve apiVersion/kind, if it would not. */
export type ApiProblem = { readonly removedIn: string; readonly replacement: string } | { readonly introducedIn: string };

/** Answers by `clusterVersion`, apiVersion and kind: an input holds few distinct ones, each asked for every object. */
const apiProblems = new Map<string, ApiProblem | null>();

/** Whether a cluster of `clusterVersion` serves apiVersion/kind (removed APIs; APIs too new). */
export function apiProblem(apiVersion: string, kind: string, clusterVersion: string): ApiProblem | undefined {
  const key = `${clusterVersion}\u0000${apiVersion}\u0000${kind}`;
  let answer = apiProblems.get(key);
  if (answer === undefined) {
    answer = findApiProblem(apiVersion, kind, clusterVersion) ?? null;
    // Bounded: arbitrary input names arbitrary kinds.
    if (apiProblems.size < 1024) apiProblems.set(key, answer);
  }
  return answer ?? undefined;
}

function findApiProblem(apiVersion: string, kind: string, clusterVersion: string): ApiProblem | undefined {
  for (const [version, kinds, removedIn, replacement] of REMOVED) {
    if (version === apiVersion && kinds.includes(kind) && compareVersions(clusterVersion, removedIn) >= 0) return { removedIn, replacement };
  }
  for (const [version, kinds, introducedIn] of INTRODUCED) {
    if (version === apiVersion && kinds.includes(kind) && compareVersions(clusterVersion, introducedIn) < 0) return { introducedIn };
  }
  return undefined;
}

/** Compares Kubernetes minor versions like `1.30`; returns <0, 0, >0. */
export function compareVersions(a: string, b: string): number {
  const [am, an] = minorVersion(a);
  const [bm, bn] = minorVersion(b);
  return am !== bm ? am - bm : an - bn;
}

/** Versions read so far: rules compare the same few versions for every workload. */
const minorVersions = new Map<string, readonly [number, number]>();

function minorVersion(version: string): readonly [number, number] {
  let found = minorVersions.get(version);
  if (!found) {
    const [major = 0, minor = 0] = version.split('.').map(Number);
    found = [major, minor];
    if (minorVersions.size < 256) minorVersions.set(version, found);
  }
  return found;
}
