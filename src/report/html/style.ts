/** The report's stylesheet: system fonts, high-contrast text, and a print layout. */
export const STYLE = `
:root { --fg: #1a1a1a; --muted: #555; --line: #d0d0d0; --bg-soft: #f5f5f5; --error: #B23A00; --warning: #8a6100; --info: #005a8c; --good: #00704f; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--fg); background: #fff; }
header, main, nav, footer { max-width: 1500px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 16px; }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { font-size: 20px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; overflow-wrap: anywhere; }
h3 { font-size: 16px; margin: 20px 0 6px; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px; }
a { color: #005a9c; }
.meta { color: var(--muted); margin: 0; overflow-wrap: anywhere; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; padding: 0; margin: 8px 0 0; font-size: 13px; max-height: 6.5em; overflow: auto; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; background: var(--bg-soft); }
.card-label { font-size: 13px; color: var(--muted); }
.card-value { font-size: 26px; font-weight: 600; }
.card-value .before { color: var(--error); }
.card-value .after { color: var(--good); }
.card-value .of { font-size: 15px; font-weight: normal; color: var(--muted); }
.card-sub { font-size: 12px; color: var(--muted); }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
th[scope="row"] { font-weight: normal; overflow-wrap: anywhere; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.sub { display: block; font-size: 11px; color: var(--muted); }
td.bad { color: var(--error); font-weight: 600; }
td.good { color: var(--good); }
.by-workload { width: 100%; }
.badge { display: inline-block; border-radius: 3px; padding: 0 6px; font-size: 12px; font-weight: 600; border: 1px solid currentColor; }
.badge.sev-error, .sev-text-error { color: var(--error); }
.badge.sev-warning, .sev-text-warning { color: var(--warning); }
.badge.sev-info, .sev-text-info { color: var(--info); }
.badge.ok, .badge.fixed { color: var(--good); }
.legend { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 8px 24px; }
.legend ul { list-style: none; padding: 0; margin: 0; font-size: 13px; }
.legend li { display: flex; align-items: center; gap: 8px; }
.swatch { display: inline-block; width: 22px; height: 12px; border: 1px solid #888; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.swatch.line { height: 4px; border: 0; }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 560px), 1fr)); gap: 16px; }
figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px; min-width: 0; }
figure.chart figcaption { font-size: 13px; margin-bottom: 4px; }
.chart-canvas { min-height: 120px; overflow-x: auto; }
.chart-canvas svg { display: block; max-width: 100%; height: auto; }
.chart-table summary, details.fix summary { cursor: pointer; font-size: 13px; }
.chart-table table { width: 100%; }
.note { color: var(--muted); font-style: italic; }
.sim-notes { font-size: 12px; color: var(--muted); margin: 4px 0; padding-left: 18px; }
ol.findings { list-style: none; padding: 0; margin: 0; }
.finding { border-left: 4px solid var(--line); padding: 4px 0 4px 12px; margin: 0 0 12px; }
.finding.sev-error { border-color: var(--error); }
.finding.sev-warning { border-color: var(--warning); }
.finding.sev-info { border-color: var(--info); }
.finding p { margin: 2px 0; overflow-wrap: anywhere; }
.finding .rule { font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: 600; }
.finding .category, .finding .location { color: var(--muted); font-size: 13px; }
.fix-note { font-size: 13px; color: var(--muted); }
pre.diff { background: var(--bg-soft); border: 1px solid var(--line); padding: 6px 8px; overflow-x: auto; margin: 4px 0; line-height: 1.35; }
pre.diff .add { color: #00603f; background: #e6f4ec; display: inline-block; min-width: 100%; }
pre.diff .del { color: #8f2d00; background: #fbeae3; display: inline-block; min-width: 100%; }
pre.diff .hunk { color: #5a3e85; }
pre.diff .file { font-weight: 600; }
footer { color: var(--muted); font-size: 12px; margin-top: 40px; padding-bottom: 24px; }
@media print {
  body { font-size: 11pt; }
  nav, .skip { display: none; }
  header, main, footer { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  section.workload { break-before: page; }
  .pair { display: block; }
  figure.chart { break-inside: avoid; margin-bottom: 12px; border: 0; padding: 0; }
  .chart-canvas { overflow: visible; }
  .chart-canvas .note { display: none; }
  details.chart-table > summary, details.fix > summary { list-style: none; font-weight: 600; }
  pre.diff { white-space: pre-wrap; overflow-wrap: anywhere; }
  .finding { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
