/**
 * The process tree of the checked command, read from Linux's /proc: which processes it spawned
 * (followed even after a parent exits and its children are re-parented), which of them holds the
 * listening socket, and whether any of them still runs. Elsewhere (no /proc) only the started
 * process itself is known.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** One process: its id, its name (`comm`) and its command line. */
export interface ProcessInfo {
  readonly pid: number;
  readonly name: string;
  readonly commandLine: string;
}

interface Stat {
  readonly name: string;
  readonly state: string;
  readonly ppid: number;
  /** Clock ticks after boot: a pid reused by another process has another start time. */
  readonly start: string;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The name is in parentheses and may itself hold spaces or parentheses: split after the last `)`.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text.slice(close + 2).split(' ');
  const [state, ppid] = fields;
  const start = fields[19];
  if (state === undefined || ppid === undefined || start === undefined) return undefined;
  return { name: text.slice(open + 1, close), state, ppid: Number(ppid), start };
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

function hasProc(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}

/**
 * Follows the processes started from one root: `update()` adds the children of every followed
 * process (call it often: a child must be seen before its parent dies), `alive()` says which still
 * run (a zombie does not), `kill()` signals them all.
 */
export class ProcessTree {
  readonly root: number;
  readonly procAvailable: boolean;
  private readonly followed = new Map<number, { readonly start: string; readonly parent: number; info: ProcessInfo }>();

  constructor(root: number) {
    this.root = root;
    this.procAvailable = hasProc();
    this.update();
  }

  /** Adds every process whose parent is followed; returns the pids followed so far. */
  update(): number[] {
    if (!this.procAvailable) return [this.root];
    if (!this.followed.has(this.root)) this.follow(this.root);
    // Each thread's `children` file lists the processes it started (Linux ≥ 3.5): reading those
    // of the few followed processes is far cheaper than reading every process's stat.
    const queue = [...this.followed.keys()];
    for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
      // A pid that ended may have been reused by a process that is none of ours.
      const stat = readStat(pid);
      const entry = this.followed.get(pid);
      if (!stat || !entry || stat.start !== entry.start) continue;
      // A child is first seen as a copy of its parent, before it executes its own program.
      if (stat.name !== entry.info.name) entry.info = { pid, name: stat.name, commandLine: commandLine(pid) };
      for (const child of childrenOf(pid)) {
        if (this.followed.has(child)) continue;
        this.follow(child);
        queue.push(child);
      }
    }
    return [...this.followed.keys()];
  }

  private follow(pid: number, stat = readStat(pid)): void {
    if (!stat) return;
    this.followed.set(pid, { start: stat.start, parent: stat.ppid, info: { pid, name: stat.name, commandLine: commandLine(pid) } });
  }

  /** The followed processes that still run (same start time, not a zombie). */
  alive(): ProcessInfo[] {
    if (!this.procAvailable) return [];
    const out: ProcessInfo[] = [];
    for (const [pid, { start, info }] of this.followed) {
      const stat = readStat(pid);
      if (stat && stat.start === start && stat.state !== 'Z' && stat.state !== 'X') out.push(info);
    }
    return out;
  }

  /** What is known of a followed process. */
  info(pid: number): ProcessInfo | undefined {
    return this.followed.get(pid)?.info;
  }

  /** The chain of followed processes from the root down to `pid` (parents as first seen). */
  chain(pid: number): ProcessInfo[] {
    const out: ProcessInfo[] = [];
    for (let current = this.followed.get(pid); current; current = current.info.pid === this.root ? undefined : this.followed.get(current.parent)) {
      out.unshift(current.info);
    }
    return out;
  }

  /**
   * Whether a process has a handler for a signal (SigCgt in /proc/PID/status); undefined when
   * unknown. A container's PID 1 without a handler for SIGTERM never sees it: the kernel drops it.
   */
  catches(pid: number, signal: number): boolean | undefined {
    try {
      const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return mask === undefined ? undefined : (BigInt(`0x${mask}`) & (1n << BigInt(signal - 1))) !== 0n;
    } catch {
      return undefined;
    }
  }

  /** Sends a signal to every followed process that still runs; returns the pids signalled. */
  kill(signal: NodeJS.Signals, send: (pid: number, signal: NodeJS.Signals) => void): number[] {
    const pids = this.procAvailable ? this.alive().map((p) => p.pid) : [this.root];
    for (const pid of pids) {
      try {
        send(pid, signal);
      } catch {
        // Gone in the meantime.
      }
    }
    return pids;
  }

  /**
   * The followed process that holds a socket listening on `port` (TCP over IPv4 or IPv6), found
   * by the socket's inode in /proc/net/tcp* and the processes' open descriptors.
   */
  listener(port: number): ProcessInfo | undefined {
    if (!this.procAvailable) return undefined;
    const inodes = listeningInodes(port);
    if (inodes.size === 0) return undefined;
    for (const { pid } of this.alive()) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        let target: string;
        try {
          target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode !== undefined && inodes.has(inode)) return this.info(pid);
      }
    }
    return undefined;
  }
}

/** The processes started by any thread of `pid`. */
function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const task of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(' ')) if (child) out.push(Number(child));
    } catch {
      // The thread ended.
    }
  }
  return out;
}

/** Inodes of the sockets in state LISTEN (0A) on `port`, from /proc/net/tcp and tcp6. */
function listeningInodes(port: number): Set<string> {
  const out = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const state = fields[3];
      const inode = fields[9];
      if (local?.endsWith(`:${hexPort}`) && state === '0A' && inode !== undefined) out.add(inode);
    }
  }
  return out;
}
