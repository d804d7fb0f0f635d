/**
 * The decision procedure of the Alibaba Cloud article on zero-interruption rolling updates
 * (https://www.kubernetes.org.cn/7714.html, 结论), extended to AWS, GCP, Azure and bare metal:
 * platform facts → the Service mode, the built-in profile that models it, and every reason and
 * trade-off with its source. Pure: no I/O. docs/advise.md has the procedure as tables.
 */
import { awsLoadBalancer, findBuiltinProfile, genericNodeLoadBalancer, registeredAndChecked } from '../profiles/builtin.js';
import { propagationBudget, type Profile } from '../profiles/types.js';
import { drainCoveringPreStop, recommendedPreStopSeconds } from '../domain/prestop.js';
import { hasProxyTerminatingEndpoints, hasSleepAction } from '../domain/versions.js';
import { compareVersions } from '../schema/kinds.js';
import { cite, SOURCES as S, type Cited } from './sources.js';
import { RollsafeError } from '../errors.js';

export type AdviseProvider = 'alibaba' | 'aws' | 'gcp' | 'azure' | 'bare-metal';

/** What the advice is decided from. */
export interface PlatformFacts {
  readonly provider: AdviseProvider;
  /** Network plugin (CNI), e.g. `terway`, `flannel`, `aws-vpc-cni`, `gke-dataplane-v2`, `azure-cni`, `calico`. */
  readonly networkPlugin: string;
  /** Load balancer kind; the provider's default when unset (see {@link LB_KINDS}). */
  readonly lbKind?: string;
  /** The application must see the client's source IP address. */
  readonly preserveSourceIp: boolean;
  /** Load balancer quota is tight (many LoadBalancer Services, few addresses). */
  readonly lbQuotaTight: boolean;
  /** Kubernetes minor version, `1.<minor>` (a patch or a leading `v` is accepted). */
  readonly k8sVersion: string;
}

/** The facts after validation: canonical plugin name, load balancer kind resolved, version `1.<minor>`. */
export interface ResolvedFacts extends PlatformFacts {
  readonly lbKind: string;
}

/** Cluster: nodes are the backends and kube-proxy may forward across nodes; Local: only nodes with a pod; pod-direct: pods are the backends. */
type ServiceMode = 'cluster' | 'local' | 'pod-direct';

/** How pods become LB backends: ACK ENI, AWS LBC IP targets, GKE NEG endpoints. */
type PodDirectKind = 'eni' | 'aws-ip' | 'gke-neg';

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

/** The numbers of graceful termination, computed as the rules compute them. */
interface Timing {
  /** The profile's propagation budget (p99 of the slowest path). */
  readonly budgetSeconds: number;
  readonly budgetPath: string;
  /** The slowest path's 99.9th percentile, rounded up (src/domain/prestop.ts `recommendedPreStopSeconds`). */
  readonly preStopSeconds: number;
  /** `sleep` (native action, 1.30+) or `exec` (`sleep N` in the image). */
  readonly preStopAction: 'sleep' | 'exec';
  readonly appDrainSeconds: number;
  /** preStop + app drain: what the rules' fixes set. */
  readonly gracePeriodSeconds: number;
  /** The load balancer's connection-drain timeout, where it has one. */
  readonly lbDrainSeconds?: number;
  /** Set when pods are LB backends without a readiness gate: LB registration p99. */
  readonly minReadySeconds?: number;
}

/** What `rollsafe advise` recommends. */
export interface Advice {
  readonly facts: ResolvedFacts;
  readonly mode: ServiceMode;
  readonly podDirect?: PodDirectKind;
  /** One line: the recommended setup. */
  readonly summary: string;
  /** The built-in profile that models the platform: the config passes `rollsafe check` under it. */
  readonly profile: string;
  /** `service`: a LoadBalancer Service is the LB; `ingress`: an Ingress creates it. */
  readonly exposure: 'service' | 'ingress';
  readonly serviceType: 'LoadBalancer' | 'ClusterIP' | 'NodePort';
  /** Set for node-backed modes (Cluster or Local); unset when pods are the backends. */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  /** The seed's in-place rollout: maxUnavailable 0, maxSurge 50%, preferred nodeAffinity. */
  readonly inPlaceRollout: boolean;
  /** How the rollout waits for the LB to register new pods. */
  readonly readinessGate?: { readonly conditionType: string; readonly how: 'namespace-label' | 'injected' };
  readonly timing: Timing;
  /** Why, each with its source; the first is the decision itself. */
  readonly reasons: readonly Cited[];
  /** The candidate modes side by side. */
  readonly comparison: readonly ModeColumn[];
  /** Trade-offs and steps the config cannot take for you. */
  readonly notes: readonly Cited[];
}

export const PROVIDERS: readonly AdviseProvider[] = ['alibaba', 'aws', 'gcp', 'azure', 'bare-metal'];

const PROVIDER_ALIASES: Readonly<Record<string, AdviseProvider>> = {
  aliyun: 'alibaba',
  'alibaba-cloud': 'alibaba',
  ack: 'alibaba',
  eks: 'aws',
  google: 'gcp',
  gke: 'gcp',
  aks: 'azure',
  baremetal: 'bare-metal',
  'on-prem': 'bare-metal',
};

/**
 * Network plugins per provider. `podIps`: pods have addresses the provider's LB can target
 * (Terway ENIs, Amazon VPC CNI, GKE VPC-native alias IPs).
 */
export const NETWORK_PLUGINS: Readonly<Record<AdviseProvider, Readonly<Record<string, { readonly podIps: boolean }>>>> = {
  alibaba: { terway: { podIps: true }, flannel: { podIps: false } },
  aws: { 'aws-vpc-cni': { podIps: true }, calico: { podIps: false }, cilium: { podIps: false } },
  gcp: { 'gke-dataplane-v2': { podIps: true }, 'vpc-native': { podIps: true }, calico: { podIps: true } },
  azure: { 'azure-cni': { podIps: false }, 'azure-cni-overlay': { podIps: false }, kubenet: { podIps: false }, cilium: { podIps: false }, calico: { podIps: false } },
  'bare-metal': {
    calico: { podIps: false },
    cilium: { podIps: false },
    flannel: { podIps: false },
    canal: { podIps: false },
    weave: { podIps: false },
    'kube-router': { podIps: false },
    antrea: { podIps: false },
    'kube-ovn': { podIps: false },
  },
};

const PLUGIN_ALIASES: Readonly<Record<string, string>> = {
  'amazon-vpc-cni': 'aws-vpc-cni',
  'vpc-cni': 'aws-vpc-cni',
  'dataplane-v2': 'gke-dataplane-v2',
  dpv2: 'gke-dataplane-v2',
  'gke-vpc-native': 'vpc-native',
};

/** Load balancer kinds per provider; the first is the default. */
export const LB_KINDS: Readonly<Record<AdviseProvider, readonly string[]>> = {
  alibaba: ['clb'],
  aws: ['nlb', 'alb'],
  gcp: ['ingress', 'l4'],
  azure: ['slb'],
  'bare-metal': ['metallb'],
};

/** Load balancers rollsafe knows of but cannot advise for yet, with the reason. */
const UNSUPPORTED_LB: Readonly<Record<string, string>> = {
  'aws/clb': 'the legacy in-tree Classic Load Balancer is not advised: the EKS Best Practices call the in-tree controller legacy; use --lb nlb or --lb alb (AWS Load Balancer Controller)',
  'azure/agic': 'rollsafe has no profile for the Application Gateway Ingress Controller yet (pods are its backends and it needs preStop ≥ 90 s: AGIC "Minimizing Downtime During Deployments"); model it in a profile file (docs/profiles.md) and use --lb slb here',
  'azure/application-gateway': 'rollsafe has no profile for the Application Gateway Ingress Controller yet (AGIC "Minimizing Downtime During Deployments"); model it in a profile file (docs/profiles.md) and use --lb slb here',
  'alibaba/nlb': 'ACK NLB needs zone maps (vSwitch IDs) that rollsafe cannot know, and no built-in profile models it; use --lb clb',
  'alibaba/alb': 'ACK ALB Ingress has no built-in profile; use --lb clb',
};

/** The oldest version advised: policy/v1 PodDisruptionBudget is GA in 1.21 (policy/v1beta1 was removed in 1.25). */
const MIN_K8S_VERSION = '1.21';

function providerOf(value: string): AdviseProvider {
  const name = value.trim().toLowerCase();
  const provider = (PROVIDERS as readonly string[]).includes(name) ? (name as AdviseProvider) : PROVIDER_ALIASES[name];
  if (provider === undefined) throw new RollsafeError('unknown-provider', `unknown provider "${value}"; use one of: ${PROVIDERS.join(', ')}`);
  return provider;
}

function pluginOf(provider: AdviseProvider, value: string): string {
  const raw = value.trim().toLowerCase();
  const name = PLUGIN_ALIASES[raw] ?? raw;
  const known = NETWORK_PLUGINS[provider];
  if (Object.hasOwn(known, name)) return name;
  const list = Object.keys(known).join(', ');
  const elsewhere = PROVIDERS.filter((p) => Object.hasOwn(NETWORK_PLUGINS[p], name));
  if (elsewhere.length > 0) {
    throw new RollsafeError('unsupported-plugin', `network plugin "${value}" does not run on ${provider} (it is a plugin of ${elsewhere.join(', ')}); on ${provider} use one of: ${list}`);
  }
  throw new RollsafeError('unknown-plugin', `unknown network plugin "${value}" for ${provider}; use one of: ${list}`);
}

function lbKindOf(provider: AdviseProvider, value: string | undefined): string {
  const kinds = LB_KINDS[provider];
  if (value === undefined || value.trim() === '') return kinds[0] ?? '';
  const name = value.trim().toLowerCase();
  if (kinds.includes(name)) return name;
  const reason = UNSUPPORTED_LB[`${provider}/${name}`];
  if (reason) throw new RollsafeError('unsupported-lb', `--lb ${name} on ${provider}: ${reason}`);
  throw new RollsafeError('unsupported-lb', `unknown load balancer kind "${value}" for ${provider}; use one of: ${kinds.join(', ')}`);
}

/** `1.30`, `v1.30`, `1.30.2` → `1.30`; anything else is an error. */
function normalizeVersion(value: string): string {
  const m = /^v?(1)\.(\d+)(?:\.\d+)?$/.exec(value.trim());
  if (!m) throw new RollsafeError('invalid-version', `invalid Kubernetes version "${value}": expected 1.<minor>, e.g. 1.30`);
  const version = `${m[1] ?? '1'}.${Number(m[2])}`;
  if (compareVersions(version, MIN_K8S_VERSION) < 0) {
    throw new RollsafeError('unsupported-version', `Kubernetes ${version} is older than ${MIN_K8S_VERSION}: the advised config uses policy/v1 PodDisruptionBudget (GA in 1.21) and networking.k8s.io/v1 Ingress (1.19)`);
  }
  return version;
}

/** Validates and normalizes facts. @throws {RollsafeError} for an unknown provider, plugin, LB kind or version, or a plugin of another provider. */
export function resolveFacts(facts: PlatformFacts): ResolvedFacts {
  const provider = providerOf(facts.provider);
  if (facts.networkPlugin.trim() === '') throw new RollsafeError('missing-fact', `the network plugin is required; on ${provider} use one of: ${Object.keys(NETWORK_PLUGINS[provider]).join(', ')}`);
  return {
    provider,
    networkPlugin: pluginOf(provider, facts.networkPlugin),
    lbKind: lbKindOf(provider, facts.lbKind),
    preserveSourceIp: facts.preserveSourceIp,
    lbQuotaTight: facts.lbQuotaTight,
    k8sVersion: normalizeVersion(facts.k8sVersion),
  };
}

/** The part of the advice each provider decides; the rest is common. */
interface Decision {
  readonly mode: ServiceMode;
  readonly podDirect?: PodDirectKind;
  readonly summary: string;
  readonly profile: string;
  readonly exposure: 'service' | 'ingress';
  readonly serviceType: Advice['serviceType'];
  readonly readinessGate?: Advice['readinessGate'];
  /** Pods are LB backends and nothing holds the rollout until the LB registered them. */
  readonly needsMinReady?: boolean;
  readonly reasons: readonly Cited[];
  readonly notes: readonly Cited[];
  readonly comparison: readonly ModeColumn[];
}

/** Candidate columns, before the decision marks one of them. */
type Columns = Record<ServiceMode, Omit<ModeColumn, 'recommended'>>;

function column(mode: ServiceMode, label: string, cells: Record<Aspect, Cited>, unavailable?: Cited): Omit<ModeColumn, 'recommended'> {
  return unavailable ? { mode, label, available: false, unavailable, cells } : { mode, label, available: true, cells };
}

function mark(columns: Columns, chosen: ServiceMode): ModeColumn[] {
  return (['cluster', 'local', 'pod-direct'] as const).map((m) => ({ ...columns[m], recommended: m === chosen }));
}

/** Why the in-place rollout matters at this version (KEP-1669 ProxyTerminatingEndpoints). */
function localVersionReason(version: string): Cited {
  return hasProxyTerminatingEndpoints(version)
    ? cite(`Kubernetes ${version} has ProxyTerminatingEndpoints (1.26+): kube-proxy keeps sending to a terminating pod that still serves, so the preStop sleep also covers a node's last pod; the in-place rollout still keeps every node serving and the node set stable`, S.termination)
    : cite(`Kubernetes ${version} has no ProxyTerminatingEndpoints (1.26+): once a node's last pod terminates, kube-proxy there has no endpoint while the LB still sends to the node, so the in-place rollout is what prevents the failures`, S.termination, S.seedIptables);
}

function inPlaceReason(): Cited {
  return cite('in-place rollout: maxUnavailable 0 and maxSurge 50% start a new pod before an old one stops, and a preferred nodeAffinity to labelled nodes creates it on the same nodes, so every node keeps a Running pod during the update', S.seedLocal);
}

function labelNodesNote(): Cited {
  return cite('label the nodes the pods should stay on (kubectl label node NODE deploy=NAME, NAME = the Deployment) and keep more replicas than labelled nodes', S.seedLocal);
}

const K8S_SOURCE_IP_LOST = (how: string): Cited => cite(`lost: ${how}`, S.k8sTrafficPolicy);

// ---------------------------------------------------------------------------------------------
// Alibaba Cloud ACK: the seed's own procedure.

function alibaba(f: ResolvedFacts): Decision {
  const terway = f.networkPlugin === 'terway';
  const columns: Columns = {
    cluster: column('cluster', 'Cluster', {
      lbQuota: cite('every node is an SLB backend: uses the SLB quota fast (an ECS takes at most 50 SLBs by default)', S.seedCluster),
      sourceIp: cite('lost: forwarding to another node is NATed', S.seedCluster),
      crossNodeHop: cite('yes, when the node has no pod of the Service', S.seedCluster),
      interruptionRisk: cite('no node-routing gap: a node without a pod forwards to other nodes', S.seedIptables),
    }),
    local: column('local', 'Local', {
      lbQuota: cite('only nodes that run a pod are SLB backends: uses the quota slowly', S.seedLocal),
      sourceIp: cite('kept', S.seedLocal),
      crossNodeHop: cite('none', S.seedLocal),
      interruptionRisk: cite('a node whose last pod terminates still gets SLB traffic, unless the rollout is in place (maxUnavailable 0, maxSurge, nodeAffinity)', S.seedIptables, S.seedLocal),
    }),
    'pod-direct': column(
      'pod-direct',
      'ENI (pod-direct)',
      {
        lbQuota: cite("the pods' ENIs are the SLB backends; no node is attached", S.seedEni, S.ack),
        sourceIp: cite('kept', S.seedEni),
        crossNodeHop: cite('none: the SLB sends to the pod, bypassing kube-proxy', S.seedEni),
        interruptionRisk: cite('no iptables/ipvs gap; the CLB has no readiness gate for new pods, so minReadySeconds holds old pods while the CLB registers new ones', S.seedEni, S.ack, S.rollout),
      },
      terway ? undefined : cite('Flannel does not support ENI backends (Terway only)', S.ack),
    ),
  };
  const drainNote = cite('connection draining applies to TCP and UDP listeners only and needs the cloud controller manager v2.0.1 or later', S.ack);
  if (terway) {
    const ignored: Cited[] = [];
    if (f.preserveSourceIp || f.lbQuotaTight) ignored.push(cite('the source-IP and quota facts do not change the choice: ENI mode keeps the client source IP and attaches no node to the SLB', S.seedEni));
    return {
      mode: 'pod-direct',
      podDirect: 'eni',
      summary: 'ENI-mode Service (service.beta.kubernetes.io/backend-type: "eni") + graceful termination + readiness probe',
      profile: 'ack-terway',
      exposure: 'service',
      serviceType: 'LoadBalancer',
      needsMinReady: true,
      reasons: [
        cite('Terway → ENI-mode Service + graceful termination + readiness probe (the seed\'s recommended setup)', S.seedConclusion),
        cite('ENI mode attaches the pods to the SLB and bypasses kube-proxy: no iptables/ipvs gap, and the client source IP is kept', S.seedEni),
      ],
      notes: [...ignored, cite('a reused (shared) CLB does not support ENI backends: give this Service its own CLB', S.ack), drainNote],
      comparison: mark(columns, 'pod-direct'),
    };
  }
  const local = f.preserveSourceIp || f.lbQuotaTight;
  const why = [f.lbQuotaTight ? 'many SLBs (quota tight)' : '', f.preserveSourceIp ? 'the client source IP must be kept' : ''].filter(Boolean).join(' and ');
  if (!local) {
    return {
      mode: 'cluster',
      summary: 'Cluster-mode Service + graceful termination + readiness probe',
      profile: 'ack-flannel',
      exposure: 'service',
      serviceType: 'LoadBalancer',
      reasons: [
        cite('Flannel with few SLBs and no need for the client source IP → Cluster mode + graceful termination + readiness probe', S.seedConclusion),
        cite('Cluster mode: a node without a pod forwards to other nodes, so no request reaches a node without endpoints', S.seedIptables),
      ],
      notes: [cite('the price: every node is attached to every SLB (quota) and the client source IP is lost; if either starts to matter, advise again with --lb-quota-tight or --preserve-source-ip', S.seedCluster), drainNote],
      comparison: mark(columns, 'cluster'),
    };
  }
  return {
    mode: 'local',
    summary: 'Local-mode Service + graceful termination + readiness probe + in-place rollout',
    profile: 'ack-flannel',
    exposure: 'service',
    serviceType: 'LoadBalancer',
    reasons: [
      cite(`Flannel and ${why} → Local mode + graceful termination + readiness probe + in-place rollout`, S.seedConclusion),
      cite('Local mode attaches only the nodes that run a pod and keeps the client source IP', S.seedLocal),
      inPlaceReason(),
      localVersionReason(f.k8sVersion),
    ],
    notes: [labelNodesNote(), drainNote],
    comparison: mark(columns, 'local'),
  };
}

// ---------------------------------------------------------------------------------------------
// AWS: the AWS Load Balancer Controller. The Amazon VPC CNI gives pods VPC addresses (the seed's
// Terway), so pods are IP targets; other CNIs leave instance targets (the seed's Flannel).

function aws(f: ResolvedFacts): Decision {
  const ipTargets = NETWORK_PLUGINS.aws[f.networkPlugin]?.podIps === true;
  const alb = f.lbKind === 'alb';
  const lbName = alb ? 'ALB' : 'NLB';
  const quota = alb ? cite('one ALB per Ingress (Ingresses can share one through an IngressGroup)', S.lbcIngressGroup) : cite('one NLB per Service, whatever the mode', S.lbcNlb);
  const xff = cite('in the X-Forwarded-For header: the ALB proxies HTTP, so the connection comes from the ALB', S.awsAlbXff);
  const columns: Columns = {
    cluster: column('cluster', 'Cluster (instance targets)', {
      lbQuota: quota,
      sourceIp: alb ? xff : K8S_SOURCE_IP_LOST('kube-proxy masquerades what it forwards to another node'),
      crossNodeHop: cite(`yes: the ${lbName} sends to a NodePort on any node and kube-proxy forwards`, S.lbcNlb, S.aws),
      interruptionRisk: cite('no node-routing gap; the LB health check tests the NodePort, not the pod', S.aws),
    }),
    local: column('local', 'Local (instance targets)', {
      lbQuota: quota,
      sourceIp: alb ? xff : cite('kept: instance targets preserve the client IP and Local does not masquerade', S.awsNlbClientIp, S.k8sTrafficPolicy),
      crossNodeHop: cite('none', S.k8sTrafficPolicy),
      interruptionRisk: cite('a node whose last pod terminates still gets traffic until the health check fails it, unless the rollout is in place', S.seedIptables, S.seedLocal),
    }),
    'pod-direct': column(
      'pod-direct',
      'IP targets (pod-direct)',
      {
        lbQuota: quota,
        sourceIp: alb ? xff : cite('not by default for TCP IP targets; preserve_client_ip.enabled=true keeps it', S.awsNlbClientIp),
        crossNodeHop: cite(`none: the ${lbName} sends to pod IPs`, S.lbcNlb, S.aws),
        interruptionRisk: cite(`the readiness gate closes the registration race; deregistration is slow (${alb ? 'ALB 15–25 s' : 'NLB ip 60–120 s reported'}), so the preStop sleep is long`, S.aws, S.latency),
      },
      ipTargets ? undefined : cite('IP targets need pods with VPC addresses (Amazon VPC CNI)', S.lbcNlb),
    ),
  };
  const notes: Cited[] = [cite(`the AWS Load Balancer Controller creates an internal ${lbName} by default; add ${alb ? 'alb.ingress.kubernetes.io/scheme' : 'service.beta.kubernetes.io/aws-load-balancer-scheme'}: internet-facing for one on the internet`, S.lbcNlb)];
  if (f.lbQuotaTight) {
    notes.push(
      alb
        ? cite('quota tight: give Ingresses the same alb.ingress.kubernetes.io/group.name so one ALB serves them all; the Service mode does not change the count', S.lbcIngressGroup)
        : cite('quota tight: each LoadBalancer Service gets its own NLB whatever the mode; an ALB with an IngressGroup (--lb alb) serves many Services from one load balancer', S.lbcNlb, S.lbcIngressGroup),
    );
  }
  if (alb && f.preserveSourceIp) notes.push(cite('the ALB passes the client address in X-Forwarded-For; for the address on the connection itself use --lb nlb', S.awsAlbXff));
  if (ipTargets) {
    const reasons = [
      cite(`Amazon VPC CNI → ${lbName} with IP targets + readiness gate + graceful termination + readiness probe: pods have VPC addresses, so the ${lbName} sends to them directly (the seed's ENI mode)`, S.aws, S.lbcNlb, S.seedConclusion),
      cite('the namespace label elbv2.k8s.aws/pod-readiness-gate-inject: enabled makes the controller inject the target-health gate, so the rollout waits until the LB sees each new pod healthy (aws-load-balancer-controller#1124)', S.aws),
    ];
    if (!alb && f.preserveSourceIp) reasons.push(cite('preserve_client_ip.enabled=true: NLB IP targets with TCP do not keep the client address by default', S.awsNlbClientIp));
    notes.push(cite('the gate is injected when a pod is created: the config lists the Namespace first; pods created before the label get the gate on their next rollout', S.aws));
    if (!alb) notes.push(cite('NLB IP deregistration was measured at about 2 minutes whatever the deregistration delay (aws-load-balancer-controller#2366), hence the long preStop sleep', S.aws));
    return {
      mode: 'pod-direct',
      podDirect: 'aws-ip',
      summary: `${lbName} with IP targets + pod readiness gate + graceful termination + readiness probe`,
      profile: alb ? 'eks-alb-ip' : 'eks-nlb-ip',
      exposure: alb ? 'ingress' : 'service',
      serviceType: alb ? 'ClusterIP' : 'LoadBalancer',
      readinessGate: { conditionType: 'target-health.elbv2.k8s.aws', how: 'namespace-label' },
      reasons,
      notes,
      comparison: mark(columns, 'pod-direct'),
    };
  }
  notes.push(cite(`with ${f.networkPlugin} the pods have no VPC addresses; if they do (e.g. Cilium in ENI mode), advise with --network-plugin aws-vpc-cni for IP targets`, S.lbcNlb));
  const local = f.preserveSourceIp && !alb;
  if (!local) {
    return {
      mode: 'cluster',
      summary: `${lbName} with instance targets, Cluster mode + graceful termination + readiness probe`,
      profile: 'eks-instance',
      exposure: alb ? 'ingress' : 'service',
      serviceType: alb ? 'NodePort' : 'LoadBalancer',
      reasons: [
        cite(`${f.networkPlugin} gives pods no VPC addresses → instance targets (the seed's Flannel case); ${alb ? 'an ALB proxies HTTP, so the client address travels in X-Forwarded-For in any mode' : 'the client source IP is not needed'} → Cluster mode + graceful termination + readiness probe`, S.seedConclusion, S.lbcNlb, ...(alb ? [S.awsAlbXff] : [])),
        cite('Cluster mode: a node without a pod forwards to other nodes, so no request reaches a node without endpoints', S.seedIptables),
      ],
      notes,
      comparison: mark(columns, 'cluster'),
    };
  }
  return {
    mode: 'local',
    summary: 'NLB with instance targets, Local mode + graceful termination + readiness probe + in-place rollout',
    profile: 'eks-instance',
    exposure: 'service',
    serviceType: 'LoadBalancer',
    reasons: [
      cite(`${f.networkPlugin} gives pods no VPC addresses → instance targets; the client source IP must be kept → Local mode + graceful termination + readiness probe + in-place rollout (the seed's Flannel case)`, S.seedConclusion, S.lbcNlb),
      cite('Local mode keeps the client address: instance targets preserve it and kube-proxy does not masquerade', S.awsNlbClientIp, S.k8sTrafficPolicy),
      inPlaceReason(),
      localVersionReason(f.k8sVersion),
    ],
    notes: [labelNodesNote(), ...notes],
    comparison: mark(columns, 'local'),
  };
}

// ---------------------------------------------------------------------------------------------
// GCP: GKE. VPC-native clusters give pods alias IPs; an Ingress sends to them through NEGs
// (container-native load balancing); a LoadBalancer Service is a passthrough LB to nodes.

function gcp(f: ResolvedFacts): Decision {
  const ingress = f.lbKind === 'ingress';
  const xff = cite('in the X-Forwarded-For header: the HTTP(S) load balancer proxies, so the connection comes from Google\'s front ends', S.gcpXff);
  const quota = ingress ? cite('one load balancer per Ingress; one Ingress can route to many Services', S.gke) : cite('one passthrough load balancer per LoadBalancer Service', S.gke);
  const columns: Columns = {
    cluster: column('cluster', ingress ? 'Cluster (instance groups)' : 'Cluster', {
      lbQuota: quota,
      sourceIp: ingress ? xff : K8S_SOURCE_IP_LOST('kube-proxy masquerades what it forwards to another node'),
      crossNodeHop: cite('yes: the load balancer sends to nodes and kube-proxy forwards', S.gke, S.k8sTrafficPolicy),
      interruptionRisk: cite('no node-routing gap: a node without a pod forwards to other nodes', S.seedIptables),
    }),
    local: column('local', ingress ? 'Local (instance groups)' : 'Local', {
      lbQuota: quota,
      sourceIp: ingress ? xff : cite('kept: the passthrough load balancer delivers the client packet and Local does not masquerade', S.k8sTrafficPolicy, S.metallbUsage),
      crossNodeHop: cite('none', S.k8sTrafficPolicy),
      interruptionRisk: cite('a node whose last pod terminates still gets traffic until the health check fails it, unless the rollout is in place', S.seedIptables, S.seedLocal),
    }),
    'pod-direct': column(
      'pod-direct',
      'NEG (pod-direct)',
      {
        lbQuota: quota,
        sourceIp: xff,
        crossNodeHop: cite('none: NEG endpoints are pod IPs', S.gke),
        interruptionRisk: cite('GKE injects the NEG readiness gate; NEG detach takes 20–40 s, so the preStop sleep covers it', S.gke, S.latency),
      },
      ingress ? undefined : cite('NEGs (pods as backends) come with an Ingress; a LoadBalancer Service is a passthrough load balancer to nodes: use --lb ingress', S.gke),
    ),
  };
  const notes: Cited[] = [];
  if (f.networkPlugin === 'calico') notes.push(cite('NEGs need a VPC-native cluster and are not on by default with GKE network policy: the config sets the NEG annotation explicitly', S.gke));
  if (ingress) {
    if (f.preserveSourceIp) notes.push(cite('the client address reaches the app in X-Forwarded-For; for the address on the connection itself use --lb l4 (Local mode)', S.gcpXff));
    return {
      mode: 'pod-direct',
      podDirect: 'gke-neg',
      summary: 'Ingress with container-native load balancing (NEG) + BackendConfig connection draining + graceful termination + readiness probe',
      profile: 'gke-neg',
      exposure: 'ingress',
      serviceType: 'ClusterIP',
      readinessGate: { conditionType: 'cloud.google.com/load-balancer-neg-ready', how: 'injected' },
      reasons: [
        cite('VPC-native GKE → Ingress with NEGs: the load balancer sends to pod IPs directly, bypassing kube-proxy (the seed\'s ENI mode)', S.gke, S.seedConclusion),
        cite('GKE injects the readiness gate cloud.google.com/load-balancer-neg-ready into NEG-backed pods, so the rollout waits until the load balancer sees each new pod healthy', S.gke),
      ],
      notes: [...notes, ...(f.lbQuotaTight ? [cite('quota tight: one Ingress can route to many Services through one load balancer', S.gke)] : [])],
      comparison: mark(columns, 'pod-direct'),
    };
  }
  notes.push(cite('no built-in profile models the passthrough L4 load balancer: the config is checked under gke-neg, whose NEG deregistration (p99 40 s) is slower than the kube-proxy path, so the preStop sleep is conservative', S.profiles));
  if (f.lbQuotaTight) notes.push(cite('quota tight: each LoadBalancer Service gets its own load balancer whatever the mode; an Ingress (--lb ingress) routes many Services through one', S.gke));
  return nodeBacked(f, columns, 'gke-neg', notes, 'a passthrough load balancer to nodes');
}

// ---------------------------------------------------------------------------------------------
// Azure: AKS with the Standard Load Balancer (L4), whose backends are the nodes.

function azure(f: ResolvedFacts): Decision {
  const quota = cite('nodes are the backends in either mode', S.azure);
  const columns: Columns = {
    cluster: column('cluster', 'Cluster', {
      lbQuota: quota,
      sourceIp: K8S_SOURCE_IP_LOST('kube-proxy masquerades what it forwards to another node'),
      crossNodeHop: cite('yes, when the node has no pod of the Service', S.k8sTrafficPolicy),
      interruptionRisk: cite('no node-routing gap; the L4 load balancer has no connection draining (Standard SKU keeps flows when probes fail)', S.azure),
    }),
    local: column('local', 'Local', {
      lbQuota: quota,
      sourceIp: cite('kept', S.k8sTrafficPolicy),
      crossNodeHop: cite('none', S.k8sTrafficPolicy),
      interruptionRisk: cite('a node whose last pod terminates gets traffic until the health probe fails it (2 × 5 s), unless the rollout is in place', S.seedIptables, S.profiles),
    }),
    'pod-direct': column(
      'pod-direct',
      'pod IPs (AGIC)',
      {
        lbQuota: cite('one Application Gateway for many Ingresses', S.agic),
        sourceIp: cite('in X-Forwarded-For (L7 proxy)', S.agic),
        crossNodeHop: cite('none: the gateway sends to pod IPs', S.agic),
        interruptionRisk: cite('removing a pod from the gateway takes "between a second and a few minutes": preStop ≥ 90 s', S.agic),
      },
      cite('the Azure L4 load balancer sends to nodes; pods as backends need the Application Gateway Ingress Controller, which rollsafe has no profile for yet', S.azure, S.agic, S.profiles),
    ),
  };
  const notes: Cited[] = [cite('the Azure L4 load balancer has no connection-drain setting: keep-alive clients reconnect when a backend goes', S.azure)];
  if (f.lbQuotaTight) notes.push(cite('quota tight: the Service mode does not change how many load balancer resources AKS uses; rollsafe has no source for a per-node limit like ACK\'s', S.azure));
  return nodeBacked(f, columns, 'aks', notes, 'the Azure Standard Load Balancer (L4) with node backends');
}

// ---------------------------------------------------------------------------------------------
// Bare metal: MetalLB announces Service IPs from nodes (L2 leader or BGP); kube-proxy forwards.

function bareMetal(f: ResolvedFacts): Decision {
  const columns: Columns = {
    cluster: column('cluster', 'Cluster', {
      lbQuota: cite('Services can share one IP address (metallb.io/allow-shared-ip) when they use Cluster', S.metallbUsage),
      sourceIp: cite('lost: kube-proxy obscures it when it load-balances', S.metallbUsage),
      crossNodeHop: cite('yes: the L2 leader (or any BGP node) forwards to pods on other nodes', S.metallbUsage),
      interruptionRisk: cite('no node-routing gap: every node (BGP) or the leader (L2) attracts traffic and forwards to any pod', S.metallbUsage),
    }),
    local: column('local', 'Local', {
      lbQuota: cite('IP sharing only between Services that select exactly the same pods', S.metallbUsage),
      sourceIp: cite('kept', S.metallbUsage),
      crossNodeHop: cite('none', S.metallbUsage),
      interruptionRisk: cite('only nodes with a ready pod announce the IP: when a rollout empties a node, BGP rehashes (most connections to the IP break) or L2 leadership moves, unless the rollout is in place', S.metallbBgp, S.metallbL2, S.seedLocal),
    }),
    'pod-direct': column(
      'pod-direct',
      'pod-direct',
      { lbQuota: cite('—'), sourceIp: cite('—'), crossNodeHop: cite('—'), interruptionRisk: cite('—') },
      cite('MetalLB announces Service IPs from nodes; kube-proxy forwards to the pods', S.metallbBgp, S.metallbL2),
    ),
  };
  const notes: Cited[] = [cite('the config is checked under the generic profile (kube-proxy only): MetalLB follows the same endpoint changes and has no connection-drain setting', S.profiles, S.metallbUsage)];
  if (f.lbQuotaTight && !f.preserveSourceIp) notes.push(cite('quota tight: metallb.io/allow-shared-ip lets Services with the same key and different ports share one address (older MetalLB: metallb.universe.tf/allow-shared-ip); change the key to group them as you like', S.metallbUsage));
  if (f.lbQuotaTight && f.preserveSourceIp) notes.push(cite('quota tight with Local: MetalLB shares an address only between Services that select exactly the same pods', S.metallbUsage));
  return nodeBacked(f, columns, 'generic', notes, 'MetalLB, which announces Service IPs from nodes');
}

/** Cluster or Local where nodes are the only backends: the seed's Flannel procedure without the ACK quota argument. */
function nodeBacked(f: ResolvedFacts, columns: Columns, profile: string, notes: Cited[], lb: string): Decision {
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

/** The built-in profile by name at the facts' Kubernetes version. */
export function adviceProfile(advice: Pick<Advice, 'profile' | 'facts'>): Profile {
  const profile = findBuiltinProfile(advice.profile);
  if (!profile) throw new Error(`advise chose an unknown profile ${advice.profile}`);
  return { ...profile, k8sVersion: advice.facts.k8sVersion };
}

/** Termination numbers, computed with the same functions the rules use. */
function timing(profile: Profile, decision: Decision, f: ResolvedFacts): Timing {
  // Traffic comes through the cloud LB (a LoadBalancer Service, or an Ingress the LB serves). It
  // counts as the rules judge it (domain/routing.ts exposure): when its backends change with the
  // pods (pod-direct, Local); in Cluster mode every node stays a backend, behind an Ingress too.
  // Local mode under a profile with no LB (bare metal) meets the generic L4 LB of the domain.
  // The LB the advised objects ask for, as the domain reads them (src/domain/routing.ts): on AWS
  // the NLB or ALB of the facts with pod or node targets, whatever the profile's kind.
  const aws = f.provider === 'aws' && (f.lbKind === 'nlb' || f.lbKind === 'alb') ? awsLoadBalancer(f.lbKind, decision.mode === 'pod-direct' ? 'pod' : 'node', profile.proxySync) : undefined;
  const lb = aws ?? profile.loadBalancer ?? (decision.mode === 'local' ? genericNodeLoadBalancer(profile.proxySync) : undefined);
  const budget = propagationBudget(profile, { viaLoadBalancer: decision.mode !== 'cluster', viaIngress: false }, lb);
  const preStop = recommendedPreStopSeconds(budget);
  const drain = profile.app.drainSeconds;
  // A GKE BackendConfig drains NEG backends of an Ingress only; the other settings sit on the Service or Ingress.
  const drainSetting = profile.loadBalancer?.drain;
  // As lb-connection-drain-missing proposes it: outlasting the preStop only where the LB removes a
  // backend that still serves (pods as backends, or a Local node its controller removes).
  const removes = decision.mode === 'pod-direct' || (decision.mode === 'local' && lb?.nodeRemoval === 'controller');
  const drainFor = (recommended: number): number => (removes ? drainCoveringPreStop(lb?.deregister, recommended, preStop) : recommended);
  const lbDrain = drainSetting && (drainSetting.on !== 'backendconfig' || decision.exposure === 'ingress') ? Math.min(preStop + drain, drainFor(drainSetting.recommendedTimeoutSeconds)) : undefined;
  // Registered, then the new target's check the simulator runs on the LB's clock.
  const register = profile.loadBalancer ? registeredAndChecked(profile.loadBalancer) : undefined;
  return {
    budgetSeconds: budget.seconds,
    budgetPath: budget.path,
    preStopSeconds: preStop,
    preStopAction: hasSleepAction(profile.k8sVersion) ? 'sleep' : 'exec',
    appDrainSeconds: drain,
    gracePeriodSeconds: preStop + drain,
    ...(lbDrain === undefined ? {} : { lbDrainSeconds: lbDrain }),
    ...(decision.needsMinReady === true && register !== undefined ? { minReadySeconds: Math.ceil(register) } : {}),
  };
}

/** Reasons every recommendation shares: the seed's graceful termination and readiness, draining, PDB. */
function commonReasons(f: ResolvedFacts, decision: Decision, profile: Profile, t: Timing): Cited[] {
  const reasons: Cited[] = [
    cite('readinessProbe on the serving port: a new pod gets traffic only once the app answers', S.seedNewPod),
    cite(`preStop sleep ${t.preStopSeconds} s = propagation budget ${t.budgetSeconds} s (${t.budgetPath}, p99, profile ${profile.name}), rounded up to that path's 99.9th percentile: every layer stops routing to the pod before it gets SIGTERM`, S.seedPodConfig, S.budget),
    t.preStopAction === 'sleep'
      ? cite(`Kubernetes ${f.k8sVersion} has the native preStop sleep action (beta and on by default from 1.30, GA 1.34): no sleep binary needed in the image`, S.termination)
      : cite(`Kubernetes ${f.k8sVersion} has no native preStop sleep action (on by default from 1.30): the hook runs \`sleep\` in the image, as in the seed`, S.termination, S.seedPodConfig),
    cite(`terminationGracePeriodSeconds ${t.gracePeriodSeconds} = preStop ${t.preStopSeconds} s + app drain ${t.appDrainSeconds} s (the seed and ACK: at least preStop + 30 s)`, S.seedPodConfig, S.ack),
  ];
  if (decision.mode === 'pod-direct') {
    // The pods as LB backends remove kube-proxy's races only together with the preStop: the LB's
    // deregistration then decides when a pod stops getting requests (test/sim/consistency.test.ts:
    // ACK ENI without a preStop drops 1,271 requests per rollout where Cluster mode drops 71).
    reasons.push(cite(`the pods as LB backends need the ${t.preStopSeconds} s preStop: without one that covers the LB's deregistration (${t.budgetSeconds} s) this mode drops more requests than Cluster mode`, S.budget));
  }
  if (t.lbDrainSeconds !== undefined) {
    const where = f.provider === 'alibaba' ? 'the ACK connection-drain annotations' : f.provider === 'aws' ? 'the target group deregistration delay' : 'the BackendConfig connectionDraining';
    const source = f.provider === 'alibaba' ? S.ack : f.provider === 'aws' ? S.aws : S.gke;
    reasons.push(cite(`connection draining ${t.lbDrainSeconds} s (${where}): the LB lets open connections finish instead of cutting them; it ends within the grace period`, S.seedSlb, source));
  }
  if (t.minReadySeconds !== undefined) {
    reasons.push(cite(`minReadySeconds ${t.minReadySeconds} (LB registration p99 of profile ${profile.name}): with no readiness gate for these backends, old pods are removed only after new ones have been Ready that long`, S.rollout, S.ack, S.profiles));
  }
  if (decision.mode !== 'local') reasons.push(cite('maxUnavailable 0: the rollout never drops below the desired number of ready pods', S.rollout));
  reasons.push(cite('PodDisruptionBudget maxUnavailable 1: node drains evict one pod at a time (rolling updates themselves are not limited by PDBs)', S.rollout));
  return reasons;
}

/**
 * The seed's decision procedure for one platform.
 * @throws {RollsafeError} for unknown or contradictory facts (e.g. terway on aws).
 */
export function decide(facts: PlatformFacts): Advice {
  const f = resolveFacts(facts);
  const decision = f.provider === 'alibaba' ? alibaba(f) : f.provider === 'aws' ? aws(f) : f.provider === 'gcp' ? gcp(f) : f.provider === 'azure' ? azure(f) : bareMetal(f);
  const profile = adviceProfile({ profile: decision.profile, facts: f });
  const t = timing(profile, decision, f);
  const local = decision.mode === 'local';
  return {
    facts: f,
    mode: decision.mode,
    ...(decision.podDirect ? { podDirect: decision.podDirect } : {}),
    summary: decision.summary,
    profile: decision.profile,
    exposure: decision.exposure,
    serviceType: decision.serviceType,
    ...(decision.mode === 'pod-direct' ? {} : { externalTrafficPolicy: local ? ('Local' as const) : ('Cluster' as const) }),
    inPlaceRollout: local,
    ...(decision.readinessGate ? { readinessGate: decision.readinessGate } : {}),
    timing: t,
    reasons: [...decision.reasons, ...commonReasons(f, decision, profile, t)],
    comparison: decision.comparison,
    notes: decision.notes,
  };
}
