/**
 * The sources `rollsafe advise` cites, one place so that every reason, trade-off and note names
 * the same text. `seed` is the design folder's article (DESIGN.md §1); `knowledge/` paths name the
 * research notes, which name their originals; URLs are original sources read for advise
 * (docs/advise.md lists them all).
 */
export const SOURCES = {
  seedConclusion: 'seed, 结论 (conclusion)',
  seedNewPod: 'seed, 新建 Pod (new pod: readiness probe)',
  seedPodConfig: 'seed, Pod 配置 (preStop; terminationGracePeriodSeconds ≥ preStop + 30 s)',
  seedIptables: 'seed, 删除 Pod → iptables/ipvs (Cluster, Local and ENI modes)',
  seedSlb: 'seed, 删除 Pod → SLB (connection draining on the load balancer)',
  seedCluster: 'seed, Service 配置 → Cluster 模式',
  seedLocal: 'seed, Service 配置 → Local 模式 (in-place rollout)',
  seedEni: 'seed, Service 配置 → ENI 模式',
  ack: 'knowledge/cloud-load-balancers.md §1 (ACK)',
  aws: 'knowledge/cloud-load-balancers.md §2 (AWS Load Balancer Controller)',
  gke: 'knowledge/cloud-load-balancers.md §3 (GKE NEG)',
  azure: 'knowledge/cloud-load-balancers.md §4 (Azure)',
  agic: 'knowledge/cloud-load-balancers.md §4a (AGIC)',
  latency: 'knowledge/cloud-load-balancers.md §5 (propagation latencies)',
  termination: 'knowledge/termination.md (feature versions)',
  rollout: 'knowledge/rollout-algorithm.md',
  budget: 'docs/profiles.md (propagation budget; the preStop proposed by the rules: the slowest path\'s 99.9th percentile)',
  k8sTrafficPolicy:
    'Kubernetes API, Service spec.externalTrafficPolicy: Local delivers "only to the node-local endpoints ... without masquerading the client source IP" (https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/)',
  lbcNlb: 'AWS LBC, Network Load Balancer (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/nlb/)',
  lbcIngressGroup: 'AWS LBC, Ingress annotations, group.name (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/)',
  awsNlbClientIp: 'AWS NLB target group attributes, client IP preservation (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html)',
  awsAlbXff: 'AWS ALB, X-Forwarded-For (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html)',
  gcpXff: 'Google Cloud external Application Load Balancer, X-Forwarded-For (https://cloud.google.com/load-balancing/docs/https#x-forwarded-for_header)',
  gkeIngress: 'GKE Ingress configuration: BackendConfig, kubernetes.io/ingress.class "gce" (https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration)',
  metallbUsage: 'MetalLB usage: traffic policies, IP address sharing (https://metallb.universe.tf/usage/)',
  metallbBgp: 'MetalLB in BGP mode, limitations (https://metallb.universe.tf/concepts/bgp/)',
  metallbL2: 'MetalLB in layer 2 mode, leader election and failover (https://metallb.universe.tf/concepts/layer2/)',
  profiles: 'docs/profiles.md',
} as const;

/** A statement and where it comes from (one or more of {@link SOURCES}). */
export interface Cited {
  readonly text: string;
  readonly sources: readonly string[];
}

/** Builds a cited statement. */
export function cite(text: string, ...sources: readonly string[]): Cited {
  return { text, sources };
}
