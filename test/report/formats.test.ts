import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../src/engine/run.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { formatGithub } from '../../src/report/github.js';
import { formatJson } from '../../src/report/json.js';
import { formatSarif } from '../../src/report/sarif.js';
import { formatText } from '../../src/report/text.js';
import { RULES } from '../../src/rules/index.js';
import { ROOT, source } from '../helpers.js';

const profile = findBuiltinProfile('ack-flannel');
if (!profile) throw new Error('ack-flannel missing');
const result = checkSources([source('examples/seed/before/new-pod-no-readiness.yaml'), source('examples/seed/article-pod.yaml')], { profile });

describe('json', () => {
  it('has the stable shape and exact data', () => {
    const json = JSON.parse(formatJson(result)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['version', 'profile', 'summary', 'findings', 'notes']);
    expect(json['profile']).toBe('ack-flannel');
    expect(json['summary']).toEqual({ files: 2, objects: 4, errors: 3, warnings: 5, infos: 1 });
    const findings = json['findings'] as Array<Record<string, unknown>>;
    expect(Object.keys(findings[0] ?? {})).toEqual(['ruleId', 'severity', 'category', 'message', 'file', 'line', 'column', 'resource', 'path', 'fixable']);
    expect(findings.map((f) => [f['ruleId'], f['line'], f['column'], f['path']])).toContainEqual(['invalid-manifest', 44, 13, '/spec/containers/0/lifecycle/preStop/exec/command/1']);
    expect(findings.find((f) => f['ruleId'] === 'prestop-missing')).toMatchObject({ severity: 'error', category: 'termination', file: 'examples/seed/before/new-pod-no-readiness.yaml', resource: { kind: 'Deployment', namespace: 'before-readiness', name: 'nginx' }, fixable: true });
  });
});

describe('sarif', () => {
  const schema = JSON.parse(readFileSync(`${ROOT}node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json`, 'utf8')) as Record<string, unknown>;
  // The package is CommonJS with a default export: take the class from either shape.
  const Ajv = (AjvDraft04 as unknown as { default?: typeof AjvDraft04 }).default ?? AjvDraft04;
  const ajv = new (Ajv as unknown as new (options: Record<string, unknown>) => { compile: (schema: unknown) => ((data: unknown) => boolean) & { errors?: unknown[] | null } })({ allErrors: true, strict: false, unicodeRegExp: false });
  const addFormats = (addFormatsModule as unknown as { default?: (ajv: unknown) => void }).default ?? (addFormatsModule as unknown as (ajv: unknown) => void);
  addFormats(ajv);
  const validate = ajv.compile(schema);

  it('is valid against the official SARIF 2.1.0 schema', () => {
    const log = JSON.parse(formatSarif(result)) as unknown;
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('a schema violation is caught (the validator is live)', () => {
    const log = JSON.parse(formatSarif(result)) as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    const first = log.runs[0]?.results[0];
    if (first) first['level'] = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('carries rule metadata and physical locations', () => {
    const log = JSON.parse(formatSarif(result)) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string; defaultConfiguration: { level: string } }> } }; results: Array<{ ruleId: string; ruleIndex: number; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }> }> }> };
    const run = log.runs[0];
    expect(run?.tool.driver.rules.map((r) => r.id)).toEqual([...RULES.keys()]);
    expect(run?.tool.driver.rules.find((r) => r.id === 'service-selects-nothing')?.defaultConfiguration.level).toBe('note');
    const r = run?.results.find((x) => x.ruleId === 'invalid-manifest');
    expect(r?.level).toBe('error');
    expect(run?.tool.driver.rules[r?.ruleIndex ?? -1]?.id).toBe('invalid-manifest');
    expect(r?.locations[0]?.physicalLocation).toEqual({ artifactLocation: { uri: 'examples/seed/article-pod.yaml' }, region: { startLine: 44, startColumn: 13 } });
  });
});

describe('github', () => {
  it('one annotation per finding with escaped properties', () => {
    const lines = formatGithub(result).trimEnd().split('\n');
    expect(lines).toHaveLength(result.findings.length);
    expect(lines).toContain(
      '::error file=examples/seed/article-pod.yaml,line=44,col=13,title=rollsafe invalid-manifest::must be string, found number 30; quote it: command and args must be strings',
    );
    const escaped = formatGithub({ ...result, findings: [{ ...(result.findings[0] ?? ({} as never)), file: 'a,b:c.yaml', message: '50%\nnext' }] });
    expect(escaped).toMatch(/^::warning file=a%2Cb%3Ac\.yaml,.*::50%25%0Anext\n$/);
  });
});

describe('text', () => {
  it('groups by file, no colour when not asked', () => {
    const text = formatText(result, { color: false });
    expect(text).not.toContain('\u001b[');
    const lines = text.split('\n');
    expect(lines[0]).toBe('examples/seed/article-pod.yaml');
    expect(lines.filter((l) => l.startsWith('examples/'))).toEqual(['examples/seed/article-pod.yaml', 'examples/seed/before/new-pod-no-readiness.yaml']);
    expect(lines.at(-2)).toBe('✖ 9 findings (3 errors, 5 warnings, 1 info) in 2 files, 4 objects · profile ack-flannel · 5 fixable');
  });

  it('colours severities on a terminal', () => {
    expect(formatText(result, { color: true })).toContain('\u001b[31merror  \u001b[0m');
  });
});
