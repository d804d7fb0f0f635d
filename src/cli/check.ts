/**
 * `rollsafe check PATH…`: the findings of every rule. Exit codes: 0 no finding at or above
 * --fail-on, 1 findings, 2 usage, unreadable input or internal error.
 */
import { parseRuleSetting } from '../engine/config.js';
import { checkFiles } from '../engine/partition.js';
import { type CheckResult } from '../engine/run.js';
import { severityRank, type Severity } from '../rules/types.js';
import { listSources } from '../load/files.js';
import { githubChunks } from '../report/github.js';
import { jsonChunks } from '../report/json.js';
import { sarifChunks } from '../report/sarif.js';
import { textChunks } from '../report/text.js';
import { findingImpacts, judgedByImpact } from '../impact/impact.js';
import { defineCommand } from './command.js';
import { ANALYSIS_OPTIONS, loadConfig, resolveCheckProfile } from './options.js';
import { progressFor } from './progress.js';
import { outputWidth, WIDTH_OPTION } from './terminal.js';
import { writeChunks } from './io.js';

export const CHECK = defineCommand({
  name: 'check',
  summary: 'analyze manifests',
  usage: ['[options] PATH...'],
  description: `Runs every rule over the manifests and prints the findings with file:line:column,
grouped by file.

Suppress a rule on one object with the annotation

  rollsafe.io/ignore: rule-id[,rule-id]`,
  arguments: [{ name: 'PATH', required: true, variadic: true, description: 'a file, a folder (recursive *.yaml, *.yml, *.json), or - for stdin' }],
  options: {
    profile: ANALYSIS_OPTIONS.profile,
    'k8s-version': ANALYSIS_OPTIONS['k8s-version'],
    format: { type: 'string', short: 'f', value: 'FORMAT', choices: ['text', 'json', 'sarif', 'github'], default: 'text', description: 'output format' },
    'fail-on': { type: 'string', value: 'LEVEL', choices: ['error', 'warning', 'info', 'none'], defaultText: 'error', description: 'exit 1 when a finding is at or above LEVEL; none never fails' },
    rule: ANALYSIS_OPTIONS.rule,
    config: ANALYSIS_OPTIONS.config,
    impact: {
      type: 'boolean',
      description: 'simulate each startup, termination, node-routing and lb-drain finding with and without its fix (or its advice) and state what it costs per rollout',
    },
    'no-color': { type: 'boolean', description: 'no colour in text output (also NO_COLOR=1, or when piped)' },
    width: WIDTH_OPTION,
  },
  examples: ['rollsafe check --profile ack-flannel k8s/', 'helm template my-release ./chart | rollsafe check -', 'rollsafe check --format sarif --fail-on warning k8s/ > rollsafe.sarif'],
  footer: 'Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage, unreadable input or internal error.',
  readsStdin: ({ positionals }) => positionals.includes('-'),
  run({ values, positionals }, io) {
    const format = values.format;
    const config = loadConfig(values.config, io);
    const failOn = values['fail-on'] ?? config.failOn ?? 'error';
    const ruleSeverities: Record<string, Severity | 'off'> = { ...config.rules };
    for (const setting of values.rule) parseRuleSetting(setting, ruleSeverities);
    const profile = resolveCheckProfile(values.profile ?? config.profile ?? 'generic', values['k8s-version'] ?? config.k8sVersion, io);

    const files = listSources(positionals, io.stdin);
    const progress = progressFor(io, format === 'text');
    let result: CheckResult;
    try {
      const checked = checkFiles(files, { profile, ruleSeverities, onParsed: (done, total) => progress.update('parsed files', done, total) });
      result = checked;
      if (values.impact) {
        let runs = 0;
        const sources = files.map((f) => ({ path: f.path, text: f.read() }));
        const impacts = findingImpacts(sources, checked.findings, { profile, onRun: () => progress.update('simulated rollouts (--impact)', ++runs) });
        result = {
          ...checked,
          findings: checked.findings.map((f) => {
            const impact = impacts.get(f);
            return impact ? judgedByImpact(f, impact) : f;
          }),
        };
      }
    } finally {
      progress.clear();
    }
    const threshold = failOn === 'none' ? undefined : severityRank(failOn);
    const code = threshold !== undefined && result.findings.some((f) => severityRank(f.severity) >= threshold) ? 1 : 0;
    // In pieces, each once stdout has taken the last: a large input's report is tens of MB, and one
    // string of it, or a pipe's backlog of it, would be held several times over.
    const color = format === 'text' && io.isTTY && !values['no-color'] && !io.env['NO_COLOR'];
    const chunks = format === 'json' ? jsonChunks(result) : format === 'sarif' ? sarifChunks(result) : format === 'github' ? githubChunks(result) : textChunks(result, { color, width: outputWidth(values.width, io) });
    const written = writeChunks(io, chunks);
    return written ? written.then(() => code) : code;
  },
});
