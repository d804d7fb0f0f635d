/**
 * The cloud load balancer of the lab: a real HAProxy in a namespace of its own on the lab's
 * bridge, with HTTP health checks against the nodes (or pods), driven through its runtime API
 * (a UNIX socket: `set server … state drain|maint|ready`, `show servers state`). And kube-proxy's
 * health-check node port: a process per node that answers 200 while the node has a local
 * endpoint and 503 without one, as kube-proxy's service health server does under
 * `externalTrafficPolicy: Local`.
 */
import { connect } from 'node:net';
import { RollsafeError } from '../errors.js';

/** One backend of the load balancer. */
export interface LbBackend {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  /** The port the health check goes to (a Local Service's healthCheckNodePort); default `port`. */
  readonly checkPort?: number;
}

/** The load balancer's health checks and listener. */
export interface LbSettings {
  /** The port the load balancer listens on, at its own address. */
  readonly port: number;
  readonly backends: readonly LbBackend[];
  readonly checkPath: string;
  readonly intervalMs: number;
  readonly rise: number;
  readonly fall: number;
  /**
   * `http` (default) or `tcp`: a layer-4 balancer (a cloud CLB or NLB) passes each client
   * connection through to one backend; with `tcp` and `retries: 0` a refused or reset backend
   * connection reaches the client as the cloud LB's would.
   */
  readonly mode?: 'http' | 'tcp';
  /** Connection retries to a backend (HAProxy's default 3; a cloud LB does not retry: 0). */
  readonly retries?: number;
  /** HAProxy's `timeout connect` in ms (default 2000). */
  readonly connectTimeoutMs?: number;
}

/** HAProxy's configuration for the lab's load balancer (pure). */
export function haproxyConfig(settings: LbSettings, address: string, adminSocket: string): string {
  const servers = settings.backends.map(
    (b) => `  server ${b.name} ${b.ip}:${b.port} check port ${b.checkPort ?? b.port} inter ${settings.intervalMs} rise ${settings.rise} fall ${settings.fall}`,
  );
  return [
    'global',
    `  stats socket ${adminSocket} mode 600 level admin`,
    'defaults',
    `  mode ${settings.mode ?? 'http'}`,
    ...(settings.retries !== undefined ? [`  retries ${settings.retries}`] : []),
    `  timeout connect ${settings.connectTimeoutMs ?? 2000}ms`,
    '  timeout client 30s',
    '  timeout server 30s',
    'frontend lb',
    `  bind ${address}:${settings.port}`,
    '  default_backend nodes',
    'backend nodes',
    '  balance roundrobin',
    `  option httpchk GET ${settings.checkPath}`,
    ...servers,
    '',
  ].join('\n');
}

/** Sends one command to HAProxy's runtime API and returns its answer. */
export function runtimeCommand(socketPath: string, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let answer = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new RollsafeError('command-failed', `HAProxy did not answer \`${command}\``)));
    socket.on('connect', () => socket.end(`${command}\n`));
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** A backend's state from `show servers state`: up (2), or not. */
export function serverStates(answer: string): Record<string, 'up' | 'down' | 'maint' | 'drain'> {
  const out: Record<string, 'up' | 'down' | 'maint' | 'drain'> = {};
  for (const line of answer.split('\n')) {
    // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state …
    const f = line.trim().split(/\s+/);
    if (f.length < 7 || !/^\d+$/.test(f[0] ?? '')) continue;
    const name = f[3] ?? '';
    const op = Number(f[5]);
    const admin = Number(f[6]);
    // srv_admin_state bits: maintenance 0x01 0x02 0x04 0x20 0x40, drain 0x08 0x10 (HAProxy's server.h).
    out[name] = admin & 0x67 ? 'maint' : admin & 0x18 ? 'drain' : op === 2 ? 'up' : 'down';
  }
  return out;
}

/**
 * The script of kube-proxy's health-check node port for one node, run with `node -e`: it answers
 * 200 with `{"localEndpoints": n}` while `n > 0` and 503 otherwise, n read from `file` (the lab
 * writes it on each sync).
 */
export const HEALTH_SERVER_SCRIPT = `
const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');
const [port, host, file] = process.argv.slice(1);
createServer((req, res) => {
  let n = 0;
  try { n = Number(readFileSync(file, 'utf8')) || 0; } catch {}
  res.statusCode = n > 0 ? 200 : 503;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ localEndpoints: n }) + '\\n');
}).listen(Number(port), host);
`;
