/** Reading simulated timelines in tests. */
import type { Timeline } from '../../src/sim/index.js';

/** Nodes that, after first having a Ready pod, spent time in [0, end) without one. */
export function nodesLosingAllReadyPods(timeline: Timeline): string[] {
  const out: string[] = [];
  for (const node of timeline.nodes) {
    const ready = timeline.pods.filter((p) => p.node === node).flatMap((p) => p.phases.filter((ph) => ph.phase === 'ready'));
    ready.sort((a, b) => a.start - b.start);
    if (ready.length === 0) continue;
    let covered = (ready[0] as { end: number }).end;
    let gap = false;
    for (const r of ready.slice(1)) {
      if (r.start > covered + 1e-9) gap = true;
      covered = Math.max(covered, r.end);
    }
    if (covered < timeline.end - 1e-9) gap = true;
    if (gap) out.push(node);
  }
  return out;
}
