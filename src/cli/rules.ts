/** `rollsafe rules` and `rollsafe explain`. */
import { RULES } from '../rules/index.js';
import { defineCommand } from './command.js';
import { RollsafeError } from '../errors.js';

export const RULES_COMMAND = defineCommand({
  name: 'rules',
  summary: 'list the rule catalog',
  usage: ['[--format table|json|markdown]'],
  description: 'Lists every rule: its id, category, severity, whether rollsafe can fix it, and what it fires on.',
  arguments: [],
  options: {
    format: { type: 'string', short: 'f', value: 'FORMAT', choices: ['table', 'json', 'markdown'], default: 'table', description: 'output format' },
  },
  run({ values }, io) {
    io.stdout(formatRules(values.format));
    return 0;
  },
});

export const EXPLAIN = defineCommand({
  name: 'explain',
  summary: "a rule's cause, evidence and fix",
  usage: ['RULE-ID'],
  description: "Prints a rule's metadata and its documentation page: the cause, the evidence, the fix and the sources.",
  arguments: [{ name: 'RULE-ID', required: true, description: 'a rule id; `rollsafe rules` lists them' }],
  options: {},
  run({ positionals }, io) {
    const id = positionals[0] ?? '';
    const text = explainRule(id, io.readFile);
    if (text === undefined) throw new RollsafeError('usage', `unknown rule \`${id}\` (see \`rollsafe rules\`)`);
    io.stdout(text);
    return 0;
  },
});

/** The catalog as a table, JSON or Markdown. */
function formatRules(format: 'table' | 'json' | 'markdown'): string {
  const rules = [...RULES.values()].map((r) => r.meta);
  if (format === 'json') {
    return JSON.stringify(rules.map(({ id, category, severity, description, fixable, serviceDependent }) => ({ id, category, severity, description, fixable, serviceDependent, docs: `docs/rules/${id}.md` })), null, 2) + '\n';
  }
  if (format === 'markdown') {
    const rows = rules.map((m) => `| [\`${m.id}\`](docs/rules/${m.id}.md) | ${m.category} | ${m.severity}${m.serviceDependent && m.severity === 'error' ? ' (warning without a Service)' : ''} | ${m.fixable ? 'yes' : 'no'} | ${m.description} |`);
    return ['| rule | category | severity | fix | fires when |', '|---|---|---|---|---|', ...rows].join('\n') + '\n';
  }
  const idWidth = Math.max(...rules.map((m) => m.id.length));
  const lines = rules.map((m) => `${m.id.padEnd(idWidth)}  ${m.category.padEnd(12)}  ${m.severity.padEnd(7)}  ${m.fixable ? 'fix' : '   '}  ${m.description}`);
  return [`${'RULE'.padEnd(idWidth)}  ${'CATEGORY'.padEnd(12)}  ${'LEVEL'.padEnd(7)}  FIX  FIRES WHEN`, ...lines].join('\n') + '\n';
}

/** A rule's metadata and its docs page (read through `readFile`), or undefined for an unknown id. */
function explainRule(id: string, readFile: (path: string) => string): string | undefined {
  const rule = RULES.get(id);
  if (!rule) return undefined;
  const m = rule.meta;
  let page = '';
  try {
    page = readFile(new URL(`../../docs/rules/${id}.md`, import.meta.url).pathname);
  } catch {
    page = `(docs/rules/${id}.md is not installed)\n`;
  }
  return `${m.id} — ${m.description}\ncategory: ${m.category} · severity: ${m.severity}${m.serviceDependent ? (m.severity === 'error' ? ' (error when a user Service selects the workload; warning when the input has no Service, or only headless or API-server Services select it; skipped when nothing carries requests to it)' : ' (skipped when nothing carries requests to the workload)') : ''} · fix: ${m.fixable ? 'yes' : 'no'}\n\n${page}`;
}
