/**
 * The programs the lab runs inside its namespaces, each a script for `node -e` (no file to ship):
 * the bundled pod server, the prober a node's kubelet uses, and the load generator.
 */

/**
 * The bundled test server of a pod. Environment: PORT, HOST, POD_NAME (set by the lab),
 * STARTUP_SECONDS (until it listens) or LISTEN_AT_MS (when to listen, epoch ms), DRAIN_SECONDS (after SIGTERM until it exits), REQUEST_MS
 * (each answer's delay), SIGTERM_MODE: `graceful` (stops accepting, answers on open connections
 * with `Connection: close`, exits after the drain time), `graceful-close-idle` (the same, closing
 * idle keep-alive connections at once), `exit` (at once), `ignore`. Each answer names the pod
 * (`X-Pod`).
 */
export const POD_SERVER_SCRIPT = `
const http = require('node:http');
const net = require('node:net');
const env = process.env;
const requestMs = Number(env.REQUEST_MS || 0);
const mode = env.SIGTERM_MODE || 'graceful';
let draining = false;
const server = http.createServer((req, res) => {
  setTimeout(() => {
    if (draining) res.setHeader('Connection', 'close');
    res.setHeader('X-Pod', env.POD_NAME || '');
    res.end('ok\\n');
  }, requestMs);
});
server.keepAliveTimeout = 120000;
// The app's startup counts from the container's start (LISTEN_AT_MS, epoch ms), not from this
// runtime's own: a loaded machine's interpreter start-up is not the app's.
const listenIn = env.LISTEN_AT_MS ? Number(env.LISTEN_AT_MS) - Date.now() : Number(env.STARTUP_SECONDS || 0) * 1000;
setTimeout(() => server.listen(Number(env.PORT), env.HOST), Math.max(0, listenIn));
process.on('SIGTERM', () => {
  if (mode === 'exit') process.exit(0);
  if (mode === 'ignore') return;
  draining = true;
  // Stop accepting only: http.Server.close would also close idle keep-alive connections.
  if (server.listening) net.Server.prototype.close.call(server);
  if (mode === 'graceful-close-idle') server.closeIdleConnections();
  setTimeout(() => process.exit(0), Number(env.DRAIN_SECONDS || 0) * 1000);
});
`;

/**
 * A node's prober (the kubelet's probes and httpGet hooks run from the node): JSON lines on stdin,
 * `{"id", "op": "tcp"|"http", "host", "port", "path", "timeoutMs"}`, answered on stdout with
 * `{"id", "ok"}` (http: a status in 200–399, as the kubelet's prober counts success).
 */
export const PROBER_SCRIPT = `
const net = require('node:net');
const http = require('node:http');
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('close', () => process.exit(0));
rl.on('line', (line) => {
  const m = JSON.parse(line);
  let sent = false;
  const done = (ok) => { if (!sent) { sent = true; process.stdout.write(JSON.stringify({ id: m.id, ok }) + '\\n'); } };
  if (m.op === 'tcp') {
    const s = net.connect({ host: m.host, port: m.port });
    const t = setTimeout(() => { s.destroy(); done(false); }, m.timeoutMs);
    s.on('connect', () => { clearTimeout(t); s.destroy(); done(true); });
    s.on('error', () => { clearTimeout(t); done(false); });
  } else {
    const r = http.get({ host: m.host, port: m.port, path: m.path, agent: false, timeout: m.timeoutMs }, (res) => {
      res.resume();
      done(res.statusCode >= 200 && res.statusCode < 400);
    });
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', () => done(false));
  }
});
`;

/**
 * The load generator: GET / on HOST:PORT at RPS requests per second until a line arrives on stdin
 * (or MAX_SECONDS pass), a share KEEPALIVE of them on keep-alive connections (at most CONNS), the
 * rest each on a fresh connection; at most MAX_IN_FLIGHT at once (a request that finds the bound
 * full is not sent and reported as `skipped`). Each request is one JSON line on stdout: `t` (send,
 * epoch ms), `d` (ms), `k` (1: keep-alive), `r` (1: on a reused connection), then `s` (status) and
 * `p` (the pod that answered) or `e` (the error: ECONNRESET, ECONNREFUSED, TIMEOUT, …). Then it
 * waits for the requests in flight (each ends within TIMEOUT_MS) and exits.
 */
export const LOAD_SCRIPT = `
const http = require('node:http');
const [host, port, rps, keepShare, conns, timeoutMs, maxInFlight, maxSeconds] = process.argv.slice(1);
const ka = new http.Agent({ keepAlive: true, maxSockets: Math.max(1, Number(conns)) });
const interval = 1000 / Number(rps);
const start = Date.now();
let sent = 0;
let inFlight = 0;
let stopping = false;
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
function one() {
  const t = Date.now();
  const keep = Math.random() < Number(keepShare);
  if (inFlight >= Number(maxInFlight)) { out({ t, d: 0, k: keep ? 1 : 0, r: 0, e: 'skipped' }); return; }
  inFlight++;
  let done = false;
  const req = http.get({ host, port: Number(port), path: '/', agent: keep ? ka : false, timeout: Number(timeoutMs) });
  const fin = (x) => {
    if (done) return;
    done = true;
    inFlight--;
    out({ t, d: Date.now() - t, k: keep ? 1 : 0, r: req.reusedSocket ? 1 : 0, ...x });
    if (stopping && inFlight === 0) process.exit(0);
  };
  req.on('response', (res) => {
    res.on('data', () => {});
    res.on('end', () => fin({ s: res.statusCode, p: res.headers['x-pod'] }));
    res.on('error', (e) => fin({ e: e.code || 'ERESPONSE' }));
    res.on('aborted', () => fin({ e: 'ECONNRESET' }));
  });
  req.on('timeout', () => { const e = new Error('timeout'); e.code = 'TIMEOUT'; req.destroy(e); });
  req.on('error', (e) => fin({ e: e.code || 'ERROR' }));
}
const tick = setInterval(() => {
  const due = Math.floor((Date.now() - start) / interval) + 1;
  while (sent < due) { sent++; one(); }
}, 5);
const stop = () => {
  if (stopping) return;
  stopping = true;
  clearInterval(tick);
  if (inFlight === 0) process.exit(0);
  setTimeout(() => process.exit(0), Number(timeoutMs) + 1000);
};
process.stdin.on('data', stop);
process.stdin.on('end', stop);
setTimeout(stop, Number(maxSeconds) * 1000);
`;
