/**
 * What the lab needs from the machine (root, iproute2, iptables, conntrack, HAProxy) and how it
 * runs their commands: synchronously, with a time limit, failing with a typed error.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter } from 'node:path';
import { RollsafeError } from '../errors.js';

/** The tools the lab uses and the Debian package of each. */
export const LAB_TOOLS: readonly { readonly command: string; readonly pkg: string }[] = [
  { command: 'ip', pkg: 'iproute2' },
  { command: 'iptables', pkg: 'iptables' },
  { command: 'iptables-restore', pkg: 'iptables' },
  { command: 'conntrack', pkg: 'conntrack' },
  { command: 'haproxy', pkg: 'haproxy' },
];

/** True when `command` is an executable file on PATH (or in the sbin directories root has). */
export function onPath(command: string, path: string | undefined): boolean {
  const dirs = [...(path ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'].filter(Boolean);
  return dirs.some((dir) => {
    try {
      accessSync(`${dir}/${command}`, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** What is missing for the lab, and the command that installs it; `undefined` when nothing is. */
export function labPrerequisites(uid: number | undefined, has: (command: string) => boolean): { readonly message: string; readonly code: 'not-root' | 'missing-tools' } | undefined {
  if (uid !== 0) return { code: 'not-root', message: 'the lab needs root: it creates network namespaces and writes iptables rules in them (run it as root, e.g. with sudo)' };
  const missing = LAB_TOOLS.filter((t) => !has(t.command));
  if (missing.length === 0) return undefined;
  const packages = [...new Set(missing.map((t) => t.pkg))];
  return {
    code: 'missing-tools',
    message: `the lab needs ${missing.map((t) => t.command).join(', ')}; install with: apt-get update && apt-get install -y ${packages.join(' ')}`,
  };
}

/** Runs a command and returns its stdout; throws a RollsafeError `command-failed` with its stderr. */
export function run(file: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', input: options.input, timeout: options.timeoutMs ?? 10_000, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error: unknown) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new RollsafeError('command-failed', `${file} ${args.join(' ')}: ${stderr || (error instanceof Error ? error.message : String(error))}`);
  }
}
