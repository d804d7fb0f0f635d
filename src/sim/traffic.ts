/**
 * Traffic through a simulated rollout. Two models over the same {@link World}:
 *
 * - `rate` (the default): between two changes of any routing view or any app, the share of
 *   requests that each route receives is constant, so the expected failures of a stretch are the
 *   arrival rate × the share × its length. Requests on new connections are never simulated one
 *   by one; keep-alive connections are (there are few of them), and the requests they carry are
 *   counted per connection. Counts are Poisson draws around the expected values (independent
 *   thinning of a Poisson arrival process), or the expected values themselves.
 * - `request`: every request is drawn, routed and judged on its own. Slow; it exists to check
 *   the rate model (test/sim/agreement.test.ts).
 */
import type { Removal, SimPod, ViewEvent, World } from './world.js';
import { KEEPALIVE_CONNECTION_RPS, KEEPALIVE_RACE_SECONDS } from './params.js';
import { EventQueue } from './queue.js';
import type { Random } from './random.js';
import { CAUSES, type Cause, type FailureWindow, type Layer } from './types.js';

export type TrafficModel = 'rate' | 'request';

export interface TrafficOptions {
  readonly model: TrafficModel;
  /** Rate model only: report expected values instead of Poisson draws. */
  readonly expected?: boolean;
  /** Collect failure windows (for the timeline). */
  readonly windows?: boolean;
}

export interface TrafficResult {
  readonly requests: number;
  readonly failed: number;
  readonly byCause: Record<Cause, number>;
  readonly windows: FailureWindow[];
}

/** One way a request can go: to a pod (through a backend), or to a failure at some layer. */
interface Route {
  readonly weight: number;
  readonly pod: number;
  /** The LB backend it passes (pod or node id), -1 when no LB. */
  readonly via: number;
  readonly node: number;
  readonly cause?: Cause;
  readonly layer: Layer;
}

const NONE: readonly Removal[] = [];

/** Merged failure windows: a new window starts after this much quiet. */
const WINDOW_GAP_SECONDS = 1;

export function zeroCauses(): Record<Cause, number> {
  const out = {} as Record<Cause, number>;
  for (const c of CAUSES) out[c] = 0;
  return out;
}

/**
 * The traffic of a run. When more than one container serves, each Service port's requests go to
 * the container that listens on its targetPort: every container receives its share of the rate
 * and is judged by its own listening, exits and keep-alive closes, through the same routing views
 * (the pod's endpoint is one for all its ports).
 */
export function simulateTraffic(world: World, random: Random, options: TrafficOptions): TrafficResult {
  const serving = world.input.pod.serving;
  if (!serving) return new Traffic(world, random, options).run();
  const total = { requests: 0, failed: 0, byCause: zeroCauses(), windows: [] as FailureWindow[] };
  [{ name: serving.name, share: serving.share }, ...serving.more].forEach((container, k) => {
    if (container.share <= 0) return;
    const input = { ...world.input, traffic: { ...world.input.traffic, rps: world.input.traffic.rps * container.share } };
    const pods = world.pods.map((pod) => {
      const c = pod.containers?.[k];
      return c ? { ...pod, listening: c.listening, abruptEnds: c.abruptEnds, keepAliveCloses: c.keepAliveCloses } : pod;
    });
    const part = new Traffic({ ...world, input, pods }, random, options).run();
    total.requests += part.requests;
    total.failed += part.failed;
    for (const cause of CAUSES) total.byCause[cause] += part.byCause[cause];
    for (const w of part.windows) total.windows.push({ ...w, container: container.name });
  });
  total.windows.sort((a, b) => a.start - b.start);
  return total;
}

type ConnEvent = { time: number; conn: number; kind: 'open' | 'close' };

/**
 * How a keep-alive connection ends: `graceful` (the app answers with `Connection: close` after
 * SIGTERM and the client moves on: no failure), `idle` (the app closed it while idle: a request
 * sent before the client saw the close meets a reset), `abrupt` (the process died: requests in
 * flight are killed too), `cut` (the LB removed the backend), or `end` (the run ended).
 */
type CloseReason = 'graceful' | 'idle' | 'abrupt' | 'cut' | 'end';

interface Connection {
  pod: number;
  via: number;
  opened: number;
  close: number;
  reason: CloseReason;
  layer: Layer;
}

class Traffic {
  private readonly input: World['input'];
  private readonly pods: readonly SimPod[];
  private readonly proxy: Map<number, 'ready' | 'serving-terminating'>[];
  private readonly ingress = new Map<number, 'ready' | 'serving-terminating'>();
  private readonly lbPods = new Set<number>();
  private readonly lbNodes = new Set<number>();
  private routes: Route[] = [];
  private dirty = true;
  private readonly byCause = zeroCauses();
  private ok = 0;
  private readonly windows: FailureWindow[] = [];
  private readonly open = new Map<string, { cause: Cause; start: number; end: number; count: number; pod?: string; node?: string; layer: Layer }>();
  /** Removals by backend id (pods or nodes, as the entry's LB has). */
  private readonly removalsByBackend: Removal[][] = [];
  private readonly rNew: number;
  private readonly d: number;
  private readonly connections: Connection[] = [];
  private readonly connQueue = new EventQueue<ConnEvent>();
  private readonly lambdaC: number;

  constructor(
    private readonly world: World,
    private readonly random: Random,
    private readonly options: TrafficOptions,
  ) {
    this.input = world.input;
    this.pods = world.pods;
    this.proxy = Array.from({ length: world.nodes }, () => new Map());
    const t = this.input.traffic;
    const keepAlive = Math.min(1, Math.max(0, t.keepAliveShare)) * t.rps;
    this.rNew = t.rps - keepAlive;
    this.d = t.requestSeconds;
    const m = keepAlive > 0 ? Math.max(1, Math.round(keepAlive / KEEPALIVE_CONNECTION_RPS)) : 0;
    this.lambdaC = m > 0 ? keepAlive / m : 0;
    for (let i = 0; i < m; i++) {
      this.connections.push({ pod: -1, via: -1, opened: 0, close: 0, reason: 'end', layer: 'app' });
      // Clients start at a random point of their first inter-request gap.
      this.connQueue.push({ time: world.start + random.exponential(this.lambdaC), conn: i, kind: 'open' });
    }
    for (const r of world.removals) (this.removalsByBackend[r.id] ??= []).push(r);
  }

  run(): TrafficResult {
    const world = this.world;
    for (const ev of world.initial) this.apply(ev);
    if (this.input.entry.kind === 'lb-node' && this.input.entry.policy === 'Cluster') for (let n = 0; n < world.nodes; n++) this.lbNodes.add(n);
    // Breakpoints: view changes and app listening changes.
    const points: { time: number; ev?: ViewEvent }[] = world.viewEvents.map((ev) => ({ time: ev.time, ev }));
    for (const pod of this.pods) {
      for (const l of pod.listening) {
        if (l.start > world.start && l.start < world.end) points.push({ time: l.start });
        if (l.end > world.start && l.end < world.end) points.push({ time: l.end });
      }
    }
    points.sort((a, b) => a.time - b.time);
    let t = world.start;
    let i = 0;
    while (t < world.end) {
      while (i < points.length && (points[i] as { time: number }).time <= t) {
        const ev = (points[i] as { ev?: ViewEvent }).ev;
        if (ev) this.apply(ev);
        i++;
      }
      const next = Math.min(i < points.length ? (points[i] as { time: number }).time : Infinity, world.end);
      this.segment(t, next);
      t = next;
    }
    this.drainConnections(world.end);
    for (const w of this.open.values()) this.windows.push(w);
    let failed = 0;
    for (const c of CAUSES) failed += this.byCause[c];
    if (this.options.model === 'rate' && !this.options.expected) {
      // Poisson draws around the expected values (keep-alive counts are drawn already).
      for (const c of CAUSES) this.byCause[c] = this.drawn[c] + this.random.poisson(this.byCause[c] - this.drawn[c]);
      failed = 0;
      for (const c of CAUSES) failed += this.byCause[c];
      this.ok = this.okDrawn + this.random.poisson(this.ok - this.okDrawn);
    }
    this.windows.sort((a, b) => a.start - b.start || (a.cause < b.cause ? -1 : 1));
    return { requests: this.ok + failed, failed, byCause: this.byCause, windows: this.windows };
  }

  /** Counts already drawn (keep-alive connections): not drawn again at the end. */
  private readonly drawn = zeroCauses();
  private okDrawn = 0;

  private apply(ev: ViewEvent): void {
    if (ev.layer === 'endpoints') return;
    this.dirty = true;
    if (ev.layer === 'kube-proxy') {
      const view = this.proxy[ev.node] as Map<number, 'ready' | 'serving-terminating'>;
      if (ev.state === 'absent') view.delete(ev.pod);
      else view.set(ev.pod, ev.state);
    } else if (ev.layer === 'ingress') {
      if (ev.state === 'ready') this.ingress.set(ev.pod, 'ready');
      else this.ingress.delete(ev.pod);
    } else if (ev.layer === 'lb-pod') {
      if (ev.state === 'ready') this.lbPods.add(ev.pod);
      else this.lbPods.delete(ev.pod);
    } else if (ev.state === 'ready') this.lbNodes.add(ev.node);
    else this.lbNodes.delete(ev.node);
  }

  // --- routing ---------------------------------------------------------------------------------

  private computeRoutes(): Route[] {
    const entry = this.input.entry;
    const routes: Route[] = [];
    if (entry.kind === 'lb-pod') {
      const n = this.lbPods.size;
      if (n === 0) return [{ weight: 1, pod: -1, via: -1, node: -1, cause: 'no-endpoint', layer: 'load-balancer' }];
      for (const pod of this.lbPods) routes.push({ weight: 1 / n, pod, via: pod, node: this.pods[pod]?.node ?? -1, layer: 'app' });
      return routes;
    }
    if (entry.kind === 'ingress') {
      const n = this.ingress.size;
      if (n === 0) return [{ weight: 1, pod: -1, via: -1, node: -1, cause: 'no-endpoint', layer: 'ingress' }];
      for (const pod of this.ingress.keys()) routes.push({ weight: 1 / n, pod, via: -1, node: this.pods[pod]?.node ?? -1, layer: 'app' });
      return routes;
    }
    const local = entry.kind === 'lb-node' && entry.policy === 'Local';
    const nodes = entry.kind === 'lb-node' ? [...this.lbNodes] : Array.from({ length: this.world.nodes }, (_, n) => n);
    if (nodes.length === 0) return [{ weight: 1, pod: -1, via: -1, node: -1, cause: 'no-endpoint', layer: 'load-balancer' }];
    const share = 1 / nodes.length;
    // Only Local mode removes nodes from the LB (and so cuts through them); elsewhere the routes
    // to one pod through different nodes are one route.
    const merged = new Map<number, number>();
    for (const node of nodes) {
      const via = local ? node : -1;
      const view = this.proxy[node] as Map<number, 'ready' | 'serving-terminating'>;
      let candidates: number[] = [];
      for (const [pod, state] of view) if (state === 'ready' && (!local || this.pods[pod]?.node === node)) candidates.push(pod);
      if (candidates.length === 0 && this.input.proxy.terminatingEndpoints) {
        // ProxyTerminatingEndpoints: fall back to serving terminating endpoints.
        for (const [pod, state] of view) if (state === 'serving-terminating' && (!local || this.pods[pod]?.node === node)) candidates.push(pod);
      }
      if (candidates.length === 0) {
        routes.push({ weight: share, pod: -1, via, node, cause: local ? 'no-local-endpoint' : 'no-endpoint', layer: 'kube-proxy' });
        continue;
      }
      const w = share / candidates.length;
      if (local) for (const pod of candidates) routes.push({ weight: w, pod, via, node, layer: 'app' });
      else for (const pod of candidates) merged.set(pod, (merged.get(pod) ?? 0) + w);
    }
    for (const [pod, weight] of [...merged].sort((a, b) => a[0] - b[0])) routes.push({ weight, pod, via: -1, node: this.pods[pod]?.node ?? -1, layer: 'app' });
    return routes;
  }

  private currentRoutes(): Route[] {
    if (this.dirty) {
      this.routes = this.computeRoutes();
      this.dirty = false;
    }
    return this.routes;
  }

  private listening(pod: SimPod, t: number): boolean {
    for (const l of pod.listening) if (l.start <= t && t < l.end) return true;
    return false;
  }

  /** The failure a request routed to `pod` at time t meets at the app, if any. */
  private appRefusal(pod: SimPod, t: number): Cause | undefined {
    if (this.listening(pod, t)) return undefined;
    return pod.deletedAt <= t || pod.listening.some((l) => l.end <= t) ? 'refused-after-stop' : 'refused-before-ready';
  }

  // --- new-connection requests -----------------------------------------------------------------

  private segment(a: number, b: number): void {
    this.advanceConnections(a);
    if (b <= a) return;
    const routes = this.currentRoutes();
    const mid = (a + b) / 2;
    if (this.options.model === 'request') {
      this.requestsIn(a, b, routes);
    } else {
      for (const route of routes) {
        const expected = this.rNew * route.weight * (b - a);
        if (expected === 0) continue;
        if (route.cause) {
          this.fail(route.cause, expected, a, b, route);
          continue;
        }
        const pod = this.pods[route.pod] as SimPod;
        const refusal = this.appRefusal(pod, mid);
        if (refusal) {
          this.fail(refusal, expected, a, b, { ...route, layer: 'app' });
          continue;
        }
        // Accepted: the part of the stretch whose requests are still in flight when the process
        // ends abruptly, or when the LB cuts the backend.
        const rate = this.rNew * route.weight;
        const killed = measure(a, b, pod.abruptEnds, this.d, []);
        const cuts = route.via >= 0 ? this.cutWindows(route.via) : [];
        const cut = cuts.length > 0 ? measureCuts(a, b, cuts, this.d, pod.abruptEnds) : 0;
        if (killed > 0) this.fail('killed-in-flight', rate * killed, a, b, { ...route, layer: 'app' });
        if (cut > 0) this.fail('cut-by-lb', rate * cut, a, b, { ...route, layer: 'load-balancer' });
        this.ok += expected - rate * (killed + cut);
      }
    }
    this.advanceConnections(b);
  }

  /** Removals of a backend: requests routed through it before `removed` and in flight at `cut` are cut. */
  private cutWindows(via: number): readonly Removal[] {
    return this.removalsByBackend[via] ?? NONE;
  }

  private requestsIn(a: number, b: number, routes: Route[]): void {
    if (this.rNew <= 0) return;
    let t = a + this.random.exponential(this.rNew);
    // Continue the Poisson process across segments: memorylessness lets each segment restart.
    while (t < b) {
      const route = pick(routes, this.random.next());
      this.judge(route, t, false);
      t += this.random.exponential(this.rNew);
    }
  }

  /** Judges one request routed at time t (request model, and connection openings). */
  private judge(route: Route, t: number, drawn: boolean): boolean {
    const add = (cause: Cause | undefined, layer: Layer): void => {
      if (cause) {
        this.fail(cause, 1, t, t, { ...route, layer });
        if (drawn) this.drawn[cause]++;
      } else {
        this.ok++;
        if (drawn) this.okDrawn++;
      }
    };
    if (route.cause) {
      add(route.cause, route.layer);
      return false;
    }
    const pod = this.pods[route.pod] as SimPod;
    const refusal = this.appRefusal(pod, t);
    if (refusal) {
      add(refusal, 'app');
      return false;
    }
    if (!drawn) {
      if (pod.abruptEnds.some((e) => e > t && e <= t + this.d)) return add('killed-in-flight', 'app'), true;
      if (route.via >= 0 && this.cutWindows(route.via).some((r) => t < r.removed && r.cut > t && r.cut <= t + this.d)) return add('cut-by-lb', 'load-balancer'), true;
    }
    add(undefined, 'app');
    return true;
  }

  private fail(cause: Cause, count: number, a: number, b: number, route: Route): void {
    this.byCause[cause] += count;
    if (!this.options.windows) return;
    const pod = route.pod >= 0 ? this.pods[route.pod]?.name : undefined;
    const node = route.node >= 0 ? `node-${route.node + 1}` : undefined;
    const key = `${cause}|${pod ?? ''}|${node ?? ''}|${route.layer}`;
    const w = this.open.get(key);
    if (w && a - w.end <= WINDOW_GAP_SECONDS) {
      w.end = Math.max(w.end, b);
      w.count += count;
      return;
    }
    if (w) this.windows.push(w);
    this.open.set(key, { cause, start: a, end: b, count, ...(pod ? { pod } : {}), ...(node ? { node } : {}), layer: route.layer });
  }

  // --- keep-alive connections ------------------------------------------------------------------

  private advanceConnections(until: number): void {
    for (;;) {
      const ev = this.connQueue.peek();
      if (!ev || ev.time > until || ev.time >= this.world.end) return;
      this.connQueue.pop();
      if (ev.kind === 'open') this.openConnection(ev.conn, ev.time);
      else this.closeConnection(ev.conn, ev.time);
    }
  }

  private openConnection(id: number, t: number): void {
    const conn = this.connections[id] as Connection;
    const route = pick(this.currentRoutes(), this.random.next());
    const accepted = this.judge(route, t, true);
    if (!accepted) {
      // The request failed; the client tries again with its next request.
      this.connQueue.push({ time: t + this.random.exponential(this.lambdaC), conn: id, kind: 'open' });
      return;
    }
    const pod = this.pods[route.pod] as SimPod;
    let close = Infinity;
    let reason: CloseReason = 'end';
    let layer: Layer = 'app';
    for (const c of pod.keepAliveCloses) {
      if (c.time > t) {
        close = c.time;
        reason = c.how;
        break;
      }
    }
    if (route.via >= 0) {
      for (const r of this.cutWindows(route.via)) {
        if (r.removed >= t && r.cut < close) {
          close = r.cut;
          reason = 'cut';
          layer = 'load-balancer';
          break;
        }
      }
    }
    if (close > this.world.end) reason = 'end';
    Object.assign(conn, { pod: route.pod, via: route.via, opened: t, close, reason, layer });
    this.connQueue.push({ time: Math.min(close, this.world.end), conn: id, kind: 'close' });
  }

  /** The failures a connection's end causes: [cause, window before the end, window after]. */
  private endFailures(reason: CloseReason): [Cause, number, number][] {
    if (reason === 'abrupt') return [['killed-in-flight', this.d, 0], ['keep-alive-race', 0, KEEPALIVE_RACE_SECONDS]];
    if (reason === 'idle') return [['keep-alive-race', 0, KEEPALIVE_RACE_SECONDS]];
    if (reason === 'cut') return [['cut-by-lb', this.d, 0]];
    return [];
  }

  private closeConnection(id: number, t: number): void {
    const conn = this.connections[id] as Connection;
    const life = t - conn.opened;
    const failures = t >= conn.close ? this.endFailures(conn.reason) : [];
    const route: Route = { weight: 1, pod: conn.pod, via: conn.via, node: this.pods[conn.pod]?.node ?? -1, layer: conn.layer };
    // The next request: sent after the end (within the race window it still uses the old socket).
    let next = t + this.random.exponential(this.lambdaC);
    if (this.options.model === 'request') {
      // Every request on the connection, one by one.
      let s = conn.opened + this.random.exponential(this.lambdaC);
      while (s < t) {
        const hit = failures.find(([, before]) => s >= t - before);
        if (hit) {
          this.fail(hit[0], 1, s, s, { ...route, layer: hit[0] === 'cut-by-lb' ? 'load-balancer' : 'app' });
          this.drawn[hit[0]]++;
        } else {
          this.ok++;
          this.okDrawn++;
        }
        s += this.random.exponential(this.lambdaC);
      }
      const race = failures.find(([, , after]) => after > 0);
      if (race && next < t + race[2]) {
        this.fail(race[0], 1, next, next, route);
        this.drawn[race[0]]++;
        next += this.random.exponential(this.lambdaC);
      }
    } else {
      let failMean = 0;
      for (const [cause, before, after] of failures) {
        // Before the end: requests in the window; after: the chance that the next request is sent within it.
        const mean = before > 0 ? this.lambdaC * Math.min(before, life) : 1 - Math.exp(-this.lambdaC * after);
        if (before > 0) failMean += mean;
        if (this.options.expected) {
          if (mean > 0) this.fail(cause, mean, t, t, { ...route, layer: cause === 'cut-by-lb' ? 'load-balancer' : 'app' });
        } else {
          const f = before > 0 ? this.random.poisson(mean) : this.random.next() < mean ? 1 : 0;
          if (f > 0) this.fail(cause, f, t, t, { ...route, layer: cause === 'cut-by-lb' ? 'load-balancer' : 'app' });
          this.drawn[cause] += f;
          if (after > 0 && f > 0) next += this.random.exponential(this.lambdaC);
        }
      }
      const okMean = Math.max(0, this.lambdaC * life - failMean);
      if (this.options.expected) this.ok += okMean;
      else {
        const okCount = this.random.poisson(okMean);
        this.ok += okCount;
        this.okDrawn += okCount;
      }
    }
    if (t < this.world.end) this.connQueue.push({ time: next, conn: id, kind: 'open' });
  }

  private drainConnections(end: number): void {
    this.advanceConnections(end);
    // Close what is still open at the end of the run, counting its requests.
    const pending: ConnEvent[] = [];
    for (let e = this.connQueue.pop(); e; e = this.connQueue.pop()) pending.push(e);
    for (const e of pending) if (e.kind === 'close') this.closeConnection(e.conn, end);
  }
}

/** Length of [lo, hi) outside the windows [x - d, x) of the times `exclude`. */
function outside(lo: number, hi: number, exclude: readonly number[], d: number): number {
  let len = hi - lo;
  for (const x of exclude) {
    const xl = Math.max(lo, x - d);
    const xh = Math.min(hi, x);
    if (xh > xl) len -= xh - xl;
  }
  return Math.max(0, len);
}

/** Length of [a, b) inside the windows [e - d, e) of the times `ends`, outside those of `exclude`. */
function measure(a: number, b: number, ends: readonly number[], d: number, exclude: readonly number[]): number {
  let total = 0;
  for (const e of ends) {
    const lo = Math.max(a, e - d);
    const hi = Math.min(b, e);
    if (hi > lo) total += outside(lo, hi, exclude, d);
  }
  return total;
}

/** Length of [a, b) in which a request is in flight at a cut it was routed before, outside `exclude` windows. */
function measureCuts(a: number, b: number, removals: readonly Removal[], d: number, exclude: readonly number[]): number {
  let total = 0;
  for (const r of removals) {
    const lo = Math.max(a, r.cut - d);
    const hi = Math.min(b, r.cut, r.removed);
    if (hi > lo) total += outside(lo, hi, exclude, d);
  }
  return total;
}

function pick(routes: readonly Route[], u: number): Route {
  let acc = 0;
  for (const r of routes) {
    acc += r.weight;
    if (u < acc) return r;
  }
  return routes[routes.length - 1] as Route;
}
