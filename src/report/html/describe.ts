/**
 * Text alternatives of a timeline chart: one sentence for screen readers (the chart's
 * aria-description) and the rows of the tables shown under each chart (and printed).
 */
import { CAUSES, type Cause, type Timeline } from '../../sim/types.js';
import { orderedPods, podLabel, viewLaneOf, viewLanes } from './chart-data.js';
import { CAUSE_KEYS, PHASE_KEYS, VIEW_KEYS } from './palette.js';

/** Seconds as the page writes them: at most one decimal. */
export function seconds(x: number): string {
  return `${Math.round(x * 10) / 10} s`;
}

/** A count of requests as the page writes it: whole numbers plain, expected values to one decimal. */
export function requests(x: number): string {
  return Number.isInteger(x) ? String(x) : (Math.round(x * 10) / 10).toString();
}

function span(start: number, end: number): string {
  return `${Math.round(start * 10) / 10}–${seconds(end)}`;
}

const PHASE_LABEL = new Map(PHASE_KEYS.map((k) => [k.id as string, k.id as string]));
const VIEW_LABEL = new Map(VIEW_KEYS.map((k) => [k.id as string, k.id === 'ready' ? 'routed' : 'terminating fallback']));
const CAUSE_LABEL = new Map(CAUSE_KEYS.map((k) => [k.id as string, k.label]));

/** Failed requests by cause over a timeline, with the first and last second each was seen. */
export function failuresByCause(timeline: Timeline): { cause: Cause; label: string; count: number; start: number; end: number }[] {
  const rows = new Map<Cause, { count: number; start: number; end: number }>();
  for (const w of timeline.failures) {
    const row = rows.get(w.cause);
    if (row) {
      row.count += w.count;
      row.start = Math.min(row.start, w.start);
      row.end = Math.max(row.end, w.end);
    } else rows.set(w.cause, { count: w.count, start: w.start, end: w.end });
  }
  return CAUSES.filter((c) => rows.has(c)).map((cause) => {
    const row = rows.get(cause) ?? { count: 0, start: 0, end: 0 };
    return { cause, label: CAUSE_LABEL.get(cause) ?? cause, count: row.count, start: row.start, end: row.end };
  });
}

/** One row per pod: its lane label and its phases in order ("pending 0–1.2 s, starting …"). */
export function podRows(timeline: Timeline): { lane: string; phases: string; listening: string }[] {
  return orderedPods(timeline).map((pod) => ({
    lane: podLabel(pod),
    phases: pod.phases.map((p) => `${PHASE_LABEL.get(p.phase) ?? p.phase} ${span(p.start, p.end)}`).join(', '),
    listening: pod.listening.length === 0 ? 'never' : pod.listening.map((l) => span(l.start, l.end)).join(', '),
  }));
}

/** One row per routing view and backend: when the view routed to it. */
export function viewRows(timeline: Timeline): { lane: string; backend: string; intervals: string }[] {
  const rows: { lane: string; backend: string; intervals: string }[] = [];
  for (const lane of viewLanes(timeline)) {
    for (const backend of lane.backends) {
      const intervals = timeline.views
        .filter((v) => v.backend === backend && viewLaneOf(v).key === lane.key)
        .map((v) => `${VIEW_LABEL.get(v.state) ?? v.state} ${span(v.start, v.end)}`);
      rows.push({ lane: lane.label, backend, intervals: intervals.join(', ') });
    }
  }
  return rows;
}

/** The chart in one paragraph, for its aria-description. */
export function describeTimeline(timeline: Timeline): string {
  const pods = timeline.pods;
  const old = pods.filter((p) => p.revision === 'old').length;
  const failures = failuresByCause(timeline);
  const total = failures.reduce((n, f) => n + f.count, 0);
  const rollout = timeline.completed ? `The rollout completes at ${seconds(timeline.rolloutSeconds)}` : `The rollout does not complete within ${seconds(timeline.rolloutSeconds)}`;
  const failed =
    total === 0
      ? 'No request fails.'
      : `${requests(total)} requests fail: ${failures.map((f) => `${requests(f.count)} ${f.label} between ${span(f.start, f.end)}`).join('; ')}.`;
  return `${old} old and ${pods.length - old} new pods on ${timeline.nodes.length} nodes. ${rollout}. ${failed}`;
}
