// The admission webhook under load: `rollsafe serve` in its own process, autocannon (a well-kept
// HTTP load generator) sending real AdmissionReview v1 bodies of a Deployment over TLS on
// loopback, closed loop (each connection sends its next review when the last one is answered).
//
// Why not autocannon's fixed rate (`overallRate`): its limiter gives each connection a budget per
// second and spends it back to back at the start of the second (lib/httpClient.js,
// `reqsMadeThisSecond`), so "1,000/s" arrives as bursts of 1,000 and measures the queue of a burst,
// not the latency at that rate. A closed loop measures what the server sustains at each
// concurrency, with the rate it reached.
//
// 1. The soak: one connection limited to 1,000 reviews/s for 60 s (autocannon's limiter: the
//    second's 1,000 go back to back, one at a time, so nothing queues in the server and each
//    latency is a review's own; its coordinated-omission correction is off, as there is no
//    schedule to correct against) — p50, p99 (goal ≤ 5 ms), max, errors (goal 0), and the server's
//    resident memory every 5 s (goal: flat).
// 2. Concurrency 1, 2, 4, 8, 16 for 10 s each, until p99 passes 10 ms: the throughput where p99
//    crosses 10 ms. The whole bench ends in about 2 minutes.
//
// Usage: node bench/serve.js [--soak S] (after npm run build), or as part of npm run bench.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');

export const SERVE_GOALS = { rate: 1000, p99Ms: 5, crossingMs: 10 };

/** A Deployment as the API server sends it for admission (defaults filled in), with one fixable finding. */
function deploymentReview() {
  const object = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'registry.example.com/shop/web:2.4.1',
              ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http', scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
              resources: { requests: { cpu: '100m', memory: '128Mi' } },
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              imagePullPolicy: 'IfNotPresent',
            },
          ],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          securityContext: {},
          schedulerName: 'default-scheduler',
        },
      },
    },
    status: {},
  };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '2b9e1c44-7d0a-4b8e-9f1a-3c5d7e9f0a1b',
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      name: 'web',
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

function startServer(dir) {
  const certs = spawn(process.execPath, [BIN, 'serve', '--self-signed', dir, '--dns-name', 'localhost'], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    certs.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`serve --self-signed exited ${code}`));
      const child = spawn(process.execPath, [BIN, 'serve', '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key'), '--port', '0', '--host', '127.0.0.1', '--shutdown-delay', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let log = '';
      child.stderr.on('data', (chunk) => {
        log += chunk;
        const port = /listening on :(\d+)/.exec(log)?.[1];
        if (port) resolve({ child, port: Number(port) });
      });
      child.on('exit', (c) => reject(new Error(`serve exited ${c}: ${log}`)));
    });
  });
}

/** Resident memory of a process in MiB (Linux /proc). */
function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
  return kb / 1024;
}

function load(port, connections, seconds, body, rate) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `https://127.0.0.1:${port}/validate?timeout=3s`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections,
        duration: seconds,
        ...(rate === undefined ? {} : { overallRate: rate, ignoreCoordinatedOmission: true }),
        tlsOptions: { servername: 'localhost' },
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

function summary(connections, result) {
  return {
    connections,
    achieved: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  };
}

/** Runs the serve benchmark; returns its measurements. */
export async function benchServe({ soakSeconds = 60 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rollsafe-bench-serve-'));
  const { child, port } = await startServer(dir);
  const body = JSON.stringify(deploymentReview());
  try {
    // Warm-up: JIT, TLS sessions.
    await load(port, 1, 3, body);
    const memory = [rssMiB(child.pid)];
    const timer = setInterval(() => memory.push(rssMiB(child.pid)), 5000);
    const soak = summary(1, await load(port, 1, soakSeconds, body, SERVE_GOALS.rate));
    clearInterval(timer);
    memory.push(rssMiB(child.pid));
    const steps = [];
    let crossing;
    for (const connections of [1, 2, 4, 8, 16]) {
      const step = summary(connections, await load(port, connections, 10, body));
      steps.push(step);
      if (step.p99 > SERVE_GOALS.crossingMs || step.errors > 0) {
        crossing = step;
        break;
      }
    }
    return { bodyBytes: Buffer.byteLength(body), soak, memoryMiB: memory.map((m) => Math.round(m)), steps, crossing };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The measurements as a table, with missed goals said plainly. */
export function formatServe(result) {
  const row = (label, s) => `| ${label} | ${s.achieved.toFixed(0)} | ${s.p50} | ${s.p99} | ${s.max} | ${s.errors} |`;
  const lines = [
    `| rollsafe serve, /validate of a ${result.bodyBytes}-byte Deployment review over TLS (autocannon, closed loop) | reviews/s | p50 ms | p99 ms | max ms | errors |`,
    '|---|---|---|---|---|---|',
    row(`soak: 1 connection at ${SERVE_GOALS.rate}/s, ${result.soak.requests} reviews`, result.soak),
    ...result.steps.map((s) => row(`${s.connections} connection${s.connections === 1 ? '' : 's'}, 10 s`, s)),
    '',
    `server resident memory during the soak, every 5 s (MiB): ${result.memoryMiB.join(', ')}`,
    result.crossing === undefined
      ? `p99 stayed ≤ ${SERVE_GOALS.crossingMs} ms up to ${result.steps.at(-1).achieved.toFixed(0)} reviews/s (${result.steps.at(-1).connections} connections)`
      : `p99 crosses ${SERVE_GOALS.crossingMs} ms at ${result.crossing.achieved.toFixed(0)} reviews/s (${result.crossing.connections} connections)`,
  ];
  if (result.soak.achieved < SERVE_GOALS.rate * 0.98 || result.soak.p99 > SERVE_GOALS.p99Ms || result.soak.errors > 0) {
    lines.push(`GOAL MISSED: ${result.soak.achieved.toFixed(0)} reviews/s at p99 ${result.soak.p99} ms with ${result.soak.errors} errors; goal ≥ ${SERVE_GOALS.rate}/s at p99 ≤ ${SERVE_GOALS.p99Ms} ms and 0 errors`);
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { soak: { type: 'string', default: '60' } } });
  benchServe({ soakSeconds: Number(values.soak) }).then(
    (result) => process.stdout.write(`${formatServe(result)}\n${JSON.stringify(result)}\n`),
    (error) => {
      process.stderr.write(`bench serve: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
