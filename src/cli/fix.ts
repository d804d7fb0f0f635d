/**
 * `rollsafe fix PATH…`: applies the rules' fixes to the manifests' YAML. Without --write or -o it
 * prints a unified diff and changes nothing; `-` reads stdin and writes the fixed YAML to stdout.
 * Exit codes: 0 every fixable finding was fixed, 1 fixable findings remain, 2 usage or I/O error.
 */
import { parseArgs } from 'node:util';
import type { Finding } from '../rules/types.js';
import { unifiedDiff } from '../fix/diff.js';
import { fixSources, type FixResult } from '../fix/driver.js';
import { readSources } from '../load/files.js';
import type { SourceText } from '../document/types.js';
import { BUILTIN_PROFILES } from '../profiles/builtin.js';
import { RULES } from '../rules/index.js';
import type { Io } from './io.js';
import { ANALYSIS_OPTIONS, resolveAnalysis } from './options.js';
import { reportError } from './report-error.js';
import { NODE_FILES, writeAtomically, type FileWriter } from './write-file.js';
import { RollsafeError } from '../errors.js';

const FIX_HELP = `Usage: rollsafe fix [options] PATH...

Applies every fix rollsafe can make safely to the manifests (files, folders, - for stdin), keeping
comments, key order, quoting and indentation. Fixes run in passes until nothing more applies.

Output:
  (default)                 print a unified diff of the fixes; change nothing
  -w, --write               rewrite the files in place (atomically)
  -o, --output FILE         write the fixed YAML of the one input to FILE
  -                         read stdin, write the fixed YAML to stdout:
                              helm template ... | rollsafe fix - > safe.yaml

Options:
  -p, --profile NAME|FILE   cluster profile (default generic); built in: ${[...BUILTIN_PROFILES.keys()].join(', ')}
      --k8s-version 1.N     Kubernetes version of the cluster (default: the profile's)
      --only ID             apply only this rule's fixes; repeatable (--rule ID alone means the same)
      --rule ID=LEVEL       set a rule's severity or turn it off (off: its fixes are not applied)
  -c, --config FILE         config file (default: ./.rollsafe.yaml when present)

Findings that remain go to stderr. Exit codes: 0 every fixable finding was fixed, 1 fixable
findings remain, 2 usage, unreadable input or unwritable output.
`;

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function findingLine(f: Finding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.ruleId}: ${f.message}\n`;
}

/** What was fixed and what is left, for stderr. */
function formatFixReport(result: FixResult, mode: 'diff' | 'write' | 'output' | 'stdout'): string {
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
    for (const f of fixable) out += findingLine(f) + `  not fixed: ${unfixed.get(f) ?? ''}\n`;
  }
  if (manual.length > 0) {
    out += `\n${plural(manual.length, 'finding')} without an automatic fix:\n`;
    for (const f of manual) out += findingLine(f) + `  fix by hand: see \`rollsafe explain ${f.ruleId}\`\n`;
  }
  return out;
}

/** Keeps the first source of each path (a file named twice, or inside a folder also named). */
function distinct(sources: readonly SourceText[]): SourceText[] {
  const byPath = new Map<string, SourceText>();
  for (const s of sources) if (!byPath.has(s.path)) byPath.set(s.path, s);
  return [...byPath.values()];
}

/** The options of `fix` (parseArgs table). */
export const FIX_OPTIONS = {
  ...ANALYSIS_OPTIONS,
  only: { type: 'string', multiple: true },
  write: { type: 'boolean', short: 'w', default: false },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

function fix(args: string[], io: Io, files: FileWriter): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: FIX_OPTIONS,
  });
  if (values.help) {
    io.stdout(FIX_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new RollsafeError('usage', 'fix needs at least one PATH (a file, a folder, or - for stdin)');
  // `--rule ID` without a level limits the fixes like `--only ID`; `--rule ID=LEVEL` sets a severity.
  const settings = (values.rule ?? []).filter((r) => r.includes('='));
  const only = [...(values.only ?? []), ...(values.rule ?? []).filter((r) => !r.includes('='))];
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
  io.stderr(formatFixReport(result, mode));
  return result.unfixed.length > 0 ? 1 : 0;
}

/**
 * Runs `rollsafe fix` with the arguments after `fix`; returns the exit code. `files` performs
 * the writes of --write and -o (Node's file system unless a test injects another).
 */
export function runFix(args: string[], io: Io, files: FileWriter = NODE_FILES): number {
  try {
    return fix(args, io, files);
  } catch (error: unknown) {
    return reportError(error, io);
  }
}
