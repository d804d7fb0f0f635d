#!/usr/bin/env node
/** The only module that touches `process`. */
import { existsSync, readFileSync } from 'node:fs';
import { mainAsync } from './main.js';

const code = await mainAsync(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: () => readFileSync(0, 'utf8'),
  readFile: (path) => readFileSync(path, 'utf8'),
  fileExists: (path) => existsSync(path),
  env: process.env,
  isTTY: process.stdout.isTTY === true,
});
process.exitCode = code;
