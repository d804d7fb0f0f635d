/**
 * Output of `rollsafe advise`: text (the comparison side by side, the reasons with their sources,
 * the config), yaml (the config only, multi-document, under a header comment) and json.
 */
import jsYaml from 'js-yaml';
import type { Finding } from '../rules/types.js';
import type { KubeObject, WorkloadFacts } from './config.js';
import { ASPECT_LABELS, ASPECTS, type ModeColumn } from './decision.js';
import type { Advice } from './decide.js';
import type { Cited } from './sources.js';

/** The config written for one workload. */
export interface AdvisedConfig {
  readonly workload: WorkloadFacts;
  /** Where the workload came from (`-f`), e.g. `Deployment shop/web (app.yaml)`. */
  readonly from?: string;
  readonly notes: readonly string[];
  readonly objects: readonly KubeObject[];
}

/** What every format shows: the advice, the configs, workloads `-f` skipped, and `rollsafe check` of the configs. */
export interface AdviseResult {
  readonly advice: Advice;
  readonly configs: readonly AdvisedConfig[];
  readonly skipped: readonly string[];
  /** Findings of `rollsafe check` on the configs under the advice's profile (empty for every built-in branch). */
  readonly findings: readonly Finding[];
}

/** The `rollsafe check` command the config passes. */
function checkCommand(advice: Advice, file = 'FILE'): string {
  return `rollsafe check --profile ${advice.profile} --k8s-version ${advice.facts.k8sVersion} ${file}`;
}

function modeName(advice: Advice): string {
  const column = advice.comparison.find((c) => c.recommended);
  return column?.label ?? advice.mode;
}

function factsLine(advice: Advice): string {
  const f = advice.facts;
  return `${f.provider}, network plugin ${f.networkPlugin}, LB ${f.lbKind}, Kubernetes ${f.k8sVersion}, source IP ${f.preserveSourceIp ? 'must be kept' : 'not needed'}, LB quota ${f.lbQuotaTight ? 'tight' : 'not tight'}`;
}

function dump(object: KubeObject): string {
  // js-yaml quotes strings that YAML 1.1 would read as booleans or numbers (`'on'`, `'30'`).
  return jsYaml.dump(object, { noRefs: true, lineWidth: -1 });
}

/** The config as a multi-document YAML stream, one comment block per workload. */
export function configYaml(configs: readonly AdvisedConfig[]): string {
  const parts: string[] = [];
  for (const config of configs) {
    const header = [`# ${config.from ?? `Deployment ${config.workload.namespace}/${config.workload.name}`}`, ...config.notes.map((n) => `# note: ${n}`)];
    config.objects.forEach((object, i) => parts.push(`---\n${i === 0 ? header.join('\n') + '\n' : ''}${dump(object)}`));
  }
  return parts.join('');
}

/** `--format yaml`: the config only, ready for `kubectl apply -f -`, under a header comment. */
export function formatAdviceYaml(result: AdviseResult): string {
  const { advice } = result;
  const header = [
    `# rollsafe advise: ${advice.summary}`,
    `# ${factsLine(advice)}`,
    `# mode: ${modeName(advice)}; ${result.findings.length === 0 ? 'passes' : 'check'}: ${checkCommand(advice)}`,
    ...result.findings.map((f) => `# check finding: ${findingLine(f)}`),
    ...result.skipped.map((s) => `# skipped: ${s}`),
  ];
  return `${header.join('\n')}\n${configYaml(result.configs)}`;
}

/** `--format json`: the advice, the configs as objects, and the skipped workloads. */
export function formatAdviceJson(result: AdviseResult): string {
  const { advice } = result;
  const findings = result.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, resource: f.resource, path: f.path }));
  return `${JSON.stringify({ ...advice, check: checkCommand(advice), checkFindings: findings, configs: result.configs, skipped: result.skipped }, null, 2)}\n`;
}

function findingLine(f: Finding): string {
  return `${f.severity} ${f.ruleId} (${f.resource.kind} ${f.resource.namespace}/${f.resource.name}): ${f.message}`;
}

/** Numbers each source once, in order of first use. */
class Footnotes {
  private readonly numbers = new Map<string, number>();

  mark(cited: Cited): string {
    const ids = cited.sources.map((s) => {
      let n = this.numbers.get(s);
      if (n === undefined) this.numbers.set(s, (n = this.numbers.size + 1));
      return n;
    });
    return ids.length === 0 ? '' : ` [${ids.join(',')}]`;
  }

  list(): string[] {
    return [...this.numbers.entries()].map(([source, n]) => `  [${n}] ${source}`);
  }
}

/** Greedy word wrap; words longer than the width are cut. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > width) {
      if (line) lines.push(line);
      lines.push(word.slice(0, width));
      word = word.slice(width);
      line = '';
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines : [''];
}

const LABEL_WIDTH = 17;
const CELL_WIDTH = 32;

function tableRow(label: string, cells: readonly string[]): string[] {
  const wrapped = cells.map((c) => wrap(c, CELL_WIDTH));
  const height = Math.max(1, ...wrapped.map((w) => w.length));
  const out: string[] = [];
  for (let i = 0; i < height; i++) {
    const left = (i === 0 ? label : '').padEnd(LABEL_WIDTH);
    out.push(`${left}| ${wrapped.map((w) => (w[i] ?? '').padEnd(CELL_WIDTH)).join(' | ')}`.trimEnd());
  }
  return out;
}

/** The seed's Service comparison: one column per mode, one row per aspect. */
function comparisonTable(columns: readonly ModeColumn[], notes: Footnotes): string[] {
  const rule = `${'-'.repeat(LABEL_WIDTH)}+${columns.map(() => '-'.repeat(CELL_WIDTH + 2)).join('+')}`;
  const out = [...tableRow('', columns.map((c) => (c.recommended ? `${c.label} ← RECOMMENDED` : c.label))), rule];
  out.push(...tableRow('available', columns.map((c) => (c.available ? 'yes' : `no: ${c.unavailable?.text ?? ''}${c.unavailable ? notes.mark(c.unavailable) : ''}`))));
  for (const aspect of ASPECTS) {
    out.push(rule, ...tableRow(ASPECT_LABELS[aspect], columns.map((c) => `${c.cells[aspect].text}${notes.mark(c.cells[aspect])}`)));
  }
  return out;
}

/** `--format text`: the recommendation, the comparison side by side, reasons, notes and the config. */
export function formatAdviceText(result: AdviseResult): string {
  const { advice } = result;
  const notes = new Footnotes();
  const t = advice.timing;
  const lines = [
    `rollsafe advise: ${factsLine(advice)}`,
    '',
    `Recommended: ${advice.summary}`,
    `Service mode: ${modeName(advice)}; profile ${advice.profile}; preStop ${t.preStopSeconds} s, grace ${t.gracePeriodSeconds} s${t.lbDrainSeconds === undefined ? '' : `, LB drain ${t.lbDrainSeconds} s`}${t.minReadySeconds === undefined ? '' : `, minReadySeconds ${t.minReadySeconds}`}`,
    '',
    'Service modes side by side (the seed\'s comparison):',
    ...comparisonTable(advice.comparison, notes),
    '',
    'Why:',
    ...advice.reasons.map((r, i) => `  ${i + 1}. ${r.text}${notes.mark(r)}`),
  ];
  if (advice.notes.length > 0) lines.push('', 'Trade-offs and steps to take:', ...advice.notes.map((n) => `  - ${n.text}${notes.mark(n)}`));
  if (result.skipped.length > 0) lines.push('', 'Skipped:', ...result.skipped.map((s) => `  - ${s}`));
  lines.push('', 'Sources:', ...notes.list(), '');
  if (result.findings.length === 0) lines.push(`Config (passes \`${checkCommand(advice)}\` with no finding):`);
  else lines.push(`Config (\`${checkCommand(advice)}\` still reports ${result.findings.length}: see the notes of each workload):`, ...result.findings.map((f) => `  - ${findingLine(f)}`));
  lines.push(configYaml(result.configs).trimEnd());
  return `${lines.join('\n')}\n`;
}
