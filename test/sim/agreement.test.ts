/**
 * The rate model (expected failures integrated over the routing timeline, keep-alive connections
 * as entities) agrees with the per-request model (every request drawn, routed and judged) on
 * small cases: the mean failures by cause over many runs match within sampling error.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSources } from '../../src/load/objects.js';
import { buildGraph } from '../../src/model/graph.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { withK8sVersion } from '../../src/profiles/load.js';
import { CAUSES, simInput, simulate, type SimInput, type SimOverrides } from '../../src/sim/index.js';
import { ROOT } from '../helpers.js';
import { simulated } from './inputs.js';

function inputOf(file: string, profileName: string, version: string, overrides: SimOverrides = {}): SimInput {
  const p = withK8sVersion(findBuiltinProfile(profileName) ?? (undefined as never), version);
  const graph = buildGraph(loadSources([{ path: file, text: readFileSync(ROOT + file, 'utf8') }], version).resources);
  return simulated(simInput(graph, p, graph.workloads[0] as (typeof graph.workloads)[number], overrides));
}

const CASES: [string, SimInput][] = [
  ['cause 1 (no readiness)', inputOf('examples/seed/before/new-pod-no-readiness.yaml', 'ack-flannel', '1.30', { rps: 60 })],
  ['cause 2 (no preStop)', inputOf('examples/seed/before/old-pod-no-prestop.yaml', 'ack-flannel', '1.30', { rps: 60 })],
  ['cause 3 (Local, 1.18)', inputOf('examples/seed/before/local-mode-no-inplace.yaml', 'ack-flannel', '1.18', { rps: 60 })],
  ['SIGTERM exit, keep-alive only', inputOf('examples/seed/before/old-pod-no-prestop.yaml', 'ack-flannel', '1.30', { rps: 200, sigterm: 'exit' })],
  ['SIGTERM ignored', inputOf('examples/seed/before/lb-no-drain.yaml', 'ack-flannel', '1.30', { rps: 200, sigterm: 'ignore', appDrainSeconds: 5 })],
];

describe('rate model vs per-request model', () => {
  for (const [name, input] of CASES) {
    it(name, () => {
      // The keep-alive-only case fails about 13 requests per run: over 150 runs the noise of the
      // two traffic models (about 0.5 requests) nears its 5 % bound, so it gets 400 runs.
      const runs = name === 'SIGTERM exit, keep-alive only' ? 400 : 150;
      const rate = simulate(input, { runs, seed: 11, model: 'rate' }).summary;
      const request = simulate(input, { runs, seed: 11, model: 'request' }).summary;
      const expected = simulate(input, { runs: 40, seed: 11, model: 'rate', expected: true }).summary;
      // Same control plane (the same seeds draw the same latencies), so the same rollout.
      expect(rate.rolloutSeconds).toEqual(request.rolloutSeconds);
      expect(Math.abs(rate.requests - request.requests) / request.requests).toBeLessThan(0.01);
      for (const cause of CAUSES) {
        const a = rate.byCause[cause];
        const b = request.byCause[cause];
        // Means over 150 (400) runs of the same control planes: within 5 % (seen: at most 5 %) or half a request.
        expect(Math.abs(a - b), `${cause}: rate ${a}, request ${b}`).toBeLessThanOrEqual(0.5 + 0.05 * Math.max(a, b));
        // Expected values over the first 40 runs against draws over 150: within 10 % or half a request.
        const c = expected.byCause[cause];
        expect(Math.abs(a - c), `${cause}: sampled ${a}, expected ${c}`).toBeLessThanOrEqual(0.5 + 0.1 * Math.max(a, c));
      }
      expect(rate.failed.mean).toBeGreaterThan(0);
    });
  }
});
