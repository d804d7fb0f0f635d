/**
 * The advised configs, simulated under their profile at the oldest and the newest Kubernetes
 * version advise supports: Cluster and pod-direct configs drop no request in any run. A Local +
 * in-place config drops none in every run where the in-place rollout held (each node kept a Ready
 * pod); where the scheduler left a node to its last, terminating pods, the simulator shows what
 * remains: before 1.26 no local endpoint; from 1.26 the terminating pods still serve, but one
 * that got SIGTERM is refused until its readiness fails, and a controller that removes the node
 * (ACK) cuts what its drain does not cover.
 */
import { describe, expect, it } from 'vitest';
import { adviceConfig } from '../../src/advise/config.js';
import { decide } from '../../src/advise/decide.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { withK8sVersion } from '../../src/profiles/load.js';
import { loadSources } from '../../src/load/objects.js';
import { buildGraph } from '../../src/model/graph.js';
import { simInput, simulateRun, simulateSources, type Timeline } from '../../src/sim/index.js';
import { BRANCHES, factsOf, toYaml, VERSIONS } from '../advise/branches.js';
import { nodesLosingAllReadyPods } from './timeline.js';
import { simulated } from './inputs.js';

const versions = [VERSIONS[0], VERSIONS[VERSIONS.length - 1]] as const;

describe('advised configs drop no request in simulation', () => {
  for (const branch of BRANCHES) {
    for (const version of versions) {
      it(`${branch.id} (${version})`, () => {
        const advice = decide(factsOf(branch, version as string));
        const profile = withK8sVersion(findBuiltinProfile(advice.profile) ?? (undefined as never), version as string);
        if (advice.inPlaceRollout) {
          const text = toYaml(adviceConfig(advice));
          const graph = buildGraph(loadSources([{ path: 'advised.yaml', text }], profile.k8sVersion).resources);
          const input = simulated(simInput(graph, profile, graph.workloads[0] as (typeof graph.workloads)[number], { labelledNodes: 2 }));
          let held = 0;
          for (let seed = 1; seed <= 20; seed++) {
            const run = simulateRun(input, seed, { timeline: true });
            expect(run.result.completed).toBe(true);
            if (nodesLosingAllReadyPods(run.timeline as Timeline).length > 0) continue;
            held++;
            expect(run.result.failed, `seed ${seed}: ${JSON.stringify(run.result.byCause)}`).toBe(0);
          }
          expect(held).toBeGreaterThan(5);
          return;
        }
        // The in-place rollout runs on the labelled nodes: two of the profile's three.
        const result = simulateSources([{ path: 'advised.yaml', text: toYaml(adviceConfig(advice)) }], { profile, runs: 12, seed: 5, ...(advice.inPlaceRollout ? { labelledNodes: 2 } : {}) });
        expect(result.skipped).toEqual([]);
        expect(result.workloads.map((w) => w.resource)).toEqual(['Deployment/default/app']);
        const summary = result.workloads[0]?.summary;
        expect(summary?.incomplete).toBe(0);
        expect(summary?.failed, JSON.stringify(summary?.byCause)).toEqual({ mean: 0, p50: 0, p95: 0, max: 0 });
      });
    }
  }
});
