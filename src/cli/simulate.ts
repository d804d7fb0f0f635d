/**
 * `rollsafe simulate PATH…`: how many requests one rollout of each served workload drops, by
 * cause, and when. Exit codes: 0 no simulated run dropped a request, 1 some did (or a rollout did
 * not finish), 2 usage or I/O error.
 */
import { parseArgs } from 'node:util';
import { readSources } from '../load/files.js';
import { BUILTIN_PROFILES } from '../profiles/builtin.js';
import type { Profile } from '../profiles/types.js';
import { CAUSES, SIGTERM_BEHAVIOURS, simulateSources, type SimOverrides, type SourcesSimulation, type WorkloadSimulation } from '../sim/index.js';
import type { Io } from './io.js';
import { ANALYSIS_OPTIONS, resolveAnalysis } from './options.js';
import { reportError } from './report-error.js';
import { RollsafeError } from '../errors.js';

const SIMULATE_HELP = `Usage: rollsafe simulate [options] PATH...

Simulates one rollout of every workload a Service in the input sends traffic to, many times over
(Monte Carlo: propagation latencies are drawn from the profile), and reports the requests it
drops: how many, why (the cause and the layer that dropped them) and when.

Options:
  -p, --profile NAME|FILE   cluster profile (default generic); built in: ${[...BUILTIN_PROFILES.keys()].join(', ')}
      --k8s-version 1.N     Kubernetes version of the cluster (default: the profile's)
      --workload KIND/NS/NAME
                            simulate only this workload (also KIND/NAME or NAME)
      --runs N              Monte Carlo runs (default 100)
      --seed S              seed of the first run (default 1); same input and seed, same result
      --rps R               requests per second (default: the profile's)
      --nodes N             nodes in the cluster (default: the profile's)
      --labelled-nodes N    nodes that carry the labels the pods' node affinity asks for
                            (default: every node)
      --app-startup SEC     seconds from container start until the app listens
      --app-drain SEC       seconds the app needs after SIGTERM to finish its work
      --sigterm MODE        graceful (stop accepting, finish, exit), graceful-close-idle (the
                            same, closing idle keep-alive connections at once: Go Shutdown,
                            Node ≥ 19 server.close), exit (at once) or ignore
  -f, --format FORMAT       text (default) or json
      --fail-on WHEN        exit 1 when: failure (default: any run dropped a request, or a
                            rollout did not finish) or none
  -c, --config FILE         config file (default: ./.rollsafe.yaml when present)

Input problems go to stderr with file:line: a document that cannot be read is left out; an object
with an invalid field is simulated as far as its fields can be read. Exit codes: 0 no run dropped a request, 1 some did, 2 usage error, internal error, or no
workload could be simulated because of input problems.
`;

function number(value: string | undefined, flag: string, options: { min: number; integer?: boolean }): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < options.min || (options.integer && !Number.isInteger(n))) {
    throw new RollsafeError('usage', `--${flag} needs ${options.integer ? 'a whole number' : 'a number'} ≥ ${options.min}, not \`${value}\``);
  }
  return n;
}

export function runSimulate(args: string[], io: Io): number {
  try {
    return simulateCommand(args, io);
  } catch (error) {
    return reportError(error, io);
  }
}

/** The options of `simulate` (parseArgs table). */
export const SIMULATE_OPTIONS = {
  ...ANALYSIS_OPTIONS,
  workload: { type: 'string' },
  runs: { type: 'string' },
  seed: { type: 'string' },
  rps: { type: 'string' },
  nodes: { type: 'string' },
  'labelled-nodes': { type: 'string' },
  'app-startup': { type: 'string' },
  'app-drain': { type: 'string' },
  sigterm: { type: 'string' },
  format: { type: 'string', short: 'f', default: 'text' },
  'fail-on': { type: 'string', default: 'failure' },
  help: { type: 'boolean', short: 'h' },
} as const;

function simulateCommand(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: SIMULATE_OPTIONS,
  });
  if (values.help) {
    io.stdout(SIMULATE_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new RollsafeError('usage', 'simulate needs at least one PATH (a file, a folder, or - for stdin)');
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new RollsafeError('usage', `unknown --format ${format}; use text or json`);
  const failOn = values['fail-on'] ?? 'failure';
  if (failOn !== 'failure' && failOn !== 'none') throw new RollsafeError('usage', `unknown --fail-on ${failOn}; use failure or none`);
  const sigterm = values.sigterm;
  if (sigterm !== undefined && !(SIGTERM_BEHAVIOURS as readonly string[]).includes(sigterm)) throw new RollsafeError('usage', `unknown --sigterm ${sigterm}; use ${SIGTERM_BEHAVIOURS.join(', ')}`);
  const runs = number(values.runs, 'runs', { min: 1, integer: true }) ?? 100;
  if (runs > 100_000) throw new RollsafeError('usage', '--runs is at most 100000');
  const seed = number(values.seed, 'seed', { min: 0, integer: true }) ?? 1;
  const overrides: SimOverrides = {
    ...opt('rps', number(values.rps, 'rps', { min: 0 })),
    ...opt('nodes', number(values.nodes, 'nodes', { min: 1, integer: true })),
    ...opt('labelledNodes', number(values['labelled-nodes'], 'labelled-nodes', { min: 1, integer: true })),
    ...opt('appStartupSeconds', number(values['app-startup'], 'app-startup', { min: 0 })),
    ...opt('appDrainSeconds', number(values['app-drain'], 'app-drain', { min: 0 })),
    ...opt('sigterm', sigterm as SimOverrides['sigterm']),
  };
  const { profile } = resolveAnalysis(values, io);
  const sources = readSources(positionals, io.stdin);
  const result = simulateSources(sources, { profile, runs, seed, ...overrides, ...(values.workload ? { workload: values.workload } : {}) });
  if (values.workload !== undefined && result.workloads.length === 0 && result.skipped.length === 0) {
    throw new RollsafeError('usage', `no workload ${values.workload} in the input`);
  }
  for (const problem of result.problems) io.stderr(`${problem.file}:${problem.line}:${problem.column}: ${problem.code}: ${problem.message}\n`);
  io.stdout(format === 'json' ? formatSimulationJson(result) : formatSimulationText(result, profile, { runs, seed }));
  // Nothing to simulate because the input could not be read: an input error, not a clean result.
  if (result.workloads.length === 0 && result.problems.length > 0) return 2;
  if (failOn === 'none') return 0;
  return result.workloads.some((w) => w.summary.pAnyFailure > 0 || w.summary.incomplete > 0) ? 1 : 0;
}

function opt<K extends keyof SimOverrides>(key: K, value: SimOverrides[K] | undefined): Partial<SimOverrides> {
  return value === undefined ? {} : { [key]: value };
}

/** The JSON shape of `simulate --format json` (stable; extra keys may be added). */
function formatSimulationJson(result: SourcesSimulation): string {
  const workloads = result.workloads.map((w) => ({
    resource: w.resource,
    runs: w.summary.runs,
    requests: w.summary.requests,
    failed: w.summary.failed,
    pAnyFailure: w.summary.pAnyFailure,
    byCause: w.summary.byCause,
    rolloutSeconds: w.summary.rolloutSeconds,
    incomplete: w.summary.incomplete,
    failureWindows: w.timeline.failures.map((f) => ({ ...f, start: round(f.start), end: round(f.end), count: round(f.count) })),
    notes: w.notes,
  }));
  return `${JSON.stringify({ workloads, skipped: result.skipped }, null, 2)}\n`;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

function plural(n: number, word: string): string {
  return `${fmt(n)} ${word}${n === 1 ? '' : 's'}`;
}

function workloadText(w: WorkloadSimulation): string {
  const s = w.summary;
  const lines = [`${w.resource}`];
  lines.push(`  requests per rollout  ${fmt(s.requests)}`);
  lines.push(`  failed requests       mean ${fmt(s.failed.mean)}, p50 ${fmt(s.failed.p50)}, p95 ${fmt(s.failed.p95)}, max ${fmt(s.failed.max)}; a failure in ${fmt(round(s.pAnyFailure * 100))} % of runs`);
  const causes = CAUSES.filter((c) => s.byCause[c] > 0).map((c) => `${c} ${fmt(s.byCause[c])}`);
  if (causes.length > 0) lines.push(`  by cause (mean)       ${causes.join(', ')}`);
  lines.push(`  rollout               p50 ${fmt(s.rolloutSeconds.p50)} s, p95 ${fmt(s.rolloutSeconds.p95)} s${s.incomplete > 0 ? `; did not finish within the progress deadline in ${s.incomplete} of ${s.runs} runs` : ''}`);
  const windows = w.timeline.failures.filter((f) => f.count >= 0.5);
  if (windows.length > 0) {
    lines.push('  failure windows (first run):');
    for (const f of windows.slice(0, 20)) {
      const where = [f.pod, f.node ? `on ${f.node}` : undefined].filter(Boolean).join(' ');
      lines.push(`    ${fmt(round(f.start))}–${fmt(round(f.end))} s  ${f.cause}  ${plural(Math.round(f.count), 'request')}  ${where ? `${where} ` : ''}(${f.layer})`);
    }
    if (windows.length > 20) lines.push(`    … ${windows.length - 20} more (--format json lists all)`);
  }
  for (const note of w.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}

function formatSimulationText(result: SourcesSimulation, profile: Profile, options: { runs: number; seed: number }): string {
  const head = `Simulated rollouts: profile ${profile.name}, Kubernetes ${profile.k8sVersion}, ${options.runs} run${options.runs === 1 ? '' : 's'} per workload, seed ${options.seed}`;
  const parts = [head, ...result.workloads.map(workloadText)];
  if (result.workloads.length === 0) parts.push('No workload to simulate: no Service in the input sends traffic to a workload.');
  for (const s of result.skipped) parts.push(`Not simulated: ${s.resource}: ${s.reason}`);
  return `${parts.join('\n\n')}\n`;
}
