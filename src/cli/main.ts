/**
 * The command line: `main(argv, io)` returns an exit code; only bin.ts touches `process`.
 * Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, I/O or internal error.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseRuleSetting, type FailOn } from '../engine/config.js';
import { checkSources } from '../engine/run.js';
import { severityRank, type Severity } from '../rules/types.js';
import { readSources } from '../load/files.js';
import { BUILTIN_PROFILES } from '../profiles/builtin.js';
import { formatGithub } from '../report/github.js';
import { formatJson } from '../report/json.js';
import { formatSarif } from '../report/sarif.js';
import { formatText } from '../report/text.js';
import { VERSION } from '../version.js';
import { ADVISE_OPTIONS, runAdvise } from './advise.js';
import { runAppCheck } from './app-check.js';
import { runLab } from './lab.js';
import { loadConfig, resolveCheckProfile } from './options.js';
import { reportError } from './report-error.js';
import { FIX_OPTIONS, runFix } from './fix.js';
import { REPORT_OPTIONS, runReport } from './report.js';
import { runPolicy } from './policy.js';
import { runServe, SERVE_HELP } from './serve.js';
import { runSimulate, SIMULATE_OPTIONS } from './simulate.js';
import { findingImpacts, judgedByImpact } from '../impact/impact.js';
import { explainRule, formatRules } from './rules.js';
import type { Io } from './io.js';
import { RollsafeError } from '../errors.js';

const HELP = `rollsafe ${VERSION}: find, explain and fix the causes of dropped requests during Kubernetes rollouts

Usage:
  rollsafe check [options] PATH...     analyze manifests (files, folders, - for stdin)
  rollsafe rules [--format table|json|markdown]
                                       list the rule catalog
  rollsafe explain RULE-ID             a rule's cause, evidence and fix
  rollsafe fix [options] PATH...       apply every safe fix (a diff by default; --write, -o FILE,
                                       or - for stdin → fixed YAML on stdout; see \`rollsafe fix --help\`)
  rollsafe advise [options]            the Service mode and a complete config for a platform
                                       (see \`rollsafe advise --help\`)
  rollsafe simulate [options] PATH...  how many requests a rollout drops, why and when
                                       (see \`rollsafe simulate --help\`)
  rollsafe policy [options]            an admission policy (ValidatingAdmissionPolicy, CEL) that
                                       enforces the single-object rules in the cluster
                                       (see \`rollsafe policy --help\`)
  rollsafe report [options] PATH... -o FILE
                                       one self-contained HTML page: findings, fixes as diffs,
                                       simulated rollouts as charts (see \`rollsafe report --help\`)
  rollsafe serve --tls-cert FILE --tls-key FILE [options]
                                       an admission webhook: /validate, /mutate (fixes as a
                                       JSON Patch), /metrics (see \`rollsafe serve --help\`)
  rollsafe app-check [options] -- CMD...
                                       run a server, play a pod's termination against it under
                                       load, and say whether it survives (see \`rollsafe app-check --help\`)
  rollsafe lab [options] PATH...       play a rollout for real (namespaces, iptables, HAProxy, real
                                       pods and load) and compare it with the simulation (see \`rollsafe lab --help\`)
  rollsafe --version | --help

Check options:
  -p, --profile NAME|FILE   cluster profile (default generic); built in: ${[...BUILTIN_PROFILES.keys()].join(', ')}; add +ingress-nginx to any
      --k8s-version 1.N     Kubernetes version of the cluster (default: the profile's, 1.30)
  -f, --format FORMAT       text (default), json, sarif, github
      --fail-on LEVEL       exit 1 when a finding is at or above: error (default), warning, info, none
      --rule ID=LEVEL       set a rule's severity or turn it off (error|warning|info|off); repeatable
  -c, --config FILE         config file (default: ./.rollsafe.yaml when present)
      --impact              simulate each startup, termination, node-routing and lb-drain finding
                            with and without its fix (or its advice) and state what it costs per
                            rollout
      --no-color            no colour in text output (also NO_COLOR=1, or when piped)

Suppress a rule on one object with the annotation  rollsafe.io/ignore: rule-id[,rule-id]

Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage, unreadable input or internal error.
`;

const FORMATS = new Set(['text', 'json', 'sarif', 'github']);
const FAIL_ON = new Set(['error', 'warning', 'info', 'none']);

/** The options of `check` (parseArgs table). */
const CHECK_OPTIONS = {
  profile: { type: 'string', short: 'p' },
  'k8s-version': { type: 'string' },
  format: { type: 'string', short: 'f', default: 'text' },
  'fail-on': { type: 'string' },
  rule: { type: 'string', multiple: true },
  config: { type: 'string', short: 'c' },
  'no-color': { type: 'boolean', default: false },
  impact: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

function runCheck(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: CHECK_OPTIONS,
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new RollsafeError('usage', 'check needs at least one PATH (a file, a folder, or - for stdin)');
  const format = values.format ?? 'text';
  if (!FORMATS.has(format)) throw new RollsafeError('usage', `unknown --format ${format}; use text, json, sarif or github`);
  const config = loadConfig(values.config, io);
  const failOn = (values['fail-on'] ?? config.failOn ?? 'error') as FailOn;
  if (!FAIL_ON.has(failOn)) throw new RollsafeError('usage', `unknown --fail-on ${failOn}; use error, warning, info or none`);
  const ruleSeverities: Record<string, Severity | 'off'> = { ...config.rules };
  for (const setting of values.rule ?? []) parseRuleSetting(setting, ruleSeverities);
  const profile = resolveCheckProfile(values.profile ?? config.profile ?? 'generic', values['k8s-version'] ?? config.k8sVersion, io);

  const sources = readSources(positionals, io.stdin);
  const checked = checkSources(sources, { profile, ruleSeverities });
  let result = checked;
  if (values.impact) {
    const impacts = findingImpacts(sources, checked.findings, { profile });
    result = { ...checked, findings: checked.findings.map((f) => {
      const impact = impacts.get(f);
      return impact ? judgedByImpact(f, impact) : f;
    }) };
  }
  const color = format === 'text' && io.isTTY && !values['no-color'] && !io.env['NO_COLOR'];
  const out = format === 'json' ? formatJson(result) : format === 'sarif' ? formatSarif(result) : format === 'github' ? formatGithub(result) : formatText(result, { color });
  io.stdout(out);
  if (failOn === 'none') return 0;
  const threshold = severityRank(failOn);
  return result.findings.some((f) => severityRank(f.severity) >= threshold) ? 1 : 0;
}

function runRules(args: string[], io: Io): number {
  const { values } = parseArgs({ args, options: { format: { type: 'string', short: 'f', default: 'table' } } });
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json' && format !== 'markdown') throw new RollsafeError('usage', `unknown --format ${format}; use table, json or markdown`);
  io.stdout(formatRules(format));
  return 0;
}

function runExplain(args: string[], io: Io): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [id] = positionals;
  if (id === undefined || positionals.length !== 1) throw new RollsafeError('usage', 'explain takes one RULE-ID (see `rollsafe rules`)');
  const text = explainRule(id, io.readFile);
  if (text === undefined) throw new RollsafeError('usage', `unknown rule \`${id}\` (see \`rollsafe rules\`)`);
  io.stdout(text);
  return 0;
}

/**
 * Runs the CLI as the rollsafe program does: `serve` resolves its exit code once it has stopped,
 * `app-check` once its run is judged.
 */
export function run(argv: readonly string[], io: Io): number | Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'serve') return runServe(rest, io);
  if (command === 'app-check') return runAppCheck(rest, io);
  if (command === 'lab') return runLab(rest, io);
  return main(argv, io);
}

/**
 * True when the command line reads standard input: `-` as an input path of check, fix, simulate or
 * report, or `advise -f -`. The bin reads stdin to its end (as a stream) before `main` runs, and
 * only then: `report x.yaml -o -` must not wait for an input it never reads.
 */
export function readsStdin(argv: readonly string[]): boolean {
  const [command, ...args] = argv;
  const dash = (options: NonNullable<ParseArgsConfig['options']>): boolean => parseArgs({ args, allowPositionals: true, options }).positionals.includes('-');
  try {
    switch (command) {
      case 'check':
        return dash(CHECK_OPTIONS);
      case 'fix':
        return dash(FIX_OPTIONS);
      case 'simulate':
        return dash(SIMULATE_OPTIONS);
      case 'report':
        return dash(REPORT_OPTIONS);
      case 'advise':
        return (parseArgs({ args, allowPositionals: true, options: ADVISE_OPTIONS }).values.manifests ?? []).includes('-');
      default:
        return false;
    }
  } catch {
    // A malformed command line: the command itself reports it, without reading stdin.
    return false;
  }
}

/** Runs the CLI; returns the exit code. */
export function main(argv: readonly string[], io: Io): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'check':
        return runCheck(rest, io);
      case 'rules':
        return runRules(rest, io);
      case 'explain':
        return runExplain(rest, io);
      case 'advise':
        return runAdvise(rest, io);
      case 'fix':
        return runFix(rest, io);
      case 'policy':
        return runPolicy(rest, io);
      case 'report':
        return runReport(rest, io);
      case 'simulate':
        return runSimulate(rest, io);
      case 'app-check':
        throw new RollsafeError('usage', 'app-check runs processes and takes time; start it with run(), as the rollsafe program does');
      case 'lab':
        throw new RollsafeError('usage', 'lab runs a rollout in real time; start it with run(), as the rollsafe program does');
      case 'serve':
        if (rest.includes('--help') || rest.includes('-h')) {
          io.stdout(SERVE_HELP);
          return 0;
        }
        // A server does not return an exit code until it stops: `run` starts it.
        throw new RollsafeError('usage', 'serve runs until it is stopped; start it with run(), as the rollsafe program does');
      case '--version':
      case '-v':
      case 'version':
        io.stdout(`${VERSION}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.stdout(io.program === undefined ? HELP : HELP.replaceAll('\n  rollsafe ', `\n  ${io.program} `));
        return command === undefined ? 2 : 0;
      default:
        throw new RollsafeError('usage', `unknown command \`${command}\``);
    }
  } catch (error: unknown) {
    return reportError(error, io);
  }
}
