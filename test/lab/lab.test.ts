/**
 * The lab's real parts on this machine: namespaces, veth pairs, a bridge, pods as processes,
 * kube-proxy's tables in iptables, conntrack. Needs root and iproute2, iptables, conntrack and
 * haproxy: skipped with the reason when they are missing, failed instead in CI (CI is set).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupLeftovers, Lab, labNamespaces, labPrerequisites, onPath, type LabPod, type LabServicePort } from '../../src/lab/index.js';
import { ROOT } from '../helpers.js';

const missing = labPrerequisites(process.getuid?.(), (c) => onPath(c, process.env['PATH']));
const skip = missing !== undefined && !process.env['CI'];
const APP = `${ROOT}test/fixtures/apps/graceful.js`;
const CLIENT = `${ROOT}test/fixtures/lab/client.js`;
/** Each test's own prefix: labs of concurrent test files never meet. */
const PREFIX = 'rsl-test-';

function running(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A client process in a node: one JSON line back per command line. */
function client(lab: Lab, node: string, url: string): { ask: (line: string) => Promise<unknown>; process: ChildProcess } {
  const child = lab.spawnIn(node, [process.execPath, CLIENT, url], { PATH: process.env['PATH'] });
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const waiting: Array<(value: unknown) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  return {
    process: child,
    ask: (line) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer to ${line}`)), 10_000);
        waiting.push((value) => {
          clearTimeout(timer);
          resolve(value);
        });
        child.stdin?.write(`${line}\n`);
      }),
  };
}

describe.skipIf(skip)(`lab on real namespaces${skip ? ` (skipped: ${missing?.message})` : ''}`, () => {
  let lab: Lab | undefined;

  beforeAll(() => {
    if (missing) throw new Error(`CI must run the lab tests: ${missing.message}`);
  });

  afterEach(() => {
    lab?.destroy();
    // Hygiene: nothing of the lab remains.
    expect(labNamespaces(lab?.id ?? PREFIX)).toEqual([]);
    lab = undefined;
  });

  it('builds nodes on one bridge, runs pods in them, and spreads a Service like kube-proxy', async () => {
    lab = Lab.create({ nodes: 2, prefix: PREFIX });
    expect(labNamespaces(lab.id)).toEqual(lab.namespaces());
    const a = await lab.startPod({ name: 'pod-a', node: 'node-1', port: 8080, command: [process.execPath, APP] });
    const b = await lab.startPod({ name: 'pod-b', node: 'node-2', port: 8080, command: [process.execPath, APP] });
    expect([a.ip, b.ip]).toEqual(['10.250.1.1', '10.250.2.1']);
    const service: LabServicePort = {
      name: 'shop/web:http',
      clusterIP: '10.96.0.10',
      port: 80,
      nodePort: undefined,
      externalTrafficPolicy: 'Cluster',
      endpoints: [a, b].map((p) => ({ ip: p.ip, port: p.port, node: p.node.name, ready: true })),
    };
    lab.syncKubeProxy('node-1', [service]);
    expect(lab.execIn('node-1', ['iptables-save', '-t', 'nat'])).toContain('-m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-');

    const c = client(lab, 'node-1', 'http://10.96.0.10:80/');
    // 200 new connections, each pod chosen with probability 1/2: 60–140 each is 5.6 standard deviations wide.
    const spread = (await c.ask('fresh 200')) as { bodies: Record<string, number>; errors: Record<string, number> };
    expect(spread.errors).toEqual({});
    expect(Object.keys(spread.bodies).sort()).toEqual(['pod-a', 'pod-b']);
    for (const n of Object.values(spread.bodies)) {
      expect(n).toBeGreaterThanOrEqual(60);
      expect(n).toBeLessThanOrEqual(140);
    }

    // A keep-alive connection lives on in conntrack after its endpoint left the rules.
    const first = (await c.ask('ka')) as { body: string; reused: boolean };
    const kept = first.body === 'pod-a' ? a : b;
    const other = kept === a ? b : a;
    lab.syncKubeProxy('node-1', [{ ...service, endpoints: service.endpoints.filter((e) => e.ip === other.ip) }]);
    expect(await c.ask('ka')).toEqual({ body: kept.name, reused: true });
    expect(await c.ask('fresh 20')).toEqual({ bodies: { [other.name]: 20 }, errors: {} });
    expect(lab.execIn('node-1', ['conntrack', '-L', '-p', 'tcp', '--orig-dst', '10.96.0.10', '--reply-src', kept.ip, '--state', 'ESTABLISHED'])).toContain(`src=${kept.ip}`);

    // No endpoint at all: kube-proxy's REJECT in the filter table refuses at once.
    lab.syncKubeProxy('node-1', [{ ...service, endpoints: [] }]);
    expect(await c.ask('fresh 3')).toEqual({ bodies: {}, errors: { ECONNREFUSED: 3 } });
    c.process.stdin?.end();
    const pids = [a.process.pid, b.process.pid, c.process.pid];
    lab.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pids.map(running)).toEqual([false, false, false]);
  });

  it('the seed\'s cause 2 for real: a pod that exits at SIGTERM while kube-proxy still routes to it refuses; with a preStop, nothing fails', async () => {
    const EXIT = `${ROOT}test/fixtures/apps/exit-at-once.js`;
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    lab = Lab.create({ nodes: 2, prefix: PREFIX });
    const pods = [
      await lab.startPod({ name: 'pod-a', node: 'node-1', port: 8080, command: [process.execPath, EXIT] }),
      await lab.startPod({ name: 'pod-b', node: 'node-2', port: 8080, command: [process.execPath, EXIT] }),
      await lab.startPod({ name: 'pod-c', node: 'node-1', port: 8080, command: [process.execPath, EXIT] }),
    ];
    const [a, b, c] = pods as [LabPod, LabPod, LabPod];
    const service = (members: LabPod[]): LabServicePort => ({ name: 'shop/web:http', clusterIP: '10.96.0.10', port: 80, nodePort: undefined, externalTrafficPolicy: 'Cluster', endpoints: members.map((p) => ({ ip: p.ip, port: p.port, node: p.node.name, ready: true })) });
    lab.syncKubeProxy('node-2', [service([a, b])]);
    // 100 requests per second for 3 s from node 2; at 1 s pod-a gets SIGTERM and exits, and
    // kube-proxy on node 2 removes it 1 s later: about 100 × 1 s × ½ requests are refused.
    const cl = client(lab, 'node-2', 'http://10.96.0.10:80/');
    const before = cl.ask('rate 100 3');
    await sleep(1000);
    const killedAt = performance.now();
    a.process.kill('SIGTERM');
    await sleep(1000);
    lab.syncKubeProxy('node-2', [service([b])]);
    // The window as it happened (a busy machine stretches the 1 s): half of its requests chose pod-a.
    const expected = (100 * (performance.now() - killedAt)) / 1000 / 2;
    const measured = (await before) as { bodies: Record<string, number>; errors: Record<string, number> };
    const refused = measured.errors['ECONNREFUSED'] ?? 0;
    // A request on the wire the instant pod-a exited is reset: killed-in-flight (0–4 seen at 100 rps).
    const reset = measured.errors['ECONNRESET'] ?? 0;
    expect(Object.keys(measured.errors).filter((e) => e !== 'ECONNREFUSED' && e !== 'ECONNRESET')).toEqual([]);
    // refused-after-stop: binomial around the expectation (sd ≈ 5), plus the two processes' timer skew.
    expect(refused).toBeGreaterThanOrEqual(expected - 25);
    expect(refused).toBeLessThanOrEqual(expected + 25);
    expect(reset).toBeLessThanOrEqual(10);
    expect((measured.bodies['pod-a'] ?? 0) + (measured.bodies['pod-b'] ?? 0) + refused + reset).toBe(300);

    // The fix: a preStop delay longer than the propagation, so pod-c leaves the rules first.
    lab.syncKubeProxy('node-2', [service([b, c])]);
    const after = cl.ask('rate 100 3');
    await sleep(1000);
    lab.syncKubeProxy('node-2', [service([b])]);
    await sleep(1000);
    c.process.kill('SIGTERM');
    const fixed = (await after) as { bodies: Record<string, number>; errors: Record<string, number> };
    expect(fixed.errors).toEqual({});
    expect((fixed.bodies['pod-b'] ?? 0) + (fixed.bodies['pod-c'] ?? 0)).toBe(300);
    cl.process.stdin?.end();
  });

  it('HAProxy health-checks the nodes\' health-check node port and sends a Local NodePort only to the node with the pod', async () => {
    lab = Lab.create({ nodes: 2, prefix: PREFIX });
    const a = await lab.startPod({ name: 'pod-a', node: 'node-1', port: 8080, command: [process.execPath, APP] });
    const service: LabServicePort = { name: 'shop/web:http', clusterIP: '10.96.0.10', port: 80, nodePort: 30080, externalTrafficPolicy: 'Local', endpoints: [{ ip: a.ip, port: a.port, node: 'node-1', ready: true }] };
    for (const node of lab.nodes) {
      lab.syncKubeProxy(node.name, [service]);
      await lab.startHealthCheckNodePort(node.name, 32000);
    }
    lab.setLocalEndpoints('node-1', 1);
    const lb = await lab.startLoadBalancer({
      port: 80,
      backends: lab.nodes.map((n) => ({ name: n.name, ip: n.ip, port: 30080, checkPort: 32000 })),
      checkPath: '/healthz',
      intervalMs: 200,
      rise: 1,
      fall: 1,
    });
    const until = async (want: Record<string, string>): Promise<Record<string, string>> => {
      let states: Record<string, string> = {};
      for (const deadline = performance.now() + 5000; performance.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
        states = await lb.states();
        if (JSON.stringify(states) === JSON.stringify(want)) break;
      }
      return states;
    };
    expect(await until({ 'node-1': 'up', 'node-2': 'down' })).toEqual({ 'node-1': 'up', 'node-2': 'down' });
    const c = lab.spawnAtLoadBalancer([process.execPath, CLIENT, `http://${lb.address}:80/`], { PATH: process.env['PATH'] });
    const answer = new Promise<string>((resolve) => createInterface({ input: c.stdout ?? process.stdin }).once('line', resolve));
    c.stdin?.end('fresh 30\n');
    expect(JSON.parse(await answer)).toEqual({ bodies: { 'pod-a': 30 }, errors: {} });
    // The runtime API drains a backend; the node's last local endpoint gone, its health check fails.
    expect(await lb.command('set server nodes/node-1 state drain')).toBe('\n');
    expect(await until({ 'node-1': 'drain', 'node-2': 'down' })).toEqual({ 'node-1': 'drain', 'node-2': 'down' });
    await lb.command('set server nodes/node-1 state ready');
    lab.setLocalEndpoints('node-1', 0);
    expect(await until({ 'node-1': 'down', 'node-2': 'down' })).toEqual({ 'node-1': 'down', 'node-2': 'down' });
  });

  it.runIf(existsSync(`${ROOT}dist/lab/index.js`))('cleans up on SIGINT, and a later lab removes what a SIGKILLed one left', async () => {
    const owner = (mode: string): Promise<{ child: ChildProcess; namespaces: string[] }> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [`${ROOT}test/fixtures/lab/owner.js`, `${PREFIX}x-`, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
        createInterface({ input: child.stdout ?? process.stdin }).once('line', (line) => resolve({ child, namespaces: JSON.parse(line) as string[] }));
        child.once('exit', (code) => reject(new Error(`owner exited with ${code}`)));
      });
    const exited = (child: ChildProcess): Promise<void> => new Promise((resolve) => child.once('exit', () => resolve()));

    const owners: ChildProcess[] = [];
    try {
      const handled = await owner('handle');
      owners.push(handled.child);
      expect(handled.namespaces).toHaveLength(3);
      expect(labNamespaces(`${PREFIX}x-`)).toEqual(handled.namespaces);
      handled.child.kill('SIGINT');
      await exited(handled.child);
      expect(labNamespaces(`${PREFIX}x-`)).toEqual([]);

      const killed = await owner('no-handler');
      owners.push(killed.child);
      killed.child.kill('SIGKILL');
      await exited(killed.child);
      expect(labNamespaces(`${PREFIX}x-`)).toEqual(killed.namespaces);
      expect(cleanupLeftovers(`${PREFIX}x-`)).toEqual(killed.namespaces);
      expect(labNamespaces(`${PREFIX}x-`)).toEqual([]);
    } finally {
      // A failed assertion must not leave an owner (and its lab) behind.
      for (const child of owners) if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    }
  });
});
