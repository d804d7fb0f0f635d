/**
 * The load generator of `app-check`: real HTTP/1.1 requests on loopback with Node's http client.
 * Half of the requests open a new connection each (a request routed anew: they stop when the
 * routing window ends); the other half run on keep-alive connections that a few clients hold the
 * way a load balancer or a pinned client does: they send on their connection until the server
 * closes it, also after the routing window. One more connection carries one request and then
 * stays idle, to see when the server closes an idle connection. Every request and connection is
 * recorded.
 */
import { Agent, request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectionRecord, Outcome, RequestRecord } from './types.js';

/**
 * A keep-alive agent that keeps an idle connection until the server closes it, as a load
 * balancer does: Node's own agent retires a connection a second before the server's
 * `Keep-Alive: timeout=N` hint, which would hide the server's idle timeout from the check.
 */
class PoolAgent extends Agent {
  constructor() {
    super({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  }

  override keepSocketAlive(socket: Duplex): boolean {
    const tcp = socket as Socket;
    tcp.setKeepAlive(true, 1000);
    tcp.unref();
    if (tcp.timeout !== 0) tcp.setTimeout(0);
    return true;
  }
}

interface Connection {
  id: number;
  kind: 'keep-alive' | 'idle';
  openedMs: number;
  closedMs: number | undefined;
  requests: number;
  announced: boolean;
  closedByServer: boolean;
  inFlight: boolean;
  inFlightAtClose: boolean;
  keepAliveHint: number | undefined;
  open: boolean;
}

/** When the load runs, in milliseconds of the check's clock. */
export interface LoadPlan {
  readonly port: number;
  readonly rps: number;
  readonly keepAliveClients: number;
  /** New connections are opened until this time. */
  readonly windowEndMs: number;
}

const ERROR_OUTCOMES: Readonly<Record<string, Outcome>> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ETIMEDOUT: 'timeout',
};

/** Runs the load; `stop()` ends it and resolves once every request has ended. */
export class LoadGenerator {
  private readonly plan: LoadPlan;
  private readonly now: () => number;
  private readonly requests: RequestRecord[] = [];
  private readonly connections: Connection[] = [];
  private readonly bySocket = new WeakMap<object, Connection>();
  private readonly pending = new Set<Promise<void>>();
  private readonly agents: Agent[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly freshAgent = new Agent({ keepAlive: false });
  private stopped = false;
  private clientsRunning = 0;

  constructor(plan: LoadPlan, now: () => number) {
    this.plan = plan;
    this.now = now;
  }

  /** Starts the fresh-connection stream, the keep-alive clients and the idle connection. */
  start(): void {
    const freshInterval = 2000 / this.plan.rps;
    const clientInterval = freshInterval * this.plan.keepAliveClients;
    const t0 = this.now();
    const fresh = (i: number): void => {
      // Every slot is sent, late if the event loop was busy: the count per window stays exact.
      const at = t0 + i * freshInterval;
      if (this.stopped || at >= this.plan.windowEndMs) return;
      this.after(at - this.now(), () => {
        this.track(this.send('fresh', this.freshAgent, '/', undefined, at));
        fresh(i + 1);
      });
    };
    fresh(0);
    for (let c = 0; c < this.plan.keepAliveClients; c++) this.track(this.keepAliveClient(t0 + (c * clientInterval) / this.plan.keepAliveClients, clientInterval));
    const idle = new PoolAgent();
    this.agents.push(idle);
    this.track(this.send('idle', idle, '/'));
  }

  /** Sends `count` requests to a slow path, each on a new connection. */
  sendSlow(path: string, count: number): void {
    for (let i = 0; i < count; i++) this.track(this.send('slow', this.freshAgent, path));
  }

  /** True while a keep-alive client still sends. */
  get busy(): boolean {
    return this.clientsRunning > 0;
  }

  /** Ends the load: aborts what is still in flight (recorded as timed out) and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const agent of [...this.agents, this.freshAgent]) agent.destroy();
    await Promise.all(this.pending);
  }

  /** The records so far. */
  records(): { requests: RequestRecord[]; connections: ConnectionRecord[] } {
    return {
      requests: [...this.requests].sort((a, b) => a.startMs - b.startMs),
      connections: this.connections.map((c) => ({
        id: c.id,
        kind: c.kind,
        openedMs: c.openedMs,
        closedMs: c.closedMs,
        requests: c.requests,
        announced: c.announced,
        closedByServer: c.closedByServer,
        inFlightAtClose: c.inFlightAtClose,
        keepAliveHint: c.keepAliveHint,
      })),
    };
  }

  private after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, Math.max(0, ms));
    this.timers.add(timer);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /**
   * One keep-alive client: a request every `interval` ms on its one connection. Inside the routing
   * window a closed connection is replaced by a new one; after it, the client stops once its
   * connection is closed (a new connection would go to another pod).
   */
  private async keepAliveClient(firstMs: number, interval: number): Promise<void> {
    const agent = new PoolAgent();
    this.agents.push(agent);
    this.clientsRunning++;
    let current: Connection | undefined;
    try {
      await this.sleep(firstMs - this.now());
      for (let next = firstMs; !this.stopped; next += interval) {
        if (this.now() >= this.plan.windowEndMs && !current?.open) break;
        await this.send('keep-alive', agent, '/', (c) => (current = c));
        // Evenly spaced; a request that took longer than the interval is followed at once.
        await this.sleep(next + interval - this.now());
      }
    } finally {
      this.clientsRunning--;
    }
  }

  private connectionOf(socket: Socket, kind: Connection['kind']): Connection {
    const known = this.bySocket.get(socket);
    if (known) return known;
    const c: Connection = {
      id: this.connections.length + 1,
      kind,
      openedMs: this.now(),
      closedMs: undefined,
      requests: 0,
      announced: false,
      closedByServer: false,
      inFlight: false,
      inFlightAtClose: false,
      keepAliveHint: undefined,
      open: true,
    };
    this.connections.push(c);
    this.bySocket.set(socket, c);
    socket.once('end', () => {
      c.closedByServer = true;
    });
    socket.once('close', () => {
      c.open = false;
      c.closedMs = this.now();
      c.inFlightAtClose ||= c.inFlight;
    });
    return c;
  }

  private send(kind: RequestRecord['kind'], agent: Agent, path: string, onConnection?: (c: Connection) => void, scheduledMs?: number): Promise<void> {
    const startMs = this.now();
    const pooled = kind === 'keep-alive' || kind === 'idle';
    return new Promise((resolve) => {
      let connection: Connection | undefined;
      let reused = false;
      let done = false;
      const finish = (outcome: Outcome, response?: IncomingMessage, error?: string): void => {
        if (done) return;
        done = true;
        if (connection) {
          connection.inFlight = false;
          // The error may come before the socket's close: it was in flight when the connection went.
          if (outcome === 'reset' || outcome === 'error') connection.inFlightAtClose = true;
        }
        const connectionClose = response?.headers.connection?.toLowerCase() === 'close';
        if (connection && response) {
          connection.requests++;
          connection.announced = connectionClose;
          const hint = /timeout=(\d+)/.exec(String(response.headers['keep-alive'] ?? ''))?.[1];
          if (hint !== undefined) connection.keepAliveHint = Number(hint);
        }
        this.requests.push({
          kind,
          connection: connection?.id,
          reused,
          scheduledMs: scheduledMs ?? startMs,
          startMs,
          endMs: this.now(),
          outcome,
          status: response?.statusCode,
          connectionClose,
          error,
        });
        resolve();
      };
      const req = request({ host: '127.0.0.1', port: this.plan.port, path, agent });
      req.on('socket', (socket: Socket) => {
        reused = req.reusedSocket;
        if (!pooled) return;
        // A connection is recorded once it is established: a refused attempt is no connection.
        const record = (): void => {
          connection = this.connectionOf(socket, kind === 'idle' ? 'idle' : 'keep-alive');
          connection.inFlight = !done;
          onConnection?.(connection);
        };
        if (socket.connecting) socket.once('connect', record);
        else record();
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => finish(res.statusCode !== undefined && res.statusCode >= 500 ? 'http-error' : 'ok', res));
        res.on('error', (e: NodeJS.ErrnoException) => finish(ERROR_OUTCOMES[e.code ?? ''] ?? 'reset', res, e.code ?? e.message));
        res.on('close', () => finish(this.stopped ? 'timeout' : 'reset', res, 'ECONNRESET'));
      });
      req.on('error', (e: NodeJS.ErrnoException) => finish(this.stopped ? 'timeout' : (ERROR_OUTCOMES[e.code ?? ''] ?? 'error'), undefined, e.code ?? e.message));
      req.end();
    });
  }
}
