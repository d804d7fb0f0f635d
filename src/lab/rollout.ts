/**
 * One rollout played for real: the simulator's workload controller and scheduler
 * (src/sim/controllers.ts, the same code) on a real-time clock, driving real pods in the lab's
 * nodes. The kubelet here is real work: it starts the pod's process, probes it (httpGet,
 * tcpSocket, exec) on the manifest's timings, runs its preStop (exec, sleep, httpGet) and sends
 * SIGTERM and, at the grace deadline, SIGKILL. Every EndpointSlice change reaches each node's
 * kube-proxy (an iptables-restore of kube-proxy's layout) after a propagation delay drawn per node
 * from the profile; under the Local policy the node's health-check node port follows, and the
 * cloud controller registers and deregisters nodes (or pods) in HAProxy after the profile's
 * delays. A load generator records every request; each failure is classified by what the lab
 * knew at that instant.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { RealClock } from '../sim/clock.js';
import { WorkloadController, type ControllerHost } from '../sim/controllers.js';
import { newPod, terminationTimes } from '../sim/kubelet.js';
import { KEEPALIVE_CONNECTION_RPS, type SimInput } from '../sim/params.js';
import type { Random } from '../sim/random.js';
import { endpointOf } from '../sim/routing.js';
import { CAUSES, type Cause, type Layer } from '../sim/types.js';
import type { EndpointState, SimPod } from '../sim/world.js';
import { recordAt, arrayAt, numberAt, stringAt } from '../model/k8s.js';
import type { ContainerView } from '../model/workload.js';
import { RollsafeError } from '../errors.js';
import { renderNat, type LabEndpoint, type LabServicePort } from './kube-proxy.js';
import { LOAD_SCRIPT, POD_SERVER_SCRIPT, PROBER_SCRIPT } from './scripts.js';
import { destroyOnExit, Lab, type LabPod } from './topology.js';

/** The Service's addresses in the lab. */
const CLUSTER_IP = '10.96.0.10';
const SERVICE_PORT = 80;
const NODE_PORT = 30080;
const HEALTH_CHECK_NODE_PORT = 30081;
const LB_PORT = 80;
/** kube-proxy's healthz port (--healthz-bind-address default 0.0.0.0:10256). */
const KUBE_PROXY_HEALTHZ_PORT = 10256;
/** HAProxy's connect timeout: a SYN that the Local policy's DROP swallows fails after it. */
const LB_CONNECT_TIMEOUT_MS = 3000;
/** A client gives up on a request after this long. */
const CLIENT_TIMEOUT_MS = 10_000;
/** Longest the old revision may take to settle (ready, synced, LB backends up). */
const SETTLE_LIMIT_SECONDS = 90;
/** Longest one rollout may run in the lab. */
const RUN_LIMIT_SECONDS = 600;
/** Traffic starts this long before the rollout. */
const LEAD_SECONDS = 2;

/** What the lab runs. */
export interface LabSpec {
  /** The simulator's input for the workload (its `nodes` already capped to the lab's). */
  readonly input: SimInput;
  /** The container that serves the Service: its probes and preStop are played for real. */
  readonly container: ContainerView;
  /** The port the app listens on (the Service's target port). */
  readonly appPort: number;
  /** The user's server (`sh -c`, with $PORT and $HOST); default the bundled test server. */
  readonly appCommand?: string;
  readonly random: Random;
  /** Progress lines (stderr). */
  readonly log?: (line: string) => void;
}

/** One failed request: when (rollout time, s), how it failed and why. */
interface LabFailure {
  readonly time: number;
  readonly seconds: number;
  readonly error: string;
  readonly cause: Cause | 'unexplained';
  readonly layer: Layer;
}

/** A measured rollout. */
export interface LabRun {
  readonly requests: number;
  readonly failed: number;
  readonly byCause: Record<Cause, number>;
  /** Failures the lab could not attribute (0 when every one was explained). */
  readonly unexplained: number;
  /** Requests the load generator did not send because its in-flight bound was full. */
  readonly skipped: number;
  readonly rolloutSeconds: number;
  readonly completed: boolean;
  readonly nodes: number;
  readonly failures: readonly LabFailure[];
  readonly timeline: LabTimeline;
}

/** What happened, in rollout seconds. */
interface LabTimeline {
  readonly pods: readonly { readonly name: string; readonly revision: string; readonly node: string; readonly created: number; readonly listening: readonly { start: number; end: number }[]; readonly deleted?: number; readonly gone?: number }[];
  readonly events: readonly { readonly time: number; readonly what: string }[];
  readonly end: number;
}

interface PodRuntime {
  lab?: LabPod;
  /** Listening intervals (end Infinity while open). */
  listening: { start: number; end: number }[];
  exited: boolean;
  successes: number;
  failures: number;
  probeTimer?: boolean;
}

interface ProbeSpec {
  readonly kind: 'http' | 'tcp' | 'exec';
  readonly port: number;
  readonly path: string;
  readonly command: readonly string[];
  readonly timeoutMs: number;
}

/** The readiness probe's handler from the container (port names resolved against its ports). */
function probeSpec(container: ContainerView, appPort: number): ProbeSpec | undefined {
  const probe = recordAt(container.container, 'readinessProbe');
  if (!probe) return undefined;
  const timeoutMs = (numberAt(probe, 'timeoutSeconds') ?? 1) * 1000;
  const port = (handler: Record<string, unknown>): number => {
    const value = handler['port'];
    if (typeof value === 'number') return value;
    const named = (arrayAt(container.container, 'ports') ?? []).find((p) => typeof p === 'object' && p !== null && (p as Record<string, unknown>)['name'] === value) as Record<string, unknown> | undefined;
    const n = Number(named?.['containerPort'] ?? value);
    return Number.isInteger(n) ? n : appPort;
  };
  const http = recordAt(probe, 'httpGet');
  if (http) return { kind: 'http', port: port(http), path: stringAt(http, 'path') ?? '/', command: [], timeoutMs };
  const tcp = recordAt(probe, 'tcpSocket');
  if (tcp) return { kind: 'tcp', port: port(tcp), path: '/', command: [], timeoutMs };
  const exec = recordAt(probe, 'exec');
  if (exec) return { kind: 'exec', port: appPort, path: '/', command: (arrayAt(exec, 'command') ?? []).map(String), timeoutMs };
  return undefined;
}

type PreStopSpec = { kind: 'none' } | { kind: 'sleep'; seconds: number } | { kind: 'exec'; command: readonly string[] } | { kind: 'http'; port: number; path: string };

function preStopSpec(container: ContainerView, appPort: number, seconds: number): PreStopSpec {
  const hook = recordAt(recordAt(container.container, 'lifecycle'), 'preStop');
  if (!hook) return { kind: 'none' };
  const sleep = recordAt(hook, 'sleep');
  if (sleep) return { kind: 'sleep', seconds: numberAt(sleep, 'seconds') ?? seconds };
  const exec = recordAt(hook, 'exec');
  if (exec) return seconds > 0 ? { kind: 'exec', command: (arrayAt(exec, 'command') ?? []).map(String) } : { kind: 'none' };
  const http = recordAt(hook, 'httpGet');
  if (http) return { kind: 'http', port: typeof http['port'] === 'number' ? http['port'] : appPort, path: stringAt(http, 'path') ?? '/' };
  return { kind: 'none' };
}

/** A line-protocol prober in a node's namespace. */
class Prober {
  private next = 0;
  private readonly waiting = new Map<number, (ok: boolean) => void>();
  constructor(private readonly child: ChildProcess) {
    if (!child.stdout) throw new RollsafeError('command-failed', 'the prober has no stdout');
    createInterface({ input: child.stdout }).on('line', (line) => {
      const answer = JSON.parse(line) as { id: number; ok: boolean };
      this.waiting.get(answer.id)?.(answer.ok);
      this.waiting.delete(answer.id);
    });
  }

  probe(op: 'tcp' | 'http', host: string, port: number, path: string, timeoutMs: number): Promise<boolean> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin?.write(`${JSON.stringify({ id, op, host, port, path, timeoutMs })}\n`);
    });
  }
}

/** Runs a command in a node's namespace and resolves with its success, killed after `timeoutMs`. */
function execIn(netns: string, command: readonly string[], timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', netns, ...command], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', () => resolve(false));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

/** Writes a node's tables with one iptables-restore, without blocking the event loop. */
function restore(netns: string, rules: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', netns, 'iptables-restore'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new RollsafeError('command-failed', `iptables-restore in ${netns}: ${stderr.trim()}`))));
    child.stdin?.end(rules);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Plays one rollout in a fresh lab and measures it; the lab is gone when this returns or throws. */
export async function runLabRollout(spec: LabSpec): Promise<LabRun> {
  const lab = Lab.create({ nodes: spec.input.nodes });
  const removeHandlers = destroyOnExit(lab, process);
  const run = new LabRollout(lab, spec);
  try {
    return await run.play();
  } finally {
    run.stop();
    lab.destroy();
    removeHandlers();
  }
}

class LabRollout implements ControllerHost {
  readonly input: SimInput;
  readonly random: Random;
  readonly clock = new RealClock(performance.now());
  readonly pods: SimPod[] = [];
  private readonly controller: WorkloadController;
  private readonly runtime: PodRuntime[] = [];
  private readonly probers: Prober[] = [];
  private readonly helpers: ChildProcess[] = [];
  /** kube-proxy's view per node: pod → state, and each change (rollout time) for the classifier. */
  private readonly views: Map<number, EndpointState>[];
  private readonly viewLog: { time: number; node: number; pod: number; state: EndpointState }[] = [];
  private readonly lastDelivery = new Map<number, number>();
  private readonly syncing: Promise<void>[];
  private readonly events: { time: number; what: string }[] = [];
  private readonly cuts: { time: number; backend: string }[] = [];
  private readonly abrupt: { time: number; pod: number }[] = [];
  private lb: { command: (line: string) => Promise<string>; states: () => Promise<Record<string, string>> } | undefined;
  /** LB backend state the cloud controller wants, with a version so that late changes lose. */
  private readonly lbVersion = new Map<string, number>();
  private readonly lbIn = new Map<string, boolean>();
  private rolloutStarted = false;
  /** Ready local endpoints per node as its kube-proxy last wrote them (Local policy). */
  private readonly localCount: number[] = [];
  /** Scheduled kube-proxy deliveries and LB controller actions not yet applied. */
  private pending = 0;
  private readonly probe: ProbeSpec | undefined;
  private readonly preStop: PreStopSpec;
  private errors: Error[] = [];

  constructor(
    private readonly lab: Lab,
    private readonly spec: LabSpec,
  ) {
    this.input = spec.input;
    this.random = spec.random;
    this.controller = new WorkloadController(this);
    this.views = lab.nodes.map(() => new Map());
    this.syncing = lab.nodes.map(() => Promise.resolve());
    this.probe = probeSpec(spec.container, spec.appPort);
    this.preStop = preStopSpec(spec.container, spec.appPort, spec.input.pod.preStopSeconds);
  }

  private log(line: string): void {
    this.spec.log?.(line);
  }

  private note(what: string): void {
    this.events.push({ time: this.clock.now(), what });
  }

  stop(): void {
    this.clock.stop();
  }

  // --- the run ---------------------------------------------------------------------------------

  async play(): Promise<LabRun> {
    for (const node of this.lab.nodes) {
      const child = this.lab.spawnIn(node.name, [process.execPath, '-e', PROBER_SCRIPT]);
      this.helpers.push(child);
      this.probers.push(new Prober(child));
    }
    await this.startLoadBalancer();
    // The old revision, placed by the scheduler, before the rollout.
    this.controller.createOldRevision();
    await this.settle();
    this.log(`old revision settled: ${this.pods.length} pods on ${this.lab.nodes.length} nodes; rollout in ${LEAD_SECONDS} s`);
    // Rollout time 0 is LEAD_SECONDS from now: every time recorded so far moves with the origin.
    const shift = this.clock.now() + LEAD_SECONDS;
    this.rebase(shift);
    const wallAtZero = Date.now() + LEAD_SECONDS * 1000;
    const load = this.startLoad();
    this.clock.at(0, () => {
      this.rolloutStarted = true;
      this.note('rollout starts');
      this.controller.startRollout();
    });
    // Until the rollout completed, every deleted pod is gone and every view settled.
    let end = Infinity;
    while (this.clock.now() < RUN_LIMIT_SECONDS) {
      if (this.errors.length > 0) throw this.errors[0];
      // The simulator's run goes on for the longest propagation delay after the last pod is gone;
      // the lab knows when its last delivery happened and stops a second after it.
      if (end === Infinity && this.controller.completedAt < Infinity && this.controller.deletedGone() && this.pending === 0) end = this.clock.now() + 1;
      if (this.clock.now() >= end || this.controller.stopped) break;
      await sleep(100);
    }
    const completed = this.controller.completedAt < Infinity;
    this.note(completed ? 'rollout complete' : 'run stopped before the rollout completed');
    const records = await load.finish();
    return this.measure(records, wallAtZero, completed);
  }

  /** Waits until the old pods are ready, every node synced and the LB's backends up. */
  private async settle(): Promise<void> {
    const limit = performance.now() + SETTLE_LIMIT_SECONDS * 1000;
    for (;;) {
      if (this.errors.length > 0) throw this.errors[0];
      const podsReady = this.pods.every((p) => p.ready);
      const synced = this.pending === 0 && this.pods.every((p) => this.views.every((v) => (v.get(p.id) ?? 'absent') === p.endpoint));
      let lbUp = true;
      let states: Record<string, string> = {};
      if (this.lb && podsReady && synced) {
        states = await this.lb.states();
        const want = [...this.lbIn.entries()].filter(([, on]) => on).map(([name]) => name);
        lbUp = want.length > 0 && want.every((name) => states[name] === 'up');
      }
      if (podsReady && synced && lbUp) return;
      if (performance.now() > limit) throw new RollsafeError('command-failed', `the old revision did not settle within ${SETTLE_LIMIT_SECONDS} s (pods ready: ${podsReady}, kube-proxy synced: ${synced}, LB backends up: ${lbUp} ${JSON.stringify(states)} of ${JSON.stringify([...this.lbIn])})`);
      await sleep(200);
    }
  }

  /** Moves every recorded time by `shift` seconds as the clock's origin moves by it. */
  private rebase(shift: number): void {
    this.clock.shift(shift);
    for (const pod of this.pods) {
      (pod as { created: number }).created -= shift;
      (pod as { probeOrigin: number }).probeOrigin -= shift;
      pod.startedAt -= shift;
      pod.readySince -= shift;
      pod.phaseStart -= shift;
    }
    for (const r of this.runtime) for (const l of r.listening) {
      l.start -= shift;
      l.end -= shift;
    }
    for (const e of this.events) (e as { time: number }).time -= shift;
    for (const v of this.viewLog) v.time -= shift;
    for (const [channel, t] of this.lastDelivery) this.lastDelivery.set(channel, t - shift);
  }

  // --- the load balancer -----------------------------------------------------------------------

  private lbEntry(): 'node' | 'pod' | undefined {
    const entry = this.input.entry;
    if (!this.input.lb) return undefined;
    return entry.kind === 'lb-node' ? 'node' : entry.kind === 'lb-pod' ? 'pod' : undefined;
  }

  private local(): boolean {
    return this.input.entry.kind === 'lb-node' && this.input.entry.policy === 'Local';
  }

  /** Pod backends are slots `pod-1…` filled through the runtime API as pods register. */
  private podSlots(): number {
    return this.input.replicas * 2 + 2;
  }

  private async startLoadBalancer(): Promise<void> {
    const kind = this.lbEntry();
    const lb = this.input.lb;
    if (!kind || !lb) return;
    const local = this.local();
    const controllerRemoves = local && lb.removesNodes !== false;
    // Under Local the LB checks the Service's healthCheckNodePort (200 with a ready local endpoint,
    // 503 without); under Cluster it checks the node: kube-proxy's own /healthz (port 10256, 200
    // while kube-proxy runs: KEP-3836), which no rollout changes.
    for (const node of this.lab.nodes) {
      await this.lab.startHealthCheckNodePort(node.name, local ? HEALTH_CHECK_NODE_PORT : KUBE_PROXY_HEALTHZ_PORT);
      if (!local) this.lab.setLocalEndpoints(node.name, 1);
    }
    const backends =
      kind === 'node'
        ? this.lab.nodes.map((n) => ({ name: n.name, ip: n.ip, port: NODE_PORT, checkPort: local ? HEALTH_CHECK_NODE_PORT : KUBE_PROXY_HEALTHZ_PORT }))
        : Array.from({ length: this.podSlots() }, (_, i) => ({ name: `pod-${i + 1}`, ip: '127.0.0.1', port: this.spec.appPort, checkPort: this.spec.appPort }));
    const disabled = kind === 'pod' || controllerRemoves ? backends.map((b) => b.name) : [];
    for (const b of backends) this.lbIn.set(b.name, !disabled.includes(b.name));
    this.lb = await this.lab.startLoadBalancer({
      port: LB_PORT,
      backends,
      checkPath: kind === 'node' ? '/healthz' : '/',
      intervalMs: Math.max(100, Math.round(lb.healthCheck.intervalSeconds * 1000)),
      rise: lb.healthCheck.healthyThreshold,
      fall: lb.healthCheck.unhealthyThreshold,
      mode: 'tcp',
      retries: 0,
      connectTimeoutMs: LB_CONNECT_TIMEOUT_MS,
    });
    // Not yet registered: maintenance through the runtime API (a `disabled` server in the
    // configuration stays in configured maintenance that `state ready` does not lift).
    for (const name of disabled) await this.lb.command(`set server nodes/${name} state maint`);
  }

  private lbCommand(line: string): void {
    this.lb?.command(line).catch((error: unknown) => this.errors.push(error instanceof Error ? error : new Error(String(error))));
  }

  /** The cloud controller registers (`on`) or deregisters a backend after its delay. */
  private lbController(backend: string, on: boolean, setAddress?: string): void {
    const lb = this.input.lb;
    if (!lb) return;
    const version = (this.lbVersion.get(backend) ?? 0) + 1;
    this.lbVersion.set(backend, version);
    const delay = this.rolloutStarted ? this.random.latency(on ? lb.register : lb.deregister) : 0;
    this.pending++;
    this.clock.at(this.clock.now() + delay, () => {
      this.pending--;
      if (this.lbVersion.get(backend) !== version || this.lbIn.get(backend) === on) return;
      this.lbIn.set(backend, on);
      const name = `nodes/${backend}`;
      if (on) {
        if (setAddress) this.lbCommand(`set server ${name} addr ${setAddress}`);
        this.lbCommand(`set server ${name} state ready`);
        this.note(`LB registers ${backend}`);
        return;
      }
      const cut = (): void => {
        this.cuts.push({ time: this.clock.now(), backend });
        this.lbCommand(`shutdown sessions server ${name}`);
        this.note(`LB cuts the connections to ${backend}`);
      };
      if (lb.drainSeconds !== undefined && lb.drainSeconds > 0) {
        this.lbCommand(`set server ${name} state drain`);
        this.note(`LB deregisters ${backend} (draining ${lb.drainSeconds} s)`);
        this.pending++;
        this.clock.at(this.clock.now() + lb.drainSeconds, () => {
          this.pending--;
          this.lbCommand(`set server ${name} state maint`);
          cut();
        });
      } else {
        this.lbCommand(`set server ${name} state maint`);
        this.note(`LB deregisters ${backend}`);
        cut();
      }
    });
  }

  // --- the load --------------------------------------------------------------------------------

  private startLoad(): { finish: () => Promise<string[]> } {
    const traffic = this.input.traffic;
    const viaLb = this.lbEntry() !== undefined;
    const keepConns = Math.max(1, Math.ceil((traffic.rps * traffic.keepAliveShare) / KEEPALIVE_CONNECTION_RPS));
    const args = [process.execPath, '-e', LOAD_SCRIPT, viaLb ? '10.250.0.250' : CLUSTER_IP, String(viaLb ? LB_PORT : SERVICE_PORT), String(traffic.rps), String(traffic.keepAliveShare), String(keepConns), String(CLIENT_TIMEOUT_MS), String(Math.max(50, Math.ceil(traffic.rps * 12))), String(RUN_LIMIT_SECONDS + 60)];
    // Clients of a ClusterIP run on a node (the first); clients of a cloud LB outside the nodes.
    const child = viaLb ? this.lab.spawnAtLoadBalancer(args) : this.lab.spawnIn(this.lab.nodes[0]?.name ?? 'node-1', args);
    this.helpers.push(child);
    const lines: string[] = [];
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    return {
      finish: async () => {
        child.stdin?.end('stop\n');
        await Promise.race([exited, sleep(CLIENT_TIMEOUT_MS + 3000)]);
        return lines;
      },
    };
  }

  // --- pods: the ControllerHost ----------------------------------------------------------------

  createPod(rev: 'old' | 'new', node: number, ordinal: number): SimPod {
    const pod = newPod(this.input, this.random, this.pods.length, rev, node, ordinal, this.clock.now());
    this.pods.push(pod);
    this.runtime.push({ listening: [], exited: false, successes: 0, failures: 0 });
    this.note(`${pod.name} created on node-${node + 1}`);
    this.clock.at(this.clock.now() + this.input.pod.containerStartSeconds, () => this.startContainer(pod));
    return pod;
  }

  private rt(pod: SimPod): PodRuntime {
    return this.runtime[pod.id] as PodRuntime;
  }

  private startContainer(pod: SimPod): void {
    if (pod.deletedAt !== Infinity) return;
    const p = this.input.pod;
    const node = this.lab.nodes[pod.node];
    if (!node) return;
    const command = this.spec.appCommand ? ['sh', '-c', this.spec.appCommand] : [process.execPath, '-e', POD_SERVER_SCRIPT];
    const { pod: labPod, listening } = this.lab.spawnPod({
      name: pod.name,
      node: node.name,
      port: this.spec.appPort,
      command,
      env: { PATH: process.env['PATH'], LISTEN_AT_MS: String(Date.now() + (pod.rev === 'old' ? 0 : p.appStartupSeconds * 1000)), DRAIN_SECONDS: String(p.appDrainSeconds), SIGTERM_MODE: p.sigterm, REQUEST_MS: String(Math.round(this.input.traffic.requestSeconds * 1000)) },
      listenTimeoutMs: (p.appStartupSeconds + 20) * 1000,
    });
    const rt = this.rt(pod);
    rt.lab = labPod;
    pod.running = true;
    pod.startedAt = this.clock.now();
    this.note(`${pod.name} container started`);
    listening.then(
      () => {
        if (rt.exited) return;
        rt.listening.push({ start: this.clock.now(), end: Infinity });
        this.note(`${pod.name} listens`);
      },
      () => undefined,
    );
    labPod.process.on('exit', () => this.onExit(pod));
    if (this.probe) this.probeLoop(pod);
    // No readiness probe: Ready once the container runs (the default state is Success).
    else this.setReady(pod, true);
  }

  /** The readiness worker: ticks every period from the pod's admission. */
  private probeLoop(pod: SimPod): void {
    const r = this.input.pod.readiness;
    const probe = this.probe;
    if (!r || !probe) return;
    const period = r.period;
    const tick = (): void => {
      if (pod.gone !== Infinity || this.rt(pod).exited) return;
      const now = this.clock.now();
      const next = pod.probeOrigin + (Math.floor((now - pod.probeOrigin) / period + 1e-6) + 1) * period;
      this.clock.at(next, tick);
      if (now < pod.startedAt + r.initialDelay - 1e-6) return;
      void this.runProbe(pod, probe).then((ok) => {
        if (pod.gone !== Infinity) return;
        const rt = this.rt(pod);
        if (ok) {
          rt.successes++;
          rt.failures = 0;
          if (!pod.ready && rt.successes >= r.successThreshold) this.setReady(pod, true);
        } else {
          rt.failures++;
          rt.successes = 0;
          if (pod.ready && rt.failures >= r.failureThreshold) this.setReady(pod, false);
        }
      });
    };
    const now = this.clock.now();
    this.clock.at(pod.probeOrigin + Math.ceil((now - pod.probeOrigin) / period - 1e-6) * period, tick);
  }

  private runProbe(pod: SimPod, probe: ProbeSpec): Promise<boolean> {
    const ip = this.rt(pod).lab?.ip;
    const node = this.lab.nodes[pod.node];
    if (!ip || !node) return Promise.resolve(false);
    if (probe.kind === 'exec') return execIn(node.netns, probe.command, probe.timeoutMs);
    return (this.probers[pod.node] as Prober).probe(probe.kind, ip, probe.port, probe.path, probe.timeoutMs);
  }

  /** The kubelet's status update: Ready or not; the controllers and the endpoints follow. */
  private setReady(pod: SimPod, ready: boolean): void {
    if (pod.ready === ready) return;
    pod.ready = ready;
    pod.containersReady = ready;
    this.note(`${pod.name} ${ready ? 'Ready' : 'not Ready'}`);
    if (ready) {
      pod.readySince = this.clock.now();
      const first = !pod.everReady;
      pod.everReady = true;
      if (this.input.minReadySeconds > 0) {
        this.clock.at(this.clock.now() + this.input.minReadySeconds, () => {
          if (pod.rev === 'new' && first) this.controller.progress();
          this.controller.reconcile();
        });
      } else if (pod.rev === 'new' && first) this.controller.progress();
    } else pod.readySince = Infinity;
    this.updateEndpoint(pod);
    this.controller.reconcile();
  }

  deletePod(pod: SimPod): void {
    if (pod.deletedAt !== Infinity) return;
    const now = this.clock.now();
    pod.deletedAt = now;
    pod.epoch++;
    this.note(`${pod.name} deleted`);
    const rt = this.rt(pod);
    if (!pod.running) {
      pod.gone = now;
      this.updateEndpoint(pod);
      this.controller.reconcile();
      return;
    }
    this.updateEndpoint(pod);
    const grace = this.input.pod.graceSeconds;
    const hookStart = now;
    const sigterm = (): void => {
      if (pod.gone !== Infinity || rt.exited) return;
      const hook = Math.min(this.clock.now() - hookStart, grace);
      // The kubelet counts the hook in whole seconds and leaves at least 2 s (killContainer).
      const { kill } = terminationTimes(Math.max(hook, 1e-9), grace);
      this.note(`${pod.name} SIGTERM`);
      const mode = this.input.pod.sigterm;
      if (mode === 'graceful' || mode === 'graceful-close-idle') this.endListening(pod);
      rt.lab?.process.kill('SIGTERM');
      this.clock.at(hookStart + (hook > 0 ? kill : Math.max(2, grace)), () => {
        if (rt.exited) return;
        this.note(`${pod.name} SIGKILL`);
        rt.lab?.process.kill('SIGKILL');
      });
    };
    const node = this.lab.nodes[pod.node];
    const hook = this.preStop;
    if (hook.kind === 'none' || grace <= 0 || !node) {
      sigterm();
      return;
    }
    this.note(`${pod.name} preStop`);
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      sigterm();
    };
    // The hook runs for at most the grace period.
    this.clock.at(hookStart + grace, end);
    if (hook.kind === 'sleep') this.clock.at(hookStart + hook.seconds, end);
    else if (hook.kind === 'exec') void execIn(node.netns, hook.command, grace * 1000).then(end);
    else void (this.probers[pod.node] as Prober).probe('http', rt.lab?.ip ?? '', hook.port, hook.path, grace * 1000).then(end);
  }

  private endListening(pod: SimPod): void {
    const open = this.rt(pod).listening.find((l) => l.end === Infinity);
    if (open) open.end = this.clock.now();
  }

  private onExit(pod: SimPod): void {
    const rt = this.rt(pod);
    if (rt.exited) return;
    rt.exited = true;
    const now = this.clock.now();
    if (rt.listening.some((l) => l.end === Infinity)) {
      this.endListening(pod);
      this.abrupt.push({ time: now, pod: pod.id });
    } else if (rt.listening.some((l) => l.end > now - 0.01)) this.abrupt.push({ time: now, pod: pod.id });
    this.note(`${pod.name} exited`);
    pod.gone = now;
    pod.running = false;
    pod.ready = false;
    this.updateEndpoint(pod);
    this.controller.reconcile();
  }

  // --- endpoints and kube-proxy ----------------------------------------------------------------

  private updateEndpoint(pod: SimPod): void {
    const state = endpointOf(pod);
    if (state === pod.endpoint) return;
    const before = pod.endpoint;
    pod.endpoint = state;
    this.note(`endpoint ${pod.name} ${state}`);
    for (let n = 0; n < this.lab.nodes.length; n++) {
      const delay = this.rolloutStarted ? this.random.latency(this.input.proxy.sync) : 0;
      const t = Math.max(this.clock.now() + delay, this.lastDelivery.get(n) ?? -Infinity);
      this.lastDelivery.set(n, t);
      this.pending++;
      this.clock.at(t, () => {
        this.pending--;
        this.applyView(n, pod.id, state);
      });
    }
    if (this.lbEntry() === 'pod') {
      const ip = this.rt(pod).lab?.ip;
      if (state === 'ready' && before !== 'ready' && ip) this.lbController(`pod-${pod.id + 1}`, true, `${ip} port ${this.spec.appPort}`);
      else if (state !== 'ready' && before === 'ready') this.lbController(`pod-${pod.id + 1}`, false);
    }
  }

  private applyView(node: number, pod: number, state: EndpointState): void {
    const view = this.views[node] as Map<number, EndpointState>;
    if ((view.get(pod) ?? 'absent') === state) return;
    view.set(pod, state);
    const rules = renderNat([this.servicePort(view)], this.lab.nodes[node]?.name ?? '', { terminatingFallback: this.input.proxy.terminatingEndpoints });
    const netns = this.lab.nodes[node]?.netns ?? '';
    // The kernel routes by the new rules once iptables-restore has committed them (0.1 s or more
    // on a loaded machine): the classifier's view changes then, not when the sync began.
    this.pending++;
    this.syncing[node] = (this.syncing[node] ?? Promise.resolve()).then(() => restore(netns, rules)).then(() => {
      this.pending--;
      this.viewLog.push({ time: this.clock.now(), node, pod, state });
    }).catch((error: unknown) => {
      this.errors.push(error instanceof Error ? error : new Error(String(error)));
    });
    if (this.local()) {
      // kube-proxy's health-check node port counts the ready local endpoints.
      let local = 0;
      for (const [id, s] of view) if (s === 'ready' && this.pods[id]?.node === node) local++;
      const name = this.lab.nodes[node]?.name ?? '';
      if (local !== this.localCount[node]) {
        if (local === 0 || this.localCount[node] === 0) this.note(`kube-proxy on ${name}: ${local} ready local endpoint${local === 1 ? '' : 's'}`);
        this.localCount[node] = local;
      }
      this.lab.setLocalEndpoints(name, local);
      if (this.input.lb?.removesNodes !== false && this.lbEntry() === 'node') this.lbController(name, local > 0);
    }
  }

  private servicePort(view: Map<number, EndpointState>): LabServicePort {
    const endpoints: LabEndpoint[] = [];
    for (const [id, state] of [...view.entries()].sort((a, b) => a[0] - b[0])) {
      const pod = this.pods[id];
      const ip = this.runtime[id]?.lab?.ip;
      if (!pod || !ip || state === 'absent') continue;
      endpoints.push({ ip, port: this.spec.appPort, node: this.lab.nodes[pod.node]?.name ?? '', ready: state === 'ready', servingTerminating: state === 'serving-terminating' });
    }
    return { name: 'lab/app:http', clusterIP: CLUSTER_IP, port: SERVICE_PORT, nodePort: NODE_PORT, externalTrafficPolicy: this.local() ? 'Local' : 'Cluster', endpoints };
  }

  // --- measuring -------------------------------------------------------------------------------

  private measure(lines: readonly string[], wallAtZero: number, completed: boolean): LabRun {
    const byCause = Object.fromEntries(CAUSES.map((c) => [c, 0])) as Record<Cause, number>;
    const failures: LabFailure[] = [];
    let requests = 0;
    let skipped = 0;
    let unexplained = 0;
    for (const line of lines) {
      let r: { t: number; d: number; k: number; r: number; s?: number; e?: string };
      try {
        r = JSON.parse(line) as typeof r;
      } catch {
        continue;
      }
      if (r.e === 'skipped') {
        skipped++;
        continue;
      }
      requests++;
      if (r.s !== undefined && r.s < 500) continue;
      const time = (r.t - wallAtZero) / 1000;
      const seconds = r.d / 1000;
      const error = r.e ?? `HTTP ${r.s}`;
      const { cause, layer, share } = this.classify(time, seconds, r.r === 1);
      if (cause === 'unexplained') unexplained++;
      else if (share) for (const [c, w] of Object.entries(share) as [Cause, number][]) byCause[c] += w;
      else byCause[cause]++;
      failures.push({ time: round(time), seconds: round(seconds), error, cause, layer });
    }
    const end = this.clock.now();
    for (const c of CAUSES) byCause[c] = Math.round(byCause[c] * 100) / 100;
    return {
      requests,
      failed: failures.length,
      byCause,
      unexplained,
      skipped,
      rolloutSeconds: round(completed ? this.controller.completedAt : end),
      completed,
      nodes: this.lab.nodes.length,
      failures,
      timeline: {
        pods: this.pods.map((p) => ({
          name: p.name,
          revision: p.rev,
          node: `node-${p.node + 1}`,
          created: round(p.created),
          listening: this.rt(p).listening.map((l) => ({ start: round(l.start), end: round(Math.min(l.end, end)) })),
          ...(p.deletedAt !== Infinity ? { deleted: round(p.deletedAt) } : {}),
          ...(p.gone !== Infinity ? { gone: round(p.gone) } : {}),
        })),
        events: this.events.map((e) => ({ time: round(e.time), what: e.what })),
        end: round(end),
      },
    };
  }

  /** kube-proxy's view of `node` at `time`. */
  private viewAt(node: number, time: number): Map<number, EndpointState> {
    const view = new Map<number, EndpointState>();
    for (const v of this.viewLog) {
      if (v.time > time) break;
      if (v.node === node) view.set(v.pod, v.state);
    }
    return view;
  }

  private listeningAt(pod: number, time: number): 'before' | 'listening' | 'after' {
    const intervals = this.runtime[pod]?.listening ?? [];
    if (intervals.some((l) => l.start <= time && time < l.end)) return 'listening';
    return intervals.some((l) => l.end <= time) ? 'after' : 'before';
  }

  /**
   * The cause of a failed request sent at `time` that failed after `seconds`, from what the lab
   * knew then: a connect that hung until the LB gave up went to a node whose kube-proxy dropped it
   * (Local, no local endpoint) or to no endpoint; an LB cut or a pod's abrupt end while it was in
   * flight; a reused keep-alive connection that met a close; otherwise a refused connection,
   * attributed to the pods kube-proxy routed to that were not listening: before their app
   * listened, or after it stopped.
   */
  private classify(time: number, seconds: number, reused: boolean): { cause: Cause | 'unexplained'; layer: Layer; share?: Partial<Record<Cause, number>> } {
    const end = time + seconds;
    if (seconds >= LB_CONNECT_TIMEOUT_MS / 1000 - 0.3) return this.local() ? { cause: 'no-local-endpoint', layer: 'kube-proxy' } : { cause: 'no-endpoint', layer: 'kube-proxy' };
    if (this.cuts.some((c) => c.time >= time - 0.02 && c.time <= end + 0.1)) return { cause: 'cut-by-lb', layer: 'load-balancer' };
    if (seconds >= 0.01 && this.abrupt.some((a) => a.time >= time - 0.01 && a.time <= end + 0.1)) return { cause: 'killed-in-flight', layer: 'app' };
    if (reused) return { cause: 'keep-alive-race', layer: 'app' };
    // The endpoints kube-proxy used then: per node, the ready ones (the node's own under Local),
    // or with the terminating fallback (≥ 1.26) the serving terminating ones when none is ready;
    // each node's share split over its set. Clients of a ClusterIP sit on the first node.
    let before = 0;
    let after = 0;
    let any = 0;
    const nodes = this.lbEntry() === undefined ? [0] : this.lab.nodes.map((_, n) => n);
    for (const n of nodes) {
      const view = [...this.viewAt(n, time)].filter(([pod]) => !this.local() || this.pods[pod]?.node === n);
      let used = view.filter(([, state]) => state === 'ready');
      if (used.length === 0 && this.input.proxy.terminatingEndpoints) used = view.filter(([, state]) => state === 'serving-terminating');
      for (const [pod] of used) {
        any++;
        const listening = this.listeningAt(pod, time);
        if (listening === 'before') before += 1 / used.length;
        else if (listening === 'after') after += 1 / used.length;
      }
    }
    if (any === 0) return { cause: 'no-endpoint', layer: 'kube-proxy' };
    // Which of the not-listening pods refused this one the lab cannot tell (kube-proxy's choice is
    // random): the request counts for each cause in proportion to the routes to it.
    if (after + before > 0) {
      const share = { 'refused-after-stop': after / (after + before), 'refused-before-ready': before / (after + before) };
      return { cause: after >= before ? 'refused-after-stop' : 'refused-before-ready', layer: 'kube-proxy', share };
    }
    if (seconds < 0.01 && this.abrupt.some((a) => a.time >= time - 0.01 && a.time <= end + 0.1)) return { cause: 'killed-in-flight', layer: 'app' };
    return { cause: 'unexplained', layer: 'kube-proxy' };
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
