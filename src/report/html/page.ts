/**
 * The HTML report: one self-contained page (styles, data, chart library and script inline; a
 * Content-Security-Policy that allows only the page's own scripts and no network access at all).
 * Pure: `renderReport(data, libraries)` returns the page as a string.
 */
import { CATEGORIES } from './categories.js';
import { chartSpec, type ChartSpec } from './chart-data.js';
import { CLIENT_SCRIPT } from './client.js';
import { describeTimeline, failuresByCause, podRows, requests, seconds, viewRows } from './describe.js';
import { escapeHtml as h, jsonForScript, scriptText } from './escape.js';
import { LAB_CLIENT_SCRIPT } from './lab-client.js';
import { LAB_KEYS, labCauseLabel, labChartSpec, measuredByCause, type LabChartSpec, type LabReport } from './lab.js';
import { CAUSE_KEYS, LISTENING_KEY, PHASE_KEYS, TIMELINE_KEYS, VIEW_KEYS, type ChartKey } from './palette.js';
import { sha256Base64 } from './sha256.js';
import { STYLE } from './style.js';
import type { InlineLibrary, ReportData, ReportFinding, ReportWorkload, SimulatedRollout } from './types.js';

const SEVERITIES = ['error', 'warning', 'info'] as const;

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The id of a workload's section: its index, so that no manifest text ends up in an id. */
function sectionId(index: number): string {
  return `workload-${index + 1}`;
}

function severityCounts(findings: readonly ReportFinding[]): Record<(typeof SEVERITIES)[number], number> {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

function severityBadges(findings: readonly ReportFinding[]): string {
  const counts = severityCounts(findings);
  const parts = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `<span class="badge sev-${s}">${plural(counts[s], s)}</span>`);
  return parts.length === 0 ? '<span class="badge ok">no findings</span>' : parts.join(' ');
}

function failedCell(rollout: SimulatedRollout | undefined): string {
  if (!rollout) return '<td class="num">—</td>';
  const { failed, pAnyFailure } = rollout.summary;
  const cls = failed.mean > 0 ? 'bad' : 'good';
  return `<td class="num ${cls}">${h(requests(failed.mean))}<span class="sub"> p95 ${h(requests(failed.p95))} · P(any) ${Math.round(pAnyFailure * 100)} %</span></td>`;
}

function durationCell(rollout: SimulatedRollout | undefined): string {
  if (!rollout) return '<td class="num">—</td>';
  const { rolloutSeconds, incomplete, runs } = rollout.summary;
  const note = incomplete > 0 ? `<span class="sub bad"> incomplete in ${incomplete}/${runs} runs</span>` : '';
  return `<td class="num">${h(seconds(rolloutSeconds.p50))}<span class="sub"> p95 ${h(seconds(rolloutSeconds.p95))}</span>${note}</td>`;
}

function sum(workloads: readonly ReportWorkload[], pick: (w: ReportWorkload) => SimulatedRollout | undefined, value: (r: SimulatedRollout) => number): number | undefined {
  const values = workloads.map(pick).filter((r): r is SimulatedRollout => r !== undefined).map(value);
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
}

function max(workloads: readonly ReportWorkload[], pick: (w: ReportWorkload) => SimulatedRollout | undefined, value: (r: SimulatedRollout) => number): number | undefined {
  const values = workloads.map(pick).filter((r): r is SimulatedRollout => r !== undefined).map(value);
  return values.length === 0 ? undefined : Math.max(...values);
}

function beforeAfter(before: string | undefined, after: string | undefined): string {
  return `<span class="before">${h(before ?? '—')}</span> <span aria-hidden="true">→</span><span class="visually-hidden"> after the fixes:</span> <span class="after">${h(after ?? '—')}</span>`;
}

function renderSummary(data: ReportData): string {
  const counts = severityCounts(data.findings);
  const failedBefore = sum(data.workloads, (w) => w.before, (r) => r.summary.failed.mean);
  const failedAfter = sum(data.workloads, (w) => w.after, (r) => r.summary.failed.mean);
  const slowestBefore = max(data.workloads, (w) => w.before, (r) => r.summary.rolloutSeconds.p50);
  const slowestAfter = max(data.workloads, (w) => w.after, (r) => r.summary.rolloutSeconds.p50);
  const fixedCount = data.findings.filter((f) => f.fixed).length;
  const cards = [
    `<div class="card"><div class="card-label">Workloads</div><div class="card-value">${data.workloads.length}</div><div class="card-sub">${plural(data.objects, 'object')} in ${plural(data.files.length, 'file')}</div></div>`,
    `<div class="card"><div class="card-label">Findings</div><div class="card-value">${data.findings.length}</div><div class="card-sub">${SEVERITIES.map((s) => `<span class="sev-text-${s}">${plural(counts[s], s)}</span>`).join(' · ')}</div></div>`,
    `<div class="card"><div class="card-label">Failed requests per rollout</div><div class="card-value">${beforeAfter(failedBefore === undefined ? undefined : requests(failedBefore), failedAfter === undefined ? undefined : requests(failedAfter))}</div><div class="card-sub">before → after the fixes, all workloads, mean of the simulated runs</div></div>`,
    `<div class="card"><div class="card-label">Longest rollout</div><div class="card-value">${beforeAfter(slowestBefore === undefined ? undefined : seconds(slowestBefore), slowestAfter === undefined ? undefined : seconds(slowestAfter))}</div><div class="card-sub">before → after the fixes (median of the runs)</div></div>`,
    `<div class="card"><div class="card-label">Fixed by <code>rollsafe fix</code></div><div class="card-value">${fixedCount}<span class="of"> of ${data.findings.length}</span></div><div class="card-sub">${plural(data.fixesApplied, 'edit')}; the rest need a person</div></div>`,
  ];
  const categoryRows = CATEGORIES.map((category) => {
    const inCategory = data.findings.filter((f) => f.category === category.id);
    if (inCategory.length === 0) return '';
    const c = severityCounts(inCategory);
    return `<tr><th scope="row">${h(category.id)}<span class="sub"> ${h(category.where)}</span></th>${SEVERITIES.map((s) => `<td class="num${c[s] > 0 ? ` sev-text-${s}` : ''}">${c[s]}</td>`).join('')}<td class="num">${inCategory.length}</td></tr>`;
  }).join('');
  const workloadRows = data.workloads
    .map(
      (w, i) =>
        `<tr><th scope="row"><a href="#${sectionId(i)}">${h(w.resource)}</a></th><td>${severityBadges(w.findings)}</td>${failedCell(w.before)}${failedCell(w.after)}${durationCell(w.before)}${durationCell(w.after)}</tr>`,
    )
    .join('');
  const simulationNote = data.simulationNote === undefined ? '' : `<p class="note">${h(data.simulationNote)}</p>`;
  return `<section id="summary" aria-labelledby="summary-title">
<h2 id="summary-title">Summary</h2>
<div class="cards">${cards.join('')}</div>
${simulationNote}
<div class="tables">
<table class="by-category"><caption>Findings by category and severity</caption>
<thead><tr><th scope="col">category</th>${SEVERITIES.map((s) => `<th scope="col" class="num">${s}</th>`).join('')}<th scope="col" class="num">total</th></tr></thead>
<tbody>${categoryRows || '<tr><td colspan="5">no findings</td></tr>'}</tbody></table>
</div>
<table class="by-workload"><caption>Simulated rollout per workload, before and after the fixes (failed requests: mean per rollout; duration: median)</caption>
<thead><tr><th scope="col">workload</th><th scope="col">findings</th><th scope="col" class="num">failed before</th><th scope="col" class="num">failed after</th><th scope="col" class="num">duration before</th><th scope="col" class="num">duration after</th></tr></thead>
<tbody>${workloadRows || '<tr><td colspan="6">no workloads in the input</td></tr>'}</tbody></table>
</section>`;
}

function swatches(keys: readonly ChartKey[], shape: 'bar' | 'line' = 'bar'): string {
  return keys.map((k) => `<li><span class="swatch ${shape}" style="background:${h(k.color)}"></span>${h(k.label)}</li>`).join('');
}

function renderLegend(): string {
  return `<section id="legend" aria-labelledby="legend-title">
<h2 id="legend-title">How to read the charts</h2>
<p>Each chart is one simulated rollout, time running left to right. The upper rows are the pods (old revision first, then new), each with its phase and, as a thin black line under it, when its app accepts connections. The shaded rows are the routing views: the EndpointSlice, kube-proxy on each node, the ingress and the cloud load balancer, one thin bar per backend for as long as that view sends traffic to it. Requests fail where a view still routes to a pod that does not accept connections: compare where a pod's black line ends with where its bars in the views end. The lower panel counts the failed requests over time by cause. The dashed line is where the rollout completes. Every chart has a table with the same data under it.</p>
<div class="legend">
<div><h3>Pod phases</h3><ul>${swatches(PHASE_KEYS)}${swatches([LISTENING_KEY], 'line')}</ul></div>
<div><h3>Routing views</h3><ul>${swatches(VIEW_KEYS)}</ul></div>
<div><h3>Failed requests by cause</h3><ul>${swatches(CAUSE_KEYS)}</ul></div>
</div>
</section>`;
}

function table(caption: string, head: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  return `<table class="data"><caption>${h(caption)}</caption><thead><tr>${head.map((c) => `<th scope="col">${h(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${h(c)}</th>` : `<td>${h(c)}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function failureSentence(rollout: SimulatedRollout): string {
  const causes = failuresByCause(rollout.timeline);
  if (causes.length === 0) return 'No request fails in this run.';
  return `Failed requests in this run: ${causes.map((c) => `${requests(Math.round(c.count * 10) / 10)} ${c.label} (${seconds(c.start)}–${seconds(c.end)})`).join('; ')}.`;
}

function renderChart(id: string, domain: string, axisEnd: number, title: string, resource: string, rollout: SimulatedRollout | undefined, skipped: string | undefined, charts: Record<string, ChartSpec>): string {
  if (!rollout) return `<figure class="chart missing"><figcaption><strong>${h(title)}</strong>: not simulated.</figcaption><p class="note">${h(skipped ?? 'The simulator did not return this workload.')}</p></figure>`;
  charts[id] = chartSpec(rollout.timeline, axisEnd);
  const { summary, timeline } = rollout;
  const label = `${resource}, ${title.toLowerCase()}`;
  const failures = failureSentence(rollout);
  const tables = [
    table('Pods', ['pod', 'phases', 'app accepts connections'], podRows(timeline).map((r) => [r.lane, r.phases, r.listening])),
    table('Routing views', ['view', 'backend', 'routes to it'], viewRows(timeline).map((r) => [r.lane, r.backend, r.intervals])),
    table('Failed requests', ['cause', 'failed', 'from', 'to'], failuresByCause(timeline).map((c) => [c.label, requests(Math.round(c.count * 10) / 10), seconds(c.start), seconds(c.end)])),
  ].join('');
  return `<figure class="chart" data-chart="${h(id)}" data-domain="${h(domain)}" data-label="${h(label)}" data-description="${h(describeTimeline(timeline))}" data-failures="${h(failures)}">
<figcaption><strong>${h(title)}</strong>: ${h(requests(summary.failed.mean))} failed requests per rollout (mean of ${plural(summary.runs, 'run')}; p95 ${h(requests(summary.failed.p95))}), rollout ${h(seconds(summary.rolloutSeconds.p50))}. The chart shows one run.</figcaption>
<div class="chart-canvas"><p class="note">The chart is drawn when it scrolls into view.</p></div>
${rollout.notes.length === 0 ? '' : `<ul class="sim-notes">${rollout.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`}
<details class="chart-table"><summary>The chart as tables</summary>${tables}</details>
</figure>`;
}

/** A unified diff with each line marked as added, removed, hunk header or context. */
function renderDiff(diff: string): string {
  const lines = diff.replace(/\n$/, '').split('\n');
  return `<pre class="diff"><code>${lines
    .map((line) => {
      const cls = line.startsWith('+++') || line.startsWith('---') ? 'file' : line.startsWith('@@') ? 'hunk' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : 'ctx';
      return `<span class="${cls}">${h(line)}</span>`;
    })
    .join('\n')}</code></pre>`;
}

function renderFinding(f: ReportFinding, docsBase: string): string {
  const resource = `${f.resource.kind}/${f.resource.namespace === '' ? 'default' : f.resource.namespace}/${f.resource.name}`;
  let fix: string;
  if (f.diff !== undefined && f.diff !== '') fix = `<details class="fix"><summary>Fix${f.fixDescription === undefined ? '' : `: ${h(f.fixDescription)}`}</summary>${renderDiff(f.diff)}</details>`;
  else if (f.fixDescription !== undefined) fix = `<p class="fix-note">Fix: ${h(f.fixDescription)} (cannot be applied alone here: <code>rollsafe fix</code> applies it together with the others)</p>`;
  else fix = `<p class="fix-note">No automatic fix: see the rule's page for what to change by hand.</p>`;
  return `<li class="finding sev-${f.severity}">
<div class="finding-head"><span class="badge sev-${f.severity}">${f.severity}</span> <a class="rule" href="${h(docsBase + f.ruleId)}.md">${h(f.ruleId)}</a> <span class="category">${h(f.category)}</span>${f.fixed ? ' <span class="badge fixed">fixed by rollsafe fix</span>' : ''}</div>
<p class="message">${h(f.message)}</p>
<p class="location"><code>${h(f.file)}:${f.line}:${f.column}</code> · ${h(resource)}</p>
${fix}
</li>`;
}

function renderFindings(findings: readonly ReportFinding[], docsBase: string): string {
  if (findings.length === 0) return '<p class="note">No findings.</p>';
  return `<ol class="findings">${findings.map((f) => renderFinding(f, docsBase)).join('')}</ol>`;
}

function renderWorkload(w: ReportWorkload, index: number, data: ReportData, charts: Record<string, ChartSpec>, domains: Record<string, number>): string {
  const id = sectionId(index);
  const domain = `d${index}`;
  const axisEnd = Math.max(w.before?.timeline.end ?? 0, w.after?.timeline.end ?? 0, 1);
  domains[domain] = axisEnd;
  return `<section class="workload" id="${id}" aria-labelledby="${id}-title">
<h2 id="${id}-title">${h(w.resource)}</h2>
<p>${severityBadges(w.findings)}</p>
<div class="pair">
${renderChart(`${id}-before`, domain, axisEnd, 'Before the fixes', w.resource, w.before, w.skipped.before, charts)}
${renderChart(`${id}-after`, domain, axisEnd, 'After rollsafe fix', w.resource, w.after, w.skipped.after, charts)}
</div>
<h3>Findings</h3>
${renderFindings(w.findings, data.docsBase)}
</section>`;
}

/** The id of a lab file's section: its index. */
function labSectionId(index: number): string {
  return `lab-${index + 1}`;
}

function labFigure(id: string, side: 'measured' | 'simulated', title: string, caption: string, label: string, description: string, tables: string): string {
  return `<figure class="chart" data-lab-chart="${h(id)}" data-side="${side}" data-label="${h(label)}" data-description="${h(description)}">
<figcaption><strong>${h(title)}</strong>: ${h(caption)}</figcaption>
<div class="chart-canvas"><p class="note">The chart is drawn by the page's script.</p></div>
<details class="chart-table"><summary>The chart as tables</summary>${tables}</details>
</figure>`;
}

/** A lab file's section: the measured rollout beside the simulated one, and the comparison by cause. */
function renderLab(lab: LabReport, index: number, labs: Record<string, LabChartSpec>): string {
  const id = labSectionId(index);
  const spec = labChartSpec(lab);
  labs[id] = spec;
  const { measured, simulated } = lab;
  const byCause = measuredByCause(lab);
  const simulatedFailed = simulated.failures.reduce((n, w) => n + w.count, 0);
  const measuredSentence = byCause.length === 0 ? 'No request failed.' : `Failed: ${byCause.map((c) => `${c.count} ${c.label} (${seconds(c.first)}–${seconds(c.last)})`).join('; ')}.`;
  const simulatedSentence = simulated.failures.length === 0 ? 'No request fails.' : `Failed: ${simulated.failures.map((w) => `${requests(Math.round(w.count * 10) / 10)} ${labCauseLabel(w.cause)} (${seconds(w.start)}–${seconds(w.end)})`).join('; ')}.`;
  const measuredTables = [
    table('Failed requests by cause', ['cause', 'failed', 'first sent', 'last sent'], byCause.map((c) => [c.label, String(c.count), seconds(c.first), seconds(c.last)])),
    table('Pod and endpoint events', ['time', 'event'], measured.events.map((e) => [seconds(e.time), e.what])),
  ].join('');
  const simulatedTables = table('Failure windows', ['cause', 'failed', 'from', 'to'], simulated.failures.map((w) => [labCauseLabel(w.cause), requests(Math.round(w.count * 10) / 10), seconds(w.start), seconds(w.end)]));
  const rows = lab.comparison
    .map(
      (c) =>
        `<tr><th scope="row">${h(labCauseLabel(c.cause))}</th><td class="num">${h(requests(c.measured))}</td><td class="num">${h(requests(c.simulated.p5))}</td><td class="num">${h(requests(c.simulated.mean))}</td><td class="num">${h(requests(c.simulated.p95))}</td><td class="num">${h(requests(c.accepted[0]))}–${h(requests(c.accepted[1]))}</td><td class="${c.agrees ? 'good' : 'bad'}">${c.agrees ? 'yes' : 'no'}</td></tr>`,
    )
    .join('');
  return `<section class="lab" id="${id}" aria-labelledby="${id}-title">
<h2 id="${id}-title">Measured in the lab: ${h(lab.resource)}</h2>
<p class="meta">From <code>${h(lab.file)}</code>: ${plural(lab.runs, 'rollout')} played for real by <code>rollsafe lab</code> on ${plural(lab.nodes, 'node')} at ${h(requests(lab.rps))} requests/s (profile <strong>${h(lab.profile)}</strong>, Kubernetes ${h(lab.k8sVersion)}). Both charts share the time axis, the ${h(seconds(spec.binSeconds))} bins and the rate scale; the dotted line is the offered rate. The lab records every failed request, so ok is the offered rate less the failures of the bin. Ticks along the top are the lab's pod and endpoint events.</p>
<div class="legend"><div><h3>Requests per second</h3><ul>${swatches(LAB_KEYS.filter((_, i) => i === 0 || [...spec.measured.bins, ...spec.simulated.bins].some((b) => b[2] === i)))}</ul></div></div>
<div class="pair">
${labFigure(id, 'measured', `Measured${lab.runs > 1 ? ` (run 1 of ${lab.runs})` : ''}`, `${measured.failed} of ${measured.requests} requests failed, rollout ${seconds(measured.rolloutSeconds)}.`, `${lab.resource}, measured in the lab`, measuredSentence, measuredTables)}
${labFigure(id, 'simulated', 'Simulated, the same rollout', `${requests(Math.round(simulatedFailed * 10) / 10)} failed requests in this run, rollout ${seconds(simulated.rolloutSeconds)}.`, `${lab.resource}, simulated`, simulatedSentence, simulatedTables)}
</div>
<table class="data lab-comparison"><caption>Failed requests per rollout by cause: measured (mean of the lab's runs) beside the simulation of the same rollout; they agree when the measurement is inside the accepted range</caption>
<thead><tr><th scope="col">cause</th><th scope="col" class="num">measured</th><th scope="col" class="num">simulated p5</th><th scope="col" class="num">mean</th><th scope="col" class="num">p95</th><th scope="col" class="num">accepted</th><th scope="col">agrees</th></tr></thead>
<tbody>${rows || '<tr><td colspan="7">no comparison in the file</td></tr>'}</tbody></table>
</section>`;
}

/** The chart library and the page's scripts, in the order they must run (the lab's only when the page has a lab section). */
function scripts(libraries: readonly InlineLibrary[], lab: boolean): string[] {
  return [...libraries.map((l) => scriptText(l.source)), scriptText(CLIENT_SCRIPT), ...(lab ? [scriptText(LAB_CLIENT_SCRIPT)] : [])];
}

/** Renders the report page. `libraries` are inlined in order (d3, then Observable Plot). */
export function renderReport(data: ReportData, libraries: readonly InlineLibrary[]): string {
  const charts: Record<string, ChartSpec> = {};
  const domains: Record<string, number> = {};
  const workloads = data.workloads.map((w, i) => renderWorkload(w, i, data, charts, domains)).join('\n');
  const chartData = jsonForScript({ keys: TIMELINE_KEYS, causes: CAUSE_KEYS, charts, domains });
  const labs = data.labs ?? [];
  const labSpecs: Record<string, LabChartSpec> = {};
  const labSections = labs.map((lab, i) => `\n${renderLab(lab, i, labSpecs)}`).join('');
  const labData = labs.length === 0 ? '' : `\n<script type="application/json" id="rollsafe-lab-data">${jsonForScript({ keys: LAB_KEYS, labs: labSpecs })}</script>`;
  const code = scripts(libraries, labs.length > 0);
  // Fixed words and base64 hashes only: nothing in it needs escaping.
  const csp = [`default-src 'none'`, `script-src ${code.map((c) => `'sha256-${sha256Base64(c)}'`).join(' ')}`, `style-src 'unsafe-inline'`, `img-src data:`, `base-uri 'none'`, `form-action 'none'`].join('; ');
  const title = `rollsafe report: ${plural(data.workloads.length, 'workload')}, ${plural(data.findings.length, 'finding')} (${data.profile})`;
  const nav = [...data.workloads.map((w, i) => `<li><a href="#${sectionId(i)}">${h(w.resource)}</a></li>`), ...labs.map((lab, i) => `<li><a href="#${labSectionId(i)}">Measured in the lab: ${h(lab.resource)}</a></li>`)].join('');
  const other =
    data.otherFindings.length === 0
      ? ''
      : `<section id="other-findings" aria-labelledby="other-title"><h2 id="other-title">Other findings</h2><p>Findings on objects that are not a simulated workload or a Service in front of one.</p>${renderFindings(data.otherFindings, data.docsBase)}</section>`;
  const notes =
    data.notes.length === 0
      ? ''
      : `<section id="notes" aria-labelledby="notes-title"><h2 id="notes-title">Notes</h2><ul>${data.notes.map((n) => `<li><code>${h(n.file)}:${n.line}</code> ${h(n.message)}</li>`).join('')}</ul></section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="rollsafe ${h(data.version)}">
<title>${h(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#summary">Skip to the summary</a>
<header>
<h1>rollsafe report</h1>
<p class="meta">Profile <strong>${h(data.profile)}</strong>, Kubernetes ${h(data.k8sVersion)} · ${plural(data.files.length, 'file')}: ${data.files.map((f) => `<code>${h(f)}</code>`).join(', ')} · rollsafe ${h(data.version)}</p>
</header>
<nav aria-label="Workloads"><h2 class="visually-hidden">Workloads</h2><ol>${nav}</ol></nav>
<main>
${renderSummary(data)}
${renderLegend()}
${workloads}${labSections}
${other}
${notes}
</main>
<footer><p>A self-contained page: it loads nothing from the network. Charts drawn with ${libraries.map((l) => `${h(l.name)} ${h(l.version)} (${h(l.license)})`).join(' and ')}, inlined.</p></footer>
<script type="application/json" id="rollsafe-chart-data">${chartData}</script>${labData}
${code.map((c) => `<script>${c}</script>`).join('\n')}
</body>
</html>
`;
}
