/**
 * The "Measured in the lab" section's model: a lab file read and checked, and the rate bins both
 * sides are drawn from. The fixture is the JSON of a real run of
 * `rollsafe lab test/fixtures/lab/short-rollout.yaml -f json` (100 rps, 3 nodes, one rollout).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRollsafeError } from '../../src/errors.js';
import { LAB_KEYS, labChartSpec, measuredByCause, parseLabFile, rateBinSeconds } from '../../src/report/html/lab.js';
import { ROOT } from '../helpers.js';

const FIXTURE = 'test/fixtures/lab/short-rollout.lab.json';
const TEXT = readFileSync(ROOT + FIXTURE, 'utf8');
const LAB = parseLabFile(TEXT, FIXTURE);
const AFTER_STOP = LAB_KEYS.findIndex((k) => k.id === 'refused-after-stop');
const UNEXPLAINED = LAB_KEYS.findIndex((k) => k.id === 'unexplained');

function codeOf(text: string): string {
  try {
    parseLabFile(text, 'lab.json');
  } catch (error: unknown) {
    if (isRollsafeError(error)) return `${error.code} ${error.pointer ?? '-'}: ${error.message}`;
    throw error;
  }
  return 'parsed';
}

describe('parseLabFile', () => {
  it('reads the run, the simulated timeline and the comparison of a real lab file', () => {
    expect({ ...LAB, comparison: LAB.comparison.length, measured: { ...LAB.measured, failures: LAB.measured.failures.length, events: LAB.measured.events.length }, simulated: { ...LAB.simulated, failures: LAB.simulated.failures.length } }).toEqual({
      file: FIXTURE,
      resource: 'Deployment/lab/short',
      profile: 'generic',
      k8sVersion: '1.30',
      rps: 100,
      nodes: 3,
      runs: 1,
      comparison: 8,
      measured: { requests: 3087, failed: 72, rolloutSeconds: 22.783, completed: true, end: 28.993, failures: 72, events: 36 },
      simulated: { rolloutSeconds: 22.693700556410477, completed: true, end: 31.693700556410477, failures: 2 },
    });
    expect(LAB.comparison.find((c) => c.cause === 'refused-after-stop')).toEqual({ cause: 'refused-after-stop', measured: 71, simulated: { p5: 50, mean: 72.19, p95: 96 }, accepted: [50, 96], agrees: true });
    expect(LAB.measured.events[0]).toEqual({ time: -4.287, what: 'short-a01 created on node-1' });
  });

  it('rejects text that is not JSON, with its code', () => {
    expect(codeOf('{')).toMatch(/^invalid-lab-file -: lab\.json: not JSON: /);
    expect(codeOf('')).toMatch(/^invalid-lab-file -: lab\.json: not JSON: /);
  });

  it('rejects JSON that is not a lab output, naming the first field that is wrong', () => {
    const lab = JSON.parse(TEXT) as Record<string, unknown>;
    const without = (key: string): string => JSON.stringify({ ...lab, [key]: undefined });
    expect(codeOf('[]')).toBe('invalid-lab-file : lab.json: not the output of `rollsafe lab -f json`: the file should be a JSON object');
    expect(codeOf('{"workloads":[]}')).toBe('invalid-lab-file /workloads/0: lab.json: not the output of `rollsafe lab -f json`: /workloads/0 should be an object');
    // `simulate -f json` output: workloads, but no comparison and no lab record.
    expect(codeOf(JSON.stringify({ workloads: [{ resource: 'Deployment/default/web' }], skipped: [] }))).toBe('invalid-lab-file /comparison: lab.json: not the output of `rollsafe lab -f json`: /comparison should be an array');
    expect(codeOf(without('lab'))).toBe('invalid-lab-file /lab: lab.json: not the output of `rollsafe lab -f json`: /lab should be an object');
    const noRuns = { ...lab, lab: { ...(lab['lab'] as object), runs: [] } };
    expect(codeOf(JSON.stringify(noRuns))).toBe('invalid-lab-file /lab/runs/0: lab.json: not the output of `rollsafe lab -f json`: /lab/runs/0 should be an object (the first measured run)');
    const badFailure = JSON.parse(TEXT) as { lab: { runs: { failures: Record<string, unknown>[] }[] } };
    const first = badFailure.lab.runs[0]?.failures[3];
    if (first) first['time'] = '11.2';
    expect(codeOf(JSON.stringify(badFailure))).toBe('invalid-lab-file /lab/runs/0/failures/3/time: lab.json: not the output of `rollsafe lab -f json`: /lab/runs/0/failures/3/time should be a number');
  });
});

describe('labChartSpec', () => {
  const spec = labChartSpec(LAB);

  it('puts both sides on one axis (the longer timeline), one bin width and one rate scale', () => {
    expect({ end: spec.end, binSeconds: spec.binSeconds, rps: spec.rps, rateMax: spec.rateMax }).toEqual({ end: 31.694, binSeconds: 1, rps: 100, rateMax: 100 });
    expect(spec.measured.bins.filter((b) => b[2] === 0)).toHaveLength(32);
    expect(spec.simulated.bins.filter((b) => b[2] === 0)).toHaveLength(32);
    expect({ measured: spec.measured.rolloutSeconds, simulated: spec.simulated.rolloutSeconds, completed: [spec.measured.completed, spec.simulated.completed] }).toEqual({ measured: 22.783, simulated: 22.694, completed: [true, true] });
  });

  it('bins the measured failures by the second they were sent, the lab’s unattributed one apart', () => {
    expect(spec.measured.bins.filter((b) => b[2] > 0)).toEqual([
      [11, 12, AFTER_STOP, 25],
      [11, 12, UNEXPLAINED, 1],
      [12, 13, AFTER_STOP, 13],
      [22, 23, AFTER_STOP, 8],
      [23, 24, AFTER_STOP, 24],
      [24, 25, AFTER_STOP, 1],
    ]);
  });

  it('spreads each simulated failure window evenly over its bins', () => {
    expect(spec.simulated.bins.filter((b) => b[2] > 0)).toEqual([
      [11, 12, AFTER_STOP, 21.42],
      [12, 13, AFTER_STOP, 2.88],
      [22, 23, AFTER_STOP, 5.74],
      [23, 24, AFTER_STOP, 18.75],
      [24, 25, AFTER_STOP, 3.87],
    ]);
  });

  it('gives ok as the offered rate less the failures of the bin', () => {
    expect(spec.measured.bins.filter((b) => b[2] === 0 && b[3] !== 100)).toEqual([
      [11, 12, 0, 74],
      [12, 13, 0, 87],
      [22, 23, 0, 92],
      [23, 24, 0, 76],
      [24, 25, 0, 99],
    ]);
    expect(spec.simulated.bins.filter((b) => b[2] === 0 && b[3] !== 100)).toEqual([
      [11, 12, 0, 78.58],
      [12, 13, 0, 97.12],
      [22, 23, 0, 94.26],
      [23, 24, 0, 81.25],
      [24, 25, 0, 96.13],
    ]);
  });

  it('keeps the lab’s events from the rollout’s start on, as ticks', () => {
    expect(spec.measured.events).toHaveLength(26);
    expect(spec.measured.events.slice(0, 3)).toEqual([
      [0, 'rollout starts'],
      [0, 'short-b01 created on node-3'],
      [1.014, 'short-b01 container started'],
    ]);
    expect(spec.measured.events.at(-1)).toEqual([28.935, 'rollout complete']);
    expect(spec.simulated.events).toEqual([]);
  });

  it('raises the rate scale above the offered rate when a burst of failures exceeds it', () => {
    const burst = { ...LAB, rps: 10, measured: { ...LAB.measured, failures: Array.from({ length: 30 }, () => ({ time: 5.5, cause: 'cut-by-lb', layer: 'load-balancer', error: 'ECONNRESET' })) } };
    const s = labChartSpec(burst);
    expect(s.rateMax).toBe(30);
    expect(s.measured.bins.filter((b) => b[0] === 5)).toEqual([
      [5, 6, 0, 0],
      [5, 6, LAB_KEYS.findIndex((k) => k.id === 'cut-by-lb'), 30],
    ]);
  });

  it('picks a round rate bin that keeps at most 60 bins', () => {
    expect([rateBinSeconds(5), rateBinSeconds(31.7), rateBinSeconds(61), rateBinSeconds(400), rateBinSeconds(7200)]).toEqual([0.1, 1, 2, 10, 120]);
  });

  it('sums the measured failures by cause with the first and last send time', () => {
    expect(measuredByCause(LAB)).toEqual([
      { cause: 'refused-after-stop', label: 'refused after stop (old pod)', count: 71, first: 11.247, last: 24.092 },
      { cause: 'unexplained', label: 'failed, not attributed by the lab', count: 1, first: 11.219, last: 11.219 },
    ]);
  });
});
