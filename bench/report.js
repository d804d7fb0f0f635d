// `rollsafe report` on a 200-workload input, against `rollsafe check --impact` on the same input:
// both simulate every workload, so the report (findings + fixes + a simulation before and after
// the fixes, charts inlined) should cost at most GOAL× what --impact costs. And the page stays
// under REPORT_GOALS.maxBytes. Whole `node` processes, interleaved round by round so both share
// the machine's noise; read as a ratio of medians.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './generate.js';
import { runWithPeak } from './measure.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const CACHE = join(BENCH, '.corpus');
const NODE = process.execPath;

export const REPORT_GOALS = { reportOverImpact: 3, maxBytes: 10 * 1024 * 1024 };

// 10 files of ~20 apps each (Deployment, Service, ConfigMap, sometimes a PDB or an HPA), made by
// the same generator as corpora A and B: with seed 1, 734 objects hold exactly 200 Deployments.
const CORPUS = { name: 'R', files: 10, objects: 734, seed: 1 };

function ensureCorpus() {
  const dir = join(CACHE, CORPUS.name);
  const stamp = join(CACHE, `${CORPUS.name}.stamp.json`);
  const generator = createHash('sha256').update(readFileSync(join(BENCH, 'generate.js'))).digest('hex');
  const key = JSON.stringify({ ...CORPUS, generator });
  if (existsSync(dir) && existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return dir;
  rmSync(stamp, { force: true });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  generateCorpus(dir, CORPUS.files, CORPUS.objects, CORPUS.seed);
  writeFileSync(stamp, key);
  return dir;
}

function commands(dir) {
  const cli = 'dist/cli/bin.js';
  const input = relative(ROOT, dir);
  return [
    { id: 'impact', label: 'R check --impact --format json', args: [cli, 'check', '--impact', '--format', 'json', '--fail-on', 'none', input] },
    { id: 'report', label: 'R report -o -', args: [cli, 'report', input, '-o', '-'] },
  ];
}

function run(command, stdout) {
  const start = process.hrtime.bigint();
  const result = spawnSync(NODE, command.args, { cwd: ROOT, stdio: ['ignore', stdout, 'pipe'], maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.error || result.status !== 0) throw new Error(`${command.label}: exit code ${result.status} ${result.error?.message ?? ''}\n${String(result.stderr ?? '').slice(0, 2000)}`);
  return seconds;
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Times report and check --impact over `runs` interleaved rounds; measures the page and its workloads. */
export function benchReport(runs) {
  const dir = ensureCorpus();
  const list = commands(dir);
  // Untimed first runs: the page to measure, and each command's peak memory.
  const peaks = {};
  let page;
  for (const command of list) {
    const { result, peakMiB } = runWithPeak(command.args, { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (result.status !== 0) throw new Error(`${command.label}: exit code ${result.status}\n${result.stderr}`);
    peaks[command.id] = peakMiB;
    if (command.id === 'report') page = result;
  }
  const bytes = Buffer.byteLength(page.stdout);
  const workloads = (page.stdout.match(/<section class="workload"/g) ?? []).length;
  const charts = (page.stdout.match(/<figure class="chart" data-chart=/g) ?? []).length;
  const samples = new Map(list.map((c) => [c.id, []]));
  const devNull = openSync('/dev/null', 'w');
  try {
    for (let round = 0; round < runs; round++) {
      process.stderr.write(`report round ${round + 1}/${runs}…\n`);
      for (let k = 0; k < list.length; k++) {
        const command = list[(round + k) % list.length];
        samples.get(command.id).push(run(command, devNull));
      }
    }
  } finally {
    closeSync(devNull);
  }
  const stats = Object.fromEntries(list.map((c) => [c.id, { label: c.label, median: median(samples.get(c.id)), min: Math.min(...samples.get(c.id)), max: Math.max(...samples.get(c.id)), times: samples.get(c.id), peakMiB: peaks[c.id] }]));
  return { corpus: CORPUS, workloads, charts, bytes, stats, reportOverImpact: stats.report.median / stats.impact.median };
}

/** Goals the measurement missed, as lines. */
export function missedReportGoals(result) {
  const lines = [];
  if (result.reportOverImpact > REPORT_GOALS.reportOverImpact) lines.push(`GOAL MISSED: report is ${result.reportOverImpact.toFixed(2)}× check --impact on corpus R, goal ≤ ${REPORT_GOALS.reportOverImpact}×`);
  if (result.bytes >= REPORT_GOALS.maxBytes) lines.push(`GOAL MISSED: the report for corpus R is ${(result.bytes / 1048576).toFixed(1)} MiB, goal < ${REPORT_GOALS.maxBytes / 1048576} MiB`);
  return lines;
}

export function formatReport(result) {
  const row = (s) => `${s.label.padEnd(34)}${s.median.toFixed(2).padStart(8)}${`${s.min.toFixed(2)}–${s.max.toFixed(2)}`.padStart(14)}${s.peakMiB.toFixed(0).padStart(9)}`;
  const ok = (good) => (good ? 'ok' : 'GOAL MISSED');
  return [
    `report: corpus R, ${CORPUS.files} files, ${result.workloads} workloads, ${result.charts} charts (median of ${result.stats.report.times.length} runs)`,
    `${'measure'.padEnd(34)}${'median s'.padStart(8)}${'min–max s'.padStart(14)}${'peak MiB'.padStart(9)}`,
    row(result.stats.impact),
    `${row(result.stats.report)}  ${result.reportOverImpact.toFixed(2)}× --impact   goal ≤ ${REPORT_GOALS.reportOverImpact}×  ${ok(result.reportOverImpact <= REPORT_GOALS.reportOverImpact)}`,
    `report size ${(result.bytes / 1048576).toFixed(2)} MiB${' '.repeat(36)}goal < ${REPORT_GOALS.maxBytes / 1048576} MiB  ${ok(result.bytes < REPORT_GOALS.maxBytes)}`,
  ].join('\n');
}
