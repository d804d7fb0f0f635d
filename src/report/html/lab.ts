/**
 * The lab's JSON (`rollsafe lab -f json`) as the report reads it: a guard that narrows the parsed
 * file to the fields the page draws, and the chart model of the "Measured in the lab" section —
 * the measured rollout (its first run) beside one simulated rollout of the same input, binned on
 * one time axis with one bin width and one rate scale. The shape is declared here, not imported
 * from src/lab: the report reads a file, whatever version of the lab wrote it, and checks it.
 */
import { RollsafeError } from '../../errors.js';
import { CAUSE_KEYS, type ChartKey } from './palette.js';

/** A lab file that is not the JSON of `rollsafe lab`: its path and the JSON Pointer of the first wrong field. */
function invalid(file: string, pointer: string, what: string): RollsafeError {
  return new RollsafeError('invalid-lab-file', `${file}: not the output of \`rollsafe lab -f json\`: ${pointer === '' ? 'the file' : pointer} should be ${what}`, { file, pointer });
}

/** A failed request the lab measured: when it was sent (rollout seconds) and why it failed. */
interface LabFailure {
  readonly time: number;
  readonly cause: string;
  readonly layer: string;
  readonly error: string;
}

/** A simulated failure window (the simulator's Timeline.failures). */
interface SimulatedWindow {
  readonly start: number;
  readonly end: number;
  readonly count: number;
  readonly cause: string;
}

/** One cause compared: measured failed requests beside the simulated distribution. */
interface LabComparisonRow {
  readonly cause: string;
  readonly measured: number;
  readonly simulated: { readonly p5: number; readonly mean: number; readonly p95: number };
  readonly accepted: readonly [number, number];
  readonly agrees: boolean;
}

/** What the page shows of one lab file. */
export interface LabReport {
  /** The file, as given. */
  readonly file: string;
  readonly resource: string;
  readonly profile: string;
  readonly k8sVersion: string;
  readonly rps: number;
  readonly nodes: number;
  readonly runs: number;
  readonly comparison: readonly LabComparisonRow[];
  /** The first measured run. */
  readonly measured: {
    readonly requests: number;
    readonly failed: number;
    readonly rolloutSeconds: number;
    readonly completed: boolean;
    readonly end: number;
    readonly failures: readonly LabFailure[];
    /** Pod and endpoint events the lab recorded, in rollout seconds. */
    readonly events: readonly { readonly time: number; readonly what: string }[];
  };
  readonly simulated: { readonly rolloutSeconds: number; readonly completed: boolean; readonly end: number; readonly failures: readonly SimulatedWindow[] };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Narrows `value[key]` or throws naming the JSON path that is wrong. */
function field<T>(value: Json, key: string, path: string, check: (v: unknown) => v is T, what: string, file: string): T {
  const v = value[key];
  if (!check(v)) throw invalid(file, `${path}/${key}`, what);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);

/**
 * Parses and checks a lab file's text (a RollsafeError `invalid-lab-file` when it is not JSON or
 * not a lab output, with the JSON Pointer of the first wrong field): JSON, with `workloads[0].resource`, `comparison`, and
 * `lab` holding at least one run (failures and timeline) and the simulated timeline.
 */
export function parseLabFile(text: string, file: string): LabReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error: unknown) {
    throw new RollsafeError('invalid-lab-file', `${file}: not JSON: ${error instanceof Error ? error.message : String(error)}`, { file, cause: error });
  }
  const bad = (pointer: string, what: string): RollsafeError => invalid(file, pointer, what);
  if (!isObject(parsed)) throw bad('', 'a JSON object');
  const obj = (v: unknown): v is Json => isObject(v);
  const workloads = field(parsed, 'workloads', '', isArray, 'an array', file);
  const workload = workloads[0];
  if (!isObject(workload)) throw bad('/workloads/0', 'an object');
  const resource = field(workload, 'resource', '/workloads/0', isString, 'a string', file);
  const comparison = field(parsed, 'comparison', '', isArray, 'an array', file).map((row, i): LabComparisonRow => {
    const path = `/comparison/${i}`;
    if (!isObject(row)) throw bad(path, 'an object');
    const simulated = field(row, 'simulated', path, obj, 'an object', file);
    const accepted = field(row, 'accepted', path, isArray, 'an array', file);
    const [low, high] = accepted;
    if (!isNumber(low) || !isNumber(high)) throw bad(`${path}/accepted`, 'two numbers');
    return {
      cause: field(row, 'cause', path, isString, 'a string', file),
      measured: field(row, 'measured', path, isNumber, 'a number', file),
      simulated: {
        p5: field(simulated, 'p5', `${path}/simulated`, isNumber, 'a number', file),
        mean: field(simulated, 'mean', `${path}/simulated`, isNumber, 'a number', file),
        p95: field(simulated, 'p95', `${path}/simulated`, isNumber, 'a number', file),
      },
      accepted: [low, high],
      agrees: field(row, 'agrees', path, isBoolean, 'true or false', file),
    };
  });
  const lab = field(parsed, 'lab', '', obj, 'an object', file);
  const runs = field(lab, 'runs', '/lab', isArray, 'an array', file);
  const run = runs[0];
  if (!isObject(run)) throw bad('/lab/runs/0', 'an object (the first measured run)');
  const timeline = field(run, 'timeline', '/lab/runs/0', obj, 'an object', file);
  const failures = field(run, 'failures', '/lab/runs/0', isArray, 'an array', file).map((f, i): LabFailure => {
    const path = `/lab/runs/0/failures/${i}`;
    if (!isObject(f)) throw bad(path, 'an object');
    return { time: field(f, 'time', path, isNumber, 'a number', file), cause: field(f, 'cause', path, isString, 'a string', file), layer: field(f, 'layer', path, isString, 'a string', file), error: field(f, 'error', path, isString, 'a string', file) };
  });
  const events = field(timeline, 'events', '/lab/runs/0/timeline', isArray, 'an array', file).map((e, i) => {
    const path = `/lab/runs/0/timeline/events/${i}`;
    if (!isObject(e)) throw bad(path, 'an object');
    return { time: field(e, 'time', path, isNumber, 'a number', file), what: field(e, 'what', path, isString, 'a string', file) };
  });
  const simulated = field(lab, 'simulatedTimeline', '/lab', obj, 'an object', file);
  const windows = field(simulated, 'failures', '/lab/simulatedTimeline', isArray, 'an array', file).map((w, i): SimulatedWindow => {
    const path = `/lab/simulatedTimeline/failures/${i}`;
    if (!isObject(w)) throw bad(path, 'an object');
    return { start: field(w, 'start', path, isNumber, 'a number', file), end: field(w, 'end', path, isNumber, 'a number', file), count: field(w, 'count', path, isNumber, 'a number', file), cause: field(w, 'cause', path, isString, 'a string', file) };
  });
  return {
    file,
    resource,
    profile: field(lab, 'profile', '/lab', isString, 'a string', file),
    k8sVersion: field(lab, 'k8sVersion', '/lab', isString, 'a string', file),
    rps: field(lab, 'rps', '/lab', isNumber, 'a number', file),
    nodes: field(lab, 'nodes', '/lab', isNumber, 'a number', file),
    runs: runs.length,
    comparison,
    measured: {
      requests: field(run, 'requests', '/lab/runs/0', isNumber, 'a number', file),
      failed: field(run, 'failed', '/lab/runs/0', isNumber, 'a number', file),
      rolloutSeconds: field(run, 'rolloutSeconds', '/lab/runs/0', isNumber, 'a number', file),
      completed: field(run, 'completed', '/lab/runs/0', isBoolean, 'true or false', file),
      end: field(timeline, 'end', '/lab/runs/0/timeline', isNumber, 'a number', file),
      failures,
      events,
    },
    simulated: {
      rolloutSeconds: field(simulated, 'rolloutSeconds', '/lab/simulatedTimeline', isNumber, 'a number', file),
      completed: field(simulated, 'completed', '/lab/simulatedTimeline', isBoolean, 'true or false', file),
      end: field(simulated, 'end', '/lab/simulatedTimeline', isNumber, 'a number', file),
      failures: windows,
    },
  };
}

/** The series of the rate chart, in this order: ok requests, the failed ones of each cause, and the failures the lab could not attribute. */
export const LAB_KEYS: readonly ChartKey[] = [{ id: 'ok', label: 'ok', color: '#d4d4d4' }, ...CAUSE_KEYS, { id: 'unexplained', label: 'failed, not attributed by the lab', color: '#767676' }];
const LAB_SERIES: readonly string[] = LAB_KEYS.map((k) => k.id);

/** Requests per second in one bin: [x1, x2, index in LAB_KEYS, rate]. */
type RateBin = readonly [number, number, number, number];

/** One side of the section's chart. */
interface LabSideSpec {
  readonly rolloutSeconds: number;
  readonly completed: boolean;
  readonly bins: readonly RateBin[];
  /** Events from the rollout's start on, drawn as ticks: [time, text]. */
  readonly events: readonly (readonly [number, string])[];
}

/** The "Measured in the lab" chart: both sides on one axis, one bin width, one rate scale. */
export interface LabChartSpec {
  readonly end: number;
  readonly binSeconds: number;
  /** The offered rate: ok is this minus the failures of the bin. */
  readonly rps: number;
  /** Top of the shared rate scale (requests per second). */
  readonly rateMax: number;
  readonly measured: LabSideSpec;
  readonly simulated: LabSideSpec;
}

/** Bins per chart for the rates: coarser than the failure panels, so a rate reads as a rate. */
const RATE_STEPS = [0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60];
const MAX_RATE_BINS = 60;

function round(x: number, digits = 1000): number {
  return Math.round(x * digits) / digits;
}

/** A round bin width that keeps at most 60 bins over `end` seconds. */
export function rateBinSeconds(end: number): number {
  return RATE_STEPS.find((step) => end / step <= MAX_RATE_BINS) ?? Math.ceil(end / MAX_RATE_BINS);
}

/** Failed requests per cause and bin, from (start, end, count, cause) pieces: a piece is spread evenly over its duration. */
function failedPerBin(pieces: readonly SimulatedWindow[], width: number, bins: number): number[][] {
  const counts = Array.from({ length: bins }, () => LAB_SERIES.slice(1).map(() => 0));
  for (const p of pieces) {
    const cause = LAB_SERIES.indexOf(p.cause) - 1;
    if (cause < 0 || !(p.count > 0)) continue;
    const first = Math.min(bins - 1, Math.max(0, Math.floor(p.start / width)));
    const duration = p.end - p.start;
    if (!(duration > 0)) {
      const row = counts[first];
      if (row) row[cause] = (row[cause] ?? 0) + p.count;
      continue;
    }
    for (let bin = first; bin < bins; bin++) {
      const overlap = Math.min(p.end, (bin + 1) * width) - Math.max(p.start, bin * width);
      const row = counts[bin];
      if (overlap > 0 && row) row[cause] = (row[cause] ?? 0) + (p.count * overlap) / duration;
    }
  }
  return counts;
}

/** Rate bins from per-bin failure counts: ok = offered rate − failed rate, then each cause with failures. */
function rateBins(counts: readonly (readonly number[])[], width: number, rps: number): RateBin[] {
  const out: RateBin[] = [];
  counts.forEach((row, bin) => {
    const x1 = round(bin * width);
    const x2 = round((bin + 1) * width);
    const failed = row.reduce((a, b) => a + b, 0) / width;
    out.push([x1, x2, 0, round(Math.max(0, rps - failed), 100)]);
    row.forEach((n, cause) => {
      const rate = round(n / width, 100);
      if (rate > 0) out.push([x1, x2, cause + 1, rate]);
    });
  });
  return out;
}

/**
 * The section's chart model. The measured side bins the first run's failed requests by the time
 * they were sent; the simulated side spreads each failure window evenly over its duration. Both
 * use the axis [0, max(ends)], the same bin width and the same rate scale. The lab records each
 * failed request, not each ok one: ok is the offered rate (`rps`) less the failures of the bin.
 */
export function labChartSpec(lab: LabReport): LabChartSpec {
  const end = Math.max(lab.measured.end, lab.simulated.end, 1e-3);
  const width = rateBinSeconds(end);
  const bins = Math.max(1, Math.ceil(round(end / width)));
  const measuredCounts = failedPerBin(
    lab.measured.failures.map((f) => ({ start: f.time, end: f.time, count: 1, cause: f.cause })),
    width,
    bins,
  );
  const measured = rateBins(measuredCounts, width, lab.rps);
  const simulated = rateBins(failedPerBin(lab.simulated.failures, width, bins), width, lab.rps);
  const top = (side: readonly RateBin[]): number => {
    const byBin = new Map<number, number>();
    for (const [x1, , series, rate] of side) if (series > 0) byBin.set(x1, (byBin.get(x1) ?? 0) + rate);
    return Math.max(0, ...byBin.values());
  };
  return {
    end: round(end),
    binSeconds: width,
    rps: lab.rps,
    rateMax: round(Math.max(lab.rps, top(measured), top(simulated)), 100),
    measured: { rolloutSeconds: round(lab.measured.rolloutSeconds), completed: lab.measured.completed, bins: measured, events: lab.measured.events.filter((e) => e.time >= 0).map((e) => [round(e.time), e.what] as const) },
    simulated: { rolloutSeconds: round(lab.simulated.rolloutSeconds), completed: lab.simulated.completed, bins: simulated, events: [] },
  };
}

/** The label of a cause (or `total`) in the lab's tables. */
export function labCauseLabel(cause: string): string {
  return LAB_KEYS.find((k) => k.id === cause)?.label ?? cause;
}

/** The measured run's failed requests by cause, in LAB_KEYS order: count, first and last send time. */
export function measuredByCause(lab: LabReport): { cause: string; label: string; count: number; first: number; last: number }[] {
  const rows = new Map<string, { count: number; first: number; last: number }>();
  for (const f of lab.measured.failures) {
    const row = rows.get(f.cause);
    if (row) {
      row.count++;
      row.first = Math.min(row.first, f.time);
      row.last = Math.max(row.last, f.time);
    } else rows.set(f.cause, { count: 1, first: f.time, last: f.time });
  }
  const rank = (cause: string): number => {
    const i = LAB_SERIES.indexOf(cause);
    return i < 0 ? LAB_SERIES.length : i;
  };
  return [...rows.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([cause, row]) => ({ cause, label: labCauseLabel(cause), ...row }));
}
