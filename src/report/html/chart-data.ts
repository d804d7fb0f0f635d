/**
 * A simulated rollout's Timeline turned into what the page draws: lanes (one per pod, one per
 * routing view), bars in them, and failed requests binned over time. The browser script only maps
 * these numbers to marks, so the layout is tested here, without a browser.
 */
import { CAUSES, type PodTimeline, type Timeline, type ViewInterval } from '../../sim/types.js';
import { PHASE_KEYS, TIMELINE_KEYS, VIEW_KEYS } from './palette.js';

/** A lane: its label, the y range it takes (rows, top to bottom) and whether it is a pod lane. */
interface Lane {
  readonly label: string;
  readonly top: number;
  readonly bottom: number;
  readonly kind: 'pod' | 'view';
}

/** A bar: [x1, x2, y1, y2, key index in TIMELINE_KEYS, lane index, backend ('' for pod lanes)]. */
type Bar = readonly [number, number, number, number, number, number, string];

/** Failed requests of one cause in one time bin: [x1, x2, cause index in CAUSES, count]. */
export type FailureBin = readonly [number, number, number, number];

export interface ChartSpec {
  /** Seconds covered. */
  readonly end: number;
  readonly rolloutSeconds: number;
  readonly completed: boolean;
  /** Total height in rows. */
  readonly rows: number;
  readonly lanes: readonly Lane[];
  readonly bars: readonly Bar[];
  readonly binSeconds: number;
  readonly failures: readonly FailureBin[];
}

/** Height of a view lane's row per backend, in rows (a pod lane is one row). */
const BACKEND_ROW = 0.3;
/** Failure bins per chart, at most. */
const MAX_BINS = 120;
const BIN_STEPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600];

/** Milliseconds precision: the simulator's resolution, and short JSON. */
function ms(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** A time on the chart: old pods' phases and views begin before the rollout, drawn from 0. */
function t(x: number): number {
  return ms(Math.max(0, x));
}

/** Old pods first, then new ones, each in the simulator's order. */
export function orderedPods(timeline: Timeline): PodTimeline[] {
  return [...timeline.pods.filter((p) => p.revision === 'old'), ...timeline.pods.filter((p) => p.revision === 'new')];
}

const PHASE_INDEX = new Map(PHASE_KEYS.map((k, i) => [k.id as string, i]));
const VIEW_INDEX = new Map(VIEW_KEYS.map((k, i) => [k.id as string, PHASE_KEYS.length + i]));
const LISTENING_INDEX = TIMELINE_KEYS.length - 1;

/** The label of a pod lane. */
export function podLabel(pod: PodTimeline): string {
  return `${pod.revision} ${pod.name} @${pod.node}`;
}

/** A routing view's lane: the layer, and the node for kube-proxy. */
export interface ViewLaneKey {
  readonly key: string;
  readonly label: string;
}

/** The lane a routing view's interval is drawn in. */
export function viewLaneOf(view: ViewInterval): ViewLaneKey {
  switch (view.layer) {
    case 'endpoints':
      return { key: 'endpoints', label: 'EndpointSlice' };
    case 'kube-proxy':
      return { key: `kube-proxy\u0000${view.node ?? ''}`, label: `kube-proxy @${view.node ?? '?'}` };
    case 'ingress':
      return { key: 'ingress', label: 'ingress' };
    case 'load-balancer':
      return { key: 'load-balancer', label: 'load balancer' };
  }
}

const LAYER_ORDER = ['endpoints', 'kube-proxy', 'ingress', 'load-balancer'];

/** The view lanes in a fixed order: EndpointSlice, kube-proxy by node, ingress, load balancer. */
export function viewLanes(timeline: Timeline): { key: string; label: string; backends: string[] }[] {
  const lanes = new Map<string, { key: string; label: string; layer: string; node: string; backends: Set<string> }>();
  for (const view of timeline.views) {
    const { key, label } = viewLaneOf(view);
    let lane = lanes.get(key);
    if (!lane) lanes.set(key, (lane = { key, label, layer: view.layer, node: view.node ?? '', backends: new Set() }));
    lane.backends.add(view.backend);
  }
  // Backends in the order of the pod lanes (or of the nodes, for an LB with node backends).
  const podOrder = orderedPods(timeline).map((p) => p.name);
  const rank = new Map([...podOrder, ...timeline.nodes].map((name, i) => [name, i]));
  const nodeRank = new Map(timeline.nodes.map((n, i) => [n, i]));
  return [...lanes.values()]
    .sort((a, b) => LAYER_ORDER.indexOf(a.layer) - LAYER_ORDER.indexOf(b.layer) || (nodeRank.get(a.node) ?? 0) - (nodeRank.get(b.node) ?? 0) || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))
    .map((l) => ({ key: l.key, label: l.label, backends: [...l.backends].sort((x, y) => (rank.get(x) ?? Infinity) - (rank.get(y) ?? Infinity) || (x < y ? -1 : x > y ? 1 : 0)) }));
}

/** A bin width from a short list of round numbers, so that the chart has at most MAX_BINS bins. */
export function binSeconds(end: number): number {
  return BIN_STEPS.find((step) => end / step <= MAX_BINS) ?? Math.ceil(end / MAX_BINS);
}

/**
 * Failed requests per bin and cause. A window's count is spread evenly over its duration (the
 * rate model's windows are stretches of constant rate); a window of no duration falls in one bin.
 */
export function binFailures(timeline: Timeline, width: number): FailureBin[] {
  const counts = new Map<number, number[]>();
  const add = (bin: number, cause: number, n: number): void => {
    let row = counts.get(bin);
    if (!row) counts.set(bin, (row = CAUSES.map(() => 0)));
    row[cause] = (row[cause] ?? 0) + n;
  };
  for (const w of timeline.failures) {
    const cause = CAUSES.indexOf(w.cause);
    if (cause < 0 || !(w.count > 0)) continue;
    const duration = w.end - w.start;
    const first = Math.floor(w.start / width);
    if (!(duration > 0)) {
      add(first, cause, w.count);
      continue;
    }
    const last = Math.max(first, Math.ceil(w.end / width) - 1);
    for (let bin = first; bin <= last; bin++) {
      const overlap = Math.min(w.end, (bin + 1) * width) - Math.max(w.start, bin * width);
      if (overlap > 0) add(bin, cause, (w.count * overlap) / duration);
    }
  }
  const bins: FailureBin[] = [];
  for (const bin of [...counts.keys()].sort((a, b) => a - b)) {
    (counts.get(bin) ?? []).forEach((n, cause) => {
      const rounded = Math.round(n * 100) / 100;
      if (rounded > 0) bins.push([ms(bin * width), ms((bin + 1) * width), cause, rounded]);
    });
  }
  return bins;
}

/**
 * Lays out one timeline as lanes, bars and failure bins. `axisEnd` is the end of the time axis the
 * chart is drawn on (shared by a workload's two charts, so their failure bins have one width).
 */
export function chartSpec(timeline: Timeline, axisEnd: number = timeline.end): ChartSpec {
  const lanes: Lane[] = [];
  const bars: Bar[] = [];
  let y = 0;
  for (const pod of orderedPods(timeline)) {
    const lane = lanes.length;
    lanes.push({ label: podLabel(pod), top: y, bottom: y + 1, kind: 'pod' });
    for (const p of pod.phases) {
      const key = PHASE_INDEX.get(p.phase);
      if (key !== undefined && p.end > p.start && p.end > 0) bars.push([t(p.start), t(p.end), ms(y + 0.12), ms(y + 0.68), key, lane, '']);
    }
    for (const l of pod.listening) if (l.end > l.start && l.end > 0) bars.push([t(l.start), t(l.end), ms(y + 0.74), ms(y + 0.88), LISTENING_INDEX, lane, '']);
    y += 1;
  }
  const byLane = new Map<string, { lane: number; rows: Map<string, number>; top: number }>();
  for (const view of viewLanes(timeline)) {
    const height = Math.max(1, view.backends.length * BACKEND_ROW + 0.2);
    byLane.set(view.key, { lane: lanes.length, rows: new Map(view.backends.map((b, i) => [b, i])), top: y });
    lanes.push({ label: view.label, top: y, bottom: y + height, kind: 'view' });
    y += height;
  }
  for (const view of timeline.views) {
    const lane = byLane.get(viewLaneOf(view).key);
    const key = VIEW_INDEX.get(view.state);
    if (!lane || key === undefined || !(view.end > view.start) || !(view.end > 0)) continue;
    const row = lane.rows.get(view.backend) ?? 0;
    const top = lane.top + 0.1 + row * BACKEND_ROW;
    bars.push([t(view.start), t(view.end), ms(top + 0.03), ms(top + BACKEND_ROW - 0.03), key, lane.lane, view.backend]);
  }
  const width = binSeconds(Math.max(axisEnd, timeline.end, 1e-3));
  return {
    end: ms(timeline.end),
    rolloutSeconds: ms(timeline.rolloutSeconds),
    completed: timeline.completed,
    rows: ms(y),
    lanes: lanes.map((l) => ({ ...l, top: ms(l.top), bottom: ms(l.bottom) })),
    bars,
    binSeconds: width,
    failures: binFailures(timeline, width),
  };
}
