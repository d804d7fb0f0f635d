/**
 * `rollsafe report PATH… -o report.html`: one self-contained HTML page with the findings, each
 * fix as a diff, and a simulated rollout of every workload before and after the fixes, as charts.
 * With --lab, each lab file adds a section: the measured rollout beside the simulated one.
 * Exit codes: 0 the page was written, 2 usage, unreadable input or lab file, or unwritable output.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readSources } from '../load/files.js';
import type { SourceText } from '../document/types.js';
import { BUILTIN_PROFILES } from '../profiles/builtin.js';
import { chartLibraries } from '../report/html/assets.js';
import { buildReportData, type Simulate } from '../report/html/build.js';
import { parseLabFile, type LabReport } from '../report/html/lab.js';
import { renderReport } from '../report/html/page.js';
import { simulateSources } from '../sim/index.js';
import { NODE_FILES, writeAtomically, type FileWriter } from './write-file.js';
import type { Io } from './io.js';
import { ANALYSIS_OPTIONS, resolveAnalysis } from './options.js';
import { reportError } from './report-error.js';
import { RollsafeError } from '../errors.js';

const REPORT_HELP = `Usage: rollsafe report [options] PATH... -o FILE
       rollsafe report --lab FILE [PATH...] -o FILE

Writes one self-contained HTML page: the findings with file:line, each fix as a diff, and the
simulated rollout of every workload before and after \`rollsafe fix\`, as timeline charts. The page
inlines its chart library and loads nothing from the network: open it from disk, mail it, attach it
to a CI run.

Options:
  -o, --output FILE         the page to write (- for stdout)
  -p, --profile NAME|FILE   cluster profile (default generic); built in: ${[...BUILTIN_PROFILES.keys()].join(', ')}
      --k8s-version 1.N     Kubernetes version of the cluster (default: the profile's)
      --runs N              simulated rollouts per workload, before and after (default 20)
      --seed N              random seed of the simulation (same input and seed, same page)
      --rule ID=LEVEL       set a rule's severity or turn it off (error|warning|info|off)
  -c, --config FILE         config file (default: ./.rollsafe.yaml when present)
      --lab FILE            add a "Measured in the lab" section from \`rollsafe lab -f json\` output:
                            the measured timeline beside the simulated one, and the comparison by
                            cause (repeatable; with --lab, PATH is optional)

Exit codes: 0 the page was written, 2 usage, unreadable input or lab file, or unwritable output.
`;

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

function positiveInteger(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new RollsafeError('usage', `${flag} must be an integer ≥ ${min}, got ${value}`);
  return n;
}

/** Keeps the first source of each path (a file named twice, or inside a folder also named). */
function distinct(sources: readonly SourceText[]): SourceText[] {
  const byPath = new Map<string, SourceText>();
  for (const s of sources) if (!byPath.has(s.path)) byPath.set(s.path, s);
  return [...byPath.values()];
}

/** The options of `report` (parseArgs table). */
export const REPORT_OPTIONS = {
  ...ANALYSIS_OPTIONS,
  output: { type: 'string', short: 'o' },
  runs: { type: 'string' },
  seed: { type: 'string' },
  lab: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Reads and checks a lab file (`rollsafe lab -f json` output). */
function readLab(path: string, io: Io): LabReport {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error: unknown) {
    const code = (error as { code?: unknown } | null)?.code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'a folder, not a file' : 'unreadable';
    throw new RollsafeError('unreadable-input', `${path}: cannot read the lab file (${why})`, { file: path, cause: error });
  }
  return parseLabFile(text, path);
}

function report(args: string[], io: Io, files: FileWriter, simulate: Simulate | undefined): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: REPORT_OPTIONS,
  });
  if (values.help) {
    io.stdout(REPORT_HELP);
    return 0;
  }
  const labFiles = values.lab ?? [];
  if (positionals.length === 0 && labFiles.length === 0) throw new RollsafeError('usage', 'report needs at least one PATH (a file, a folder, or - for stdin) or --lab FILE');
  const output = values.output;
  if (output === undefined) throw new RollsafeError('usage', 'report needs -o FILE (the HTML page to write; - for stdout)');
  const runs = positiveInteger(values.runs, '--runs', 1);
  const seed = positiveInteger(values.seed, '--seed', 0);
  const { profile, ruleSeverities } = resolveAnalysis(values, io);
  const labs = labFiles.map((file) => readLab(file, io));
  const sources = positionals.length === 0 ? [] : distinct(readSources(positionals, io.stdin));
  const data = buildReportData(sources, {
    profile,
    ruleSeverities,
    docsBase: docsBaseFor(output),
    ...(simulate === undefined ? { simulationNote: 'The rollouts were not simulated.' } : { simulate }),
    runs: runs ?? DEFAULT_RUNS,
    ...(seed === undefined ? {} : { seed }),
    ...(labs.length === 0 ? {} : { labs }),
  });
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
  try {
    return report(args, io, files, simulate);
  } catch (error: unknown) {
    return reportError(error, io);
  }
}
