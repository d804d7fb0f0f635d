/**
 * `rollsafe fix PATH…`: applies the rules' fixes to the manifests' YAML. Without --write or -o it
 * prints a unified diff and changes nothing; `-` reads stdin and writes the fixed YAML to stdout.
 * Exit codes: 0 every fixable finding was fixed, 1 fixable findings remain, 2 usage or I/O error.
 */
import type { Finding } from '../rules/types.js';
import { unifiedDiff } from '../fix/diff.js';
import { fixSources, type FixResult } from '../fix/driver.js';
import { readSources } from '../load/files.js';
import type { SourceText } from '../document/types.js';
import { RULES } from '../rules/index.js';
import { defineCommand, runCommand, type OptionTable, type Parsed } from './command.js';
import type { Io } from './io.js';
import { ANALYSIS_OPTIONS, resolveAnalysis } from './options.js';
import { outputWidth } from './terminal.js';
import { wrapLine } from '../report/wrap.js';
import { RollsafeError } from '../errors.js';
import { NODE_FILES, writeAtomically, type FileWriter } from './write-file.js';

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/**
 * The width stderr wraps at: on a terminal, COLUMNS when it is a positive whole number, else the
 * terminal's width (80 when unknown); redirected, none (one finding per line for grep and CI logs).
 */
function stderrWidth(io: Pick<Io, 'stderrIsTTY' | 'env' | 'columns'>): number {
  if (io.stderrIsTTY !== true) return 0;
  return outputWidth(undefined, { isTTY: true, env: io.env, ...(io.columns !== undefined ? { columns: io.columns } : {}) });
}

/** What was fixed and what is left, for stderr, wrapped at `width` (0: one line per finding). */
function formatFixReport(result: FixResult, mode: 'diff' | 'write' | 'output' | 'stdout', width: number): string {
  const findingLine = (f: Finding): string => `${wrapLine(`${f.file}:${f.line}:${f.column}: ${f.severity} ${f.ruleId}: ${f.message}`, width, '    ')}\n`;
  const detail = (text: string): string => `${wrapLine(`  ${text}`, width, '    ')}\n`;
  const changed = result.files.filter((f) => f.after !== f.before).length;
  let out: string;
  if (result.applied === 0) out = 'rollsafe: nothing to fix\n';
  else {
    const verb = mode === 'diff' ? 'would apply' : 'applied';
    const hint = mode === 'diff' ? '; run with --write to apply them' : '';
    out = `rollsafe: ${verb} ${plural(result.applied, 'fix', 'fixes')} to ${plural(changed, 'file')} in ${plural(result.passes, 'pass', 'passes')}${hint}\n`;
  }
  const unfixed = new Map(result.unfixed.map((u) => [u.finding, u.reason]));
  const fixable = result.remaining.filter((f) => unfixed.has(f));
  const manual = result.remaining.filter((f) => !unfixed.has(f));
  if (fixable.length > 0) {
    out += `\n${plural(fixable.length, 'fixable finding')} not fixed:\n`;
    for (const f of fixable) out += findingLine(f) + detail(`not fixed: ${unfixed.get(f) ?? ''}`);
  }
  if (manual.length > 0) {
    out += `\n${plural(manual.length, 'finding')} without an automatic fix:\n`;
    for (const f of manual) out += findingLine(f) + detail(`fix by hand: see \`rollsafe explain ${f.ruleId}\``);
  }
  return out;
}

/** Keeps the first source of each path (a file named twice, or inside a folder also named). */
function distinct(sources: readonly SourceText[]): SourceText[] {
  const byPath = new Map<string, SourceText>();
  for (const s of sources) if (!byPath.has(s.path)) byPath.set(s.path, s);
  return [...byPath.values()];
}

/** The options of `fix`. */
const FIX_OPTIONS = {
  write: { type: 'boolean', short: 'w', group: 'Output', description: 'rewrite the files in place (atomically)' },
  output: { type: 'string', short: 'o', value: 'FILE', group: 'Output', description: 'write the fixed YAML of the one input to FILE' },
  profile: ANALYSIS_OPTIONS.profile,
  'k8s-version': ANALYSIS_OPTIONS['k8s-version'],
  only: { type: 'string', value: 'ID', repeatable: true, description: "apply only this rule's fixes (--rule ID alone means the same)" },
  rule: { ...ANALYSIS_OPTIONS.rule, description: "set a rule's severity or turn it off (off: its fixes are not applied)" },
  config: ANALYSIS_OPTIONS.config,
} as const satisfies OptionTable;

export const FIX = defineCommand({
  name: 'fix',
  summary: 'apply every safe fix: a diff, --write in place, or the fixed YAML',
  usage: ['[options] PATH...'],
  description: `Applies every fix rollsafe can make safely to the manifests, keeping comments, key order,
quoting and indentation. Fixes run in passes until nothing more applies.

By default it prints a unified diff of the fixes and changes nothing. With - as the one PATH it
reads stdin and writes the fixed YAML to stdout.`,
  arguments: [{ name: 'PATH', required: true, variadic: true, description: 'a file, a folder, or - for stdin (then the fixed YAML goes to stdout)' }],
  options: FIX_OPTIONS,
  examples: ['rollsafe fix k8s/', 'rollsafe fix --write k8s/', 'helm template my-release ./chart | rollsafe fix - > safe.yaml'],
  footer: `Findings that remain go to stderr. Exit codes: 0 every fixable finding was fixed, 1 fixable
findings remain, 2 usage, unreadable input or unwritable output.`,
  readsStdin: ({ positionals }) => positionals.includes('-'),
  run: (parsed, io) => fix(parsed, io, NODE_FILES),
});

function fix({ values, positionals }: Parsed<typeof FIX_OPTIONS>, io: Io, files: FileWriter): number {
  // `--rule ID` without a level limits the fixes like `--only ID`; `--rule ID=LEVEL` sets a severity.
  const settings = values.rule.filter((r) => r.includes('='));
  const only = [...values.only, ...values.rule.filter((r) => !r.includes('='))];
  for (const id of only) {
    const rule = RULES.get(id);
    if (!rule) throw new RollsafeError('usage', `--only ${id}: unknown rule (see \`rollsafe rules\`)`);
    if (!rule.meta.fixable) throw new RollsafeError('usage', `--only ${id}: this rule has no automatic fix (see \`rollsafe explain ${id}\`)`);
  }
  const fromStdin = positionals.includes('-');
  if (fromStdin && positionals.length > 1) throw new RollsafeError('usage', '- (stdin) cannot be combined with other paths');
  if (values.write && values.output !== undefined) throw new RollsafeError('usage', '--write and -o exclude each other');
  if (values.write && fromStdin) throw new RollsafeError('usage', '--write cannot rewrite stdin; the fixed YAML goes to stdout (or use -o FILE)');

  const { profile, ruleSeverities } = resolveAnalysis({ ...values, rule: settings }, io);
  const sources = distinct(readSources(positionals, io.stdin));
  if (values.output !== undefined && sources.length !== 1) throw new RollsafeError('usage', `-o needs exactly one input file; ${positionals.join(' ')} names ${sources.length}`);
  const result = fixSources(sources, { profile, ruleSeverities, ...(only.length > 0 ? { only } : {}) });

  const [first] = result.files;
  let mode: 'diff' | 'write' | 'output' | 'stdout';
  if (values.output !== undefined && first) {
    mode = 'output';
    writeAtomically(values.output, first.after, files);
  } else if (values.write) {
    mode = 'write';
    for (const f of result.files) if (f.after !== f.before) writeAtomically(f.path, f.after, files);
  } else if (fromStdin && first) {
    mode = 'stdout';
    io.stdout(first.after);
  } else {
    mode = 'diff';
    io.stdout(unifiedDiff(result.files));
  }
  io.stderr(formatFixReport(result, mode, stderrWidth(io)));
  return result.unfixed.length > 0 ? 1 : 0;
}

/**
 * Runs `rollsafe fix` with the arguments after `fix`; returns the exit code. `files` performs
 * the writes of --write and -o (Node's file system unless a test injects another).
 */
export function runFix(args: string[], io: Io, files: FileWriter = NODE_FILES): number {
  return runCommand(FIX, args, io, (parsed) => fix(parsed, io, files)) as number;
}
