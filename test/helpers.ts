/** Shared test helpers: run the CLI in-process, load example files. */
import { existsSync, readFileSync } from 'node:fs';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/io.js';

export const ROOT = new URL('../', import.meta.url).pathname;

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** An in-process `Io` that captures stdout and stderr; `readFile` can be replaced. */
export function captureIo(options: { stdin?: string; env?: Record<string, string>; isTTY?: boolean; readFile?: (path: string) => string } = {}): { io: Io; out: () => { stdout: string; stderr: string } } {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    stdin: () => options.stdin ?? '',
    readFile: options.readFile ?? ((p) => readFileSync(p, 'utf8')),
    fileExists: (p) => existsSync(p),
    env: options.env ?? {},
    isTTY: options.isTTY ?? false,
  };
  return { io, out: () => ({ stdout, stderr }) };
}

/** Runs the CLI with captured output (paths relative to the project root). */
export function runCli(argv: readonly string[], options: { stdin?: string; env?: Record<string, string>; isTTY?: boolean } = {}): CliRun {
  const resolve = (p: string): string => (p.startsWith('/') ? p : ROOT + p);
  const { io, out } = captureIo({ ...options, readFile: (p) => readFileSync(resolve(p), 'utf8') });
  const cwdArgs = argv.map((a, i) => (i > 0 && /^(examples|test|docs)\//.test(a) ? ROOT + a : a));
  const code = main(cwdArgs, { ...io, fileExists: (p) => existsSync(resolve(p)) });
  const { stdout, stderr } = out();
  return { code, stdout: stdout.split(ROOT).join(''), stderr: stderr.split(ROOT).join('') };
}

/** Reads a project file as a source. */
export function source(path: string): { path: string; text: string } {
  return { path, text: readFileSync(ROOT + path, 'utf8') };
}
