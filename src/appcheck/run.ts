/**
 * Runs one `app-check`: starts the command with PORT set, waits until it listens, drives load,
 * plays the pod's termination the way the kubelet does (preStop delay, SIGTERM to the process it
 * started, SIGKILL to every process left at the grace deadline) and returns what it measured.
 * Everything stays on 127.0.0.1; every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { LoadGenerator } from './load.js';
import { ProcessTree, type ProcessInfo } from './processes.js';
import type { AppCheckSettings, Measurement } from './types.js';
import { RollsafeError } from '../errors.js';

/** Slow requests sent just before SIGTERM, and how long before. */
const SLOW_REQUESTS = 3;
const SLOW_LEAD_MS = 150;
/** How often the process tree is read. */
const TICK_MS = 50;
/** How often the process tree is read for new processes between ticks (a child must be seen before its parent dies). */
const TREE_MS = 100;
/** The kubelet's one-off extension when the preStop hook outlasts the grace period. */
const PRESTOP_OVERRUN_MS = 2000;
/** After the last process is gone, how long requests may take to settle. */
const SETTLE_MS = 300;
/** How long to wait for the processes to go after SIGKILL. */
const KILL_WAIT_MS = 2000;
const OUTPUT_TAIL = 2000;

/** A free TCP port on 127.0.0.1, as the kernel hands one out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function signal(pid: number, name: NodeJS.Signals): void {
  process.kill(pid, name);
}

/** Starts the command, or fails with `command-not-found`. */
function start(settings: AppCheckSettings, output: { text: string }): Promise<ChildProcess> {
  const [file, ...args] = settings.command.map((a) => a.split('$PORT').join(String(settings.port)));
  if (file === undefined) throw new RollsafeError('command-not-found', 'no command given');
  const child = spawn(file, args, { env: { ...settings.env, PORT: String(settings.port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer): void => {
    output.text = (output.text + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child));
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(new RollsafeError('command-not-found', error.code === 'ENOENT' ? `command not found: ${file}` : `cannot start ${file}: ${error.message}`));
    });
  });
}

/** Runs the check; throws a RollsafeError (command-not-found, never-listened, exited-before-listening, exited-before-termination, port-in-use) when the command cannot be checked. */
export async function measureApp(settings: AppCheckSettings): Promise<Measurement> {
  if (await accepts(settings.port)) throw new RollsafeError('port-in-use', `something already listens on 127.0.0.1:${settings.port}; pick another --port`);
  const output = { text: '' };
  const spawnedAt = performance.now();
  const child = await start(settings, output);
  const exit: { code: number | null; signal: string | null; atMs: number | undefined } = { code: null, signal: null, atMs: undefined };
  let clock = (): number => performance.now() - spawnedAt;
  child.once('exit', (code, sig) => {
    exit.code = code;
    exit.signal = sig;
    exit.atMs = clock();
  });
  const tree = new ProcessTree(child.pid ?? 0);
  const ticker = setInterval(() => tree.update(), TREE_MS);
  try {
    // Until it listens (bounded), or exits.
    for (;;) {
      if (await accepts(settings.port)) break;
      if (exit.atMs !== undefined && tree.alive().length === 0) {
        throw new RollsafeError('exited-before-listening', `the command exited before it listened on port ${settings.port} (${describeExit(exit)})`, { output: output.text });
      }
      if (clock() > settings.listenTimeoutMs) {
        tree.kill('SIGKILL', signal);
        throw new RollsafeError('never-listened', `the command did not listen on 127.0.0.1:${settings.port} within ${settings.listenTimeoutMs / 1000} s (is it reading PORT?)`, { output: output.text });
      }
      await sleep(TICK_MS);
    }
    const startupMs = Math.round(clock());
    const listenAt = performance.now();
    clock = (): number => performance.now() - listenAt;
    if (exit.atMs !== undefined) exit.atMs -= startupMs;
    return await terminate(settings, child, tree, exit, clock, startupMs, output);
  } finally {
    clearInterval(ticker);
    tree.kill('SIGKILL', signal);
  }
}

function describeExit(exit: { code: number | null; signal: string | null }): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/** The termination, from the moment the command listens. */
async function terminate(
  settings: AppCheckSettings,
  child: ChildProcess,
  tree: ProcessTree,
  exit: { code: number | null; signal: string | null; atMs: number | undefined },
  clock: () => number,
  startupMs: number,
  output: { text: string },
): Promise<Measurement> {
  const terminationMs = settings.warmupMs;
  // As the kubelet: SIGTERM when preStop returns, SIGKILL at the deadline; a preStop that outlasts
  // the grace period is cut there and SIGTERM gets 2 more seconds.
  const overrun = settings.sigtermAfterMs >= settings.graceMs;
  const sigtermMs = terminationMs + Math.min(settings.sigtermAfterMs, settings.graceMs);
  const deadlineMs = terminationMs + settings.graceMs + (overrun ? PRESTOP_OVERRUN_MS : 0);
  const windowEndMs = terminationMs + settings.durationMs;
  const load = new LoadGenerator({ port: settings.port, rps: settings.rps, keepAliveClients: settings.keepAliveClients, windowEndMs }, clock);
  load.start();

  let listener: ProcessInfo | undefined;
  let chain: ProcessInfo[] = [];
  let rootExitMs: number | undefined;
  let listenerExitMs: number | undefined;
  let allExitedMs: number | undefined;
  let killedMs: number | undefined;
  let slowSentMs = settings.slowPath === undefined ? -Infinity : undefined;
  let sigtermSentMs: number | undefined;
  let terminated = false;
  let rootCatchesSigterm: boolean | undefined;
  try {
    for (;;) {
      const now = clock();
      if (!terminated && now >= terminationMs) {
        // The moment the pod is deleted: find the server among the command's processes.
        tree.update();
        listener ??= tree.listener(settings.port);
        if (listener) chain = tree.chain(listener.pid);
        rootCatchesSigterm = tree.catches(tree.root, 15);
        terminated = true;
      }
      if (!terminated && tree.alive().length === 0) {
        throw new RollsafeError('exited-before-termination', `the command exited ${(now / 1000).toFixed(1)} s after it listened, before the termination began (${describeExit(exit)})`, { output: output.text });
      }
      if (!terminated && !listener) listener = tree.listener(settings.port);
      if (slowSentMs === undefined && settings.slowPath !== undefined && now >= sigtermMs - SLOW_LEAD_MS) {
        load.sendSlow(settings.slowPath, SLOW_REQUESTS);
        slowSentMs = now;
      }
      // SIGTERM on plan, but never before the slow requests had their lead (a late tick sends both).
      const sigtermDue = Math.max(sigtermMs, (slowSentMs ?? Infinity) + SLOW_LEAD_MS);
      if (sigtermSentMs === undefined && now >= sigtermDue) {
        child.kill('SIGTERM');
        sigtermSentMs = now;
      }
      // Wake for the next event on time, else every tick.
      const nextEvent = Math.min(terminated ? Infinity : terminationMs, slowSentMs === undefined ? sigtermMs - SLOW_LEAD_MS : Infinity, sigtermSentMs === undefined ? sigtermDue : Infinity, killedMs === undefined ? deadlineMs : Infinity);
      const pause = Math.min(TICK_MS, nextEvent - now);
      if (!terminated) {
        await sleep(pause);
        continue;
      }
      const alive = tree.alive();
      if (rootExitMs === undefined && (exit.atMs !== undefined || !alive.some((p) => p.pid === tree.root))) rootExitMs = exit.atMs ?? now;
      const listenerPid = listener?.pid;
      if (listenerPid !== undefined && listenerExitMs === undefined && !alive.some((p) => p.pid === listenerPid)) listenerExitMs = now;
      if (alive.length === 0 && (exit.atMs !== undefined || !tree.procAvailable)) {
        allExitedMs ??= now;
      }
      if (allExitedMs === undefined && killedMs === undefined && now >= deadlineMs) {
        tree.kill('SIGKILL', signal);
        killedMs = now;
      }
      const gone = allExitedMs !== undefined || (killedMs !== undefined && now >= killedMs + KILL_WAIT_MS);
      if (gone && now >= windowEndMs && (!load.busy || now >= (allExitedMs ?? killedMs ?? now) + SETTLE_MS)) break;
      await sleep(pause);
    }
    await sleep(SETTLE_MS);
  } finally {
    await load.stop();
  }
  const { requests, connections } = load.records();
  return {
    settings,
    root: tree.info(tree.root) ?? { pid: tree.root, name: settings.command[0] ?? '', commandLine: settings.command.join(' ') },
    listener,
    chain,
    rootCatchesSigterm,
    startupMs,
    times: { terminationMs, sigtermMs: Math.round(sigtermSentMs ?? sigtermMs), windowEndMs, deadlineMs, rootExitMs: round(rootExitMs), listenerExitMs: round(listenerExitMs), allExitedMs: round(allExitedMs), killedMs: round(killedMs) },
    exit: { code: exit.code, signal: exit.signal },
    requests,
    connections,
  };
}

function round(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms);
}
