/** Every branch of the advise decision procedure (docs/advise.md), with what it must decide. */
import jsYaml from 'js-yaml';
import type { KubeObject } from '../../src/advise/config.js';
import type { Advice } from '../../src/advise/decide.js';
import type { PlatformFacts } from '../../src/advise/facts.js';

export interface Branch {
  readonly id: string;
  readonly facts: Omit<PlatformFacts, 'k8sVersion' | 'preserveSourceIp' | 'lbQuotaTight'> & Partial<PlatformFacts>;
  readonly expect: {
    readonly mode: Advice['mode'];
    readonly podDirect?: Advice['podDirect'];
    readonly profile: string;
    readonly lbKind: string;
    readonly serviceType: Advice['serviceType'];
    readonly externalTrafficPolicy?: 'Cluster' | 'Local';
    readonly inPlaceRollout: boolean;
    readonly gate?: 'namespace-label' | 'injected';
    /** preStop, grace, LB drain, minReadySeconds. */
    readonly timing: readonly [number, number, number | undefined, number | undefined];
    /** Which comparison columns are available: cluster, local, pod-direct. */
    readonly available: readonly [boolean, boolean, boolean];
  };
}

const ACK = [35, 65, 30, undefined] as const;
/**
 * Cluster mode on node backends: every node stays a CLB backend, so only kube-proxy counts (p50
 * 1 s, p99 3 s; the proposed preStop is its 99.9th percentile, 4.3 s → 5 s), shorter than the
 * seed's sleep 30 (docs/profiles.md, Propagation budget).
 */
const ACK_CLUSTER = [5, 35, 30, undefined] as const;

export const BRANCHES: readonly Branch[] = [
  // The seed's conclusion, exactly.
  { id: 'alibaba terway → ENI', facts: { provider: 'alibaba', networkPlugin: 'terway' }, expect: { mode: 'pod-direct', podDirect: 'eni', profile: 'ack-terway', lbKind: 'clb', serviceType: 'LoadBalancer', inPlaceRollout: false, timing: [35, 65, 30, 36], available: [true, true, true] } },
  { id: 'alibaba terway, source IP + quota tight → still ENI', facts: { provider: 'alibaba', networkPlugin: 'terway', preserveSourceIp: true, lbQuotaTight: true }, expect: { mode: 'pod-direct', podDirect: 'eni', profile: 'ack-terway', lbKind: 'clb', serviceType: 'LoadBalancer', inPlaceRollout: false, timing: [35, 65, 30, 36], available: [true, true, true] } },
  { id: 'alibaba flannel, few LBs, no source IP → Cluster', facts: { provider: 'alibaba', networkPlugin: 'flannel' }, expect: { mode: 'cluster', profile: 'ack-flannel', lbKind: 'clb', serviceType: 'LoadBalancer', externalTrafficPolicy: 'Cluster', inPlaceRollout: false, timing: ACK_CLUSTER, available: [true, true, false] } },
  { id: 'alibaba flannel, source IP → Local + in-place', facts: { provider: 'alibaba', networkPlugin: 'flannel', preserveSourceIp: true }, expect: { mode: 'local', profile: 'ack-flannel', lbKind: 'clb', serviceType: 'LoadBalancer', externalTrafficPolicy: 'Local', inPlaceRollout: true, timing: ACK, available: [true, true, false] } },
  { id: 'alibaba flannel, quota tight → Local + in-place', facts: { provider: 'alibaba', networkPlugin: 'flannel', lbQuotaTight: true }, expect: { mode: 'local', profile: 'ack-flannel', lbKind: 'clb', serviceType: 'LoadBalancer', externalTrafficPolicy: 'Local', inPlaceRollout: true, timing: ACK, available: [true, true, false] } },
  { id: 'alibaba flannel, source IP + quota tight → Local + in-place', facts: { provider: 'alibaba', networkPlugin: 'flannel', preserveSourceIp: true, lbQuotaTight: true }, expect: { mode: 'local', profile: 'ack-flannel', lbKind: 'clb', serviceType: 'LoadBalancer', externalTrafficPolicy: 'Local', inPlaceRollout: true, timing: ACK, available: [true, true, false] } },
  // AWS: VPC CNI → IP targets + readiness gate; other CNIs → instance targets, Cluster or Local.
  { id: 'aws vpc-cni, NLB → IP targets + gate', facts: { provider: 'aws', networkPlugin: 'aws-vpc-cni' }, expect: { mode: 'pod-direct', podDirect: 'aws-ip', profile: 'eks-nlb-ip', lbKind: 'nlb', serviceType: 'LoadBalancer', inPlaceRollout: false, gate: 'namespace-label', timing: [132, 162, 71, undefined], available: [true, true, true] } },
  { id: 'aws vpc-cni, NLB, source IP → IP targets + client IP preservation', facts: { provider: 'aws', networkPlugin: 'amazon-vpc-cni', preserveSourceIp: true }, expect: { mode: 'pod-direct', podDirect: 'aws-ip', profile: 'eks-nlb-ip', lbKind: 'nlb', serviceType: 'LoadBalancer', inPlaceRollout: false, gate: 'namespace-label', timing: [132, 162, 71, undefined], available: [true, true, true] } },
  { id: 'aws vpc-cni, ALB → IP targets + gate', facts: { provider: 'aws', networkPlugin: 'aws-vpc-cni', lbKind: 'alb' }, expect: { mode: 'pod-direct', podDirect: 'aws-ip', profile: 'eks-alb-ip', lbKind: 'alb', serviceType: 'ClusterIP', inPlaceRollout: false, gate: 'namespace-label', timing: [27, 57, 30, undefined], available: [true, true, true] } },
  { id: 'aws calico, NLB → instance targets, Cluster', facts: { provider: 'aws', networkPlugin: 'calico' }, expect: { mode: 'cluster', profile: 'eks-instance', lbKind: 'nlb', serviceType: 'LoadBalancer', externalTrafficPolicy: 'Cluster', inPlaceRollout: false, timing: [5, 35, 30, undefined], available: [true, true, false] } },
  { id: 'aws calico, NLB, source IP → instance targets, Local + in-place', facts: { provider: 'aws', networkPlugin: 'calico', preserveSourceIp: true, lbQuotaTight: true }, expect: { mode: 'local', profile: 'eks-instance', lbKind: 'nlb', serviceType: 'LoadBalancer', externalTrafficPolicy: 'Local', inPlaceRollout: true, timing: [36, 66, 30, undefined], available: [true, true, false] } },
  { id: 'aws cilium, ALB, source IP → instance targets, Cluster (X-Forwarded-For)', facts: { provider: 'aws', networkPlugin: 'cilium', lbKind: 'alb', preserveSourceIp: true }, expect: { mode: 'cluster', profile: 'eks-instance', lbKind: 'alb', serviceType: 'NodePort', externalTrafficPolicy: 'Cluster', inPlaceRollout: false, timing: [5, 35, 30, undefined], available: [true, true, false] } },
  // GCP: VPC-native → Ingress with NEGs; a LoadBalancer Service (l4) → Cluster or Local.
  { id: 'gcp dataplane v2, Ingress → NEG', facts: { provider: 'gcp', networkPlugin: 'gke-dataplane-v2' }, expect: { mode: 'pod-direct', podDirect: 'gke-neg', profile: 'gke-neg', lbKind: 'ingress', serviceType: 'ClusterIP', inPlaceRollout: false, gate: 'injected', timing: [44, 74, 30, undefined], available: [true, true, true] } },
  { id: 'gcp calico, Ingress, source IP → NEG (X-Forwarded-For)', facts: { provider: 'gcp', networkPlugin: 'calico', preserveSourceIp: true }, expect: { mode: 'pod-direct', podDirect: 'gke-neg', profile: 'gke-neg', lbKind: 'ingress', serviceType: 'ClusterIP', inPlaceRollout: false, gate: 'injected', timing: [44, 74, 30, undefined], available: [true, true, true] } },
  { id: 'gcp vpc-native, L4 → Cluster', facts: { provider: 'gcp', networkPlugin: 'vpc-native', lbKind: 'l4', lbQuotaTight: true }, expect: { mode: 'cluster', profile: 'gke-neg', lbKind: 'l4', serviceType: 'LoadBalancer', externalTrafficPolicy: 'Cluster', inPlaceRollout: false, timing: [13, 43, undefined, undefined], available: [true, true, false] } },
  { id: 'gcp vpc-native, L4, source IP → Local + in-place', facts: { provider: 'gcp', networkPlugin: 'vpc-native', lbKind: 'l4', preserveSourceIp: true }, expect: { mode: 'local', profile: 'gke-neg', lbKind: 'l4', serviceType: 'LoadBalancer', externalTrafficPolicy: 'Local', inPlaceRollout: true, timing: [44, 74, undefined, undefined], available: [true, true, false] } },
  // Azure: the L4 Standard Load Balancer has node backends only.
  { id: 'azure azure-cni → Cluster', facts: { provider: 'azure', networkPlugin: 'azure-cni', lbQuotaTight: true }, expect: { mode: 'cluster', profile: 'aks', lbKind: 'slb', serviceType: 'LoadBalancer', externalTrafficPolicy: 'Cluster', inPlaceRollout: false, timing: [5, 35, undefined, undefined], available: [true, true, false] } },
  { id: 'azure kubenet, source IP → Local + in-place', facts: { provider: 'azure', networkPlugin: 'kubenet', preserveSourceIp: true }, expect: { mode: 'local', profile: 'aks', lbKind: 'slb', serviceType: 'LoadBalancer', externalTrafficPolicy: 'Local', inPlaceRollout: true, timing: [15, 45, undefined, undefined], available: [true, true, false] } },
  // Bare metal: MetalLB announces from nodes.
  { id: 'bare-metal calico → Cluster', facts: { provider: 'bare-metal', networkPlugin: 'calico' }, expect: { mode: 'cluster', profile: 'generic', lbKind: 'metallb', serviceType: 'LoadBalancer', externalTrafficPolicy: 'Cluster', inPlaceRollout: false, timing: [5, 35, undefined, undefined], available: [true, true, false] } },
  { id: 'bare-metal flannel, quota tight → Cluster + shared IP', facts: { provider: 'bare-metal', networkPlugin: 'flannel', lbQuotaTight: true }, expect: { mode: 'cluster', profile: 'generic', lbKind: 'metallb', serviceType: 'LoadBalancer', externalTrafficPolicy: 'Cluster', inPlaceRollout: false, timing: [5, 35, undefined, undefined], available: [true, true, false] } },
  { id: 'bare-metal cilium, source IP → Local + in-place', facts: { provider: 'bare-metal', networkPlugin: 'cilium', preserveSourceIp: true, lbQuotaTight: true }, expect: { mode: 'local', profile: 'generic', lbKind: 'metallb', serviceType: 'LoadBalancer', externalTrafficPolicy: 'Local', inPlaceRollout: true, timing: [30, 60, undefined, undefined], available: [true, true, false] } },
];

/** Versions around the ones that change the config or a rule: ProxyTerminatingEndpoints (1.26), native sleep (1.30). */
export const VERSIONS = ['1.21', '1.25', '1.26', '1.29', '1.30', '1.34'] as const;

export function factsOf(branch: Branch, k8sVersion: string): PlatformFacts {
  return { preserveSourceIp: false, lbQuotaTight: false, k8sVersion, ...branch.facts };
}

/** The objects as one multi-document YAML text, as `--format yaml` would write them. */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => `---\n${jsYaml.dump(o, { noRefs: true, lineWidth: -1 })}`).join('');
}

/** The object of a kind in a config (the first one). */
export function objectOf(objects: readonly KubeObject[], kind: string): Record<string, unknown> {
  const found = objects.find((o) => o['kind'] === kind);
  if (!found) throw new Error(`no ${kind} in the config`);
  return found;
}

/** A value at a path of plain data (keys and indexes). */
export function at(value: unknown, ...path: ReadonlyArray<string | number>): unknown {
  let node = value;
  for (const key of path) node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
  return node;
}
