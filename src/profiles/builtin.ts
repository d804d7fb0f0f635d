/**
 * The built-in cluster profiles. Every number cites its source in a comment and in
 * docs/profiles.md. Rule for latency numbers: when a source gives a range of observed or
 * recommended delays, p99 is the upper end and p50 the middle of the range.
 * Abbreviations in comments: [CLB] = knowledge/cloud-load-balancers.md, [TERM] =
 * knowledge/termination.md, [DESIGN] = DESIGN.md §5.
 */
import type { Latency, LoadBalancerProfile, Profile } from './types.js';

/** A provider's connection-drain setting, as modeled on {@link LoadBalancerProfile}. */
export type DrainSetting = NonNullable<LoadBalancerProfile['drain']>;

type HealthCheck = LoadBalancerProfile['healthCheck'];

/** Name suffix that adds the ingress-nginx layer to any built-in profile. */
export const INGRESS_NGINX_SUFFIX = '+ingress-nginx';

/**
 * Every connection-drain setting rollsafe knows, keyed by id, so rules can recognise a drain
 * setting of any provider (e.g. the in-tree AWS CLB pair, which no built-in profile uses).
 */
export const DRAIN_SETTINGS = {
  /** ACK CLB (and NLB): both annotations required; TCP/UDP listeners only; CCM ≥ v2.0.1. */
  'alibaba-clb': {
    on: 'service',
    annotations: [
      'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain',
      'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout',
    ],
    timeoutRange: [10, 900], // [CLB §1] ACK "configure a CLB instance" annotations doc
    recommendedTimeoutSeconds: 30, // [CLB §1] ACK NLB annotation doc example connection-drain-timeout "30"
  },
  /** AWS LB Controller, ALB: `deregistration_delay.timeout_seconds=N` in a stringMap. */
  'aws-alb': {
    on: 'ingress',
    annotations: ['alb.ingress.kubernetes.io/target-group-attributes'],
    timeoutRange: [0, 3600], // [CLB §2] ELBv2 TargetGroupAttribute API reference
    recommendedTimeoutSeconds: 30, // [CLB §2] LBC annotation docs example deregistration_delay.timeout_seconds=30
    defaultTimeoutSeconds: 300, // [CLB §2] ELBv2 TargetGroupAttribute: "The default value is 300 seconds."
  },
  /** AWS LB Controller, NLB: `deregistration_delay.timeout_seconds=N` in a stringMap. */
  'aws-nlb': {
    on: 'service',
    annotations: ['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes'],
    timeoutRange: [0, 3600], // [CLB §2] ELBv2 TargetGroupAttribute API reference
    recommendedTimeoutSeconds: 30, // [CLB §2] LBC annotation docs example deregistration_delay.timeout_seconds=30
    defaultTimeoutSeconds: 300, // [CLB §2] ELBv2 TargetGroupAttribute: "The default value is 300 seconds."
  },
  /** Legacy in-tree cloud-provider-aws CLB (instance backends only). */
  'aws-clb-in-tree': {
    on: 'service',
    annotations: [
      'service.beta.kubernetes.io/aws-load-balancer-connection-draining-enabled',
      'service.beta.kubernetes.io/aws-load-balancer-connection-draining-timeout',
    ],
    timeoutRange: [1, 3600], // [CLB §2] cloud-provider-aws docs/service_controller.md
    recommendedTimeoutSeconds: 30, // same value as the other AWS examples ([CLB §2]); the in-tree default is 300
    enabledTimeoutSeconds: 300, // [CLB §2] service_controller.md: connection-draining-timeout default 300
  },
  /** GKE: BackendConfig `spec.connectionDraining.drainingTimeoutSec`, linked from the Service. */
  'gke-backendconfig': {
    on: 'backendconfig',
    annotations: ['cloud.google.com/backend-config'],
    timeoutRange: [0, 3600], // [CLB §3] cloud.google.com/load-balancing/docs/enabling-connection-draining
    recommendedTimeoutSeconds: 30, // no GKE example; the 30 s used by the ACK and AWS examples and the default grace period [TERM]
  },
} as const satisfies Readonly<Record<string, DrainSetting>>;
deepFreeze(DRAIN_SETTINGS);

/** Endpoint change → kube-proxy on every node: in-cluster guidance 5–10 s [CLB §5] (EKS BP sleep 10, GitLab !2199 sleep 5). */
const KUBE_PROXY_SYNC: Latency = { p50: 7.5, p99: 10 };

/** Endpoint change → ingress-nginx Lua balancer: same in-cluster watch path, 5–10 s [CLB §5]. */
const INGRESS_NGINX_SYNC: Latency = { p50: 7.5, p99: 10 };

/**
 * Registration is modeled, not measured: the same controller/cloud-API path as deregistration,
 * then `healthyThreshold` passing health checks.
 */
function registration(deregister: Latency, healthCheck: HealthCheck): Latency {
  const checks = healthCheck.healthyThreshold * healthCheck.intervalSeconds;
  return { p50: deregister.p50 + checks, p99: deregister.p99 + checks };
}

function loadBalancer(lb: Omit<LoadBalancerProfile, 'register'>): LoadBalancerProfile {
  return { ...lb, register: registration(lb.deregister, lb.healthCheck) };
}

/** Fields every profile shares; all of them are assumptions the user should override. */
const COMMON = {
  kubeProxyMode: 'iptables', // kube-proxy's default mode on Linux (assumption: not per-provider sourced)
  k8sVersion: '1.30', // [DESIGN] conservative default, still common on managed clouds
  nodes: 3, // assumption
  proxySync: KUBE_PROXY_SYNC,
  app: {
    startupSeconds: 10, // assumption: app-specific
    drainSeconds: 30, // assumption; ACK: grace ≥ preStop + 30 s for the app to finish [CLB §1]; default grace 30 s [TERM]
    sigterm: 'graceful', // assumption: app-specific
  },
  traffic: {
    rps: 100, // assumption
    keepAliveShare: 0.5, // assumption
    requestSeconds: 0.05, // assumption
  },
} as const satisfies Partial<Profile>;

/** ACK CLB: node (ECS) backends unless `service.beta.kubernetes.io/backend-type: eni` (Terway only). */
const ACK_CLB = loadBalancer({
  kind: 'clb',
  backend: 'node', // [CLB §1] usage.md: no backend-type annotation ⇒ node/ECS backends
  // No published CCM removal time [CLB §1]; range = ACK's own preStop advice: 10 s (ALB Ingress) – 30 s (CLB 503 doc).
  deregister: { p50: 20, p99: 30 },
  healthCheck: {
    intervalSeconds: 2, // [CLB §1] usage.md health-check-interval default 2
    healthyThreshold: 3, // [CLB §1] usage.md healthy-threshold default 3
    unhealthyThreshold: 3, // [CLB §1] usage.md unhealthy-threshold default 3
  },
  drain: DRAIN_SETTINGS['alibaba-clb'],
});

const ALB_HEALTH_CHECK: HealthCheck = {
  intervalSeconds: 15, // LBC docs/guide/ingress/annotations.md healthcheck-interval-seconds '15' (not in knowledge/)
  healthyThreshold: 2, // LBC docs/guide/ingress/annotations.md healthy-threshold-count '2' (not in knowledge/)
  unhealthyThreshold: 2, // LBC docs/guide/ingress/annotations.md unhealthy-threshold-count '2' (not in knowledge/)
};

/** Condition-type prefix of the AWS LB Controller readiness gate (IP targets only). */
const AWS_READINESS_GATE = 'target-health.elbv2.k8s.aws'; // [CLB §2] pod_readiness_gate.md

function profile(p: Omit<Profile, keyof typeof COMMON> & Partial<Profile>): Profile {
  return deepFreeze({ ...COMMON, ...p });
}

const GENERIC = profile({
  name: 'generic',
  description: 'kube-proxy only, no cloud load balancer and no ingress layer.',
  provider: 'generic',
  networkPlugin: 'any',
});

/**
 * Adds the ingress-nginx controller as an ingress layer. ingress-nginx proxies to pod IPs and
 * updates its upstreams without a reload, so it has its own propagation path next to kube-proxy.
 */
export function withIngressNginx(base: Profile): Profile {
  if (base.ingress?.name === 'ingress-nginx') return base;
  return deepFreeze({
    ...base,
    name: `${base.name}${INGRESS_NGINX_SUFFIX}`,
    description: `${base.description} With the ingress-nginx controller as ingress layer.`,
    ingress: { name: 'ingress-nginx', sync: INGRESS_NGINX_SYNC },
  });
}

const PROFILES: readonly Profile[] = [
  GENERIC,
  profile({
    name: 'ack-terway',
    description:
      'Alibaba Cloud ACK with Terway; CLB with node backends (pods\' ENIs become backends with backend-type: eni).',
    provider: 'alibaba',
    networkPlugin: 'terway',
    loadBalancer: ACK_CLB,
  }),
  profile({
    name: 'ack-flannel',
    description: 'Alibaba Cloud ACK with Flannel; CLB with node backends (Flannel does not support ENI backends).',
    provider: 'alibaba',
    networkPlugin: 'flannel',
    loadBalancer: ACK_CLB,
  }),
  profile({
    name: 'eks-alb-ip',
    description: 'Amazon EKS, AWS Load Balancer Controller ALB with target-type ip (pods are targets).',
    provider: 'aws',
    networkPlugin: 'amazon-vpc-cni', // LBC docs: ip mode needs VPC-native pod IPs
    loadBalancer: loadBalancer({
      kind: 'alb',
      backend: 'pod',
      deregister: { p50: 20, p99: 25 }, // [CLB §2] ALB preStop 15–25 s typical; #1064 needed 25 s
      healthCheck: ALB_HEALTH_CHECK,
      drain: DRAIN_SETTINGS['aws-alb'],
      readinessGate: AWS_READINESS_GATE,
    }),
  }),
  profile({
    name: 'eks-nlb-ip',
    description: 'Amazon EKS, AWS Load Balancer Controller NLB with ip targets (pods are targets).',
    provider: 'aws',
    networkPlugin: 'amazon-vpc-cni',
    loadBalancer: loadBalancer({
      kind: 'nlb',
      backend: 'pod',
      deregister: { p50: 90, p99: 120 }, // [CLB §2] NLB ip 60–120 s reported; #2366 "at least 2 minutes"
      healthCheck: {
        intervalSeconds: 10, // LBC docs/guide/service/annotations.md healthcheck-interval 10 (not in knowledge/)
        healthyThreshold: 3, // LBC docs/guide/service/annotations.md healthcheck-healthy-threshold 3 (not in knowledge/)
        unhealthyThreshold: 3, // LBC docs/guide/service/annotations.md healthcheck-unhealthy-threshold 3 (not in knowledge/)
      },
      drain: DRAIN_SETTINGS['aws-nlb'],
      readinessGate: AWS_READINESS_GATE,
    }),
  }),
  profile({
    name: 'eks-instance',
    description: 'Amazon EKS, AWS Load Balancer Controller with instance targets (nodes are targets, kube-proxy forwards).',
    provider: 'aws',
    networkPlugin: 'amazon-vpc-cni',
    loadBalancer: loadBalancer({
      kind: 'alb',
      backend: 'node',
      // GitLab auto-deploy !183 "in most cases can be 10 seconds" – #2106 (ALB, instance targets) no 502s at 70 s [CLB §2, §5]
      deregister: { p50: 40, p99: 70 },
      healthCheck: ALB_HEALTH_CHECK,
      drain: DRAIN_SETTINGS['aws-alb'],
    }),
  }),
  profile({
    name: 'gke-neg',
    description: 'Google GKE, container-native load balancing through NEGs (pods are backends).',
    provider: 'gcp',
    networkPlugin: 'vpc-native', // [CLB §3] NEGs need VPC-native clusters
    loadBalancer: loadBalancer({
      kind: 'neg',
      backend: 'pod',
      deregister: { p50: 30, p99: 40 }, // [CLB §3, §5] GKE NEG preStop 20–40 s; Google KB example sleep 40
      healthCheck: {
        intervalSeconds: 5, // [CLB §3] Google KB: NEG health check "once every 5 secs"
        healthyThreshold: 1, // ingress-gce pkg/healthchecks DefaultHealthyThreshold = 1 (not in knowledge/)
        unhealthyThreshold: 2, // [CLB §3] Google KB: "threshold of 2 failed HC"
      },
      drain: DRAIN_SETTINGS['gke-backendconfig'],
      readinessGate: 'cloud.google.com/load-balancer-neg-ready', // [CLB §3]
    }),
  }),
  profile({
    name: 'aks',
    description: 'Azure AKS, Standard Load Balancer with node backends; no connection-drain setting at L4.',
    provider: 'azure',
    networkPlugin: 'azure-cni', // assumption
    loadBalancer: loadBalancer({
      kind: 'slb',
      backend: 'node',
      // Probe-driven, measured from the endpoint change: the probe of kube-proxy's healthCheckNodePort
      // fails only once kube-proxy has seen the change (5–10 s [CLB §5]), then the node leaves after
      // 1–2 probe intervals, 5–10 s (num-of-probe 2 × interval 5 s): 10–20 s.
      deregister: { p50: 15, p99: 20 },
      healthCheck: {
        intervalSeconds: 5, // cloud-provider-azure consts HealthProbeDefaultProbeInterval = 5 (ARM default 15 [CLB §4])
        healthyThreshold: 1, // assumption: no source found for the probe-up count
        unhealthyThreshold: 2, // cloud-provider-azure consts HealthProbeDefaultNumOfProbe = 2
      },
    }),
  }),
  deepFreeze({
    ...withIngressNginx(GENERIC),
    name: 'ingress-nginx',
    description: 'kube-proxy and the ingress-nginx controller as ingress layer; no cloud load balancer.',
  }),
];

/** The built-in profiles by name, sorted by name. */
export const BUILTIN_PROFILES: ReadonlyMap<string, Profile> = new Map(
  [...PROFILES].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((p) => [p.name, p]),
);

/** The built-in profile `name`, or `NAME+ingress-nginx`; undefined when there is no such profile. */
export function findBuiltinProfile(name: string): Profile | undefined {
  if (name.endsWith(INGRESS_NGINX_SUFFIX)) {
    const base = BUILTIN_PROFILES.get(name.slice(0, -INGRESS_NGINX_SUFFIX.length));
    return base && withIngressNginx(base);
  }
  return BUILTIN_PROFILES.get(name);
}

/** Freezes a plain data tree so that no caller can change a shared profile. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
