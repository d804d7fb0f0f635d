/**
 * The sources `rollsafe advise` cites, one place so that every reason, trade-off and note names
 * the same text. `seed…` entries are sections of the Alibaba Cloud article the procedure comes
 * from; the others name the providers' and Kubernetes' own documents (docs/advise.md lists them all).
 */
export const SOURCES = {
  seedConclusion: 'Alibaba Cloud, "更新应用时，如何实现 K8s 零中断滚动更新？" (https://www.kubernetes.org.cn/7714.html), 结论 (conclusion)',
  seedNewPod: 'the same article, 新建 Pod (new pod: readiness probe)',
  seedPodConfig: 'the same article, Pod 配置 (preStop; terminationGracePeriodSeconds ≥ preStop + 30 s)',
  seedIptables: 'the same article, 删除 Pod → iptables/ipvs (Cluster, Local and ENI modes)',
  seedSlb: 'the same article, 删除 Pod → SLB (connection draining on the load balancer)',
  seedCluster: 'the same article, Service 配置 → Cluster 模式',
  seedLocal: 'the same article, Service 配置 → Local 模式 (in-place rollout)',
  seedEni: 'the same article, Service 配置 → ENI 模式',
  ack: 'ACK docs, "Use annotations to configure a CLB instance" (connection draining, ENI backends) and "A 503 error occurs when you access the CLB instance during an application update"; kubernetes/cloud-provider-alibaba-cloud docs/usage.md',
  aws: 'AWS Load Balancer Controller docs: pod readiness gate (docs/deploy/pod_readiness_gate.md), target types, deregistration delay (https://kubernetes-sigs.github.io/aws-load-balancer-controller/); EKS Best Practices, load balancing: preStop sleep',
  gke: 'GKE container-native load balancing (https://cloud.google.com/kubernetes-engine/docs/how-to/container-native-load-balancing) and BackendConfig connection draining (https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration)',
  azure: 'AKS, "Use a public standard load balancer" (health probes); cloud-provider-azure Service annotations (no connection draining on the L4 load balancer)',
  agic: 'Application Gateway Ingress Controller, "Minimizing Downtime During Deployments" (preStop ≥ 90 s, connection draining annotations)',
  latency: 'propagation latencies: kube-proxy minSyncPeriod 1 s (kubernetes#92836), EKS Best Practices (sleep 10), aws-load-balancer-controller#1064 and #2366, Google KB "502 503 errors on external HTTP(s) Load Balancer"; every number in docs/profiles.md',
  termination: 'KEP-1669 ProxyTerminatingEndpoints (beta 1.26, GA 1.28), KEP-3960 PodLifecycleSleepAction (beta 1.30, GA 1.34)',
  rollout: 'Kubernetes docs, Deployments: rolling update (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/); pkg/controller/deployment/rolling.go',
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
