#!/usr/bin/env node
/** The only module that touches `process`. */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readStream } from '../load/stdin.js';
import { readsStdin, run } from './main.js';

const argv = process.argv.slice(2);
// stdin is read to its end before the command runs, as a stream: a producer slower than start-up
// (`helm template … | rollsafe check -`) has written nothing yet, and a synchronous read fails.
let stdin: () => string = () => '';
if (readsStdin(argv)) {
  try {
    const text = await readStream(process.stdin);
    stdin = () => text;
  } catch (error: unknown) {
    // Reported by the command that reads it, like any unreadable input (exit code 2).
    stdin = () => {
      throw error;
    };
  }
}

// A reader that leaves early (`rollsafe check … | head`) closes the pipe: the rest of the output
// is dropped and the command finishes with its own exit code, without an EPIPE stack trace.
let stdoutClosed = false;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  stdoutClosed = true;
});

/** Resolves when stdout has drained, or closed (a closed stream never drains). */
function stdoutDrained(): Promise<void> {
  if (stdoutClosed || !process.stdout.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      process.stdout.off('drain', done);
      process.stdout.off('close', done);
      resolve();
    };
    process.stdout.on('drain', done);
    process.stdout.on('close', done);
  });
}

const code = await run(argv, {
  stdout: (text) => {
    if (!stdoutClosed) process.stdout.write(text);
  },
  stdoutDrained,
  stderr: (text) => process.stderr.write(text),
  stdin,
  readFile: (path) => readFileSync(path, 'utf8'),
  fileExists: (path) => existsSync(path),
  env: process.env,
  isTTY: process.stdout.isTTY === true,
  ...(process.stdout.isTTY === true && process.stdout.columns > 0 ? { columns: process.stdout.columns } : {}),
  stderrIsTTY: process.stderr.isTTY === true,
  onSignal: (signal, handler) => process.once(signal, handler),
  // kubectl runs an executable named kubectl-rollsafe on the PATH for `kubectl rollsafe …`.
  ...(basename(process.argv[1] ?? '').startsWith('kubectl-rollsafe') ? { program: 'kubectl rollsafe' } : {}),
});
process.exitCode = code;
