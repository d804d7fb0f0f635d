import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labChartSpec, parseLabFile } from '../../src/report/html/lab.js';
import { renderReport } from '../../src/report/html/page.js';
import type { InlineLibrary, ReportData, ReportFinding } from '../../src/report/html/types.js';
import { ROOT } from '../helpers.js';
import { rolloutTimeline, summaryOf } from './fixtures.js';

const EVIL = `<script>window.__rollsafeInjected = 1</script>`;
const RESOURCE = `Deployment/shop/${EVIL}`;

const finding: ReportFinding = {
  ruleId: 'prestop-missing',
  severity: 'error',
  category: 'termination',
  message: `container \`app\` of Deployment shop/${EVIL} has no preStop hook`,
  file: `k8s/${EVIL}.yaml`,
  line: 12,
  column: 9,
  resource: { kind: 'Deployment', namespace: 'shop', name: EVIL },
  fixDescription: 'add a 35 s preStop sleep',
  diff: `--- k8s/x.yaml\n+++ k8s/x.yaml\n@@ -10,3 +10,7 @@\n       containers:\n-        - name: ${EVIL}\n+        - name: app\n+          lifecycle:\n`,
  fixed: true,
};

const manual: ReportFinding = { ...finding, ruleId: 'readiness-probe-port-mismatch', severity: 'warning', category: 'startup', fixed: false, line: 20 };
const { fixDescription: _d, diff: _f, ...withoutFix } = manual;

const before = rolloutTimeline({ podName: (revision, i) => `${revision}-${i}-${EVIL}` });
const after = rolloutTimeline({ fixed: true });

const data: ReportData = {
  version: '0.1.0',
  profile: 'ack-flannel',
  k8sVersion: '1.18',
  files: [`k8s/${EVIL}.yaml`],
  objects: 2,
  findings: [finding, withoutFix],
  workloads: [
    {
      resource: RESOURCE,
      before: { summary: summaryOf(RESOURCE, before), timeline: before, notes: [`note ${EVIL}`] },
      after: { summary: summaryOf(RESOURCE, after), timeline: after, notes: [] },
      skipped: {},
      findings: [finding, withoutFix],
    },
    { resource: 'Pod/shop/bare', before: undefined, after: undefined, skipped: { before: 'a Pod is not rolled out', after: 'a Pod is not rolled out' }, findings: [] },
  ],
  otherFindings: [],
  notes: [{ file: `k8s/${EVIL}.yaml`, line: 3, message: `kind ${EVIL} is not modelled` }],
  fixesApplied: 1,
  docsBase: '../docs/rules/',
};

const LIBRARIES: InlineLibrary[] = [{ name: 'lib-a', version: '1.0.0', license: 'ISC', source: 'globalThis.libA = "</script>";' }];
const html = renderReport(data, LIBRARIES);

function scripts(page: string): { attributes: string; body: string }[] {
  return [...page.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attributes: m[1] ?? '', body: m[2] ?? '' }));
}

describe('renderReport', () => {
  it('is one HTML document', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('has exactly its own scripts: the JSON data, each library and the page script', () => {
    const found = scripts(html);
    expect(found.map((s) => s.attributes)).toEqual([' type="application/json" id="rollsafe-chart-data"', '', '']);
    expect(html.match(/<script/gi)).toHaveLength(3);
  });

  it('allows only those scripts by hash in its Content-Security-Policy, and no network access', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? '';
    const hashes = scripts(html)
      .filter((s) => s.attributes === '')
      .map((s) => `'sha256-${createHash('sha256').update(s.body, 'utf8').digest('base64')}'`);
    expect(csp).toBe(`default-src 'none'; script-src ${hashes.join(' ')}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`);
  });

  it('escapes every text from the manifests', () => {
    expect(html).not.toContain(EVIL);
    expect(html).not.toContain('<script>window');
    expect(html).toContain('&lt;script&gt;window.__rollsafeInjected = 1&lt;/script&gt;');
    // Resource names, file paths, messages, diffs, notes, skipped reasons.
    expect(html.split('&lt;script&gt;window.__rollsafeInjected').length - 1).toBeGreaterThanOrEqual(10);
  });

  it('embeds the chart data as JSON that cannot end its script element', () => {
    const json = scripts(html)[0]?.body ?? '';
    expect(json).not.toMatch(/[<>]/);
    const parsed = JSON.parse(json) as { charts: Record<string, { lanes: { label: string }[] }>; domains: Record<string, number> };
    expect(Object.keys(parsed.charts)).toEqual(['workload-1-before', 'workload-1-after']);
    expect(parsed.charts['workload-1-before']?.lanes[0]?.label).toBe(`old old-0-${EVIL} @node-a`);
    expect(parsed.domains).toEqual({ d0: 63, d1: 1 });
  });

  it('inlines the library source with </script broken', () => {
    expect(html).toContain('globalThis.libA = "<\\/script>";');
    expect(html).toContain('lib-a 1.0.0 (ISC)');
  });

  it('loads nothing: no src, no external href, no url()', () => {
    expect(html).not.toMatch(/\ssrc=/i);
    expect(html).not.toMatch(/href="(?:https?:)?\/\//i);
    expect(html).not.toMatch(/url\(/i);
  });

  it('shows a finding with file:line:column, its docs link and its fix as a diff', () => {
    expect(html).toContain('<a class="rule" href="../docs/rules/prestop-missing.md">prestop-missing</a>');
    expect(html).toContain(`<code>k8s/&lt;script&gt;window.__rollsafeInjected = 1&lt;/script&gt;.yaml:12:9</code>`);
    expect(html).toContain('<span class="del">-        - name: &lt;script&gt;');
    expect(html).toContain('<span class="add">+        - name: app</span>');
    expect(html).toContain('<span class="hunk">@@ -10,3 +10,7 @@</span>');
    expect(html).toContain('fixed by rollsafe fix');
    expect(html).toContain('No automatic fix');
  });

  it('summarizes findings by severity and category, and failures before and after', () => {
    expect(html).toMatch(/<tr><th scope="row">termination<span class="sub"> old pod stops too early<\/span><\/th><td class="num sev-text-error">1<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">1<\/td><\/tr>/);
    expect(html).toContain('<span class="before">136.5</span>');
    expect(html).toContain('<span class="after">0</span>');
    expect(html).toContain('<figure class="chart missing"><figcaption><strong>Before the fixes</strong>: not simulated.</figcaption><p class="note">a Pod is not rolled out</p>');
  });

  it('gives each chart a label, a description and tables', () => {
    expect(html).toContain('data-description="3 old and 3 new pods on 2 nodes. The rollout completes at 26 s. 136.5 requests fail:');
    expect(html.match(/<details class="chart-table">/g)).toHaveLength(2);
    expect(html).toContain('<caption>Routing views</caption>');
  });

  it('is the same page for the same data', () => {
    expect(renderReport(data, LIBRARIES)).toBe(html);
  });
});

describe('renderReport with a lab file', () => {
  const text = readFileSync(`${ROOT}test/fixtures/lab/short-rollout.lab.json`, 'utf8');
  // The fixture's strings replaced by hostile ones: the file, the resource and an event.
  const hostile = JSON.parse(text.replaceAll('Deployment/lab/short', RESOURCE).replace('rollout starts', `rollout starts ${EVIL}`)) as unknown;
  const lab = parseLabFile(JSON.stringify(hostile), `lab/${EVIL}.json`);
  const withLab = renderReport({ ...data, labs: [lab] }, LIBRARIES);

  it('adds nothing when there is no lab file', () => {
    expect(renderReport({ ...data, labs: [] }, LIBRARIES)).toBe(html);
    expect(html).not.toContain('rollsafe-lab-data');
    expect(html).not.toContain('Measured in the lab');
  });

  it('adds the section, its data and its script, each script allowed by hash', () => {
    const found = scripts(withLab);
    expect(found.map((s) => s.attributes)).toEqual([' type="application/json" id="rollsafe-chart-data"', ' type="application/json" id="rollsafe-lab-data"', '', '', '']);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(withLab)?.[1] ?? '';
    const hashes = found.filter((s) => s.attributes === '').map((s) => `'sha256-${createHash('sha256').update(s.body, 'utf8').digest('base64')}'`);
    expect(csp).toContain(`script-src ${hashes.join(' ')};`);
    expect(withLab.match(/<section class="lab" id="lab-1"/g)).toHaveLength(1);
    expect(withLab).toContain('<li><a href="#lab-1">Measured in the lab: Deployment/shop/&lt;script&gt;');
  });

  it('embeds the chart model of the lab file as JSON that cannot end its script element', () => {
    const json = found(withLab);
    expect(json).not.toMatch(/[<>]/);
    const parsed = JSON.parse(json) as { keys: { id: string }[]; labs: Record<string, unknown> };
    expect(parsed.keys.map((k) => k.id)).toEqual(['ok', 'refused-before-ready', 'refused-after-stop', 'no-local-endpoint', 'no-endpoint', 'cut-by-lb', 'killed-in-flight', 'keep-alive-race', 'unexplained']);
    expect(parsed.labs).toEqual({ 'lab-1': labChartSpec(lab) });
  });

  it('shows the comparison table per cause and both sides with tables', () => {
    expect(withLab).toContain('<tr><th scope="row">refused after stop (old pod)</th><td class="num">71</td><td class="num">50</td><td class="num">72.2</td><td class="num">96</td><td class="num">50–96</td><td class="good">yes</td></tr>');
    expect(withLab.match(/<figure class="chart" data-lab-chart="lab-1" data-side="(measured|simulated)"/g)).toHaveLength(2);
    expect(withLab).toContain('<strong>Measured</strong>: 72 of 3087 requests failed, rollout 22.8 s.');
    expect(withLab).toContain('<strong>Simulated, the same rollout</strong>: 52.7 failed requests in this run, rollout 22.7 s.');
    expect(withLab).toContain('<tr><th scope="row">refused after stop (old pod)</th><td>71</td><td>11.2 s</td><td>24.1 s</td></tr>');
  });

  it('escapes the strings of the lab file', () => {
    expect(withLab).not.toContain(EVIL);
    expect(withLab).toContain('<td>rollout starts &lt;script&gt;window.__rollsafeInjected = 1&lt;/script&gt;</td>');
    expect(withLab).toContain('<code>lab/&lt;script&gt;window.__rollsafeInjected = 1&lt;/script&gt;.json</code>');
  });
});

function found(page: string): string {
  return scripts(page).find((s) => s.attributes.includes('rollsafe-lab-data'))?.body ?? '';
}
