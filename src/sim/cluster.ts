/**
 * The control plane and the nodes, as a discrete-event simulation of one rollout: the workload
 * controller (Deployment, StatefulSet, DaemonSet), the ReplicaSet's choice of pods to delete, the
 * scheduler, the kubelet (container start, probes, preStop, SIGTERM, SIGKILL), the EndpointSlice,
 * kube-proxy on every node, the ingress controller and the cloud LB.
 *
 * Sources, in kubernetes/kubernetes unless named: pkg/controller/deployment (rolling.go,
 * recreate.go, util/deployment_util.go), pkg/controller/replicaset/replica_set.go and
 * pkg/controller/controller_utils.go, pkg/controller/statefulset, pkg/controller/daemon,
 * pkg/scheduler (default_plugins.go and the score plugins), pkg/kubelet/prober and
 * pkg/kubelet/kuberuntime/kuberuntime_container.go, pkg/proxy/topology.go; the AWS ALB and NLB
 * docs on target health checks and aws-load-balancer-controller#3197 for the LB. Each function
 * names its own. The result is a {@link World}: when each pod listens,
 * when each routing view holds it, and when the LB cuts connections; traffic.ts then sends
 * requests through it.
 */
import { VirtualClock } from './clock.js';
import { MAX_SIMULATED_SECONDS, WorkloadController, type ControllerHost } from './controllers.js';
import { shortName, SimKubelet } from './kubelet.js';
import type { SimInput } from './params.js';
import type { Random } from './random.js';
import { Routing } from './routing.js';
import type { SimPod, ViewEvent, World } from './world.js';

export type { SimPod, World } from './world.js';
export { deletionOrder, scoreNodes, selectorSpreadScores, topologySpreadScores } from './controllers.js';
export { killingTick, probeTick, readinessPassesAt, terminationTimes } from './kubelet.js';
export { nextCheck } from './routing.js';

/** Seconds the old revision runs before the rollout starts, so that every view has settled. */
const WARMUP_SECONDS = 900;

/** Simulates the control plane of one rollout. */
export function simulateCluster(input: SimInput, random: Random): World {
  return new Cluster(input, random).run();
}

/**
 * One simulated rollout: the workload controller ({@link WorkloadController}), the kubelet
 * ({@link SimKubelet}) and the routing views ({@link Routing}) on one {@link VirtualClock}.
 */
class Cluster implements ControllerHost {
  readonly clock = new VirtualClock(-WARMUP_SECONDS);
  readonly pods: SimPod[] = [];
  private readonly routing: Routing;
  private readonly kubelet: SimKubelet;
  private readonly controller: WorkloadController;

  constructor(
    readonly input: SimInput,
    readonly random: Random,
  ) {
    this.routing = new Routing(input, this.clock, random, this.pods, this.start);
    this.controller = new WorkloadController(this);
    this.kubelet = new SimKubelet(input, this.clock, random, this.pods, this.routing, this.controller, this.start);
  }

  createPod(rev: 'old' | 'new', node: number, ordinal: number): SimPod {
    return this.kubelet.createPod(rev, node, ordinal);
  }

  deletePod(pod: SimPod): void {
    this.kubelet.deletePod(pod);
  }

  run(): World {
    const input = this.input;
    const clock = this.clock;
    const controller = this.controller;
    controller.createOldRevision();
    // Other workloads behind the same Service: their pods spread over all nodes, never rolled.
    let k = 0;
    for (const peer of input.peers ?? []) {
      for (let i = 0; i < peer.replicas; i++) this.kubelet.createPod('peer', k++ % input.nodes, i, `${shortName(peer.resource)}-${String(i + 1).padStart(2, '0')}`);
    }
    clock.at(0, () => controller.startRollout());
    let initial: ViewEvent[] = [];
    let snapshotTaken = false;
    let horizon = Infinity;
    for (;;) {
      const time = clock.next();
      if (time === undefined || time > horizon) break;
      if (time > MAX_SIMULATED_SECONDS) {
        clock.set(MAX_SIMULATED_SECONDS);
        controller.stopped = true;
        break;
      }
      if (!snapshotTaken && time >= this.start) {
        initial = this.routing.snapshot();
        snapshotTaken = true;
      }
      clock.step();
      if (controller.stopped) break;
      if (controller.completedAt < Infinity && controller.deletedGone() && horizon === Infinity) horizon = clock.now() + this.tail();
    }
    const now = clock.now();
    // A run that stalls with nothing left to happen ends a second after its last event.
    const end = controller.stopped ? now : horizon < Infinity ? horizon : (controller.completedAt < Infinity ? Math.max(now, controller.completedAt) : now) + 1;
    for (const pod of this.pods) this.kubelet.closePhase(pod, end);
    return {
      input,
      pods: this.pods,
      nodes: input.nodes,
      viewEvents: this.routing.viewEvents,
      initial,
      removals: this.routing.removals,
      start: this.start,
      end,
      rolloutSeconds: controller.completedAt < Infinity ? controller.completedAt : end,
      completed: controller.completedAt < Infinity,
      progressDeadlineExceededAt: controller.deadlineExceededAt,
    };
  }

  /** Time after the last old pod is gone for every view to settle (latencies never exceed p99). */
  private tail(): number {
    const input = this.input;
    let t = input.proxy.sync.p99;
    if (input.ingress) t = Math.max(t, input.ingress.sync.p99);
    if (input.lb) t = Math.max(t, input.lb.register.p99, input.lb.deregister.p99);
    return t + 1;
  }

  /** Traffic start: one request duration and a second before the rollout. */
  private get start(): number {
    return -(this.input.traffic.requestSeconds + 1);
  }
}
