/**
 * What each provider's decision returns and the pieces the providers share: the Service modes,
 * the side-by-side comparison of them, and the reasons that recur.
 */
import type { ResolvedFacts } from './facts.js';
import { cite, type Cited, SOURCES as S } from './sources.js';
import { hasProxyTerminatingEndpoints } from '../domain/versions.js';

/** Cluster: nodes are the backends and kube-proxy may forward across nodes; Local: only nodes with a pod; pod-direct: pods are the backends. */
export type ServiceMode = 'cluster' | 'local' | 'pod-direct';

/** How pods become LB backends: ACK ENI, AWS LBC IP targets, GKE NEG endpoints. */
export type PodDirectKind = 'eni' | 'aws-ip' | 'gke-neg';

/** The Service type the advised config uses. */
export type ServiceType = 'LoadBalancer' | 'ClusterIP' | 'NodePort';

/** How the rollout waits for the LB to register new pods. */
export interface ReadinessGate {
  readonly conditionType: string;
  readonly how: 'namespace-label' | 'injected';
}

/** The four aspects of the seed's Service comparison (图 10 Service 对比). */
export const ASPECTS = ['lbQuota', 'sourceIp', 'crossNodeHop', 'interruptionRisk'] as const;
export type Aspect = (typeof ASPECTS)[number];

/** Human labels of {@link ASPECTS}. */
export const ASPECT_LABELS: Readonly<Record<Aspect, string>> = {
  lbQuota: 'LB quota',
  sourceIp: 'source IP',
  crossNodeHop: 'cross-node hop',
  interruptionRisk: 'interruption risk',
};

/** One candidate mode in the side-by-side comparison. */
export interface ModeColumn {
  readonly mode: ServiceMode;
  readonly label: string;
  readonly recommended: boolean;
  readonly available: boolean;
  /** Why the mode is not available on these facts. */
  readonly unavailable?: Cited;
  readonly cells: Readonly<Record<Aspect, Cited>>;
}

/** The part of the advice each provider decides; the rest is common. */
export interface Decision {
  readonly mode: ServiceMode;
  readonly podDirect?: PodDirectKind;
  readonly summary: string;
  readonly profile: string;
  readonly exposure: 'service' | 'ingress';
  readonly serviceType: ServiceType;
  readonly readinessGate?: ReadinessGate;
  /** Pods are LB backends and nothing holds the rollout until the LB registered them. */
  readonly needsMinReady?: boolean;
  readonly reasons: readonly Cited[];
  readonly notes: readonly Cited[];
  readonly comparison: readonly ModeColumn[];
}

/** Candidate columns, before the decision marks one of them. */
export type Columns = Record<ServiceMode, Omit<ModeColumn, 'recommended'>>;

export function column(mode: ServiceMode, label: string, cells: Record<Aspect, Cited>, unavailable?: Cited): Omit<ModeColumn, 'recommended'> {
  return unavailable ? { mode, label, available: false, unavailable, cells } : { mode, label, available: true, cells };
}

export function mark(columns: Columns, chosen: ServiceMode): ModeColumn[] {
  return (['cluster', 'local', 'pod-direct'] as const).map((m) => ({ ...columns[m], recommended: m === chosen }));
}

/** Why the in-place rollout matters at this version (KEP-1669 ProxyTerminatingEndpoints). */
export function localVersionReason(version: string): Cited {
  return hasProxyTerminatingEndpoints(version)
    ? cite(`Kubernetes ${version} has ProxyTerminatingEndpoints (1.26+): kube-proxy keeps sending to a terminating pod that still serves, so the preStop sleep also covers a node's last pod; the in-place rollout still keeps every node serving and the node set stable`, S.termination)
    : cite(`Kubernetes ${version} has no ProxyTerminatingEndpoints (1.26+): once a node's last pod terminates, kube-proxy there has no endpoint while the LB still sends to the node, so the in-place rollout is what prevents the failures`, S.termination, S.seedIptables);
}

export function inPlaceReason(): Cited {
  return cite('in-place rollout: maxUnavailable 0 and maxSurge 50% start a new pod before an old one stops, and a preferred nodeAffinity to labelled nodes creates it on the same nodes, so every node keeps a Running pod during the update', S.seedLocal);
}

export function labelNodesNote(): Cited {
  return cite('label the nodes the pods should stay on (kubectl label node NODE deploy=NAME, NAME = the Deployment) and keep more replicas than labelled nodes', S.seedLocal);
}

export const K8S_SOURCE_IP_LOST = (how: string): Cited => cite(`lost: ${how}`, S.k8sTrafficPolicy);

/** Cluster or Local where nodes are the only backends: the seed's Flannel procedure without the ACK quota argument. */
export function nodeBacked(f: ResolvedFacts, columns: Columns, profile: string, notes: Cited[], lb: string): Decision {
  const platformSources = f.provider === 'bare-metal' ? [S.metallbUsage] : f.provider === 'azure' ? [S.azure] : [S.gke];
  if (!f.preserveSourceIp) {
    const quotaWhy = f.lbQuotaTight && f.provider === 'bare-metal' ? '; with few addresses, Cluster is also what lets Services share one' : '';
    return {
      mode: 'cluster',
      summary: 'Cluster-mode Service + graceful termination + readiness probe',
      profile,
      exposure: 'service',
      serviceType: 'LoadBalancer',
      reasons: [
        cite(`${lb}; the client source IP is not needed → Cluster mode + graceful termination + readiness probe (the seed's Flannel case${quotaWhy})`, S.seedConclusion, ...platformSources),
        cite('Cluster mode: a node without a pod forwards to other nodes, so no request reaches a node without endpoints', S.seedIptables),
      ],
      notes: [...notes, cite('the price: the client source IP is lost; if it starts to matter, advise again with --preserve-source-ip', S.k8sTrafficPolicy)],
      comparison: mark(columns, 'cluster'),
    };
  }
  return {
    mode: 'local',
    summary: 'Local-mode Service + graceful termination + readiness probe + in-place rollout',
    profile,
    exposure: 'service',
    serviceType: 'LoadBalancer',
    reasons: [
      cite(`${lb}; the client source IP must be kept → Local mode + graceful termination + readiness probe + in-place rollout (the seed's Flannel case)`, S.seedConclusion, ...platformSources),
      cite('Local mode delivers only to the node\'s own pods, without masquerading the client address', S.k8sTrafficPolicy),
      inPlaceReason(),
      localVersionReason(f.k8sVersion),
    ],
    notes: [labelNodesNote(), ...notes],
    comparison: mark(columns, 'local'),
  };
}
