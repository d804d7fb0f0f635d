import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FileWriter } from '../../src/cli/write-file.js';
import { main } from '../../src/cli/main.js';
import { docsBaseFor, runReport } from '../../src/cli/report.js';
import { captureIo, ROOT } from '../helpers.js';
import { manyWorkloads } from './generate.js';

/** A FileWriter that keeps what is written in memory. */
function memoryFiles(): { files: FileWriter; written: Map<string, string> } {
  const written = new Map<string, string>();
  const files: FileWriter = {
    realpath: (path) => {
      if (!written.has(path)) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      return path;
    },
    mode: () => 0o644,
    writeFile: (path, text) => void written.set(path, text),
    rename: (from, to) => {
      written.set(to, written.get(from) ?? '');
      written.delete(from);
    },
    remove: (path) => void written.delete(path),
  };
  return { files, written };
}

const EXAMPLE = `${ROOT}examples/seed/before/old-pod-no-prestop.yaml`;

const TEMP = mkdtempSync(join(tmpdir(), 'rollsafe-report-cli-'));
let temps = 0;
afterAll(() => rmSync(TEMP, { recursive: true, force: true }));

/** Writes text to a new file in a temporary folder; returns its path. */
function writeTemp(text: string): string {
  const path = join(TEMP, `lab-${++temps}.json`);
  writeFileSync(path, text);
  return path;
}

describe('rollsafe report', () => {
  it('writes one page to -o and says so on stderr', () => {
    const { io, out } = captureIo();
    const { files, written } = memoryFiles();
    const code = runReport(['--profile', 'ack-flannel', '--runs', '3', EXAMPLE, '-o', '/out/report.html'], io, files);
    expect(code).toBe(0);
    expect([...written.keys()]).toEqual(['/out/report.html']);
    const html = written.get('/out/report.html') ?? '';
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('Deployment/before-prestop/nginx');
    expect(html).toContain('@observablehq/plot 0.6.17 (ISC)');
    expect(out().stdout).toBe('');
    expect(out().stderr).toMatch(/^rollsafe: wrote \/out\/report\.html \(1 workload, 3 findings, \d+ KiB\)\n$/);
  });

  it('writes the page to stdout with -o -', () => {
    const { io, out } = captureIo();
    expect(runReport(['--runs', '1', EXAMPLE, '-o', '-'], io, memoryFiles().files)).toBe(0);
    expect(out().stdout).toMatch(/^<!doctype html>[\s\S]*<\/html>\n$/);
  });

  it('is registered in main, with its own help', () => {
    const { io, out } = captureIo();
    expect(main(['report', '--help'], io)).toBe(0);
    expect(out().stdout).toMatch(/^Usage:\n  rollsafe report \[options\] PATH\.\.\. -o FILE\n  rollsafe report \[options\] --lab FILE \[PATH\.\.\.\] -o FILE\n/);
    const top = captureIo();
    main(['--help'], top.io);
    expect(top.out().stdout).toContain('rollsafe report [options] PATH... -o FILE');
  });

  it.each([
    [[EXAMPLE], 'report needs -o FILE'],
    [['-o', 'x.html'], 'report needs at least one PATH'],
    [[EXAMPLE, '-o', 'x.html', '--runs', '0'], '--runs needs a whole number ≥ 1, not `0`'],
    [[EXAMPLE, '-o', 'x.html', '--seed', 'abc'], '--seed needs a whole number ≥ 0, not `abc`'],
    [[EXAMPLE, '-o', 'x.html', '--profile', 'nope'], 'nope'],
    [[`${ROOT}does-not-exist.yaml`, '-o', 'x.html'], 'does-not-exist.yaml: no such file or directory'],
  ])('exits 2 with a clear message for %j', (args, message) => {
    const { io, out } = captureIo();
    const { files, written } = memoryFiles();
    expect(runReport(args, io, files)).toBe(2);
    expect(out().stderr).toContain(message);
    expect(out().stderr).not.toMatch(/\n\s+at /);
    expect(written.size).toBe(0);
  });

  it('exits 2 when the page cannot be written', () => {
    const { io, out } = captureIo();
    const files: FileWriter = { ...memoryFiles().files, writeFile: () => { throw Object.assign(new Error('denied'), { code: 'EACCES' }); } };
    expect(runReport([EXAMPLE, '--runs', '1', '-o', '/root/report.html'], io, files)).toBe(2);
    expect(out().stderr).toBe('rollsafe: /root/report.html: cannot write (permission denied)\n');
  });
});

const LAB = `${ROOT}test/fixtures/lab/short-rollout.lab.json`;

describe('rollsafe report --lab', () => {
  it('adds the lab section beside the simulated workloads of PATH', () => {
    const { io, out } = captureIo();
    const { files, written } = memoryFiles();
    expect(runReport(['--runs', '2', '--lab', LAB, `${ROOT}test/fixtures/lab/short-rollout.yaml`, '-o', '/out/r.html'], io, files)).toBe(0);
    const html = written.get('/out/r.html') ?? '';
    expect(html.match(/<section class="workload" id="workload-\d+"/g)).toHaveLength(1);
    expect(html.match(/<section class="lab" id="lab-\d+"/g)).toHaveLength(1);
    expect(html).toContain('<h2 id="lab-1-title">Measured in the lab: Deployment/lab/short</h2>');
    expect(out().stderr).toMatch(/^rollsafe: wrote \/out\/r\.html \(1 workload, \d+ findings?, \d+ KiB\)\n$/);
  });

  it('needs no PATH: the page has the lab section alone', () => {
    const { io } = captureIo();
    const { files, written } = memoryFiles();
    expect(runReport(['--lab', LAB, '-o', '/out/r.html'], io, files)).toBe(0);
    const html = written.get('/out/r.html') ?? '';
    expect(html.match(/<section class="workload"/g)).toBeNull();
    expect(html.match(/<section class="lab" id="lab-1"/g)).toHaveLength(1);
  });

  it('takes several lab files, one section each', () => {
    const { io } = captureIo();
    const { files, written } = memoryFiles();
    expect(runReport(['--lab', LAB, '--lab', LAB, '-o', '/out/r.html'], io, files)).toBe(0);
    expect(written.get('/out/r.html')?.match(/<section class="lab" id="lab-\d+"/g)).toEqual(['<section class="lab" id="lab-1"', '<section class="lab" id="lab-2"']);
  });

  it.each([
    ['a missing file', () => `${ROOT}does-not-exist.lab.json`, /^rollsafe: \/.*does-not-exist\.lab\.json: cannot read the lab file \(no such file\)\n$/],
    ['broken JSON', () => writeTemp('{"workloads": ['), /^rollsafe: \/.*lab-1\.json: not JSON: [^\n]*\n$/],
    ['a manifest', () => `${ROOT}test/fixtures/lab/short-rollout.yaml`, /^rollsafe: \/.*short-rollout\.yaml: not JSON: [^\n]*\n$/],
    ['simulate output', () => writeTemp(JSON.stringify({ workloads: [{ resource: 'Deployment/default/web' }], skipped: [] })), /^rollsafe: \/.*lab-2\.json: not the output of `rollsafe lab -f json`: \/comparison should be an array\n$/],
  ])('exits 2 with one line and no stack for %s', (_name, path, message) => {
    const { io, out } = captureIo();
    const { files, written } = memoryFiles();
    expect(runReport(['--lab', path(), '-o', '/out/r.html'], io, files)).toBe(2);
    expect(out().stderr).toMatch(message);
    expect(written.size).toBe(0);
  });

  it('still needs PATH or --lab', () => {
    const { io, out } = captureIo();
    expect(runReport(['-o', 'x.html'], io, memoryFiles().files)).toBe(2);
    expect(out().stderr).toContain('report needs at least one PATH (a file, a folder, or - for stdin) or --lab FILE');
  });
});

describe('docsBaseFor', () => {
  it('links the rule docs relative to the folder of the page', () => {
    expect(docsBaseFor('/work/out/report.html', '/work/repo/docs/rules')).toBe('../repo/docs/rules/');
    expect(docsBaseFor('/work/repo/report.html', '/work/repo/docs/rules')).toBe('docs/rules/');
    expect(docsBaseFor('/tmp/my report/r.html', '/opt/roll safe/docs/rules')).toBe('../../opt/roll%20safe/docs/rules/');
  });
});

describe('a report for 200 workloads', () => {
  it('holds 400 charts and stays under 10 MB', () => {
    const { io, out } = captureIo({ stdin: manyWorkloads(200) });
    expect(runReport(['--profile', 'ack-flannel', '--runs', '1', '-', '-o', '-'], io, memoryFiles().files)).toBe(0);
    const html = out().stdout;
    expect(html.match(/<section class="workload"/g)).toHaveLength(200);
    expect(html.match(/<figure class="chart" data-chart=/g)).toHaveLength(400);
    expect(Buffer.byteLength(html)).toBeLessThan(10 * 1024 * 1024);
  });
});
