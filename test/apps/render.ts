/**
 * Renders docs/precision.md from the judgments, so that the page cannot drift from the data the
 * precision test asserts (`npx vitest run test/apps -u` rewrites it after a change).
 */
import { FILE_PROFILES, JUDGMENTS, RULE_NOTES, type Judgment, type Verdict } from './judgments.js';

const VERDICTS: readonly Verdict[] = ['true', 'false', 'debatable'];

/** Counts per verdict. */
export function countVerdicts(judgments: readonly Judgment[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { true: 0, false: 0, debatable: 0 };
  for (const j of judgments) counts[j.verdict] += 1;
  return counts;
}

/** Counts per rule and verdict, rules sorted by id. */
export function countPerRule(judgments: readonly Judgment[]): Record<string, Record<Verdict, number>> {
  const rules = [...new Set(judgments.map((j) => j.ruleId))].sort();
  return Object.fromEntries(rules.map((rule) => [rule, countVerdicts(judgments.filter((j) => j.ruleId === rule))]));
}

/** The share of `false` findings in percent, one decimal. */
export function falseSharePercent(judgments: readonly Judgment[]): number {
  return judgments.length === 0 ? 0 : Math.round((countVerdicts(judgments).false / judgments.length) * 1000) / 10;
}

/** Rules with an error-level finding and no `true` verdict among their error-level findings. */
export function errorRulesWithoutTruePositive(judgments: readonly Judgment[]): string[] {
  const errors = judgments.filter((j) => j.severity === 'error');
  return [...new Set(errors.map((j) => j.ruleId))].filter((rule) => !errors.some((j) => j.ruleId === rule && j.verdict === 'true')).sort();
}

/** A Markdown table cell: pipes escaped, an empty value shown as `—`. */
function cell(text: string): string {
  return text === '' ? '—' : text.replace(/\|/g, '\\|');
}

function code(text: string): string {
  return text === '' ? '—' : `\`${text}\``;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Per rule with doubtful findings: what it should do, then its false and debatable cases. */
function doubtedRules(): string[] {
  const lines: string[] = [];
  for (const [rule, note] of Object.entries(RULE_NOTES).sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(`### \`${rule}\``, '', `What the rule should do: ${note}`, '');
    for (const verdict of ['false', 'debatable'] as const) {
      const cases = JUDGMENTS.filter((j) => j.ruleId === rule && j.verdict === verdict);
      if (cases.length === 0) continue;
      lines.push(`${verdict === 'false' ? 'False' : 'Debatable'}:`, '');
      for (const j of cases) lines.push(`- ${j.file}, ${j.resource} ${code(j.path)} (${j.severity}): ${j.reason}`);
      lines.push('');
    }
  }
  return lines;
}

/** The whole of docs/precision.md. */
export function renderPrecisionDoc(): string {
  const total = JUDGMENTS.length;
  const counts = countVerdicts(JUDGMENTS);
  const lines: string[] = [
    '# Precision on real applications',
    '',
    '<!-- Generated from test/apps/judgments.ts by test/apps/render.ts: edit the judgments, then run `npx vitest run test/apps -u`. -->',
    '',
    'rollsafe is checked on the published manifests of 20 real projects (24 files in',
    '`corpus/apps/`, beside the project; its README names each file\'s source and licence). Each file is',
    'checked with the built-in [profile](profiles.md) that fits it, and every finding is judged as an',
    'experienced SRE would judge it:',
    '',
    '- **true**: requests can drop, or the configuration is wrong as the finding states;',
    '- **false**: the finding is wrong (e.g. it treats a health port of the same process as a mismatch, or',
    '  a log shipper as if traffic flowed to it);',
    '- **debatable**: it depends on assumptions the manifest does not settle.',
    '',
    'Each verdict names its evidence: the field in the manifest, or the upstream project\'s documented',
    'behaviour. `test/apps/precision.test.ts` keeps the judgment: the findings must be exactly the judged',
    'ones (a new or vanished finding fails until it is judged), and the counts below are asserted.',
    '',
    'The goals: at most 2 % of the findings false, and every rule that reports at error level right at',
    'least once. Both hold, and the test asserts them besides today\'s numbers.',
    '',
    '## Totals',
    '',
    row(['verdict', 'findings', 'share']),
    row(['---', '---:', '---:']),
    ...VERDICTS.map((v) => row([v, String(counts[v]), `${Math.round((counts[v] / total) * 1000) / 10} %`])),
    row(['all', String(total), '100 %']),
    '',
    `False share: ${falseSharePercent(JUDGMENTS)} % (goal: at most 2 %). Error-level rules without a true finding: ${errorRulesWithoutTruePositive(JUDGMENTS).map((r) => `\`${r}\``).join(', ') || 'none'}.`,
    '',
    '### Per rule',
    '',
    row(['rule', 'findings', 'true', 'false', 'debatable']),
    row(['---', '---:', '---:', '---:', '---:']),
    ...Object.entries(countPerRule(JUDGMENTS)).map(([rule, c]) => row([`[\`${rule}\`](rules/${rule}.md)`, String(c.true + c.false + c.debatable), String(c.true), String(c.false), String(c.debatable)])),
    '',
    '## Profiles',
    '',
    row(['file', 'profile', 'why']),
    row(['---', '---', '---']),
    ...Object.entries(FILE_PROFILES).map(([file, p]) => row([file, `\`${p.profile}\``, cell(p.why)])),
    '',
    '## False and debatable findings, by rule',
    '',
    ...doubtedRules(),
    '## Every finding',
    '',
    row(['file', 'profile', 'rule', 'object', 'path', 'severity', 'verdict', 'reason']),
    row(['---', '---', '---', '---', '---', '---', '---', '---']),
    ...JUDGMENTS.map((j) => row([j.file, `\`${FILE_PROFILES[j.file]?.profile ?? '?'}\``, `\`${j.ruleId}\``, cell(j.resource), code(j.path), j.severity, `**${j.verdict}**`, cell(j.reason)])),
    '',
  ];
  return lines.join('\n');
}
