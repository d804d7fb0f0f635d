/**
 * Measured against simulated: per cause, the failed requests the lab measured beside the
 * simulator's distribution over Monte Carlo runs of the same workload, profile and rps, and the
 * agreement criterion: the measurement lies inside the simulation's p5–p95, or within ±20 % of its
 * mean, whichever is wider, and within ±5 requests for small counts.
 */
import { percentile, runSeed, simulateRun, type SimInput } from '../sim/index.js';
import { CAUSES, type Cause } from '../sim/types.js';

/** A simulated distribution of failed requests. */
export interface Distribution {
  readonly p5: number;
  readonly mean: number;
  readonly p95: number;
}

export interface CauseComparison {
  readonly cause: Cause | 'total';
  /** Measured failed requests (the mean over the lab's runs). */
  readonly measured: number;
  readonly simulated: Distribution;
  /** The range the measurement must fall in. */
  readonly accepted: readonly [number, number];
  readonly agrees: boolean;
}

/** The criterion's range around a simulated distribution. */
export function acceptedRange(d: Distribution): [number, number] {
  const lo = Math.max(0, Math.min(d.p5, d.mean * 0.8, d.mean - 5));
  const hi = Math.max(d.p95, d.mean * 1.2, d.mean + 5);
  return [round(lo), round(hi)];
}

function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return { p5: round(percentile(sorted, 5)), mean: round(values.reduce((s, v) => s + v, 0) / Math.max(1, values.length)), p95: round(percentile(sorted, 95)) };
}

/** The simulator's per-cause distributions over `runs` runs (the seeds `simulate --seed` uses). */
export function simulatedCauses(input: SimInput, runs: number, seed: number): Record<Cause | 'total', Distribution> {
  const per: Record<string, number[]> = { total: [] };
  for (const c of CAUSES) per[c] = [];
  for (let i = 0; i < runs; i++) {
    const { result } = simulateRun(input, runSeed(seed, i));
    per['total']?.push(result.failed);
    for (const c of CAUSES) per[c]?.push(result.byCause[c]);
  }
  const out = {} as Record<Cause | 'total', Distribution>;
  for (const [k, v] of Object.entries(per)) out[k as Cause | 'total'] = distribution(v);
  return out;
}

/** Measured (mean over the lab runs) beside simulated, per cause and in total. */
export function compare(measured: readonly Record<Cause, number>[], simulated: Record<Cause | 'total', Distribution>): CauseComparison[] {
  const n = Math.max(1, measured.length);
  const mean = (f: (r: Record<Cause, number>) => number): number => round(measured.reduce((s, r) => s + f(r), 0) / n);
  const rows: CauseComparison[] = [];
  for (const cause of [...CAUSES, 'total' as const]) {
    const m = cause === 'total' ? mean((r) => CAUSES.reduce((s, c) => s + r[c], 0)) : mean((r) => r[cause]);
    const d = simulated[cause];
    const accepted = acceptedRange(d);
    rows.push({ cause, measured: m, simulated: d, accepted, agrees: m >= accepted[0] && m <= accepted[1] });
  }
  return rows;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
