/**
 * simulateSources with `loaded` and `reuse` (what `report` passes): the same simulations as
 * without; a workload whose input, runs and seed were simulated before is taken, not run again.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSources } from '../../src/load/files.js';
import { loadSources } from '../../src/load/objects.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { simulateSources, type SimulationReuse } from '../../src/sim/index.js';
import { ROOT } from '../helpers.js';

const profile = findBuiltinProfile('ack-flannel');
if (!profile) throw new Error('ack-flannel profile');
const sources = readSources([join(ROOT, 'examples/seed/before')], () => '');

describe('simulateSources: loaded and reuse', () => {
  it('simulates as without them, and takes what it simulated before instead of running it again', () => {
    const plain = simulateSources(sources, { profile, runs: 3 });
    expect(plain.workloads.length).toBeGreaterThan(1);
    const reuse: SimulationReuse = new Map();
    let runs = 0;
    const first = simulateSources(sources, { profile, runs: 3, loaded: loadSources(sources, profile.k8sVersion), reuse, onRun: () => runs++ });
    expect(first).toEqual(plain);
    expect(reuse.size).toBe(plain.workloads.length);
    expect(runs).toBe(3 * plain.workloads.length);
    const again = simulateSources(sources, { profile, runs: 3, reuse, onRun: () => runs++ });
    again.workloads.forEach((w, i) => expect(w).toBe(first.workloads[i]));
    expect(runs).toBe(6 * plain.workloads.length);
    // Another seed or number of runs is another simulation.
    const seeded = simulateSources(sources, { profile, runs: 3, seed: 2, reuse });
    expect(seeded).toEqual(simulateSources(sources, { profile, runs: 3, seed: 2 }));
    expect(reuse.size).toBe(2 * plain.workloads.length);
  });
});
