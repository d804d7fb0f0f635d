/** The API server's defaulting, in the model: every consumer (rules, simulator, fix) sees it. */
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../src/engine/run.js';
import { loadSources } from '../../src/load/objects.js';
import { buildGraph } from '../../src/model/graph.js';
import { progressDeadlineSecondsOf, updateStrategyOf } from '../../src/model/rollout.js';
import { RULES } from '../../src/rules/index.js';
import { simulateSources } from '../../src/sim/index.js';
import { simInput } from '../../src/sim/params.js';
import { source } from '../helpers.js';
import { profileOf } from '../rules/helpers.js';
import { simulated } from '../sim/inputs.js';

const FIXTURE = 'test/fixtures/load/defaults.yaml';
// 1.15 still serves every API version of the fixture: no removed-API problems in the way.
const profile = profileOf('generic', '1.15');
const loaded = loadSources([source(FIXTURE)], profile.k8sVersion);
const graph = buildGraph(loaded.resources);

function workload(name: string) {
  const found = graph.workloads.find((w) => w.resource.name === name);
  if (!found) throw new Error(`no workload ${name}`);
  return found;
}

describe('strategy defaults by API version', () => {
  it.each([
    ['legacy', { type: 'RollingUpdate', defaulted: true, maxSurge: 1, maxUnavailable: 1, partition: 0 }, 2_147_483_647],
    ['beta1', { type: 'RollingUpdate', defaulted: true, maxSurge: '25%', maxUnavailable: '25%', partition: 0 }, 600],
    ['beta2', { type: 'RollingUpdate', defaulted: true, maxSurge: '25%', maxUnavailable: '25%', partition: 0 }, 600],
    ['v1', { type: 'RollingUpdate', defaulted: true, maxSurge: '25%', maxUnavailable: '25%', partition: 0 }, 120],
  ] as const)('Deployment %s', (name, strategy, deadline) => {
    expect(updateStrategyOf(workload(name))).toEqual(strategy);
    expect(progressDeadlineSecondsOf(workload(name))).toBe(deadline);
  });

  it.each([
    ['legacy-ds', { type: 'OnDelete', defaulted: true }],
    ['beta2-ds', { type: 'RollingUpdate', defaulted: true, maxSurge: 0, maxUnavailable: 1, partition: 0 }],
    ['legacy-sts', { type: 'OnDelete', defaulted: true }],
    ['sts', { type: 'RollingUpdate', defaulted: true, maxSurge: 0, maxUnavailable: 1, partition: 0 }],
    ['rc', { type: 'None' }],
  ] as const)('%s', (name, strategy) => {
    expect(updateStrategyOf(workload(name))).toEqual(strategy);
  });
});

describe('Service targetPort defaults', () => {
  it('0, "" and unset are the port; a number or a name stays', () => {
    expect(graph.services.map((s) => [s.resource.name, s.ports.map((p) => p.targetPort)])).toEqual([
      ['legacy', [8080]],
      ['beta1', [8080]],
      ['beta2', [8080]],
      ['v1', [8080]],
      ['legacy-ds', [8080]],
      ['beta2-ds', [8080]],
      ['legacy-sts', [8080]],
      ['sts', [8080]],
      ['rc', ['web']],
      ['rc-covered', ['web']],
    ]);
    // targetPort 0 is not a problem: the API server defaults it before validating.
    expect(loaded.problems).toEqual([]);
  });
});

describe('rules and the simulator see the defaults', () => {
  const findings = checkSources([source(FIXTURE)], { profile }).findings;

  it('rollout-max-unavailable: one replica under extensions/v1beta1 (1 / 1) loses it; under 25 % / 25 % it surges first', () => {
    expect(findings.filter((f) => f.ruleId === 'rollout-max-unavailable').map((f) => [f.resource.name, f.path, f.line])).toEqual([['legacy', '/spec/strategy', 5]]);
  });

  it('OnDelete by default is not simulated, and says why', () => {
    const result = simulateSources([source(FIXTURE)], { profile, runs: 1, seed: 1 });
    expect(result.skipped.filter((s) => /OnDelete/.test(s.reason))).toEqual([
      { resource: 'DaemonSet/defaults/legacy-ds', reason: 'updateStrategy OnDelete (the default of its API version): pods change only when someone deletes them' },
      { resource: 'StatefulSet/defaults/legacy-sts', reason: 'updateStrategy OnDelete (the default of its API version): pods change only when someone deletes them' },
    ]);
    expect(result.workloads.map((w) => w.resource)).toEqual(expect.arrayContaining(['DaemonSet/defaults/beta2-ds', 'StatefulSet/defaults/sts']));
  });

  it('the simulator takes the strategy and the progress deadline of the API version', () => {
    const legacy = simulated(simInput(graph, profile, workload('legacy')));
    expect(legacy.strategy).toEqual({ kind: 'Deployment', type: 'RollingUpdate', surge: 1, unavailable: 1 });
    expect(legacy.progressDeadlineSeconds).toBe(2_147_483_647);
    const v1 = simulated(simInput(graph, profile, workload('v1')));
    expect(v1.strategy).toEqual({ kind: 'Deployment', type: 'RollingUpdate', surge: 1, unavailable: 0 });
    expect(v1.progressDeadlineSeconds).toBe(120);
  });

  it('a ReplicationController is a workload: its Service selects it, a PDB covers it, the pod rules apply', () => {
    const rc = workload('rc');
    const covered = workload('rc-covered');
    expect(graph.servicesOf(rc).map((s) => s.resource.name)).toEqual(['rc']);
    expect(graph.pdbsOf(covered).map((p) => p.name)).toEqual(['rc-covered']);
    const of = (name: string): string[] => findings.filter((f) => f.resource.kind === 'ReplicationController' && f.resource.name === name).map((f) => f.ruleId);
    expect(of('rc')).toEqual(['pdb-missing', 'prestop-missing', 'readiness-probe-missing']);
    expect(of('rc-covered')).toEqual(['prestop-missing', 'readiness-probe-missing']);
    const fix = findings.find((f) => f.ruleId === 'pdb-missing' && f.resource.name === 'rc')?.fix;
    expect(fix?.kind === 'document' ? fix.document['spec'] : undefined).toEqual({ maxUnavailable: 1, selector: { matchLabels: { app: 'rc' } } });
  });
});

describe('OnDelete: rules do not claim a rollout', () => {
  it('lb-readiness-gate-missing fires for the rolling DaemonSet only; the pod rules apply to both', () => {
    const findings = checkSources([source('test/fixtures/load/on-delete-lb.yaml')], { profile: profileOf('eks-alb-ip') }).findings;
    expect(findings.filter((f) => f.ruleId === 'lb-readiness-gate-missing').map((f) => [f.resource.name, f.path, f.line])).toEqual([['rolling', '/spec/template/spec', 10]]);
    expect(findings.filter((f) => f.ruleId === 'prestop-missing').map((f) => f.resource.name)).toEqual(['rolling', 'on-delete']);
  });
});

describe('no rollout controller: local-traffic-policy-gap names a deletion, not a rollout', () => {
  it('reports by the NoRollout message ids for a ReplicationController and an OnDelete DaemonSet', () => {
    const rule = RULES.get('local-traffic-policy-gap');
    if (!rule) throw new Error('no rule local-traffic-policy-gap');
    const local = profileOf('ack-flannel', '1.18');
    const reports: Array<[string, string, string]> = [];
    rule.check({
      graph: buildGraph(loadSources([source('test/fixtures/load/no-rollout-local.yaml')], local.k8sVersion).resources),
      profile: local,
      problems: [],
      report: (r) => reports.push([r.resource.name, r.path, r.messageId]),
      reportAt: () => undefined,
    });
    expect(reports).toEqual([
      ['rc', '/spec/externalTrafficPolicy', 'noTerminatingNoRollout'],
      ['agent', '/spec/externalTrafficPolicy', 'noTerminatingNoRollout'],
    ]);
  });
});
