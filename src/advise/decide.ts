/**
 * The decision procedure of the Alibaba Cloud article on zero-interruption rolling updates
 * (https://www.kubernetes.org.cn/7714.html, 结论), extended to AWS, GCP, Azure and bare metal:
 * platform facts → the Service mode, the built-in profile that models it, and every reason and
 * trade-off with its source. Pure: no I/O. docs/advise.md has the procedure as tables.
 */
import { type AdviseProvider, type PlatformFacts, type ResolvedFacts, resolveFacts } from './facts.js';
import type { Decision, ModeColumn, PodDirectKind, ReadinessGate, ServiceMode, ServiceType } from './decision.js';
import { cite, type Cited, SOURCES as S } from './sources.js';
import { awsLoadBalancer, findBuiltinProfile, genericNodeLoadBalancer, registeredAndChecked } from '../profiles/builtin.js';
import { type Profile, propagationBudget } from '../profiles/types.js';
import { drainCoveringPreStop, recommendedPreStopSeconds } from '../domain/prestop.js';
import { hasSleepAction } from '../domain/versions.js';
import { decideAlibaba } from './providers/alibaba.js';
import { decideAws } from './providers/aws.js';
import { decideGcp } from './providers/gcp.js';
import { decideAzure } from './providers/azure.js';
import { decideBareMetal } from './providers/bare-metal.js';

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
  readonly serviceType: ServiceType;
  /** Set for node-backed modes (Cluster or Local); unset when pods are the backends. */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  /** The seed's in-place rollout: maxUnavailable 0, maxSurge 50%, preferred nodeAffinity. */
  readonly inPlaceRollout: boolean;
  /** How the rollout waits for the LB to register new pods. */
  readonly readinessGate?: ReadinessGate;
  readonly timing: Timing;
  /** Why, each with its source; the first is the decision itself. */
  readonly reasons: readonly Cited[];
  /** The candidate modes side by side. */
  readonly comparison: readonly ModeColumn[];
  /** Trade-offs and steps the config cannot take for you. */
  readonly notes: readonly Cited[];
}

/** Each provider's decision. */
const DECISIONS: Readonly<Record<AdviseProvider, (facts: ResolvedFacts) => Decision>> = {
  alibaba: decideAlibaba,
  aws: decideAws,
  gcp: decideGcp,
  azure: decideAzure,
  'bare-metal': decideBareMetal,
};

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
  const decision = DECISIONS[f.provider](f);
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
