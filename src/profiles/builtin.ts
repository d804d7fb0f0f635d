/**
 * The built-in cluster profiles. Every number cites its primary source in a comment and in
 * docs/profiles.md. Rule for latency numbers that only recommended sleeps or field reports give:
 * p99 is the upper end and p50 the middle of the range.
 */
import { DEFAULT_K8S_VERSION } from '../schema/kinds.js';
import type { Latency, LoadBalancerProfile, Profile, ProviderDrain } from './types.js';

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
    timeoutRange: [10, 900], // ACK "Use annotations to configure a CLB instance"
    recommendedTimeoutSeconds: 30, // ACK NLB annotation doc example connection-drain-timeout "30"
  },
  /** AWS LB Controller, ALB: `deregistration_delay.timeout_seconds=N` in a stringMap. */
  'aws-alb': {
    on: 'ingress',
    annotations: ['alb.ingress.kubernetes.io/target-group-attributes'],
    timeoutRange: [0, 3600], // ELBv2 TargetGroupAttribute API reference
    recommendedTimeoutSeconds: 30, // LBC annotation docs example deregistration_delay.timeout_seconds=30
    defaultTimeoutSeconds: 300, // ELBv2 TargetGroupAttribute: "The default value is 300 seconds."
  },
  /** AWS LB Controller, NLB: `deregistration_delay.timeout_seconds=N` in a stringMap. */
  'aws-nlb': {
    on: 'service',
    annotations: ['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes'],
    timeoutRange: [0, 3600], // ELBv2 TargetGroupAttribute API reference
    recommendedTimeoutSeconds: 30, // LBC annotation docs example deregistration_delay.timeout_seconds=30
    defaultTimeoutSeconds: 300, // ELBv2 TargetGroupAttribute: "The default value is 300 seconds."
  },
  /** Legacy in-tree cloud-provider-aws CLB (instance backends only). */
  'aws-clb-in-tree': {
    on: 'service',
    annotations: [
      'service.beta.kubernetes.io/aws-load-balancer-connection-draining-enabled',
      'service.beta.kubernetes.io/aws-load-balancer-connection-draining-timeout',
    ],
    timeoutRange: [1, 3600], // cloud-provider-aws docs/service_controller.md
    recommendedTimeoutSeconds: 30, // same value as the other AWS examples; the in-tree default is 300
    enabledTimeoutSeconds: 300, // cloud-provider-aws service_controller.md: connection-draining-timeout default 300
  },
  /** GKE: BackendConfig `spec.connectionDraining.drainingTimeoutSec`, linked from the Service. */
  'gke-backendconfig': {
    on: 'backendconfig',
    annotations: ['cloud.google.com/backend-config'],
    timeoutRange: [0, 3600], // cloud.google.com/load-balancing/docs/enabling-connection-draining
    recommendedTimeoutSeconds: 30, // no GKE example; the 30 s used by the ACK and AWS examples and the default grace period
  },
} as const satisfies Readonly<Record<string, ProviderDrain>>;
deepFreeze(DRAIN_SETTINGS);

/**
 * Endpoint change → kube-proxy's rules on every node, in a small cluster (a few nodes) with the
 * upstream configuration: kube-proxy syncs at most once per `minSyncPeriod`, 1 s by default since
 * kubernetes#92836 (pkg/proxy/apis/config/v1alpha1/defaults.go), after the watch delivers the
 * EndpointSlice change (milliseconds in a small cluster) and before iptables-restore applies it
 * (milliseconds for a few Services). About a second; p99 3 s covers a restore slowed by a busy
 * node (assumption: no published small-cluster measurement).
 */
const KUBE_PROXY_SYNC: Latency = { p50: 1, p99: 3 };

/**
 * GKE's kube-proxy: the GCE kube-up scripts, which GKE nodes share, start it with
 * `--iptables-min-sync-period=10s` (cluster/gce/gci/configure-helper.sh, start-kube-proxy). During
 * a rollout endpoint changes come faster than that, so a change waits up to 10 s for the next
 * allowed sync: uniform over [0, 10] s, p50 5 s.
 */
const GKE_KUBE_PROXY_SYNC: Latency = { p50: 5, p99: 10 };

/**
 * Endpoint change → ingress-nginx's Lua balancer: the controller syncs at most 0.3 times a
 * second (`--sync-rate-limit`, docs/user-guide/cli-arguments.md), i.e. once per 3.3 s, and the
 * nginx workers pick up the POSTed backends within `BACKENDS_SYNC_INTERVAL = 1` s
 * (rootfs/etc/nginx/lua/balancer.lua): at most about 4.3 s, p99 5 s with the watch.
 */
const INGRESS_NGINX_SYNC: Latency = { p50: 2.5, p99: 5 };

/**
 * Registration is modeled, not measured: the same controller/cloud-API path as deregistration,
 * then the passing health checks a new target needs (`registrationChecks`, else
 * `healthyThreshold`) but the last: the simulator runs that one on the LB's own clock after the
 * registration (src/sim/routing.ts), so `register` is the time until the target is registered
 * and waits for its final check.
 */
function registration(deregister: Latency, healthCheck: HealthCheck): Latency {
  const checks = ((healthCheck.registrationChecks ?? healthCheck.healthyThreshold) - 1) * healthCheck.intervalSeconds;
  return { p50: deregister.p50 + checks, p99: deregister.p99 + checks };
}

/** Registration plus the final check the simulator adds: when a new target gets traffic, at the latest. */
export function registeredAndChecked(lb: LoadBalancerProfile): number {
  return lb.register.p99 + lb.healthCheck.intervalSeconds;
}

function loadBalancer(lb: Omit<LoadBalancerProfile, 'register'>): LoadBalancerProfile {
  return { ...lb, register: registration(lb.deregister, lb.healthCheck) };
}

/**
 * A load balancer that follows the nodes' health checks of kube-proxy's healthCheckNodePort
 * (externalTrafficPolicy: Local): the check answers 503 once kube-proxy has synced a node with
 * no ready local endpoint (pkg/proxy/healthcheck/service_health.go; it counts ready endpoints
 * only), then the LB takes the node out after `unhealthyThreshold` failed checks on its own clock
 * ((threshold − 1)·interval to threshold·interval later) and back in after `healthyThreshold`
 * passing ones. p50: kube-proxy's p50 + (threshold − ½)·interval; p99: kube-proxy's p99 +
 * threshold·interval.
 */
function healthChecked(proxySync: Latency, lb: Omit<LoadBalancerProfile, 'register' | 'deregister'>): LoadBalancerProfile {
  const hc = lb.healthCheck;
  const after = (threshold: number): Latency => ({ p50: proxySync.p50 + (threshold - 0.5) * hc.intervalSeconds, p99: proxySync.p99 + threshold * hc.intervalSeconds });
  return { ...lb, deregister: after(hc.unhealthyThreshold), register: after(hc.healthyThreshold) };
}

/**
 * The health check of a generic L4 load balancer on node backends: the one the upstream GCE cloud
 * provider gives a Local Service's healthCheckNodePort (kubernetes/cloud-provider-gcp
 * providers/gce/gce.go: interval 8 s, healthy threshold 1, unhealthy threshold 3, "3 * 8 = 24
 * seconds before the LB will steer traffic away"). Slower than the Azure (5 s × 2), Alibaba
 * (2 s × 3) and in-tree AWS NLB (10 s × 2) defaults; only the legacy AWS Classic LB (10 s × 6,
 * cloud-provider-aws aws_loadbalancer.go) is slower.
 */
const GENERIC_L4_HEALTH_CHECK: HealthCheck = { intervalSeconds: 8, healthyThreshold: 1, unhealthyThreshold: 3 };

/**
 * The load balancer a LoadBalancer Service with `externalTrafficPolicy: Local` proves under a
 * profile that names none: something health-checks the nodes' healthCheckNodePort (that is what
 * the port is for), sends to nodes, and has no drain setting rollsafe knows.
 */
export function genericNodeLoadBalancer(proxySync: Latency): LoadBalancerProfile {
  return deepFreeze(healthChecked(proxySync, { kind: 'l4', backend: 'node', healthCheck: GENERIC_L4_HEALTH_CHECK }));
}

/** Fields every profile shares; all of them are assumptions the user should override. */
const COMMON = {
  kubeProxyMode: 'iptables', // kube-proxy's default mode on Linux (assumption: not per-provider sourced)
  k8sVersion: DEFAULT_K8S_VERSION, // assumption: conservative, still common on managed clouds
  nodes: 3, // assumption
  proxySync: KUBE_PROXY_SYNC,
  app: {
    startupSeconds: 10, // assumption: app-specific
    drainSeconds: 30, // assumption; ACK 503 troubleshooting: grace ≥ preStop + 30 s; default grace 30 s (Pod lifecycle docs)
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
  backend: 'node', // cloud-provider-alibaba-cloud docs/usage.md: no backend-type annotation ⇒ node/ECS backends
  // No published CCM removal time; range = ACK's own preStop advice: 10 s (ALB Ingress) – 30 s (CLB 503 doc).
  deregister: { p50: 20, p99: 30 },
  healthCheck: {
    intervalSeconds: 2, // docs/usage.md health-check-interval default 2
    healthyThreshold: 3, // docs/usage.md healthy-threshold default 3
    unhealthyThreshold: 3, // docs/usage.md unhealthy-threshold default 3
  },
  drain: DRAIN_SETTINGS['alibaba-clb'],
  // cloud-provider-alibaba-cloud docs/usage.md: with externalTrafficPolicy Local only nodes with pods are backends.
  nodeRemoval: 'controller',
});

const ALB_HEALTH_CHECK: HealthCheck = {
  intervalSeconds: 15, // LBC docs/guide/ingress/annotations.md healthcheck-interval-seconds '15'
  healthyThreshold: 2, // LBC docs/guide/ingress/annotations.md healthy-threshold-count '2'
  unhealthyThreshold: 2, // LBC docs/guide/ingress/annotations.md unhealthy-threshold-count '2'
  // AWS ALB docs, target-group health checks: "After your target is registered, it must pass one
  // health check to be considered healthy"; the healthy threshold is for an unhealthy target.
  registrationChecks: 1,
};

/** Condition-type prefix of the AWS LB Controller readiness gate (IP targets only). */
const AWS_READINESS_GATE = 'target-health.elbv2.k8s.aws'; // LBC docs/deploy/pod_readiness_gate.md

const NLB_HEALTH_CHECK: HealthCheck = {
  intervalSeconds: 10, // LBC docs/guide/service/annotations.md healthcheck-interval 10
  healthyThreshold: 3, // LBC docs/guide/service/annotations.md healthcheck-healthy-threshold 3
  unhealthyThreshold: 3, // LBC docs/guide/service/annotations.md healthcheck-unhealthy-threshold 3
};

/**
 * The AWS load balancers of the AWS Load Balancer Controller, by kind and target type, so that a
 * Service's own annotations can pick one whatever the profile (an NLB Service under an ALB
 * profile). IP targets: deregistration from field reports; instance targets are nodes, registered
 * for the node's life, that leave only when the LB's health check of the node fails (a Local
 * Service's node without a ready pod).
 */
export function awsLoadBalancer(kind: 'alb' | 'nlb', backend: 'pod' | 'node', proxySync: Latency): LoadBalancerProfile {
  const alb = kind === 'alb';
  const healthCheck = alb ? ALB_HEALTH_CHECK : NLB_HEALTH_CHECK;
  const drain = DRAIN_SETTINGS[alb ? 'aws-alb' : 'aws-nlb'];
  if (backend === 'node') return deepFreeze(healthChecked(proxySync, { kind, backend, healthCheck, drain }));
  // ALB: preStop 15–25 s reported, aws-load-balancer-controller#1064 needed 25 s. NLB: 60–120 s
  // reported, #2366 "at least 2 minutes", #3270.
  const deregister = alb ? { p50: 20, p99: 25 } : { p50: 90, p99: 120 };
  const lb = loadBalancer({ kind, backend, deregister, healthCheck, drain, readinessGate: AWS_READINESS_GATE });
  // NLB: "It can take a few minutes for the registration process to complete and health checks to
  // start" (AWS NLB docs); about 120 s measured (awsdocs NLB guide PR #11).
  return deepFreeze(alb ? lb : { ...lb, register: { p50: 120, p99: 150 } });
}

function profile(p: Omit<Profile, keyof typeof COMMON> & Partial<Profile>): Profile {
  return deepFreeze({ ...COMMON, ...p });
}

const GENERIC = profile({
  name: 'generic',
  description: 'kube-proxy only, no cloud load balancer and no ingress layer. A small cluster (3 nodes), kube-proxy minSyncPeriod 1 s.',
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
      'Alibaba Cloud ACK with Terway; CLB with node backends (pods\' ENIs become backends with backend-type: eni). A small cluster (3 nodes), kube-proxy minSyncPeriod 1 s.',
    provider: 'alibaba',
    networkPlugin: 'terway',
    loadBalancer: ACK_CLB,
  }),
  profile({
    name: 'ack-flannel',
    description: 'Alibaba Cloud ACK with Flannel; CLB with node backends (Flannel does not support ENI backends). A small cluster (3 nodes), kube-proxy minSyncPeriod 1 s.',
    provider: 'alibaba',
    networkPlugin: 'flannel',
    loadBalancer: ACK_CLB,
  }),
  profile({
    name: 'eks-alb-ip',
    description: 'Amazon EKS, AWS Load Balancer Controller ALB with target-type ip (pods are targets). A small cluster (3 nodes), kube-proxy minSyncPeriod 1 s.',
    provider: 'aws',
    networkPlugin: 'amazon-vpc-cni', // LBC docs: ip mode needs VPC-native pod IPs
    loadBalancer: awsLoadBalancer('alb', 'pod', KUBE_PROXY_SYNC),
  }),
  profile({
    name: 'eks-nlb-ip',
    description: 'Amazon EKS, AWS Load Balancer Controller NLB with ip targets (pods are targets). A small cluster (3 nodes), kube-proxy minSyncPeriod 1 s.',
    provider: 'aws',
    networkPlugin: 'amazon-vpc-cni',
    loadBalancer: awsLoadBalancer('nlb', 'pod', KUBE_PROXY_SYNC),
  }),
  profile({
    name: 'eks-instance',
    description: 'Amazon EKS, AWS Load Balancer Controller with instance targets (nodes are targets, kube-proxy forwards). A small cluster (3 nodes), kube-proxy minSyncPeriod 1 s.',
    provider: 'aws',
    networkPlugin: 'amazon-vpc-cni',
    loadBalancer: awsLoadBalancer('alb', 'node', KUBE_PROXY_SYNC),
  }),
  profile({
    name: 'gke-neg',
    description: 'Google GKE, container-native load balancing through NEGs (pods are backends). A small cluster (3 nodes), kube-proxy minSyncPeriod 10 s (GKE).',
    provider: 'gcp',
    networkPlugin: 'vpc-native', // GKE standalone NEG docs: NEGs need VPC-native clusters
    proxySync: GKE_KUBE_PROXY_SYNC,
    loadBalancer: loadBalancer({
      kind: 'neg',
      backend: 'pod',
      deregister: { p50: 30, p99: 40 }, // GKE NEG preStop 20–40 s; Google KB 502/503 example sleep 40
      healthCheck: {
        intervalSeconds: 5, // Google KB 502/503: NEG health check "once every 5 secs"
        healthyThreshold: 1, // ingress-gce pkg/healthchecks DefaultHealthyThreshold = 1
        unhealthyThreshold: 2, // Google KB 502/503: "threshold of 2 failed HC"
      },
      drain: DRAIN_SETTINGS['gke-backendconfig'],
      readinessGate: 'cloud.google.com/load-balancer-neg-ready', // kubernetes/ingress-gce PR #834
    }),
  }),
  profile({
    name: 'aks',
    description: 'Azure AKS, Standard Load Balancer with node backends; no connection-drain setting at L4. A small cluster (3 nodes), kube-proxy minSyncPeriod 1 s.',
    provider: 'azure',
    networkPlugin: 'azure-cni', // assumption
    // Probe-driven: the probe of kube-proxy's healthCheckNodePort fails once kube-proxy has synced,
    // then the node leaves after num-of-probe 2 failed probes 5 s apart.
    loadBalancer: healthChecked(KUBE_PROXY_SYNC, {
      kind: 'slb',
      backend: 'node',
      healthCheck: {
        intervalSeconds: 5, // cloud-provider-azure consts HealthProbeDefaultProbeInterval = 5 (ARM default 15)
        healthyThreshold: 1, // assumption: no source found for the probe-up count
        unhealthyThreshold: 2, // cloud-provider-azure consts HealthProbeDefaultNumOfProbe = 2
      },
    }),
  }),
  deepFreeze({
    ...withIngressNginx(GENERIC),
    name: 'ingress-nginx',
    description: 'kube-proxy and the ingress-nginx controller as ingress layer; no cloud load balancer. A small cluster (3 nodes), kube-proxy minSyncPeriod 1 s.',
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
