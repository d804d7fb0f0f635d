/**
 * A cluster profile: the environment manifests run in. Every default of a built-in profile cites
 * its source in docs/profiles.md (the Kubernetes source, providers' docs and controllers, field reports).
 * Durations are in seconds.
 */

/** A latency distribution, in seconds. */
export interface Latency {
  readonly p50: number;
  readonly p99: number;
}

type Provider = 'generic' | 'alibaba' | 'aws' | 'gcp' | 'azure' | 'bare-metal';

/** Where a cloud load balancer sends traffic. */
export type LbBackend = 'node' | 'pod';

/** A provider's connection-drain setting: where manifests turn it on, and its timeouts. */
export interface ProviderDrain {
  /** Where it is set: on the Service, or on another object (BackendConfig, Ingress). */
  readonly on: 'service' | 'backendconfig' | 'ingress';
  /** Annotation keys that enable it (all must be set), e.g. the ACK pair. */
  readonly annotations: readonly string[];
  /** Valid timeout range in seconds, from the provider's docs. */
  readonly timeoutRange: readonly [number, number];
  /** The timeout rollsafe proposes when it fixes a missing drain setting. */
  readonly recommendedTimeoutSeconds: number;
  /** Set when the LB drains by default (e.g. ELBv2 deregistration delay 300 s): the timeout used when no annotation sets it. */
  readonly defaultTimeoutSeconds?: number;
  /** The timeout when draining is enabled without one (e.g. in-tree AWS CLB: 300 s); unset means the timeout is required. */
  readonly enabledTimeoutSeconds?: number;
}

/** The cloud load balancer in front of LoadBalancer Services (or the Ingress). */
export interface LoadBalancerProfile {
  /** Short name, e.g. `clb`, `alb`, `nlb`, `neg`. */
  readonly kind: string;
  /** `node`: nodes are the backends and kube-proxy forwards; `pod`: pods are the backends. */
  readonly backend: LbBackend;
  /** Endpoint change → LB stops sending to the backend (deregistration propagation). */
  readonly deregister: Latency;
  /** Endpoint change → LB sends to a new backend (registration + the checks a new target must pass). */
  readonly register: Latency;
  readonly healthCheck: {
    readonly intervalSeconds: number;
    /** Passing checks that bring an unhealthy backend back. */
    readonly healthyThreshold: number;
    readonly unhealthyThreshold: number;
    /**
     * Passing checks a newly registered target needs before it gets traffic; `healthyThreshold`
     * when unset. AWS: a new target "must pass one health check" (ALB target-group health checks).
     */
    readonly registrationChecks?: number;
  };
  /** The provider's connection-drain setting, when the LB has one. */
  readonly drain?: ProviderDrain;
  /**
   * How a node backend without a ready local endpoint (Local policy) leaves: `health-check` (the
   * default) — the LB stops sending new connections once its check of kube-proxy's
   * healthCheckNodePort fails, and open connections go on; `controller` — the cloud controller
   * also removes the node from the backends (ACK's CCM: under Local only nodes with pods are
   * backends), which ends its connections unless the LB drains.
   */
  readonly nodeRemoval?: 'health-check' | 'controller';
  /** The pod readiness gate condition that holds a rollout until the LB registered the pod. */
  readonly readinessGate?: string;
}

export interface Profile {
  readonly name: string;
  readonly description: string;
  readonly provider: Provider;
  readonly networkPlugin: string;
  readonly kubeProxyMode: 'iptables' | 'ipvs' | 'nftables' | 'none';
  /** Kubernetes minor version, e.g. `1.30`. */
  readonly k8sVersion: string;
  readonly nodes: number;
  /** Endpoint change → kube-proxy rules updated on every node. */
  readonly proxySync: Latency;
  /** Endpoint change → ingress controller stops routing (only with an ingress layer). */
  readonly ingress?: { readonly name: string; readonly sync: Latency };
  readonly loadBalancer?: LoadBalancerProfile;
  readonly app: {
    /** Time from container start until the app accepts requests. */
    readonly startupSeconds: number;
    /** Time the app needs after SIGTERM to finish in-flight work. */
    readonly drainSeconds: number;
    readonly sigterm: 'graceful' | 'exit' | 'ignore';
  };
  readonly traffic: {
    readonly rps: number;
    /** Share of requests sent on reused keep-alive connections, 0..1. */
    readonly keepAliveShare: number;
    readonly requestSeconds: number;
  };
}

/** The propagation budget of a workload: the slowest path's p99, its name and its distribution. */
export interface Budget {
  readonly seconds: number;
  readonly path: string;
  /** The slowest path's latency (p50, p99): the proposed preStop is derived from it. */
  readonly latency: Latency;
}

/**
 * The propagation budget: how long after a pod starts terminating some layer may still send it
 * new requests (p99 of the slowest path: kube-proxy, ingress, cloud LB). `loadBalancer` is the LB
 * that fronts the workload (the profile's by default; the domain passes the one a Service's own
 * annotations select, src/domain/routing.ts).
 */
export function propagationBudget(
  profile: Profile,
  options: { readonly viaLoadBalancer: boolean; readonly viaIngress: boolean },
  loadBalancer: LoadBalancerProfile | undefined = profile.loadBalancer,
): Budget {
  let budget: Budget = { seconds: profile.proxySync.p99, path: 'endpoint → kube-proxy', latency: profile.proxySync };
  if (options.viaIngress && profile.ingress && profile.ingress.sync.p99 > budget.seconds) {
    budget = { seconds: profile.ingress.sync.p99, path: `endpoint → ${profile.ingress.name}`, latency: profile.ingress.sync };
  }
  if (options.viaLoadBalancer && loadBalancer && loadBalancer.deregister.p99 > budget.seconds) {
    budget = { seconds: loadBalancer.deregister.p99, path: `endpoint → ${loadBalancer.kind.toUpperCase()} deregistration`, latency: loadBalancer.deregister };
  }
  return budget;
}
