/**
 * `rollsafe report PATH… -o report.html`: one self-contained HTML page with the findings, each
 * fix as a diff, and a simulated rollout of every workload before and after the fixes, as charts.
 * Exit codes: 0 the page was written, 2 usage, unreadable input or unwritable output.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSources } from '../load/files.js';
import type { SourceText } from '../document/types.js';
import { chartLibraries } from '../report/html/assets.js';
import { buildReportData, type Simulate } from '../report/html/build.js';
import { parseLabFile, type LabReport } from '../report/html/lab.js';
import { renderReport } from '../report/html/page.js';
import { simulateSources } from '../sim/index.js';
import { NODE_FILES, writeAtomically, type FileWriter } from './write-file.js';
import { defineCommand, runCommand, type OptionTable, type Parsed } from './command.js';
import type { Io } from './io.js';
import { ANALYSIS_OPTIONS, resolveAnalysis } from './options.js';
import { fileErrorReason, RollsafeError } from '../errors.js';
import { progressFor } from './progress.js';

/** Simulated rollouts per workload and side unless --runs says otherwise: as many as `check --impact` runs. */
const DEFAULT_RUNS = 20;

/** The rule docs folder of this installation (docs/rules beside dist/ or src/). */
const DOCS_RULES = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'rules');

/**
 * The link base for rule docs as seen from the page's folder: relative, so that the links work
 * wherever the checkout or installation is, as long as the page is opened where it was written.
 */
export function docsBaseFor(output: string, docs: string = DOCS_RULES): string {
  const from = output === '-' ? resolve('.') : dirname(resolve(output));
  const path = relative(from, docs).split(sep).map(encodeURIComponent).join('/');
  return path === '' ? './' : `${path}/`;
}

/** Keeps the first source of each path (a file named twice, or inside a folder also named). */
function distinct(sources: readonly SourceText[]): SourceText[] {
  const byPath = new Map<string, SourceText>();
  for (const s of sources) if (!byPath.has(s.path)) byPath.set(s.path, s);
  return [...byPath.values()];
}

/** The options of `report`. */
const REPORT_OPTIONS = {
  output: { type: 'string', short: 'o', value: 'FILE', description: 'the page to write (- for stdout); required' },
  profile: ANALYSIS_OPTIONS.profile,
  'k8s-version': ANALYSIS_OPTIONS['k8s-version'],
  runs: { type: 'integer', value: 'N', min: 1, default: DEFAULT_RUNS, description: 'simulated rollouts per workload, before and after' },
  seed: { type: 'integer', value: 'N', min: 0, description: 'random seed of the simulation (same input and seed, same page)' },
  rule: ANALYSIS_OPTIONS.rule,
  config: ANALYSIS_OPTIONS.config,
  lab: { type: 'string', value: 'FILE', repeatable: true, description: 'add a "Measured in the lab" section from `rollsafe lab -f json` output: the measured timeline beside the simulated one, and the comparison by cause (with --lab, PATH is optional)' },
} as const satisfies OptionTable;

export const REPORT = defineCommand({
  name: 'report',
  summary: 'one self-contained HTML page: findings, fixes, simulated rollouts',
  usage: ['[options] PATH... -o FILE', '[options] --lab FILE [PATH...] -o FILE'],
  description: `Writes one self-contained HTML page: the findings with file:line, each fix as a diff, and the
simulated rollout of every workload before and after \`rollsafe fix\`, as timeline charts. The page
inlines its chart library and loads nothing from the network: open it from disk, mail it, attach it
to a CI run.`,
  arguments: [{ name: 'PATH', variadic: true, description: 'a file, a folder, or - for stdin (optional with --lab)' }],
  options: REPORT_OPTIONS,
  examples: ['rollsafe report --profile ack-flannel k8s/ -o report.html', 'rollsafe report --lab lab.json -o lab.html'],
  footer: 'Exit codes: 0 the page was written, 2 usage, unreadable input or lab file, or unwritable output.',
  readsStdin: ({ positionals }) => positionals.includes('-'),
  run: (parsed, io) => report(parsed, io, NODE_FILES, simulateSources),
});

/** Reads and checks a lab file (`rollsafe lab -f json` output). */
function readLab(path: string, io: Io): LabReport {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error: unknown) {
    throw new RollsafeError('unreadable-input', `${path}: cannot read the lab file (${fileErrorReason(error)})`, { file: path, cause: error });
  }
  return parseLabFile(text, path);
}

function report({ values, positionals }: Parsed<typeof REPORT_OPTIONS>, io: Io, files: FileWriter, simulate: Simulate | undefined): number {
  const { output, runs, seed } = values;
  const labFiles = values.lab ?? [];
  if (positionals.length === 0 && labFiles.length === 0) throw new RollsafeError('usage', 'report needs at least one PATH (a file, a folder, or - for stdin) or --lab FILE');
  if (output === undefined) throw new RollsafeError('usage', 'report needs -o FILE (the HTML page to write; - for stdout)');
  const { profile, ruleSeverities } = resolveAnalysis(values, io);
  const labs = labFiles.map((file) => readLab(file, io));
  const sources = positionals.length === 0 ? [] : distinct(readSources(positionals, io.stdin));
  const progress = progressFor(io, true);
  // The page simulates the input as it is, then as `rollsafe fix` leaves it.
  const sides = ['before the fixes', 'after the fixes'];
  let calls = 0;
  const withProgress: Simulate | undefined =
    simulate === undefined
      ? undefined
      : (input, options) => {
          const label = `simulated runs ${sides[calls++] ?? ''}`.trimEnd();
          return simulate(input, { ...options, onProgress: (done: number, total: number) => progress.update(label, done, total) });
        };
  let data: ReturnType<typeof buildReportData>;
  try {
    data = buildReportData(sources, {
      profile,
      ruleSeverities,
      docsBase: docsBaseFor(output),
      ...(withProgress === undefined ? { simulationNote: 'The rollouts were not simulated.' } : { simulate: withProgress }),
      runs,
      ...(seed === undefined ? {} : { seed }),
      ...(labs.length === 0 ? {} : { labs }),
    });
  } finally {
    progress.clear();
  }
  const html = renderReport(data, chartLibraries());
  if (output === '-') io.stdout(html);
  else {
    writeAtomically(output, html, files);
    const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
    io.stderr(`rollsafe: wrote ${output} (${count(data.workloads.length, 'workload')}, ${count(data.findings.length, 'finding')}, ${Math.round(Buffer.byteLength(html) / 1024)} KiB)\n`);
  }
  return 0;
}

/**
 * Runs `rollsafe report` with the arguments after `report`; returns the exit code. `files` writes
 * the page and `simulate` runs the simulator (Node's file system and src/sim unless a test
 * injects others).
 */
export function runReport(args: string[], io: Io, files: FileWriter = NODE_FILES, simulate: Simulate | undefined = simulateSources): number {
  return runCommand(REPORT, args, io, (parsed) => report(parsed, io, files, simulate)) as number;
}
