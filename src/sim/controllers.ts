/**
 * The workload controllers and the scheduler, on an injected {@link Clock}: the Deployment
 * controller's rolling and recreate passes (pkg/controller/deployment rolling.go, recreate.go,
 * util/deployment_util.go), the ReplicaSet controller and its choice of pods to delete
 * (pkg/controller/replicaset/replica_set.go, pkg/controller/controller_utils.go), the StatefulSet
 * and DaemonSet rolling updates (pkg/controller/statefulset, pkg/controller/daemon) and
 * kube-scheduler's default scores (pkg/scheduler, default_plugins.go and the score plugins).
 *
 * They decide only: a {@link ControllerHost} creates and deletes the pods (the simulated kubelet in
 * the Monte Carlo simulator, real processes in the lab) and tells them when a pod became ready or
 * went away by calling {@link WorkloadController.reconcile}.
 */
import type { Clock } from './clock.js';
import type { ControlInput, SimInput } from './params.js';
import type { Random } from './random.js';
import type { SimPod } from './world.js';

/**
 * The scheduler's default score plugins and weights (pkg/scheduler/apis/config/v1/default_plugins.go):
 * PodTopologySpread 2, NodeAffinity 2, NodeResourcesFit 1, NodeResourcesBalancedAllocation 1.
 * ImageLocality (1) is left out: the new image is on no node when the rollout starts.
 */
const WEIGHT = { spread: 2, selectorSpread: 1, nodeAffinity: 2, resourcesFit: 1, balanced: 1 } as const;
/** framework.MaxNodeScore. */
const MAX_NODE_SCORE = 100;
/**
 * maxSkew of the scheduler's system default hostname constraint (ScheduleAnyway: a score, never a
 * filter; pkg/scheduler/framework/plugins/podtopologyspread/plugin.go systemDefaultConstraints).
 */
const HOSTNAME_MAX_SKEW = 3;
/**
 * Requests the scheduler's scores assume for a container without requests
 * (pkg/scheduler/util/pod_resources.go: DefaultMilliCPURequest 100, DefaultMemoryRequest 200 MiB),
 * on nodes of 4 CPUs and 16 GiB (assumption: the nodes are otherwise empty and alike).
 */
const POD_REQUEST = { cpu: 100, memory: 200 } as const;
const NODE_ALLOCATABLE = { cpu: 4000, memory: 16_384 } as const;

/** A run never simulates more than a day: a rollout that has not finished by then never will. */
export const MAX_SIMULATED_SECONDS = 86_400;

/** What the controllers act on: the pods, the clock, and the kubelet that creates and deletes. */
export interface ControllerHost {
  readonly input: SimInput;
  readonly clock: Clock;
  readonly random: Random;
  readonly pods: readonly SimPod[];
  /** Creates a pod of `rev` bound to `node` (the kubelet starts it). */
  createPod(rev: 'old' | 'new', node: number, ordinal: number): SimPod;
  /** Sets the pod's deletionTimestamp (the kubelet terminates it). */
  deletePod(pod: SimPod): void;
}

/** The workload controller of one rollout (Deployment, StatefulSet or DaemonSet) and the scheduler. */
export class WorkloadController {
  started = false;
  /** The run ends here (a crash loop past the progress deadline). */
  stopped = false;
  completedAt = Infinity;
  deadlineExceededAt = Infinity;
  private oldSpec: number;
  private newSpec = 0;
  /** StatefulSet: the ordinal being updated (-1 when done). */
  private stsOrdinal: number;
  private lastProgress = 0;

  constructor(private readonly host: ControllerHost) {
    this.oldSpec = host.input.replicas;
    this.stsOrdinal = host.input.replicas - 1;
  }

  /** The old revision, created before the rollout: a settled cluster, placed by the same scheduler. */
  createOldRevision(): void {
    const input = this.host.input;
    if (input.strategy.kind === 'DaemonSet') {
      for (let n = 0; n < input.eligibleNodes; n++) this.host.createPod('old', n, n);
    } else {
      for (let i = 0; i < input.replicas; i++) this.host.createPod('old', this.schedule('old', 'first'), i);
    }
  }

  /** The rollout starts (the new template is applied). */
  startRollout(): void {
    this.started = true;
    this.lastProgress = 0;
    // No deadline event when there is none (extensions/v1beta1 stores MaxInt32): it would
    // only carry the run to its end.
    if (this.host.input.progressDeadlineSeconds < MAX_SIMULATED_SECONDS) this.host.clock.at(this.host.input.progressDeadlineSeconds, () => this.onDeadline());
    this.reconcile();
  }

  private onDeadline(): void {
    const now = this.host.clock.now();
    const deadline = this.host.input.progressDeadlineSeconds;
    // Progressing=False (ProgressDeadlineExceeded) is a condition only: the rollout goes on
    // (pkg/controller/deployment/progress.go; deployment_util.go DeploymentTimedOut).
    if (this.completedAt !== Infinity || this.deadlineExceededAt !== Infinity) return;
    if (now - this.lastProgress >= deadline - 1e-9) {
      this.deadlineExceededAt = now;
      // A pod whose container its probes restart before the app listens crash-loops, and may
      // do so for as long as the run lasts: the run ends here, the rollout not complete.
      if (this.host.pods.some((pod) => pod.rev !== 'peer' && pod.restarts > 0 && pod.deletedAt === Infinity)) this.stopped = true;
    } else if (this.lastProgress + deadline < MAX_SIMULATED_SECONDS) this.host.clock.at(this.lastProgress + deadline, () => this.onDeadline());
  }

  // --- the scheduler ---------------------------------------------------------------------------

  /**
   * A node for a new pod of `rev`, as kube-scheduler's default profile picks it: every eligible
   * node (required node affinity and nodeSelector filter) is scored, the highest total wins and a
   * tie is broken at random (schedule_one.go selectHost); `first` breaks it by the lowest node,
   * for the settled layout before the rollout. Pods created together are scheduled one at a time,
   * each against the pods placed before it.
   */
  schedule(rev: 'old' | 'new', tie: 'random' | 'first' = 'random'): number {
    const scores = scoreNodes(this.host.input, this.host.pods, rev);
    let best = -Infinity;
    let chosen: number[] = [];
    for (let n = 0; n < scores.length; n++) {
      const score = scores[n] as number;
      if (score > best) {
        best = score;
        chosen = [n];
      } else if (score === best) chosen.push(n);
    }
    if (tie === 'first' || chosen.length === 1) return chosen[0] ?? 0;
    return chosen[Math.floor(this.host.random.next() * chosen.length)] ?? 0;
  }

  // --- the workload controllers ----------------------------------------------------------------

  active(rev: 'old' | 'new'): SimPod[] {
    return this.host.pods.filter((p) => p.rev === rev && p.deletedAt === Infinity && p.gone === Infinity);
  }

  available(pod: SimPod): boolean {
    return pod.ready && pod.deletedAt === Infinity && this.host.clock.now() - pod.readySince >= this.host.input.minReadySeconds - 1e-9;
  }

  /** Every deleted pod has exited (pods a StatefulSet partition keeps are never deleted). */
  deletedGone(): boolean {
    return this.host.pods.every((p) => p.deletedAt === Infinity || p.gone !== Infinity);
  }

  oldGone(): boolean {
    return this.host.pods.every((p) => p.rev !== 'old' || p.gone !== Infinity);
  }

  progress(): void {
    this.lastProgress = this.host.clock.now();
  }

  reconcile(): void {
    if (!this.started || this.stopped) return;
    const s = this.host.input.strategy;
    if (s.kind === 'Deployment') {
      for (let pass = 0; pass < 1000 && this.deploymentPass(); pass++);
    } else if (s.kind === 'StatefulSet') this.statefulSetPass(s.partition);
    else this.daemonSetPass(s.surge, s.unavailable);
    this.checkComplete();
  }

  checkComplete(): void {
    if (this.completedAt !== Infinity) return;
    const s = this.host.input.strategy;
    const fresh = this.active('new');
    let done: boolean;
    if (s.kind === 'StatefulSet') {
      done = this.stsOrdinal < s.partition && fresh.every((p) => this.available(p));
    } else {
      const want = s.kind === 'DaemonSet' ? this.host.input.eligibleNodes : this.host.input.replicas;
      done = fresh.length === want && fresh.every((p) => this.available(p)) && this.active('old').length === 0;
    }
    if (done) this.completedAt = this.host.clock.now();
  }

  /** One pass of the Deployment controller: at most one scaling action (rolling.go). */
  deploymentPass(): boolean {
    const s = this.host.input.strategy;
    if (s.kind !== 'Deployment') return false;
    const D = this.host.input.replicas;
    if (s.type === 'Recreate') {
      if (this.oldSpec > 0) {
        this.oldSpec = 0;
        this.syncReplicaSet('old', 0);
        return true;
      }
      if (!this.oldGone()) return false;
      if (this.newSpec < D) {
        this.newSpec = D;
        this.syncReplicaSet('new', D);
        return true;
      }
      return false;
    }
    const total = this.oldSpec + this.newSpec;
    // reconcileNewReplicaSet / NewRSNewReplicas
    if (this.newSpec < D) {
      const maxTotal = D + s.surge;
      if (total < maxTotal) {
        this.newSpec += Math.min(maxTotal - total, D - this.newSpec);
        this.syncReplicaSet('new', this.newSpec);
        return true;
      }
    }
    // reconcileOldReplicaSets
    if (this.oldSpec === 0) return false;
    const minAvailable = D - s.unavailable;
    const newAvailable = this.active('new').filter((p) => this.available(p)).length;
    const newUnavailable = this.newSpec - newAvailable;
    const maxScaledDown = total - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    const oldAvailable = this.active('old').filter((p) => this.available(p)).length;
    // cleanupUnhealthyReplicas
    const cleanup = Math.max(0, Math.min(maxScaledDown, this.oldSpec - oldAvailable));
    this.oldSpec -= cleanup;
    // scaleDownOldReplicaSetsForRollingUpdate
    const availableAll = oldAvailable + newAvailable;
    const down = availableAll > minAvailable ? Math.min(this.oldSpec, availableAll - minAvailable) : 0;
    this.oldSpec -= down;
    if (cleanup + down === 0) return false;
    this.syncReplicaSet('old', this.oldSpec);
    return true;
  }

  /** The ReplicaSet controller: creates or deletes pods to match spec.replicas. */
  syncReplicaSet(rev: 'old' | 'new', replicas: number): void {
    const active = this.active(rev);
    if (active.length < replicas) {
      const base = this.host.pods.filter((p) => p.rev === rev).length;
      for (let i = active.length; i < replicas; i++) this.host.createPod(rev, this.schedule(rev), base + i - active.length);
      this.progress();
    } else if (active.length > replicas) {
      const victims = this.rankForDeletion(active).slice(0, active.length - replicas);
      for (const pod of victims) this.host.deletePod(pod);
      this.progress();
    }
  }

  /**
   * The ReplicaSet's choice of pods to delete (pkg/controller/replicaset/replica_set.go
   * getPodsToDelete): each pod ranked by the active pods of the workload's ReplicaSets on its
   * node (getPodsRankedByRelatedPodsOnSameNode), then sorted by ActivePodsWithRanks.
   */
  rankForDeletion(pods: SimPod[]): SimPod[] {
    const related = new Map<number, number>();
    for (const p of this.host.pods) if (p.rev !== 'peer' && p.deletedAt === Infinity && p.gone === Infinity) related.set(p.node, (related.get(p.node) ?? 0) + 1);
    return deletionOrder(pods, (p) => related.get(p.node) ?? 0, this.host.clock.now(), this.host.input.control ?? CURRENT_CONTROL);
  }

  /** StatefulSet RollingUpdate: from the highest ordinal down, one pod at a time (statefulset.md). */
  statefulSetPass(partition: number): void {
    for (;;) {
      const i = this.stsOrdinal;
      if (i < partition) return;
      const old = this.host.pods.find((p) => p.rev === 'old' && p.ordinal === i);
      const fresh = this.host.pods.find((p) => p.rev === 'new' && p.ordinal === i && p.deletedAt === Infinity);
      if (fresh) {
        if (!(fresh.running && this.available(fresh))) return;
        this.stsOrdinal--;
        this.progress();
        continue;
      }
      // Every other pod must be Running and Ready before this one is touched.
      const others = this.host.pods.filter((p) => p.rev !== 'peer' && p.ordinal !== i && p.deletedAt === Infinity && p.gone === Infinity);
      if (others.some((p) => !(p.running && p.ready))) return;
      if (old && old.deletedAt === Infinity) {
        this.host.deletePod(old);
        this.progress();
        return;
      }
      if (old && old.gone === Infinity) return;
      this.host.createPod('new', this.schedule('new'), i);
      this.progress();
      return;
    }
  }

  /** DaemonSet RollingUpdate per node with maxSurge / maxUnavailable (pkg/controller/daemon/update.go rollingUpdate). */
  daemonSetPass(surge: number, unavailable: number): void {
    const nodes = this.host.input.eligibleNodes;
    const oldOn = (n: number): SimPod | undefined => this.host.pods.find((p) => p.rev === 'old' && p.node === n && p.deletedAt === Infinity);
    const oldRunning = (n: number): SimPod | undefined => this.host.pods.find((p) => p.rev === 'old' && p.node === n && p.gone === Infinity);
    const newOn = (n: number): SimPod | undefined => this.host.pods.find((p) => p.rev === 'new' && p.node === n && p.deletedAt === Infinity);
    if (surge > 0) {
      for (let n = 0; n < nodes; n++) {
        const fresh = newOn(n);
        const old = oldOn(n);
        if (fresh && old && this.available(fresh)) {
          this.host.deletePod(old);
          this.progress();
        }
      }
      let surging = 0;
      for (let n = 0; n < nodes; n++) if (newOn(n) && oldOn(n)) surging++;
      for (let n = 0; n < nodes && surging < surge; n++) {
        if (!newOn(n) && oldOn(n)) {
          this.host.createPod('new', n, n);
          surging++;
          this.progress();
        }
      }
      for (let n = 0; n < nodes; n++) {
        if (!newOn(n) && !oldOn(n)) {
          this.host.createPod('new', n, n);
          this.progress();
        }
      }
      return;
    }
    for (let n = 0; n < nodes; n++) {
      if (!newOn(n) && !oldRunning(n)) {
        this.host.createPod('new', n, n);
        this.progress();
      }
    }
    let down = 0;
    for (let n = 0; n < nodes; n++) {
      const fresh = newOn(n);
      if (!oldOn(n) && !(fresh && this.available(fresh))) down++;
    }
    for (let n = 0; n < nodes && down < unavailable; n++) {
      const old = oldOn(n);
      if (old) {
        this.host.deletePod(old);
        down++;
        this.progress();
      }
    }
  }
}

/**
 * The default profile's total score of every eligible node for a new pod of `rev` (index = node).
 *
 * - Spreading counts the pods of the pod's own ReplicaSet (its owner's selector: for a Deployment's
 *   new pod, the new ReplicaSet only) and skips terminating pods. PodTopologySpread with
 *   the system default constraints (podtopologyspread/scoring.go: per node `count · ln(nodes + 2) +
 *   maxSkew − 1`, rounded, normalised as `100 · (max + min − s) / max`; without zone labels only the
 *   hostname constraint applies), weight 2, on by default from 1.20; before, SelectorSpread
 *   (selectorspread/selector_spread.go, DefaultPodTopologySpread in 1.18: `100 · (max − count) /
 *   max`), weight 1.
 * - Preferred node affinity: 100 on the preferred nodes (DefaultNormalizeScore of the term
 *   weights), weight 2.
 * - NodeResourcesFit LeastAllocated and BalancedAllocation over the default requests of every pod
 *   on the node, terminating ones included (they hold their resources until they are gone).
 */
export function scoreNodes(input: SimInput, pods: readonly SimPod[], rev: 'old' | 'new'): number[] {
  const nodes = input.eligibleNodes;
  const own: number[] = Array.from({ length: nodes }, () => 0);
  const placed: number[] = Array.from({ length: nodes }, () => 0);
  for (const pod of pods) {
    if (pod.node >= nodes || pod.gone !== Infinity) continue;
    placed[pod.node] = (placed[pod.node] ?? 0) + 1;
    if (pod.rev === rev && pod.deletedAt === Infinity) own[pod.node] = (own[pod.node] ?? 0) + 1;
  }
  const spreading = input.control?.spreading ?? 'topology';
  const spread = spreading === 'topology' ? topologySpreadScores(own) : selectorSpreadScores(own);
  const spreadWeight = spreading === 'topology' ? WEIGHT.spread : WEIGHT.selectorSpread;
  const preferred = input.preferredNodes ?? 0;
  return own.map((_, n) => {
    const requested = ((placed[n] ?? 0) + 1);
    const cpu = requested * POD_REQUEST.cpu;
    const memory = requested * POD_REQUEST.memory;
    const least = Math.trunc((leastAllocated(cpu, NODE_ALLOCATABLE.cpu) + leastAllocated(memory, NODE_ALLOCATABLE.memory)) / 2);
    const balanced = Math.trunc((1 - Math.abs(cpu / NODE_ALLOCATABLE.cpu - memory / NODE_ALLOCATABLE.memory) / 2) * MAX_NODE_SCORE);
    const affinity = preferred > 0 && n < preferred ? MAX_NODE_SCORE : 0;
    return spreadWeight * (spread[n] ?? 0) + WEIGHT.nodeAffinity * affinity + WEIGHT.resourcesFit * least + WEIGHT.balanced * balanced;
  });
}

/** PodTopologySpread Score + NormalizeScore for the hostname constraint (podtopologyspread/scoring.go). */
export function topologySpreadScores(counts: readonly number[]): number[] {
  const weight = Math.log(counts.length + 2);
  const raw = counts.map((c) => Math.round(c * weight + (HOSTNAME_MAX_SKEW - 1)));
  let min = Infinity;
  let max = 0;
  for (const r of raw) {
    min = Math.min(min, r);
    max = Math.max(max, r);
  }
  return raw.map((r) => (max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - r)) / max)));
}

/** SelectorSpread NormalizeScore without zones (selector_spread.go, the default before 1.20). */
export function selectorSpreadScores(counts: readonly number[]): number[] {
  const max = Math.max(0, ...counts);
  return counts.map((c) => (max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max - c)) / max)));
}

/** noderesources/least_allocated.go: `(capacity − requested) · 100 / capacity`, 0 when over. */
function leastAllocated(requested: number, capacity: number): number {
  if (requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** Control-plane behaviour of the current Kubernetes release. */
const CURRENT_CONTROL: ControlInput = { spreading: 'topology', logarithmicScaleDown: true, podDeletionCost: true };

/**
 * log₂ bucket of the time since `t`, in nanoseconds as Go's time.Duration
 * (controller_utils.go logarithmicRankDiff); -1 when `t` is not in the past.
 */
function logBucket(now: number, t: number): number {
  const d = now - t;
  return d > 0 ? Math.floor(Math.log2(d * 1e9)) : -1;
}

/**
 * ActivePodsWithRanks.Less (pkg/controller/controller_utils.go), first = deleted first: pending
 * before running (every simulated pod is assigned to a node at once), not ready before ready,
 * lower pod-deletion-cost first (PodDeletionCost), more related pods on the node first ("doubled
 * up"), shorter ready first (both ready; in log₂ buckets with LogarithmicScaleDown, the same
 * bucket decided by UID), more restarts first, newer first (the same buckets), then UID.
 */
/**
 * ActivePodsWithRanks.Less (pkg/controller/controller_utils.go), first = deleted first: pending
 * before running (every simulated pod is assigned to a node at once), not ready before ready,
 * lower pod-deletion-cost first (PodDeletionCost), more related pods on the node first ("doubled
 * up"), shorter ready first (both ready; in log₂ buckets with LogarithmicScaleDown, the same
 * bucket decided by UID), more restarts first, newer first (the same buckets), then UID.
 */
export function deletionOrder(pods: readonly SimPod[], rank: (pod: SimPod) => number, now: number, control: ControlInput): SimPod[] {
  const running = (p: SimPod): boolean => p.startedAt !== Infinity;
  const byTime = (a: number, b: number, x: SimPod, y: SimPod): number => {
    if (!control.logarithmicScaleDown) return b - a;
    const diff = logBucket(now, a) - logBucket(now, b);
    return diff !== 0 ? diff : x.uid - y.uid;
  };
  return [...pods].sort((a, b) => {
    if (running(a) !== running(b)) return running(a) ? 1 : -1;
    if (a.ready !== b.ready) return a.ready ? 1 : -1;
    if (control.podDeletionCost && a.deletionCost !== b.deletionCost) return a.deletionCost - b.deletionCost;
    const ra = rank(a);
    const rb = rank(b);
    if (ra !== rb) return rb - ra;
    if (a.ready && b.ready && a.readySince !== b.readySince) return byTime(a.readySince, b.readySince, a, b);
    if (a.restarts !== b.restarts) return b.restarts - a.restarts;
    if (a.created !== b.created) return byTime(a.created, b.created, a, b);
    return a.uid - b.uid;
  });
}
