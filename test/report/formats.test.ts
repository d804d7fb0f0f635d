import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../src/engine/run.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { CHUNK } from '../../src/report/chunks.js';
import { formatGithub, githubChunks } from '../../src/report/github.js';
import { formatJson, jsonChunks } from '../../src/report/json.js';
import { formatSarif, sarifChunks } from '../../src/report/sarif.js';
import { formatText, textChunks } from '../../src/report/text.js';
import { summarizeCheck } from '../../src/report/summary.js';
import { VERSION } from '../../src/version.js';
import { RULES } from '../../src/rules/index.js';
import type { Finding } from '../../src/rules/types.js';
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

describe('json in chunks', () => {
  /** The report as one JSON.stringify call writes it: what the chunks must add up to, byte for byte. */
  const oneString = (r: typeof result): string =>
    JSON.stringify(
      {
        version: VERSION,
        profile: r.profile,
        summary: summarizeCheck(r),
        findings: r.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, category: f.category, message: f.message, file: f.file, line: f.line, column: f.column, resource: f.resource, path: f.path, fixable: f.fixable, ...(f.impact ? { impact: f.impact } : {}) })),
        notes: r.notes,
      },
      null,
      2,
    ) + '\n';

  it('adds up to one JSON.stringify of the report: findings, notes, an impact, none of either', () => {
    const many = checkSources([source('examples/seed/before/new-pod-no-readiness.yaml'), source('test/fixtures/load/defaults.yaml')], { profile });
    const withImpact = { ...result, findings: result.findings.map((f, i) => (i === 0 ? { ...f, impact: { failedRequests: 1.5, before: 2, after: 0.5, otherFixes: 0, verdict: 'saves' as const, rps: 100, workloads: ['Deployment/x/nginx'], advice: 'add "a" —\n b' } } : f)) };
    const notes = { ...result, notes: [{ message: 'Widget (x/v1) is not a kind rollsafe analyzes; skipped', file: 'a "quoted"\nfile.yaml', line: 3 }] };
    const empty = { ...result, findings: [], notes: [] };
    // Strings JSON escapes (quotes, backslash, control characters, lone surrogates, U+2028), a finding
    // with a field of an unexpected type (written the general way), and resources of other shapes.
    const oddRefs = [{ name: 'x', kind: 'Deployment', namespace: '' }, { kind: 'Deployment', namespace: 'a', name: 'b', extra: 1 }, { kind: 'Deployment', namespace: 'a' }];
    const odd = {
      ...result,
      findings: result.findings.slice(0, 5).map((f, i) =>
        i === 0
          ? { ...f, message: 'a "b" \\ c\t\u0001 \u2028 \ud800 é', file: 'dir\\x.yaml', path: '/metadata/annotations/a~1b', resource: { kind: 'Deploy"ment', namespace: 'n\\s', name: '\u2028' } }
          : i === 1
            ? { ...f, line: Number.NaN }
            : { ...f, resource: oddRefs[i - 2] as Finding['resource'] },
      ),
    };
    for (const r of [result, many, withImpact, notes, empty, odd]) expect(formatJson(r)).toBe(oneString(r));
    expect(odd.findings.length).toBe(5);
    expect(many.findings.length).toBeGreaterThan(20);
    expect(formatJson(empty).endsWith('  "findings": [],\n  "notes": []\n}\n')).toBe(true);
  });

  it('writes a large report in pieces of CHUNK findings', () => {
    const big = { ...result, findings: Array.from({ length: 2500 }, (_, i) => result.findings[i % result.findings.length]).filter((f): f is NonNullable<typeof f> => f !== undefined) };
    const chunks = [...jsonChunks(big)];
    // head, '[', 25 pieces of findings, ']', notes key, notes
    expect(CHUNK).toBe(100);
    expect(chunks.length).toBe(30);
    expect(chunks.join('')).toBe(oneString(big));
  });
});

describe('sarif, text and github in pieces', () => {
  /** 2,500 findings over several files (so that pieces start inside a file's group), and a note. */
  const big = (n: number): typeof result => ({
    ...result,
    findings: Array.from({ length: n }, (_, i) => ({ ...(result.findings[i % result.findings.length] as Finding), file: `f${Math.floor(i / 700)}.yaml`, line: i + 1 })),
    notes: [{ message: 'Widget (x/v1) is not a kind rollsafe analyzes; skipped', file: 'f0.yaml', line: 3 }],
  });

  it('SARIF: the log written around its results, CHUNK results a piece, formatted exactly as one JSON.stringify of it', () => {
    const chunks = [...sarifChunks(big(2500))];
    // the log up to `"results": `, '[', 25 pieces of results, ']' and the rest of the log
    expect(chunks.length).toBe(28);
    const text = chunks.join('');
    const log = JSON.parse(text) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { region: { startLine: number } } }> }>; properties: unknown }> };
    expect(text).toBe(JSON.stringify(log, null, 2) + '\n');
    expect(log.runs[0]?.results.map((r) => r.locations[0]?.physicalLocation.region.startLine)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(log.runs[0]?.properties).toEqual({ profile: result.profile });
    const empty = [...sarifChunks({ ...result, findings: [] })].join('');
    expect(empty).toBe(JSON.stringify(JSON.parse(empty), null, 2) + '\n');
    expect((JSON.parse(empty) as { runs: Array<{ results: unknown[] }> }).runs[0]?.results).toEqual([]);
  });

  it('text: a piece per CHUNK findings, each ending at a line end, then the notes and the summary', () => {
    for (const n of [2500, 1000]) {
      const chunks = [...textChunks(big(n), { color: false })];
      expect(chunks.length).toBe(n / CHUNK + 1);
      for (const chunk of chunks) expect(chunk.endsWith('\n')).toBe(true);
      const lines = chunks.join('').split('\n');
      expect(lines.filter((l) => /^ {2}\d+:\d+ /.test(l)).length).toBe(n);
      expect(lines.filter((l) => /^f\d+\.yaml$/.test(l))).toEqual(Array.from({ length: Math.ceil(n / 700) }, (_, i) => `f${i}.yaml`));
      // Each file's group after the first starts after a blank line, wherever the pieces were cut.
      expect(lines.filter((l, i) => /^f[1-9]\d*\.yaml$/.test(l) && lines[i - 1] !== '').length).toBe(0);
      expect(lines.at(-2)).toMatch(new RegExp(`^✖ ${n.toLocaleString('en').replace(',', '')} findings`));
      expect(lines.at(-1)).toBe('');
    }
    // The notes follow the last finding; then a blank line, also when the last piece of findings was
    // just written and nothing else is left (a whole number of pieces of findings and no notes).
    const withNote = [...textChunks(big(1000), { color: false })].join('').split('\n');
    const note = withNote.findIndex((l) => l.startsWith('note: f0.yaml:3: Widget'));
    expect([withNote[note - 1]?.startsWith('  1000:1 '), withNote[note + 1]]).toEqual([true, '']);
    const exact = [...textChunks({ ...big(1000), notes: [] }, { color: false })].join('').split('\n');
    const last = exact.findIndex((l) => l.startsWith('  1000:1 '));
    expect(exact[last + 1]).toBe('');
    expect(exact.slice(last + 2).every((l) => l === '' || /^\[\d+\] |^✖ /.test(l))).toBe(true);
  });

  it('github: CHUNK annotations a piece', () => {
    const chunks = [...githubChunks(big(2500))];
    expect(chunks.length).toBe(25);
    expect(chunks.join('').split('\n').filter((l) => l.startsWith('::')).length).toBe(2500);
    expect([...githubChunks({ ...result, findings: [] })]).toEqual([]);
  });
});
