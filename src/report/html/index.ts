/** The HTML report: data from the sources (build), the page (render), the chart library (assets). */
export { buildReportData, resourceKey, type BuildOptions, type Simulate, type SimulateOptions, type SimulatedWorkload } from './build.js';
export { chartSpec, type ChartSpec } from './chart-data.js';
export { escapeHtml, jsonForScript, scriptText } from './escape.js';
export { renderReport } from './page.js';
export type { InlineLibrary, ReportData, ReportFinding, ReportWorkload, SimulatedRollout } from './types.js';
