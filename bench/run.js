// `npm run bench`: how much dearer is `rollsafe check` than the YAML parse it cannot avoid, and
// does it grow linearly with the input? Then the simulator's speed (bench/sim.js). Both are read as ratios of timings taken in the same run,
// because absolute times on a shared machine are noise.
//
// Every measurement is a whole `node` process (start-up, file reading, output), as a user runs it.
// Timer: our own runs, interleaved round by round so that floor and check share the machine's
// noise (the ratios are the result). `--hyperfine` uses hyperfine instead (Debian/Ubuntu: `sudo
// apt-get install hyperfine`), which runs each command's rounds one after another: on a shared
// machine the floor and the check then meet different noise (two runs of the same build a few
// minutes apart: A 2.77 × the floor with hyperfine, 2.51 × with interleaved rounds).
//
// Peak memory: the untimed first run of every command goes through bench/peak.js, which reports
// the child's own process.resourceUsage().maxRSS. B as SARIF (its largest report) and as text run
// once more, untimed, for their peak alone: the memory goal holds for every format.
//
// Usage: npm run bench [-- --runs N] [-- --skip-serve] [-- --hyperfine]   (N ≥ 5, default 5;
// --skip-serve leaves out the ~3-minute serve bench, which `npm run bench:serve` runs alone)
// Corpora are generated once into bench/.corpus/ (git-ignored); results go to bench/.corpus/results.json.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateCorpus } from './generate.js';
import { benchSimulator, formatSimulator, SIM_GOALS } from './sim.js';
import { benchReport, formatReport, missedReportGoals, REPORT_GOALS } from './report.js';
import { benchServe, formatServe } from './serve.js';
import { runWithPeak } from './measure.js';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const CACHE = join(BENCH, '.corpus');
const NODE = process.execPath;
/** Largest output we read back (corpus B's JSON report is tens of MB). */
const MAX_OUTPUT = 1 << 30;

const GOALS = { checkOverFloor: 2.0, bOverA: 11, bPeakMiB: 512 };

// B has 10× the files of A, each the same size (~100 objects, ~80 KB), not 10× larger files.
// Real inputs grow that way: a GitOps repository or a CI job checks more apps, each a rendered
// chart of a few to a few hundred objects; one 1,000-object file is rare. Same-size files also
// make checkB/checkA measure growth with the object count alone, not with the size of a file.
const CORPORA = {
  A: { files: 200, objects: 20_000, seed: 1 },
  B: { files: 2_000, objects: 200_000, seed: 1 },
};

/** Generates a corpus unless bench/.corpus holds one made from the same parameters and generator. */
function ensureCorpus(name, spec) {
  const dir = join(CACHE, name);
  const stamp = join(CACHE, `${name}.stamp.json`);
  const generator = createHash('sha256').update(readFileSync(join(BENCH, 'generate.js'))).digest('hex');
  const key = JSON.stringify({ ...spec, generator });
  if (existsSync(dir) && existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return dir;
  // The stamp is written last, so an interrupted generation is redone, not half reused.
  rmSync(stamp, { force: true });
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`generating corpus ${name} (${spec.files} files, ${spec.objects} objects)…\n`);
  generateCorpus(dir, spec.files, spec.objects, spec.seed);
  writeFileSync(stamp, key);
  return dir;
}

/** The commands to time, each a `node` argv run from the repository root. */
function commands(dirA, dirB) {
  const cli = 'dist/cli/bin.js';
  const a = relative(ROOT, dirA);
  const b = relative(ROOT, dirB);
  return [
    { id: 'floorA', label: 'A floor: js-yaml loadAll', args: ['bench/floor.js', a], okCodes: [0] },
    { id: 'jsonA', label: 'A check --format json', args: [cli, 'check', '--format', 'json', a], okCodes: [0, 1] },
    { id: 'textA', label: 'A check --format text', args: [cli, 'check', '--format', 'text', a], okCodes: [0, 1] },
    { id: 'sarifA', label: 'A check --format sarif', args: [cli, 'check', '--format', 'sarif', a], okCodes: [0, 1] },
    { id: 'jsonB', label: 'B check --format json', args: [cli, 'check', '--format', 'json', b], okCodes: [0, 1] },
  ];
}

/** Run once each for their peak memory only: B's largest report (SARIF, about twice the JSON) and its text. */
function memoryCommands(dirB) {
  const cli = 'dist/cli/bin.js';
  const b = relative(ROOT, dirB);
  return [
    { id: 'sarifB', label: 'B check --format sarif', args: [cli, 'check', '--format', 'sarif', b], okCodes: [0, 1] },
    { id: 'textB', label: 'B check --format text', args: [cli, 'check', '--format', 'text', b], okCodes: [0, 1] },
  ];
}

/** Thrown when a measured command does not do its job: timing it would be meaningless. */
class BenchError extends Error {
  code = 'bench-failed';
}

function assertExit(command, result) {
  if (result.error) throw new BenchError(`${command.label}: ${result.error.message}`);
  if (!command.okCodes.includes(result.status)) {
    const stderr = result.stderr ? String(result.stderr).trim().slice(0, 2000) : '';
    throw new BenchError(`${command.label}: exit code ${result.status} (expected ${command.okCodes.join(' or ')})\n${stderr}`);
  }
}

/** Runs a command once, untimed: checks it works, warms the file cache, returns its stdout and peak memory. */
function probe(command) {
  const { result, peakMiB } = runWithPeak(command.args, { encoding: 'utf8', maxBuffer: MAX_OUTPUT });
  assertExit(command, result);
  return { stdout: result.stdout, peakMiB };
}

/** Wall-clock seconds of one run, output sent to /dev/null as hyperfine does. */
function timeOnce(command, devNull) {
  const start = process.hrtime.bigint();
  const result = spawnSync(NODE, command.args, { cwd: ROOT, stdio: ['ignore', devNull, 'pipe'], maxBuffer: MAX_OUTPUT });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  assertExit(command, result);
  return seconds;
}

/** Own timer: `runs` rounds, each running every command once, the order rotated every round. */
function timeInterleaved(list, runs) {
  const samples = new Map(list.map((c) => [c.id, []]));
  const devNull = openSync('/dev/null', 'w');
  try {
    for (let round = 0; round < runs; round++) {
      process.stderr.write(`round ${round + 1}/${runs}…\n`);
      for (let k = 0; k < list.length; k++) {
        const command = list[(round + k) % list.length];
        samples.get(command.id).push(timeOnce(command, devNull));
      }
    }
  } finally {
    closeSync(devNull);
  }
  return samples;
}

function hyperfineVersion() {
  const result = spawnSync('hyperfine', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Quotes one word for hyperfine's command line (split by shell-words rules). */
function shellQuote(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** hyperfine timer: commands run one after another, not interleaved (hyperfine's own design). */
function timeHyperfine(list, runs) {
  const dir = mkdtempSync(join(tmpdir(), 'rollsafe-bench-'));
  const exported = join(dir, 'hyperfine.json');
  try {
    // --ignore-failure because check exits 1 on findings; probe() has already checked exit codes.
    const argv = ['--warmup', '1', '--runs', String(runs), '--shell=none', '--ignore-failure', '--style', 'none', '--export-json', exported];
    for (const command of list) argv.push([NODE, ...command.args].map(shellQuote).join(' '));
    const result = spawnSync('hyperfine', argv, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (result.status !== 0) throw new BenchError(`hyperfine: exit code ${result.status}\n${result.stderr}`);
    const { results } = JSON.parse(readFileSync(exported, 'utf8'));
    return new Map(list.map((command, i) => [command.id, results[i].times]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The counts that show the work is real: what the CLI analyzed and found, what the floor parsed. */
function countsOf(reportText, floorText) {
  const report = JSON.parse(reportText);
  const { files, objects, errors, warnings, infos } = report.summary;
  return { files, objects, findings: report.findings.length, errors, warnings, infos, floorDocuments: floorText === undefined ? undefined : Number(floorText.trim()) };
}

function formatTable(info, stats, ratios, counts, peaks) {
  const n = (x) => x.toLocaleString('en-US');
  const s = (id) => stats[id].median.toFixed(2).padStart(8);
  const spread = (id) => `${stats[id].min.toFixed(2)}–${stats[id].max.toFixed(2)}`.padStart(12);
  const peak = (id) => peaks[id].toFixed(0).padStart(9);
  const row = (id, ratio = '', goal = '') => `${stats[id].label.padEnd(26)}${s(id)}${spread(id)}${peak(id)}  ${ratio.padEnd(18)}${goal}`;
  const verdict = (ratio, goal) => (ratio <= goal ? 'ok' : 'GOAL MISSED');
  // Run once, untimed, for the peak memory only.
  const peakRow = (label, id) => `${label.padEnd(26)}${'(peak only)'.padStart(20)}${peak(id)}  ${''.padEnd(18)}peak < ${GOALS.bPeakMiB} MiB  ${peaks[id] < GOALS.bPeakMiB ? 'ok' : 'GOAL MISSED'}`;
  const corpus = (name) => {
    const c = counts[name];
    const floor = c.floorDocuments === undefined ? '' : ` (js-yaml parsed ${n(c.floorDocuments)} documents)`;
    return `corpus ${name}: ${n(c.files)} files, ${n(c.objects)} objects${floor}, ${n(c.findings)} findings (${n(c.errors)} errors, ${n(c.warnings)} warnings, ${n(c.infos)} infos)`;
  };
  return [
    `rollsafe bench: node ${info.node}, ${info.timer}, median of ${info.runs} runs`,
    corpus('A'),
    corpus('B'),
    '',
    `${'measure'.padEnd(26)}${'median s'.padStart(8)}${'min–max s'.padStart(12)}${'peak MiB'.padStart(9)}  ${'ratio'.padEnd(18)}goal`,
    row('floorA'),
    row('jsonA', `${ratios.checkOverFloor.toFixed(2)}× floor`, `≤ ${GOALS.checkOverFloor.toFixed(1)}×  ${verdict(ratios.checkOverFloor, GOALS.checkOverFloor)}`),
    row('jsonB', `${ratios.bOverA.toFixed(2)}× A json`, `≤ ${GOALS.bOverA}×  ${verdict(ratios.bOverA, GOALS.bOverA)}; peak < ${GOALS.bPeakMiB} MiB  ${peaks.jsonB < GOALS.bPeakMiB ? 'ok' : 'GOAL MISSED'}`),
    row('textA', `${ratios.textOverJson.toFixed(2)}× A json`),
    row('sarifA', `${ratios.sarifOverJson.toFixed(2)}× A json`),
    peakRow('B check --format sarif', 'sarifB'),
    peakRow('B check --format text', 'textB'),
  ].join('\n');
}

function missedGoals(ratios, peaks) {
  const lines = [];
  for (const [id, format] of [['jsonB', 'json'], ['sarifB', 'sarif'], ['textB', 'text']]) {
    if (!(peaks[id] < GOALS.bPeakMiB)) lines.push(`GOAL MISSED: check --format ${format} on corpus B peaks at ${peaks[id].toFixed(0)} MiB resident, goal < ${GOALS.bPeakMiB} MiB`);
  }
  if (ratios.checkOverFloor > GOALS.checkOverFloor) lines.push(`GOAL MISSED: corpus A check/floor is ${ratios.checkOverFloor.toFixed(2)}×, goal ≤ ${GOALS.checkOverFloor.toFixed(1)}×`);
  if (ratios.bOverA > GOALS.bOverA) lines.push(`GOAL MISSED: check B/A is ${ratios.bOverA.toFixed(2)}× for 10× the objects, goal ≤ ${GOALS.bOverA}×`);
  return lines;
}

function run() {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, 'skip-serve': { type: 'boolean', default: false }, hyperfine: { type: 'boolean', default: false } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 5) throw new BenchError(`--runs must be an integer ≥ 5, got ${values.runs}`);
  if (!existsSync(join(ROOT, 'dist', 'cli', 'bin.js'))) throw new BenchError('dist/cli/bin.js is missing: run `npm run bench` (it builds first)');
  mkdirSync(CACHE, { recursive: true });
  const dirA = ensureCorpus('A', CORPORA.A);
  const dirB = ensureCorpus('B', CORPORA.B);
  const list = commands(dirA, dirB);

  process.stderr.write('probing every command once…\n');
  const peaks = {};
  const outputs = new Map(
    list.map((command) => {
      const { stdout, peakMiB } = probe(command);
      peaks[command.id] = peakMiB;
      return [command.id, stdout];
    }),
  );
  const counts = { A: countsOf(outputs.get('jsonA'), outputs.get('floorA')), B: countsOf(outputs.get('jsonB'), undefined) };
  outputs.clear();
  const memoryOnly = memoryCommands(dirB);
  for (const command of memoryOnly) peaks[command.id] = probe(command).peakMiB;

  const version = values.hyperfine ? hyperfineVersion() : undefined;
  if (values.hyperfine && version === undefined) throw new BenchError('--hyperfine: hyperfine is not on PATH (Debian/Ubuntu: sudo apt-get install hyperfine)');
  const samples = version === undefined ? timeInterleaved(list, runs) : timeHyperfine(list, runs);
  const info = { node: process.version, timer: version ?? 'own runs, interleaved round by round', runs };
  const stats = Object.fromEntries(
    list.map((command) => {
      const times = samples.get(command.id);
      return [command.id, { label: command.label, command: ['node', ...command.args].join(' '), median: median(times), min: Math.min(...times), max: Math.max(...times), times, peakMiB: peaks[command.id] }];
    }),
  );
  const ratios = {
    checkOverFloor: stats.jsonA.median / stats.floorA.median,
    bOverA: stats.jsonB.median / stats.jsonA.median,
    textOverJson: stats.textA.median / stats.jsonA.median,
    sarifOverJson: stats.sarifA.median / stats.jsonA.median,
  };
  const missed = missedGoals(ratios, peaks);
  const simulator = benchSimulator(runs);
  if (simulator.monteCarlo10.rateRolloutsPerSecond < SIM_GOALS.rolloutsPerSecond) missed.push(`GOAL MISSED: simulator Monte Carlo ${simulator.monteCarlo10.rateRolloutsPerSecond.toFixed(0)} rollouts/s, goal ≥ ${SIM_GOALS.rolloutsPerSecond}`);
  const report = benchReport(runs);
  missed.push(...missedReportGoals(report));
  process.stdout.write(`${formatTable(info, stats, ratios, counts, peaks)}\n\n${formatSimulator(simulator)}\n\n${formatReport(report)}\n${missed.length > 0 ? `\n${missed.join('\n')}\n` : ''}`);
  const results = { ...info, corpora: CORPORA, counts, goals: { ...GOALS, ...SIM_GOALS, report: REPORT_GOALS }, ratios, goalsMissed: missed, measurements: stats, peaksOnly: Object.fromEntries(memoryOnly.map((c) => [c.id, { label: c.label, command: ['node', ...c.args].join(' '), peakMiB: peaks[c.id] }])), simulator, report };
  writeFileSync(join(CACHE, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nwritten: ${relative(ROOT, join(CACHE, 'results.json'))}\n`);
  return values;
}

// Missed goals still exit 0 (they are results); a command that fails to run is exit 2.
try {
  const options = run();
  // The admission webhook under load (bench/serve.js): ~3 minutes, its own results file.
  if (options['skip-serve']) process.stdout.write('\nserve bench skipped (--skip-serve); `npm run bench:serve` runs it alone\n');
  else {
    const serve = await benchServe();
    process.stdout.write(`\n${formatServe(serve)}\n`);
    writeFileSync(join(CACHE, 'serve-results.json'), `${JSON.stringify(serve, null, 2)}\n`);
  }
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
