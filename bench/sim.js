// The simulator's speed, as ratios taken in one run (absolute times on a shared machine are noise):
// - one rollout of 100 replicas at 10,000 requests per second: simulated seconds per wall second,
//   rate model (the default) against the per-request model;
// - Monte Carlo throughput: rollouts per second of a 10-replica Deployment at 1,000 rps with
//   keep-alive on (half the requests), goal ≥ 200 on a 2-core machine; and the per-request model.
// The two models run interleaved round by round so that they share the machine's noise.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const { loadSources } = await import(join(ROOT, 'dist/load/objects.js'));
const { buildGraph } = await import(join(ROOT, 'dist/model/graph.js'));
const { findBuiltinProfile } = await import(join(ROOT, 'dist/profiles/builtin.js'));
const { simInput, simulate, simulateRun } = await import(join(ROOT, 'dist/sim/index.js'));

export const SIM_GOALS = { rolloutsPerSecond: 200 };

/** The seed's "no preStop" Deployment behind an ACK CLB, with `replicas`. */
function inputFor(replicas, overrides) {
  const text = readFileSync(join(ROOT, 'examples/seed/before/old-pod-no-prestop.yaml'), 'utf8').replace('replicas: 3', `replicas: ${replicas}`);
  const profile = findBuiltinProfile('ack-flannel');
  const graph = buildGraph(loadSources([{ path: 'bench.yaml', text }], profile.k8sVersion).resources);
  const input = simInput(graph, profile, graph.workloads[0], overrides);
  if ('notSimulated' in input) throw new Error(`bench input not simulated: ${input.notSimulated}`);
  return input;
}

function seconds(fn) {
  const start = process.hrtime.bigint();
  const value = fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function benchSimulator(rounds = 5) {
  const big = inputFor(100, { rps: 10_000, nodes: 10 });
  const small = inputFor(10, { rps: 1_000 });
  const mcRuns = 200;
  const s = { bigRate: [], bigRequest: [], mcRate: [], mcRequest: [] };
  let bigSimulated = 0;
  let bigRequests = 0;
  let mcRequests = 0;
  for (let round = 0; round < rounds; round++) {
    process.stderr.write(`simulator round ${round + 1}/${rounds}…\n`);
    const order = round % 2 === 0 ? ['rate', 'request'] : ['request', 'rate'];
    for (const model of order) {
      const one = seconds(() => simulateRun(big, 1 + round, { model }));
      bigSimulated = one.value.world.end;
      bigRequests = one.value.result.requests;
      s[model === 'rate' ? 'bigRate' : 'bigRequest'].push(one.value.world.end / one.seconds);
      const runs = model === 'rate' ? mcRuns : Math.max(20, mcRuns / 5);
      const mc = seconds(() => simulate(small, { runs, seed: 1 + round, model }));
      mcRequests = mc.value.summary.requests;
      s[model === 'rate' ? 'mcRate' : 'mcRequest'].push(runs / mc.seconds);
    }
  }
  const result = {
    rounds,
    oneRollout100: { replicas: 100, rps: 10_000, simulatedSeconds: bigSimulated, requests: Math.round(bigRequests), rateSimSecondsPerWallSecond: median(s.bigRate), requestSimSecondsPerWallSecond: median(s.bigRequest) },
    monteCarlo10: { replicas: 10, rps: 1_000, keepAliveShare: small.traffic.keepAliveShare, requestsPerRollout: Math.round(mcRequests), rateRolloutsPerSecond: median(s.mcRate), requestRolloutsPerSecond: median(s.mcRequest), goal: SIM_GOALS.rolloutsPerSecond },
    samples: s,
  };
  return result;
}

export function formatSimulator(r) {
  const f = (x) => x.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const a = r.oneRollout100;
  const b = r.monteCarlo10;
  return [
    `simulator (median of ${r.rounds} interleaved rounds)`,
    `one rollout, ${a.replicas} replicas at ${f(a.rps)} rps (${f(a.simulatedSeconds)} s simulated, ${f(a.requests)} requests):`,
    `  rate model      ${f(a.rateSimSecondsPerWallSecond).padStart(9)} simulated s per wall s`,
    `  request model   ${f(a.requestSimSecondsPerWallSecond).padStart(9)} simulated s per wall s   → rate model ${(a.rateSimSecondsPerWallSecond / a.requestSimSecondsPerWallSecond).toFixed(1)}× faster`,
    `Monte Carlo, ${b.replicas} replicas at ${f(b.rps)} rps, keep-alive share ${b.keepAliveShare} (${f(b.requestsPerRollout)} requests per rollout):`,
    `  rate model      ${f(b.rateRolloutsPerSecond).padStart(9)} rollouts/s   goal ≥ ${b.goal}  ${b.rateRolloutsPerSecond >= b.goal ? 'ok' : 'GOAL MISSED'}`,
    `  request model   ${f(b.requestRolloutsPerSecond).padStart(9)} rollouts/s   → rate model ${(b.rateRolloutsPerSecond / b.requestRolloutsPerSecond).toFixed(1)}× faster`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = benchSimulator(Number(process.argv[2] ?? 5));
  process.stdout.write(`${formatSimulator(r)}\n`);
}
