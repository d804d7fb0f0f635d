/**
 * The kubelet, simulated: container start, the app's listening, probes (pkg/kubelet/prober),
 * the preStop hook, SIGTERM and SIGKILL at the grace deadline
 * (pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer) and restarts, each as events on
 * the injected {@link Clock}. The pure timing functions (probe ticks, termination times) are
 * shared with the lab, whose kubelet runs real probes and sends real signals.
 */
import type { Clock } from './clock.js';
import type { ContainerInput, ProbeInput, SimInput } from './params.js';
import { MINIMUM_GRACE_PERIOD_SECONDS, RESTART_BACKOFF_SECONDS } from './params.js';
import type { Random } from './random.js';
import type { Routing } from './routing.js';
import type { PodPhase } from './types.js';
import type { ContainerState, KeepAliveClose, SimPod } from './world.js';

/** The kubelet's restart back-off cap. */
const MAX_BACKOFF_SECONDS = 300;

type PodEvent = 'running' | 'listen' | 'ready' | 'available' | 'prestop-done' | 'kill' | 'exit' | 'restart' | 'stop-serving' | 'restart-run' | 'gate-ready';

/** What the kubelet tells the workload controller. */
export interface ControlHooks {
  progress(): void;
  reconcile(): void;
}

/** A new pod record (the API object and what the kubelet tracks of it), with its random uid and probe phase. */
export function newPod(input: SimInput, random: Random, id: number, rev: SimPod['rev'], node: number, ordinal: number, now: number, peerName?: string): SimPod {
    const name =
      peerName ??
      (input.strategy.kind === 'StatefulSet'
        ? `${shortName(input.resource)}-${ordinal}${rev === 'new' ? ' (new)' : ''}`
        : `${shortName(input.resource)}-${rev === 'old' ? 'a' : 'b'}${String(ordinal + 1).padStart(2, '0')}`);
    const pod: SimPod = {
      id,
      name,
      rev,
      node,
      uid: random.next(),
      deletionCost: input.pod.deletionCost ?? 0,
      created: now,
      probeOrigin: now - (input.pod.randomProbePhase ? random.next() * longestProbePeriod(input) : 0),
      ordinal,
      phases: [],
      listening: [],
      running: false,
      startedAt: Infinity,
      containersReady: false,
      ready: false,
      everReady: false,
      availableAgain: false,
      readySince: Infinity,
      deletedAt: Infinity,
      gone: Infinity,
      restarts: 0,
      abruptEnds: [],
      keepAliveCloses: [],
      endpoint: 'absent',
      epoch: 0,
      phase: 'pending',
      phaseStart: now,
    };
    if (input.pod.serving) {
      // Which app of the pod listens first varies too: the kubelet starts the containers one
      // after another (kuberuntime_manager.go SyncPod: each after the previous one's start and
      // postStart hook) and each app takes its own time. As the probe phase does between pods,
      // each serving container's app starts after its own delay, drawn uniformly over the longest
      // probe period (none without probes).
      const period = input.pod.randomProbePhase ? longestProbePeriod(input) : 0;
      const spread = () => random.next() * period;
      pod.containers = [
        { listening: pod.listening, abruptEnds: pod.abruptEnds, keepAliveCloses: pod.keepAliveCloses, exited: false, startDelay: spread() },
        ...input.pod.serving.more.map(() => ({ listening: [], abruptEnds: [], keepAliveCloses: [], exited: false, startDelay: spread() })),
      ];
    }
    return pod;
}

export function shortName(resource: string): string {
  return resource.split('/').pop() ?? resource;
}

function longestProbePeriod(input: SimInput): number {
  return Math.max(...containersOf(input).map((p) => Math.max(p.readiness?.period ?? 0, p.liveness?.period ?? 0, p.startup?.period ?? 0)));
}

/** The serving containers of the input's pods: the first (the pod's own fields), then the others. */
function containersOf(input: SimInput): readonly ContainerInput[] {
  return input.pod.serving ? [input.pod, ...input.pod.serving.more] : [input.pod];
}

/** The kubelet's record of serving container `k` (the pod's own arrays for the first). */
function stateOf(pod: SimPod, k: number): ContainerState {
  return pod.containers?.[k] ?? { listening: pod.listening, abruptEnds: pod.abruptEnds, keepAliveCloses: pod.keepAliveCloses, exited: false, startDelay: 0 };
}

/** The simulated kubelet of every node. */
export class SimKubelet {
  constructor(
    private readonly input: SimInput,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly pods: SimPod[],
    private readonly routing: Routing,
    private readonly control: ControlHooks,
    /** Phases before this are not recorded. */
    private readonly start: number,
  ) {}

  createPod(rev: SimPod['rev'], node: number, ordinal: number, peerName?: string): SimPod {
    const input = this.input;
    const pod = newPod(input, this.random, this.pods.length, rev, node, ordinal, this.clock.now(), peerName);
    this.pods.push(pod);
    this.routing.addPod();
    this.at(this.clock.now() + input.pod.containerStartSeconds, 'running', pod);
    return pod;
  }

  private at(time: number, kind: PodEvent, pod: SimPod, k = 0): void {
    const id = pod.id;
    const epoch = pod.epoch;
    this.clock.at(time, () => this.handle(kind, id, epoch, k));
  }

  private setPhase(pod: SimPod, phase: PodPhase): void {
    if (pod.phase === phase) return;
    this.closePhase(pod, this.clock.now());
    pod.phase = phase;
    pod.phaseStart = this.clock.now();
  }

  closePhase(pod: SimPod, end: number): void {
    const from = Math.min(-5, this.start);
    const start = Math.max(pod.phaseStart, from);
    if (end > start && end >= from) pod.phases.push({ phase: pod.phase, start, end });
    pod.phaseStart = end;
  }

  /**
   * The containers started: schedule listening, probes, readiness and liveness. Probe workers
   * tick every period from the pod's admission (pkg/kubelet/prober/worker.go run), not from the
   * container start, so each pod has its own phase. The pod is Ready once every serving
   * container is (prober_manager.go UpdatePodStatus; Kubernetes docs, "Pod conditions").
   */
  private onRunning(pod: SimPod): void {
    pod.running = true;
    pod.startedAt = this.clock.now();
    this.setPhase(pod, 'starting');
    const start = this.clock.now();
    let restartAt = Infinity;
    let readyAt = start;
    containersOf(this.input).forEach((p, k) => {
      const listenAt = start + stateOf(pod, k).startDelay + p.appStartupSeconds;
      this.at(listenAt, 'listen', pod, k);
      // The startup probe gates readiness and liveness; without one they run at once. A startup
      // or liveness probe that fails failureThreshold times before the app listens restarts the
      // container (worker.go: the result is set after failureThreshold failures in a row).
      let started = start;
      if (p.startup) {
        const killedAt = killingTick(p.startup, pod.probeOrigin, start + p.startup.initialDelay, listenAt);
        if (killedAt !== undefined) {
          restartAt = Math.min(restartAt, killedAt);
          readyAt = Infinity;
          return;
        }
        started = probeTick(pod.probeOrigin, p.startup.period, Math.max(listenAt, start + p.startup.initialDelay));
      }
      if (p.liveness) {
        const killedAt = killingTick(p.liveness, pod.probeOrigin, Math.max(started, start + p.liveness.initialDelay), listenAt);
        if (killedAt !== undefined) restartAt = Math.min(restartAt, killedAt);
      }
      if (p.readiness) {
        readyAt = p.readiness.ok ? Math.max(readyAt, readinessPassesAt(p.readiness, pod.probeOrigin, start, started, listenAt)) : Infinity;
      } else {
        // No readiness probe: ready once started (pod-lifecycle.md: the default state is Success).
        readyAt = Math.max(readyAt, started);
      }
    });
    if (restartAt !== Infinity) this.at(restartAt, 'restart', pod);
    if (readyAt !== Infinity) this.at(readyAt, 'ready', pod);
  }

  private onReady(pod: SimPod): void {
    pod.containersReady = true;
    const p = this.input.pod;
    const lb = this.input.lb;
    if (p.lbReadinessGate && lb && pod.deletedAt === Infinity) {
      // The LB controller registers the pod once its containers are ready
      // (aws-load-balancer-controller#3197); the gate turns true when the new target passed its
      // first health check.
      const healthy = this.routing.newTargetHealthy(this.clock.now() + this.random.latency(lb.register));
      this.routing.setLbPod(pod.id, 'ready', healthy);
      this.at(healthy, 'gate-ready', pod);
      return;
    }
    this.becomeReady(pod);
  }

  private becomeReady(pod: SimPod): void {
    if (pod.ready) return;
    pod.ready = true;
    pod.readySince = this.clock.now();
    if (pod.deletedAt === Infinity) this.setPhase(pod, 'ready');
    this.routing.updateEndpoint(pod);
    if (this.input.minReadySeconds > 0) this.at(this.clock.now() + this.input.minReadySeconds, 'available', pod);
    // Progress is a new pod's first readiness, not a restarted one's return.
    const first = !pod.everReady;
    pod.everReady = true;
    if (pod.rev === 'new' && first && this.input.minReadySeconds === 0) this.control.progress();
    if (!first && this.input.minReadySeconds > 0) pod.availableAgain = true;
    this.control.reconcile();
  }

  private onListen(pod: SimPod, k: number): void {
    stateOf(pod, k).listening.push({ start: this.clock.now(), end: Infinity });
  }

  private stopListening(c: ContainerState, how: KeepAliveClose): void {
    const last = c.listening[c.listening.length - 1];
    if (last && last.end === Infinity) last.end = this.clock.now();
    c.keepAliveCloses.push({ time: this.clock.now(), how });
  }

  /**
   * Liveness (or startup) probe failed failureThreshold times: the container restarts. With more
   * than one serving container the model restarts them all (simplification: the kubelet restarts
   * only the failing one).
   */
  private onRestart(pod: SimPod): void {
    containersOf(this.input).forEach((_, k) => {
      const c = stateOf(pod, k);
      if (c.listening.some((l) => l.end === Infinity)) {
        this.stopListening(c, 'abrupt');
        c.abruptEnds.push(this.clock.now());
      }
    });
    pod.epoch++;
    pod.running = false;
    pod.containersReady = false;
    const wasReady = pod.ready;
    pod.ready = false;
    pod.readySince = Infinity;
    if (pod.deletedAt === Infinity) this.setPhase(pod, 'not-ready');
    if (wasReady) {
      this.routing.updateEndpoint(pod);
      this.control.reconcile();
    }
    const backoff = Math.min(MAX_BACKOFF_SECONDS, RESTART_BACKOFF_SECONDS * 2 ** pod.restarts);
    pod.restarts++;
    this.at(this.clock.now() + backoff, 'restart-run', pod);
  }

  /**
   * The pod is deleted (deletionTimestamp set): each container runs its own preStop, gets SIGTERM
   * after it and SIGKILL at its deadline; the containers are killed in parallel and share the
   * grace period (kuberuntime_container.go killContainersWithSyncResult, killContainer).
   */
  deletePod(pod: SimPod): void {
    if (pod.deletedAt !== Infinity) return;
    pod.deletedAt = this.clock.now();
    pod.epoch++;
    const p = this.input.pod;
    if (!pod.running) {
      // Not started yet: removed at once.
      this.setPhase(pod, 'gone');
      pod.gone = this.clock.now();
      this.routing.updateEndpoint(pod);
      this.control.reconcile();
      return;
    }
    this.routing.updateEndpoint(pod);
    const times = containersOf(this.input).map((c) => terminationTimes(c.preStopSeconds, p.graceSeconds));
    if (Math.min(...times.map((t) => t.sigterm)) > 0) this.setPhase(pod, 'prestop');
    times.forEach(({ sigterm, kill }, k) => {
      this.at(this.clock.now() + sigterm, 'prestop-done', pod, k);
      this.at(this.clock.now() + kill, 'kill', pod, k);
    });
  }

  private onSigterm(pod: SimPod, k: number): void {
    const p = containersOf(this.input)[k] as ContainerInput;
    const c = stateOf(pod, k);
    this.setPhase(pod, 'draining');
    const listening = c.listening.some((l) => l.end === Infinity);
    if (p.sigterm === 'graceful' || p.sigterm === 'graceful-close-idle') {
      if (listening) this.stopListening(c, p.sigterm === 'graceful' ? 'graceful' : 'idle');
      this.at(this.clock.now() + p.appDrainSeconds, 'exit', pod, k);
      this.serveUntilProbeFails(pod, p);
    } else if (p.sigterm === 'exit') {
      if (listening) {
        this.stopListening(c, 'abrupt');
        c.abruptEnds.push(this.clock.now());
      }
      this.at(this.clock.now(), 'exit', pod, k);
    }
    // 'ignore': keeps serving until SIGKILL.
  }

  /** After the app stops listening, its readiness probe fails and the endpoint stops serving. */
  private serveUntilProbeFails(pod: SimPod, p: ContainerInput): void {
    const r = p.readiness;
    if (!r || !pod.ready) return;
    // The readiness worker keeps probing during termination, on its own phase (liveness and
    // startup stop: worker.go doProbe); failureThreshold failures in a row make the pod not ready.
    const next = probeTick(pod.probeOrigin, r.period, this.clock.now());
    this.at(next + (r.failureThreshold - 1) * r.period, 'stop-serving', pod);
  }

  private onExit(pod: SimPod, killed: boolean, k: number): void {
    if (pod.gone !== Infinity) return;
    const c = stateOf(pod, k);
    if (c.exited) return;
    c.exited = true;
    if (c.listening.some((l) => l.end === Infinity)) {
      this.stopListening(c, 'abrupt');
      c.abruptEnds.push(this.clock.now());
    }
    if (pod.containers && !pod.containers.every((s) => s.exited)) {
      // A container that exited is not ready, so neither is the pod; it goes when the last one does.
      if (pod.ready) {
        pod.ready = false;
        this.routing.updateEndpoint(pod);
      }
      return;
    }
    this.setPhase(pod, killed ? 'killed' : 'gone');
    if (killed) {
      // SIGKILL ends the process; the pod object goes right after.
      this.closePhase(pod, this.clock.now());
      pod.phase = 'gone';
    }
    pod.gone = this.clock.now();
    pod.running = false;
    pod.ready = false;
    this.routing.updateEndpoint(pod);
    this.control.reconcile();
  }

  private handle(kind: PodEvent, id: number, epoch: number, k: number): void {
    const pod = this.pods[id] as SimPod;
    const terminating = kind === 'prestop-done' || kind === 'kill' || kind === 'exit' || kind === 'stop-serving';
    if (pod.gone !== Infinity) return;
    if (!terminating && epoch !== pod.epoch) return;
    if (terminating && pod.deletedAt === Infinity) return;
    switch (kind) {
      case 'running':
      case 'restart-run':
        this.onRunning(pod);
        return;
      case 'listen':
        this.onListen(pod, k);
        return;
      case 'ready':
        this.onReady(pod);
        return;
      case 'gate-ready':
        // The LB readiness gate turned true (a restart since then bumped the epoch).
        if (pod.containersReady && pod.deletedAt === Infinity) this.becomeReady(pod);
        return;
      case 'available':
        if (pod.rev === 'new' && !pod.availableAgain) this.control.progress();
        this.control.reconcile();
        return;
      case 'restart':
        this.onRestart(pod);
        return;
      case 'prestop-done':
        this.onSigterm(pod, k);
        return;
      case 'stop-serving':
        if (pod.ready) {
          pod.ready = false;
          this.routing.updateEndpoint(pod);
        }
        return;
      case 'exit':
        this.onExit(pod, false, k);
        return;
      case 'kill':
        this.onExit(pod, true, k);
        return;
    }
  }
}

/**
 * The tick at which a startup or liveness probe that runs from `from` has failed
 * failureThreshold times in a row: it fails until the app listens (`listen`), and always when it
 * targets a port the app does not listen on. Undefined when it passes first.
 */
export function killingTick(probe: ProbeInput, admitted: number, from: number, listen: number): number | undefined {
  const first = probeTick(admitted, probe.period, from);
  const killedAt = first + (probe.failureThreshold - 1) * probe.period;
  if (!probe.ok) return killedAt;
  return killedAt < listen - 1e-9 ? killedAt : undefined;
}

/** The first tick at or after `from` of a probe worker started at `admitted` (every `period`). */
export function probeTick(admitted: number, period: number, from: number): number {
  if (from <= admitted) return admitted;
  return admitted + Math.ceil((from - admitted) / period - 1e-9) * period;
}

/**
 * When a readiness probe first makes the container ready (pkg/kubelet/prober): the worker ticks
 * from `admitted`; a tick before `initialDelaySeconds` since the container `start` is skipped, as
 * is one before the container has `started` (startup probe passed); a probe passes once the app
 * listens. Whenever the kubelet updates the status of a started container that is not ready, the
 * manager triggers an extra readiness probe at once (prober_manager.go UpdatePodStatus): at the
 * status update that follows the container start, or the startup probe's success, both taken at
 * that instant. `successThreshold` successes in a row, the rest on ticks, make it ready.
 */
export function readinessPassesAt(probe: ProbeInput, admitted: number, start: number, started: number, listen: number): number {
  const from = Math.max(listen, start + probe.initialDelay, started);
  let first = probeTick(admitted, probe.period, from);
  if (started >= from && started < first) first = started;
  if (probe.successThreshold <= 1) return first;
  const next = probeTick(admitted, probe.period, first + 1e-6);
  return next + (probe.successThreshold - 2) * probe.period;
}

/**
 * When the kubelet sends SIGTERM and SIGKILL after a pod's deletion (kuberuntime_container.go
 * killContainer): the preStop hook runs for at most the grace period; executePreStopHook returns
 * the whole seconds it took, the rest of the grace period goes to the stop, at least
 * minimumGracePeriodInSeconds (2 s). For whole-second hooks: SIGKILL at max(grace, min(preStop,
 * grace) + 2).
 */
export function terminationTimes(preStopSeconds: number, graceSeconds: number): { sigterm: number; kill: number } {
  const hook = preStopSeconds > 0 && graceSeconds > 0 ? Math.min(preStopSeconds, graceSeconds) : 0;
  return { sigterm: hook, kill: hook + Math.max(MINIMUM_GRACE_PERIOD_SECONDS, graceSeconds - Math.floor(hook)) };
}
