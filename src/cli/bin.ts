#!/usr/bin/env node
/** The only module that touches `process`. */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { mainAsync } from './main.js';

const code = await mainAsync(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: () => readFileSync(0, 'utf8'),
  readFile: (path) => readFileSync(path, 'utf8'),
  fileExists: (path) => existsSync(path),
  env: process.env,
  isTTY: process.stdout.isTTY === true,
  // kubectl runs an executable named kubectl-rollsafe on the PATH for `kubectl rollsafe …`.
  ...(basename(process.argv[1] ?? '').startsWith('kubectl-rollsafe') ? { program: 'kubectl rollsafe' } : {}),
});
process.exitCode = code;
