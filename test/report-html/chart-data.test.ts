import { describe, expect, it } from 'vitest';
import { binFailures, binSeconds, chartSpec, viewLanes } from '../../src/report/html/chart-data.js';
import { describeTimeline, failuresByCause, podRows, viewRows } from '../../src/report/html/describe.js';
import { TIMELINE_KEYS } from '../../src/report/html/palette.js';
import { CAUSES, type Timeline } from '../../src/sim/types.js';
import { rolloutTimeline } from './fixtures.js';

const before = rolloutTimeline();
const after = rolloutTimeline({ fixed: true });

function key(id: string): number {
  return TIMELINE_KEYS.findIndex((k) => k.id === id);
}

describe('chartSpec', () => {
  const spec = chartSpec(before);

  it('has one lane per pod, old first, then EndpointSlice, kube-proxy per node and the LB', () => {
    expect(spec.lanes.map((l) => l.label)).toEqual([
      'old web-5d9f-ax0 @node-a',
      'old web-5d9f-bx1 @node-b',
      'old web-5d9f-cx2 @node-a',
      'new web-7c2b-ax0 @node-a',
      'new web-7c2b-bx1 @node-b',
      'new web-7c2b-cx2 @node-a',
      'EndpointSlice',
      'kube-proxy @node-a',
      'kube-proxy @node-b',
      'load balancer',
    ]);
    expect(spec.lanes.map((l) => l.kind)).toEqual([...Array(6).fill('pod'), ...Array(4).fill('view')]);
  });

  it('stacks the lanes without gaps or overlaps, pod lanes one row high', () => {
    spec.lanes.forEach((lane, i) => {
      expect(lane.top).toBe(i === 0 ? 0 : spec.lanes[i - 1]?.bottom);
      if (lane.kind === 'pod') expect(lane.bottom - lane.top).toBe(1);
    });
    expect(spec.rows).toBe(spec.lanes.at(-1)?.bottom);
  });

  it('draws every phase, listening interval and view interval inside its lane', () => {
    const phases = before.pods.reduce((n, p) => n + p.phases.length, 0);
    const listening = before.pods.reduce((n, p) => n + p.listening.length, 0);
    expect(spec.bars).toHaveLength(phases + listening + before.views.length);
    for (const [x1, x2, y1, y2, , lane] of spec.bars) {
      const l = spec.lanes[lane];
      expect(x1).toBeLessThan(x2);
      expect(y1).toBeGreaterThanOrEqual(l?.top ?? NaN);
      expect(y2).toBeLessThanOrEqual(l?.bottom ?? NaN);
    }
  });

  it('gives a view lane one row per backend, in pod-lane order', () => {
    expect(viewLanes(before).find((l) => l.key === 'endpoints')?.backends).toEqual(['web-5d9f-ax0', 'web-5d9f-bx1', 'web-5d9f-cx2', 'web-7c2b-ax0', 'web-7c2b-bx1', 'web-7c2b-cx2']);
    const lb = spec.bars.filter((b) => b[5] === 9);
    expect(lb.filter((b) => b[4] === key('view-serving-terminating')).map((b) => b[6])).toEqual(['web-5d9f-ax0', 'web-5d9f-bx1', 'web-5d9f-cx2']);
  });

  it('draws times before the rollout from 0', () => {
    const shifted: Timeline = { ...before, pods: before.pods.map((p) => ({ ...p, phases: p.phases.map((ph) => (ph.start === 0 ? { ...ph, start: -5 } : ph)) })) };
    expect(Math.min(...chartSpec(shifted).bars.map((b) => b[0]))).toBe(0);
  });

  it('keys: a ready phase, a killed phase and the listening line', () => {
    expect(spec.bars.filter((b) => b[4] === key('ready') && b[5] === 0)).toHaveLength(1);
    expect(spec.bars.filter((b) => b[4] === key('listening'))).toHaveLength(6);
  });
});

describe('failure bins', () => {
  it('picks a round bin width that keeps at most 120 bins', () => {
    expect(binSeconds(10)).toBe(0.1);
    expect(binSeconds(61)).toBe(1);
    expect(binSeconds(3600)).toBe(30);
    expect(binSeconds(1e6)).toBe(Math.ceil(1e6 / 120));
  });

  it('keeps the total of every cause (to rounding)', () => {
    const bins = binFailures(before, 1);
    for (const cause of CAUSES) {
      const total = before.failures.filter((f) => f.cause === cause).reduce((n, f) => n + f.count, 0);
      const binned = bins.filter((b) => CAUSES[b[2]] === cause).reduce((n, b) => n + b[3], 0);
      expect(binned).toBeCloseTo(total, 0);
    }
  });

  it('spreads a window evenly and puts an instant in one bin', () => {
    const timeline: Timeline = {
      ...after,
      failures: [
        { cause: 'refused-after-stop', start: 1.5, end: 3.5, count: 20, layer: 'app' },
        { cause: 'killed-in-flight', start: 2.2, end: 2.2, count: 3, layer: 'app' },
      ],
    };
    expect(binFailures(timeline, 1)).toEqual([
      [1, 2, 1, 5],
      [2, 3, 1, 10],
      [2, 3, 5, 3],
      [3, 4, 1, 5],
    ]);
  });

  it('takes the bin width from the shared axis, so both charts of a workload bin alike', () => {
    expect(chartSpec(before).binSeconds).toBe(0.5);
    expect(chartSpec(before, 63).binSeconds).toBe(chartSpec(after, 63).binSeconds);
    expect(chartSpec(before, 63).binSeconds).toBe(1);
  });

  it('is empty when nothing fails', () => {
    expect(chartSpec(after).failures).toEqual([]);
  });
});

describe('text alternatives', () => {
  it('sums failures by cause with the first and last second', () => {
    expect(failuresByCause(before).map((f) => [f.cause, f.count, f.start, f.end])).toEqual([
      ['refused-after-stop', 120, 6, 51],
      ['cut-by-lb', 7.5, 31, 51.5],
      ['killed-in-flight', 9, 6, 26],
    ]);
  });

  it('describes the chart in a sentence with the numbers', () => {
    expect(describeTimeline(before)).toBe(
      '3 old and 3 new pods on 2 nodes. The rollout completes at 26 s. 136.5 requests fail: 120 refused after stop (old pod) between 6–51 s; 7.5 cut by the load balancer between 31–51.5 s; 9 killed in flight between 6–26 s.',
    );
    expect(describeTimeline(after)).toMatch(/No request fails\.$/);
  });

  it('has a row per pod and per view backend', () => {
    expect(podRows(before)).toHaveLength(6);
    expect(podRows(before)[0]).toEqual({ lane: 'old web-5d9f-ax0 @node-a', phases: 'ready 0–6 s, draining 6–8 s, gone 8–13 s', listening: '0–6 s' });
    const rows = viewRows(before);
    expect(rows.filter((r) => r.lane === 'load balancer')).toHaveLength(6);
    expect(rows.find((r) => r.lane === 'load balancer' && r.backend === 'web-5d9f-ax0')?.intervals).toBe('routed 0–26 s, terminating fallback 26–31 s');
  });
});
