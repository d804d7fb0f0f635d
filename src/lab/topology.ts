/**
 * The lab's machine room: nodes as Linux network namespaces joined by veth pairs to one bridge (in
 * a switch namespace of its own, so nothing is added to the host's network), pods as real
 * processes in their node's namespace with addresses of their own, kube-proxy's NAT table written
 * into each node. Every name starts with a prefix the lab owns plus the owner's pid and start time,
 * so that a later run can tell the leftovers of a crashed lab (owner gone) from a lab that runs,
 * and never touches anything else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './host.js';
import { RollsafeError } from '../errors.js';
import { renderNat, type LabServicePort } from './kube-proxy.js';
import { haproxyConfig, HEALTH_SERVER_SCRIPT, runtimeCommand, serverStates, type LbSettings } from './load-balancer.js';

/** The prefix of every namespace the lab creates. */
export const LAB_PREFIX = 'rsl-';

/** One node: a network namespace with one interface on the lab's bridge. */
export interface LabNode {
  readonly name: string;
  readonly netns: string;
  readonly ip: string;
}

/** One pod: a process in its node's namespace, listening on its own address. */
export interface LabPod {
  readonly name: string;
  readonly node: LabNode;
  readonly ip: string;
  readonly port: number;
  readonly process: ChildProcess;
}

/** Start time (clock ticks after boot) of a process, or undefined when it does not run. */
function startTime(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The namespaces whose names start with `prefix`. */
export function labNamespaces(prefix = LAB_PREFIX): string[] {
  return run('ip', ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(prefix))
    .sort();
}

/** Kills every process in a namespace and deletes it. */
function removeNamespace(netns: string): void {
  let pids: string[] = [];
  try {
    pids = run('ip', ['netns', 'pids', netns]).split('\n').filter(Boolean);
  } catch {
    // Already gone.
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Exited meanwhile.
    }
  }
  try {
    run('ip', ['netns', 'del', netns]);
  } catch {
    // Already gone.
  }
}

/**
 * Removes what crashed labs left: namespaces with the prefix whose owner (pid and start time in
 * the name) no longer runs. A lab that runs keeps its namespaces. Returns the names removed.
 */
export function cleanupLeftovers(prefix = LAB_PREFIX): string[] {
  const removed: string[] = [];
  for (const netns of labNamespaces(prefix)) {
    const owner = /^(\d+)-(\d+)-/.exec(netns.slice(prefix.length));
    if (!owner?.[1] || startTime(Number(owner[1])) === owner[2]) continue;
    removeNamespace(netns);
    removed.push(netns);
  }
  // The files of crashed labs (HAProxy's configuration and socket, health-check state).
  for (const entry of readdirSync(tmpdir())) {
    const owner = entry.startsWith(prefix) ? /^(\d+)-(\d+)-/.exec(entry.slice(prefix.length)) : null;
    if (owner?.[1] && startTime(Number(owner[1])) !== owner[2]) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
  return removed;
}

/** The hexadecimal `address:port` of /proc/net/tcp for an IPv4 address. */
function procAddress(ip: string, port: number): string {
  const bytes = ip.split('.').map((b) => Number(b).toString(16).toUpperCase().padStart(2, '0')).reverse();
  return `${bytes.join('')}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** True when a socket in the namespace of `pid` listens on ip:port. */
function listensIn(pid: number, ip: string, port: number): boolean {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/net/tcp`, 'utf8');
  } catch {
    return false;
  }
  const want = procAddress(ip, port);
  const any = procAddress('0.0.0.0', port);
  return text.split('\n').some((line) => {
    const fields = line.trim().split(/\s+/);
    return (fields[1] === want || fields[1] === any) && fields[3] === '0A';
  });
}

/** A lab: create it with `Lab.create`, end it with `destroy()` (also after a failure). */
export class Lab {
  readonly id: string;
  readonly nodes: readonly LabNode[];
  private readonly switchNs: string;
  private readonly pods: LabPod[] = [];
  private readonly helpers: ChildProcess[] = [];
  private lbNs: string | undefined;
  private files: string | undefined;
  private destroyed = false;

  private constructor(id: string, nodes: readonly LabNode[]) {
    this.id = id;
    this.nodes = nodes;
    this.switchNs = `${id}sw`;
  }

  /**
   * Builds `nodes` nodes (addresses 10.250.0.1, .2, … on one bridge); first removes what crashed
   * labs left. On any failure removes what it built and throws.
   */
  static create(options: { nodes: number; prefix?: string }): Lab {
    const prefix = options.prefix ?? LAB_PREFIX;
    if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > 50) throw new RollsafeError('command-failed', `a lab has 1 to 50 nodes, not ${options.nodes}`);
    cleanupLeftovers(prefix);
    const id = `${prefix}${process.pid}-${startTime('self') ?? '0'}-`;
    const nodes = Array.from({ length: options.nodes }, (_, i) => ({ name: `node-${i + 1}`, netns: `${id}n${i + 1}`, ip: `10.250.0.${i + 1}` }));
    const lab = new Lab(id, nodes);
    try {
      lab.build();
    } catch (error) {
      lab.destroy();
      throw error;
    }
    return lab;
  }

  private build(): void {
    const sw = this.switchNs;
    run('ip', ['netns', 'add', sw]);
    run('ip', ['-n', sw, 'link', 'add', 'br0', 'type', 'bridge']);
    run('ip', ['-n', sw, 'link', 'set', 'br0', 'up']);
    this.nodes.forEach((node, i) => {
      run('ip', ['netns', 'add', node.netns]);
      // Both ends are created inside the lab's namespaces: the host's network never sees them.
      run('ip', ['-n', sw, 'link', 'add', `n${i + 1}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.netns]);
      run('ip', ['-n', sw, 'link', 'set', `n${i + 1}`, 'master', 'br0', 'up']);
      run('ip', ['-n', node.netns, 'link', 'set', 'lo', 'up']);
      run('ip', ['-n', node.netns, 'addr', 'add', `${node.ip}/16`, 'dev', 'eth0']);
      run('ip', ['-n', node.netns, 'link', 'set', 'eth0', 'up']);
      // Service addresses are on no interface: locally sent packets need a route before OUTPUT's DNAT.
      run('ip', ['-n', node.netns, 'route', 'add', 'default', 'dev', 'eth0']);
      // A node forwards what kube-proxy DNATs to a pod on another node (the kubelet and kube-proxy
      // require net.ipv4.ip_forward=1); the setting is the namespace's own.
      run('ip', ['netns', 'exec', node.netns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    });
  }

  /** The lab's namespaces (the nodes, the switch, the load balancer's), sorted. */
  namespaces(): string[] {
    return [this.switchNs, ...this.nodes.map((n) => n.netns), ...(this.lbNs ? [this.lbNs] : [])].sort();
  }

  /** The lab's directory for files (made on first use, removed with the lab). */
  private dir(): string {
    this.files ??= mkdtempSync(join(tmpdir(), this.id));
    return this.files;
  }

  private async waitListening(child: ChildProcess, ip: string, port: number, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (child.pid === undefined || !listensIn(child.pid, ip, port)) {
      if (child.exitCode !== null || child.signalCode !== null || performance.now() > deadline) throw new RollsafeError('command-failed', `${what} did not listen on ${ip}:${port}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Starts kube-proxy's health-check node port on a node: 200 while the node has local endpoints
   * (set with `setLocalEndpoints`), 503 without.
   */
  async startHealthCheckNodePort(nodeName: string, port: number): Promise<void> {
    const node = this.node(nodeName);
    const file = join(this.dir(), `${node.name}.local-endpoints`);
    writeFileSync(file, '0');
    const child = spawn('ip', ['netns', 'exec', node.netns, process.execPath, '-e', HEALTH_SERVER_SCRIPT, String(port), node.ip, file], { stdio: 'ignore' });
    this.helpers.push(child);
    await this.waitListening(child, node.ip, port, `the health-check node port of ${node.name}`);
  }

  /** What the node's health-check node port reports: its local endpoints. */
  setLocalEndpoints(nodeName: string, count: number): void {
    writeFileSync(join(this.dir(), `${this.node(nodeName).name}.local-endpoints`), String(count));
  }

  /**
   * Starts HAProxy as the load balancer, in a namespace of its own at 10.250.0.250 on the lab's
   * bridge; returns its address and a runtime-API client.
   */
  async startLoadBalancer(settings: LbSettings): Promise<{ address: string; command: (line: string) => Promise<string>; states: () => Promise<Record<string, string>> }> {
    if (this.lbNs) throw new RollsafeError('command-failed', 'the lab has a load balancer already');
    const address = '10.250.0.250';
    const netns = `${this.id}lb`;
    this.lbNs = netns;
    run('ip', ['netns', 'add', netns]);
    run('ip', ['-n', this.switchNs, 'link', 'add', 'lb', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    run('ip', ['-n', this.switchNs, 'link', 'set', 'lb', 'master', 'br0', 'up']);
    run('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    run('ip', ['-n', netns, 'addr', 'add', `${address}/16`, 'dev', 'eth0']);
    run('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']);
    const socket = join(this.dir(), 'haproxy.sock');
    const config = join(this.dir(), 'haproxy.cfg');
    writeFileSync(config, haproxyConfig(settings, address, socket));
    const child = spawn('ip', ['netns', 'exec', netns, 'haproxy', '-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.helpers.push(child);
    await this.waitListening(child, address, settings.port, 'HAProxy');
    const command = (line: string): Promise<string> => runtimeCommand(socket, line);
    return { address, command, states: async () => serverStates(await command('show servers state nodes')) };
  }

  /** Starts a process in the load balancer's namespace (a client of the load balancer). */
  spawnAtLoadBalancer(command: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): ChildProcess {
    if (!this.lbNs) throw new RollsafeError('command-failed', 'the lab has no load balancer');
    return spawn('ip', ['netns', 'exec', this.lbNs, ...command], { env: { ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  private node(name: string): LabNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new RollsafeError('command-failed', `no node ${name} in the lab`);
    return node;
  }

  /**
   * Starts a pod on a node: a second address on the node's interface (10.250.N.K) and the command
   * in the node's namespace with PORT, HOST (the pod's address) and POD_NAME set; resolves once
   * it listens (within `listenTimeoutMs`).
   */
  async startPod(options: { name: string; node: string; port: number; command: readonly string[]; env?: Readonly<Record<string, string | undefined>>; listenTimeoutMs?: number }): Promise<LabPod> {
    const { pod, listening } = this.spawnPod(options);
    await listening;
    return pod;
  }

  /**
   * Starts a pod as `startPod` does, without waiting: the pod at once (its process can be signalled
   * from the start), and a promise that resolves once it listens (rejects when it does not within
   * `listenTimeoutMs`, or exits first).
   */
  spawnPod(options: { name: string; node: string; port: number; command: readonly string[]; env?: Readonly<Record<string, string | undefined>>; listenTimeoutMs?: number }): { pod: LabPod; listening: Promise<void> } {
    const node = this.node(options.node);
    const index = this.nodes.indexOf(node) + 1;
    const ip = `10.250.${index}.${this.pods.filter((p) => p.node === node).length + 1}`;
    run('ip', ['-n', node.netns, 'addr', 'add', `${ip}/16`, 'dev', 'eth0']);
    const child = spawn('ip', ['netns', 'exec', node.netns, ...options.command], {
      env: { ...options.env, PORT: String(options.port), HOST: ip, POD_NAME: options.name },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const pod: LabPod = { name: options.name, node, ip, port: options.port, process: child };
    this.pods.push(pod);
    // `ip netns exec` replaces itself with the command: the child's pid is the pod's.
    return { pod, listening: this.waitListening(child, ip, options.port, `pod ${options.name}`, options.listenTimeoutMs) };
  }

  /** Starts a process in a node's namespace (a client), stdio piped. */
  spawnIn(nodeName: string, command: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.node(nodeName).netns, ...command], { env: { ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** Writes kube-proxy's NAT table for these service ports into a node (one atomic restore). */
  syncKubeProxy(nodeName: string, ports: readonly LabServicePort[], options: { terminatingFallback?: boolean } = {}): void {
    const node = this.node(nodeName);
    run('ip', ['netns', 'exec', node.netns, 'iptables-restore'], { input: renderNat(ports, node.name, options) });
  }

  /** Runs a command in a node's namespace and returns its output (iptables-save, conntrack -L). */
  execIn(nodeName: string, command: readonly string[]): string {
    const [file, ...args] = command;
    if (file === undefined) throw new RollsafeError('command-failed', 'no command');
    return run('ip', ['netns', 'exec', this.node(nodeName).netns, file, ...args]);
  }

  /** Kills every process in the lab's namespaces and deletes them. Safe to call twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const child of [...this.pods.map((p) => p.process), ...this.helpers]) child.kill('SIGKILL');
    for (const netns of this.namespaces()) removeNamespace(netns);
    if (this.files) rmSync(this.files, { recursive: true, force: true });
  }
}

/**
 * Destroys the lab when the process exits, and on SIGINT / SIGTERM (then ends the process by the
 * same signal, as if unhandled). Returns a function that removes the handlers.
 */
export function destroyOnExit(lab: Lab, proc: NodeJS.Process): () => void {
  const onExit = (): void => lab.destroy();
  const onSignal = (signal: NodeJS.Signals): void => {
    lab.destroy();
    remove();
    proc.kill(proc.pid, signal);
  };
  const remove = (): void => {
    proc.off('exit', onExit);
    proc.off('SIGINT', onSignal);
    proc.off('SIGTERM', onSignal);
  };
  proc.once('exit', onExit);
  proc.once('SIGINT', onSignal);
  proc.once('SIGTERM', onSignal);
  return remove;
}
