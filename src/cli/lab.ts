/**
 * `rollsafe lab PATH…`: plays one rollout of a workload for real on this machine (network
 * namespaces as nodes, real processes as pods, kube-proxy's iptables rules, HAProxy as the cloud
 * LB, a real load generator) and puts the measured failed requests beside the simulation of the
 * same rollout. Exit codes: 0 measurement and simulation agree on every cause, 1 they disagree on
 * one, 2 usage error, or the machine cannot run the lab (not root, a tool missing).
 */
import { writeFileSync } from 'node:fs';
import { trafficServicesOf } from '../domain/service-role.js';
import { compare, simulatedCauses, type CauseComparison } from '../lab/compare.js';
import { labPrerequisites, onPath } from '../lab/host.js';
import { runLabRollout, type LabRun } from '../lab/rollout.js';
import { readSources } from '../load/files.js';
import { loadSources } from '../load/objects.js';
import { buildGraph } from '../model/graph.js';
import { resolvePort } from '../model/container.js';
import { createRandom } from '../sim/random.js';
import { matchesWorkload, runSeed, simulateRun, summarizeRuns, type RunResult, type Timeline } from '../sim/index.js';
import { isNotSimulated, servingContainer, SIGTERM_BEHAVIOURS, simInput, workloadId, type SimInput, type SimOverrides } from '../sim/params.js';
import { defineCommand, type OptionTable, type Parsed } from './command.js';
import type { Io } from './io.js';
import { RollsafeError } from '../errors.js';
import { ANALYSIS_OPTIONS, resolveAnalysis } from './options.js';

/** The most nodes the lab builds on one machine (each is a namespace with its own processes). */
const LAB_MAX_NODES = 4;
/** Simulated runs the measurement is compared with. */
const SIMULATED_RUNS = 200;

/** The options of `lab`. */
const LAB_OPTIONS = {
  profile: ANALYSIS_OPTIONS.profile,
  'k8s-version': ANALYSIS_OPTIONS['k8s-version'],
  workload: { type: 'string', value: 'KIND/NS/NAME', defaultText: 'the first one', description: 'the workload to roll (also KIND/NAME or NAME)' },
  rps: { type: 'number', value: 'R', min: 0, max: 1000, defaultText: "the profile's", description: 'requests per second (more than 0)' },
  runs: { type: 'integer', value: 'N', min: 1, max: 10, default: 1, description: 'rollouts to measure (at most 10)' },
  'app-cmd': { type: 'string', value: 'CMD', description: 'the pods run this (sh -c, with $PORT and $HOST) instead of the bundled test server' },
  'app-startup': { type: 'number', value: 'SEC', min: 0, max: 600, defaultText: "the profile's", description: 'the bundled server listens this long after its container starts (also what the simulation assumes)' },
  'app-drain': { type: 'number', value: 'SEC', min: 0, max: 600, defaultText: "the profile's", description: 'seconds it needs after SIGTERM before it exits' },
  sigterm: { type: 'string', value: 'MODE', choices: SIGTERM_BEHAVIOURS, defaultText: "the profile's", description: 'what it does on SIGTERM: graceful, graceful-close-idle, exit or ignore' },
  seed: { type: 'integer', value: 'S', min: 1, max: 2 ** 31, default: 1, description: "seed of the lab's drawn delays and of the simulation" },
  output: { type: 'string', short: 'o', value: 'FILE', description: 'write the result there instead of stdout' },
  format: { type: 'string', short: 'f', value: 'FORMAT', choices: ['text', 'json'], default: 'text', description: 'output format' },
  config: ANALYSIS_OPTIONS.config,
} as const satisfies OptionTable;

export const LAB = defineCommand({
  name: 'lab',
  summary: 'play a rollout for real (namespaces, iptables, HAProxy) beside its simulation',
  usage: ['[options] PATH...'],
  description: `Plays one rollout of a workload for real on this machine and measures every request: nodes are
network namespaces, pods are real processes with their own addresses, kube-proxy is iptables NAT
laid out as kube-proxy lays it out, the cloud load balancer is HAProxy, the control plane is the
simulator's own controllers in real time. Each failed request is classified into the simulator's
causes; the output puts the measurement beside the simulation of the same rollout. Needs root and
ip, iptables, conntrack and haproxy (Linux).`,
  arguments: [{ name: 'PATH', required: true, variadic: true, description: 'a file or a folder of manifests' }],
  options: LAB_OPTIONS,
  examples: ['rollsafe lab --profile ack-flannel k8s/', 'rollsafe lab --workload Deployment/shop/web --sigterm exit --format json -o lab.json k8s/'],
  footer: `The lab builds at most ${LAB_MAX_NODES} nodes: a profile with more is played (and simulated) with ${LAB_MAX_NODES}.
Exit codes: 0 measured and simulated agree on every cause, 1 they disagree on one, 2 usage error
or the machine cannot run the lab (what is missing is printed with the command that installs it).`,
  asyncOnly: 'lab runs a rollout in real time; start it with run(), as the rollsafe program does',
  run: labCommand,
});

/** One workload measured and simulated. */
export interface LabResult {
  readonly resource: string;
  readonly profile: string;
  readonly k8sVersion: string;
  readonly rps: number;
  readonly nodes: number;
  readonly runs: readonly LabRun[];
  readonly comparison: readonly CauseComparison[];
  /** One simulated rollout of the same input in full (the first of the compared runs), to set beside the measured timeline. */
  readonly simulatedTimeline: Timeline;
  readonly notes: readonly string[];
}

async function labCommand({ values, positionals }: Parsed<typeof LAB_OPTIONS>, io: Io): Promise<number> {
  const { runs, seed, format, rps, sigterm } = values;
  if (rps === 0) throw new RollsafeError('usage', '--rps needs a number above 0 (at most 1000), not `0`');
  const overrides: SimOverrides = {
    ...(rps !== undefined ? { rps } : {}),
    ...(values['app-startup'] !== undefined ? { appStartupSeconds: values['app-startup'] } : {}),
    ...(values['app-drain'] !== undefined ? { appDrainSeconds: values['app-drain'] } : {}),
    ...(sigterm !== undefined ? { sigterm } : {}),
  };
  const missing = labPrerequisites(process.getuid?.(), (command) => onPath(command, io.env['PATH']));
  // Reported as `rollsafe: lab: …`, exit 2, before anything is built.
  if (missing) throw new RollsafeError(missing.code, missing.message);
  const { profile } = resolveAnalysis(values, io);
  const loaded = loadSources(readSources(positionals, io.stdin), profile.k8sVersion);
  for (const problem of loaded.problems) io.stderr(`${problem.file}:${problem.line}:${problem.column}: ${problem.code}: ${problem.message}\n`);
  const graph = buildGraph(loaded.resources);
  const nodes = Math.min(profile.nodes, LAB_MAX_NODES);
  const notes: string[] = [];
  if (profile.nodes > LAB_MAX_NODES) notes.push(`the profile has ${profile.nodes} nodes; the lab builds ${LAB_MAX_NODES} and simulates ${LAB_MAX_NODES}`);
  let chosen: { input: SimInput; workload: (typeof graph.workloads)[number] } | undefined;
  const skipped: string[] = [];
  for (const workload of graph.workloads) {
    const id = workloadId(workload);
    if (values.workload !== undefined && !matchesWorkload(id, values.workload)) continue;
    const simulated = simInput(graph, profile, workload, { nodes, ...overrides });
    if (isNotSimulated(simulated)) {
      skipped.push(`${id}: ${simulated.notSimulated}`);
      continue;
    }
    chosen = { input: simulated, workload };
    break;
  }
  if (!chosen) throw new RollsafeError('usage', values.workload !== undefined ? `no workload ${values.workload} the lab can play in the input${skipped.length ? ` (${skipped.join('; ')})` : ''}` : `no workload the lab can play in the input${skipped.length ? ` (${skipped.join('; ')})` : ''}`);
  const { input, workload } = chosen;
  const services = trafficServicesOf({ graph, profile }, workload);
  const serving = servingContainer(workload, services);
  if (!serving) throw new RollsafeError('usage', `${input.resource}: no container listens on a port the Service targets`);
  const appPort = services.flatMap((s) => s.ports.map((p) => resolvePort(serving.container, p.targetPort))).find((p): p is number => p !== undefined && serving.ports.has(p)) ?? [...serving.ports][0] ?? 80;
  if (input.entry.kind === 'ingress') notes.push('the ingress controller is not part of the lab: clients reach the pods through the ClusterIP');
  if (values['app-cmd'] !== undefined) notes.push('the simulation assumes the app behaves as --app-startup, --app-drain and --sigterm (or the profile) say; --app-cmd runs your own server, which may not: set those flags to what it does before reading the comparison');
  if (input.pod.liveness || input.pod.startup) notes.push('liveness and startup probes are not played by the lab (readiness is)');
  const measured: LabRun[] = [];
  for (let i = 0; i < runs; i++) {
    io.stderr(`rollsafe: lab: ${input.resource}, run ${i + 1} of ${runs} (${input.nodes} nodes, ${input.traffic.rps} rps)\n`);
    measured.push(await runLabRollout({ input, container: serving.container, appPort, ...(values['app-cmd'] ? { appCommand: values['app-cmd'] } : {}), random: createRandom(runSeed(seed + 7919, i)), log: (line) => io.stderr(`rollsafe: lab: ${line}\n`) }));
  }
  const simulated = simulatedCauses(input, SIMULATED_RUNS, seed);
  const result: LabResult = {
    resource: input.resource,
    profile: profile.name,
    k8sVersion: profile.k8sVersion,
    rps: input.traffic.rps,
    nodes: input.nodes,
    runs: measured,
    comparison: compare(measured.map((m) => m.byCause), simulated),
    simulatedTimeline: simulateRun(input, runSeed(seed, 0), { timeline: true }).timeline as Timeline,
    notes: [...input.notes, ...notes, ...measured.flatMap((m, i) => (m.unexplained > 0 ? [`run ${i + 1}: ${m.unexplained} failed requests the lab could not attribute to a cause`] : [])), ...measured.flatMap((m, i) => (m.skipped > 0 ? [`run ${i + 1}: ${m.skipped} requests not sent (the load generator's in-flight bound was full)`] : []))],
  };
  const text = format === 'json' ? formatLabJson(result) : formatLabText(result);
  if (values.output !== undefined) writeFileSync(values.output, text);
  else io.stdout(text);
  return result.comparison.every((c) => c.agrees) ? 0 : 1;
}

/** The JSON of `lab`: the `simulate` shape for the measured runs, plus `comparison` and the lab's record. */
function formatLabJson(result: LabResult): string {
  const results: RunResult[] = result.runs.map((r) => ({ requests: r.requests, failed: r.failed, byCause: r.byCause, rolloutSeconds: r.rolloutSeconds, completed: r.completed }));
  const summary = summarizeRuns(result.resource, results);
  const failureWindows = windows(result.runs[0]);
  const workload = {
    resource: result.resource,
    runs: summary.runs,
    requests: summary.requests,
    failed: summary.failed,
    pAnyFailure: summary.pAnyFailure,
    byCause: summary.byCause,
    rolloutSeconds: summary.rolloutSeconds,
    incomplete: summary.incomplete,
    failureWindows,
    notes: result.notes,
  };
  const simulatedTimeline = result.simulatedTimeline;
  return `${JSON.stringify({ workloads: [workload], skipped: [], comparison: result.comparison, lab: { profile: result.profile, k8sVersion: result.k8sVersion, rps: result.rps, nodes: result.nodes, runs: result.runs, simulatedTimeline } }, null, 2)}\n`;
}

/** Measured failures merged into windows (a new window after 1 s of quiet), per cause. */
function windows(run: LabRun | undefined): { cause: string; start: number; end: number; count: number; layer: string }[] {
  const out: { cause: string; start: number; end: number; count: number; layer: string }[] = [];
  if (!run) return out;
  const open = new Map<string, { cause: string; start: number; end: number; count: number; layer: string }>();
  for (const f of [...run.failures].sort((a, b) => a.time - b.time)) {
    const w = open.get(f.cause);
    if (w && f.time - w.end <= 1) {
      w.end = f.time;
      w.count++;
    } else {
      const fresh = { cause: f.cause, start: f.time, end: f.time, count: 1, layer: f.layer };
      out.push(fresh);
      open.set(f.cause, fresh);
    }
  }
  return out;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Measured beside simulated, one line per cause that either side saw. */
export function formatLabText(result: LabResult): string {
  const lines = [`${result.resource} — lab: ${result.runs.length} rollout${result.runs.length === 1 ? '' : 's'} measured on ${result.nodes} nodes at ${fmt(result.rps)} rps (profile ${result.profile}, Kubernetes ${result.k8sVersion})`];
  for (const [i, r] of result.runs.entries()) lines.push(`  run ${i + 1}: ${r.requests} requests, ${r.failed} failed; rollout ${fmt(r.rolloutSeconds)} s${r.completed ? '' : ' (not completed)'}`);
  lines.push('', '  cause                   measured   simulated p5 / mean / p95   accepted     ');
  for (const c of result.comparison) {
    if (c.cause !== 'total' && c.measured === 0 && c.simulated.p95 === 0 && c.simulated.mean === 0) continue;
    lines.push(`  ${c.cause.padEnd(22)}  ${fmt(c.measured).padStart(8)}   ${`${fmt(c.simulated.p5)} / ${fmt(c.simulated.mean)} / ${fmt(c.simulated.p95)}`.padEnd(26)}  ${`${fmt(c.accepted[0])}–${fmt(c.accepted[1])}`.padEnd(12)} ${c.agrees ? 'agrees' : 'DISAGREES'}`);
  }
  for (const note of result.notes) lines.push(`  note: ${note}`);
  // The failure windows of the first measured rollout beside those of the first simulated one.
  const measuredWindows = windows(result.runs[0]).map((w) => `${fmt(w.start)}–${fmt(w.end)} s  ${w.count} ${w.cause} (${w.layer})`);
  const simulatedWindows = result.simulatedTimeline.failures.map((w) => `${fmt(w.start)}–${fmt(w.end)} s  ${fmt(Math.round(w.count * 10) / 10)} ${w.cause} (${w.layer})`);
  if (measuredWindows.length + simulatedWindows.length > 0) {
    const width = Math.max(36, ...measuredWindows.map((l) => l.length)) + 2;
    lines.push('', `  ${'failure windows, measured run 1'.padEnd(width)}simulated run 1 (rollout seconds)`);
    for (let i = 0; i < Math.max(measuredWindows.length, simulatedWindows.length); i++) lines.push(`  ${(measuredWindows[i] ?? '').padEnd(width)}${simulatedWindows[i] ?? ''}`.trimEnd());
    const first = result.runs[0];
    if (first) lines.push('', `  rollout: measured ${fmt(first.rolloutSeconds)} s, simulated ${fmt(Math.round(result.simulatedTimeline.rolloutSeconds * 10) / 10)} s`);
  }
  return `${lines.join('\n')}\n`;
}

