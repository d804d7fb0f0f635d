/**
 * The platform facts `rollsafe advise` decides from: providers, their network plugins and load
 * balancer kinds, and the validation that turns what the user typed into canonical facts.
 */
import { compareVersions } from '../schema/kinds.js';
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
