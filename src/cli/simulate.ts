/**
 * `rollsafe simulate PATH…`: how many requests one rollout of each served workload drops, by
 * cause, and when. Exit codes: 0 no simulated run dropped a request, 1 some did (or a rollout did
 * not finish), 2 usage or I/O error.
 */
import { readSources } from '../load/files.js';
import { wrapLine } from '../report/wrap.js';
import type { Profile } from '../profiles/types.js';
import { CAUSES, SIGTERM_BEHAVIOURS, simulateSources, type SimOverrides, type SourcesSimulation, type WorkloadSimulation } from '../sim/index.js';
import { defineCommand, type OptionTable, type Parsed } from './command.js';
import type { Io } from './io.js';
import { ANALYSIS_OPTIONS, resolveAnalysis } from './options.js';
import { RollsafeError } from '../errors.js';
import { progressFor } from './progress.js';
import { outputWidth, WIDTH_OPTION } from './terminal.js';

/** The options of `simulate`. */
const SIMULATE_OPTIONS = {
  profile: ANALYSIS_OPTIONS.profile,
  'k8s-version': ANALYSIS_OPTIONS['k8s-version'],
  workload: { type: 'string', value: 'KIND/NS/NAME', description: 'simulate only this workload (also KIND/NAME or NAME)' },
  runs: { type: 'integer', value: 'N', min: 1, max: 100_000, default: 100, description: 'Monte Carlo runs' },
  seed: { type: 'integer', value: 'S', min: 0, default: 1, description: 'seed of the first run; same input and seed, same result' },
  rps: { type: 'number', value: 'R', min: 0, defaultText: "the profile's", description: 'requests per second' },
  nodes: { type: 'integer', value: 'N', min: 1, defaultText: "the profile's", description: 'nodes in the cluster' },
  'labelled-nodes': { type: 'integer', value: 'N', min: 1, defaultText: 'every node', description: "nodes that carry the labels the pods' node affinity asks for" },
  'app-startup': { type: 'number', value: 'SEC', min: 0, defaultText: "the profile's", description: 'seconds from container start until the app listens' },
  'app-drain': { type: 'number', value: 'SEC', min: 0, defaultText: "the profile's", description: 'seconds the app needs after SIGTERM to finish its work' },
  sigterm: {
    type: 'string',
    value: 'MODE',
    choices: SIGTERM_BEHAVIOURS,
    defaultText: "the profile's",
    description: 'what the app does on SIGTERM: graceful (stop accepting, finish, exit), graceful-close-idle (the same, closing idle keep-alive connections at once: Go Shutdown, Node ≥ 19 server.close), exit (at once) or ignore',
  },
  format: { type: 'string', short: 'f', value: 'FORMAT', choices: ['text', 'json'], default: 'text', description: 'output format' },
  'fail-on': { type: 'string', value: 'WHEN', choices: ['failure', 'none'], default: 'failure', description: 'exit 1 on failure: any run dropped a request, or a rollout did not finish; none never fails' },
  config: ANALYSIS_OPTIONS.config,
  width: WIDTH_OPTION,
} as const satisfies OptionTable;

export const SIMULATE = defineCommand({
  name: 'simulate',
  summary: 'how many requests a rollout drops, why and when',
  usage: ['[options] PATH...'],
  description: `Simulates one rollout of every workload a Service in the input sends traffic to, many times
over (Monte Carlo: propagation latencies are drawn from the profile), and reports the requests it
drops: how many, why (the cause and the layer that dropped them) and when.`,
  arguments: [{ name: 'PATH', required: true, variadic: true, description: 'a file, a folder, or - for stdin' }],
  options: SIMULATE_OPTIONS,
  examples: ['rollsafe simulate --profile ack-flannel k8s/', 'rollsafe simulate --workload Deployment/shop/web --runs 1000 --format json k8s/'],
  footer: `Input problems go to stderr with file:line: a document that cannot be read is left out; an object
with an invalid field is simulated as far as its fields can be read. Exit codes: 0 no run dropped a
request, 1 some did, 2 usage error, internal error, or no workload could be simulated because of
input problems.`,
  readsStdin: ({ positionals }) => positionals.includes('-'),
  run: simulateCommand,
});

function simulateCommand({ values, positionals }: Parsed<typeof SIMULATE_OPTIONS>, io: Io): number {
  const { runs, seed, format } = values;
  const overrides: SimOverrides = {
    ...opt('rps', values.rps),
    ...opt('nodes', values.nodes),
    ...opt('labelledNodes', values['labelled-nodes']),
    ...opt('appStartupSeconds', values['app-startup']),
    ...opt('appDrainSeconds', values['app-drain']),
    ...opt('sigterm', values.sigterm),
  };
  const { profile } = resolveAnalysis(values, io);
  const sources = readSources(positionals, io.stdin);
  const progress = progressFor(io, format === 'text');
  let result: SourcesSimulation;
  try {
    result = simulateSources(sources, { profile, runs, seed, ...overrides, ...(values.workload ? { workload: values.workload } : {}), onProgress: (done, total) => progress.update('simulated runs', done, total) });
  } finally {
    progress.clear();
  }
  if (values.workload !== undefined && result.workloads.length === 0 && result.skipped.length === 0) {
    throw new RollsafeError('usage', `no workload ${values.workload} in the input`);
  }
  for (const problem of result.problems) io.stderr(`${problem.file}:${problem.line}:${problem.column}: ${problem.code}: ${problem.message}\n`);
  io.stdout(format === 'json' ? formatSimulationJson(result) : formatSimulationText(result, profile, { runs, seed, width: outputWidth(values.width, io) }));
  // Nothing to simulate because the input could not be read: an input error, not a clean result.
  if (result.workloads.length === 0 && result.problems.length > 0) return 2;
  if (values['fail-on'] === 'none') return 0;
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

function workloadText(w: WorkloadSimulation, width: number): string {
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
  // Continuation lines start under the text of their line: after the label column, the window's time, or `note: `.
  return lines.map((line) => wrapLine(line, width, ' '.repeat(/^ {2}[a-z ()]{20}  /.test(line) ? 24 : line.startsWith('    ') ? 6 : line.startsWith('  note: ') ? 8 : 2))).join('\n');
}

/** The text of `simulate`; `width` wraps long lines (0: none). */
function formatSimulationText(result: SourcesSimulation, profile: Profile, options: { runs: number; seed: number; width?: number }): string {
  const width = options.width ?? 0;
  const head = `Simulated rollouts: profile ${profile.name}, Kubernetes ${profile.k8sVersion}, ${options.runs} run${options.runs === 1 ? '' : 's'} per workload, seed ${options.seed}`;
  const parts = [head, ...result.workloads.map((w) => workloadText(w, width))];
  if (result.workloads.length === 0) parts.push('No workload to simulate: no Service in the input sends traffic to a workload.');
  for (const s of result.skipped) parts.push(`Not simulated: ${s.resource}: ${s.reason}`);
  return `${parts.map((p) => (p.includes('\n') ? p : wrapLine(p, width, '  '))).join('\n\n')}\n`;
}
