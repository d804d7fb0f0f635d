/** Values the API server rejects: invalid-manifest findings at the value, and no rule computes with them. */
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../src/engine/run.js';
import { loadSources } from '../../src/load/objects.js';
import { probeTiming } from '../../src/model/container.js';
import { disruptionBudgetOf } from '../../src/model/disruption.js';
import { buildGraph } from '../../src/model/graph.js';
import { isRecord } from '../../src/model/k8s.js';
import { updateStrategyOf } from '../../src/model/rollout.js';
import { gracePeriodSeconds } from '../../src/model/workload.js';
import { simulateSources } from '../../src/sim/index.js';
import { source } from '../helpers.js';
import { profileOf } from '../rules/helpers.js';

const FIXTURE = 'test/fixtures/load/rejected-values.yaml';
const findings = checkSources([source(FIXTURE)], { profile: profileOf('generic') }).findings;

describe('values the API server rejects', () => {
  it('are invalid-manifest findings at the value', () => {
    const invalid = findings.filter((f) => f.ruleId === 'invalid-manifest' && f.path !== '/apiVersion');
    expect(invalid.map((f) => [f.line, f.column, f.resource.kind, f.path])).toEqual([
      [8, 13, 'Service', '/spec/ports/0/port'],
      [9, 19, 'Service', '/spec/ports/0/targetPort'],
      [11, 19, 'Service', '/spec/ports/1/targetPort'],
      [17, 13, 'Deployment', '/spec/replicas'],
      [18, 20, 'Deployment', '/spec/minReadySeconds'],
      [21, 17, 'Deployment', '/spec/strategy/rollingUpdate/maxSurge'],
      [22, 23, 'Deployment', '/spec/strategy/rollingUpdate/maxUnavailable'],
      [27, 38, 'Deployment', '/spec/template/spec/terminationGracePeriodSeconds'],
      [31, 35, 'Deployment', '/spec/template/spec/containers/0/ports/0/containerPort'],
      [33, 43, 'Deployment', '/spec/template/spec/containers/0/readinessProbe/httpGet/port'],
      [34, 28, 'Deployment', '/spec/template/spec/containers/0/readinessProbe/periodSeconds'],
      [37, 31, 'Deployment', '/spec/template/spec/containers/0/livenessProbe/tcpSocket/port'],
      [38, 31, 'Deployment', '/spec/template/spec/containers/0/livenessProbe/successThreshold'],
      [41, 44, 'Deployment', '/spec/template/spec/containers/0/lifecycle/preStop/httpGet/port'],
      [50, 37, 'DaemonSet', '/spec/updateStrategy/rollingUpdate/maxUnavailable'],
      [60, 17, 'PodDisruptionBudget', '/spec/minAvailable'],
      [61, 19, 'PodDisruptionBudget', '/spec/maxUnavailable'],
    ]);
    // The valid Deployment (0 probe fields, maxUnavailable "0%" with maxSurge 1) has none.
    expect(findings.filter((f) => f.resource.name === 'fine')).toEqual([]);
  });

  it('"25" as maxSurge: the message says a string must be a percentage', () => {
    const maxSurge = findings.find((f) => f.path === '/spec/strategy/rollingUpdate/maxSurge');
    expect(maxSurge?.message).toContain('"25%"');
  });

  it('no rule reasons with them: no rollout arithmetic on the garbage maxSurge, no port rule on "8080" or "Https"', () => {
    const ruleIds = new Set(findings.map((f) => f.ruleId));
    expect(ruleIds.has('rollout-max-unavailable')).toBe(false);
    expect(ruleIds.has('readiness-probe-port-mismatch')).toBe(false);
    expect(ruleIds.has('service-target-port-unserved')).toBe(false);
  });

  it('the model reads rejected values as unset or absent, and 0 probe fields as their defaults', () => {
    const graph = buildGraph(loadSources([source(FIXTURE)]).resources);
    const [web, agent, fine] = graph.workloads;
    expect([web?.resource.name, agent?.resource.name, fine?.resource.name]).toEqual(['web', 'agent', 'fine']);
    if (!web || !agent || !fine) return;
    expect(web.replicas).toBeUndefined();
    expect(updateStrategyOf(web)).toEqual({ type: 'RollingUpdate', defaulted: true, maxSurge: undefined, maxUnavailable: undefined, partition: 0 });
    // A negative grace period is stored as 1 (kubernetes#115606).
    expect(gracePeriodSeconds(web)).toEqual({ seconds: 1, explicit: true });
    const probe = (w: typeof web): Record<string, unknown> => {
      const p = w.containers[0]?.container.readinessProbe;
      return isRecord(p) ? p : {};
    };
    expect(probeTiming(probe(web))).toEqual({ initialDelay: 0, period: 10, failureThreshold: 3, successThreshold: 1, timeout: 1 });
    expect(probeTiming(probe(fine))).toEqual({ initialDelay: 0, period: 10, failureThreshold: 3, successThreshold: 1, timeout: 1 });
    expect(graph.services[0]?.ports.map((p) => [p.port, p.targetPort])).toEqual([
      [undefined, undefined],
      [443, undefined],
    ]);
  });
});

describe('a rejected replica count', () => {
  it('is judged by no replica rule and not simulated', () => {
    const ids = findings.filter((f) => f.resource.name === 'web' && f.resource.kind === 'Deployment' && f.ruleId !== 'invalid-manifest').map((f) => f.ruleId);
    // grace-period-too-short reads the negative grace as the 1 s Kubernetes stores; the httpGet
    // preStop has a length rollsafe cannot know, which prestop-too-short says (a warning).
    expect(ids).toEqual(['grace-period-too-short', 'prestop-too-short']);
    const result = simulateSources([source(FIXTURE)], { profile: profileOf('generic'), runs: 1, seed: 1 });
    expect(result.skipped.find((s) => s.resource === 'Deployment/rejected/web')?.reason).toBe('its spec.replicas is a value the API server rejects');
  });
});

describe('a rejected PodDisruptionBudget', () => {
  it('is an invalid-manifest finding and rollout-max-unavailable does not compare against it', () => {
    const pdbFindings = checkSources([source('test/fixtures/load/pdb-rejected.yaml')], { profile: profileOf('generic') }).findings;
    expect(pdbFindings.filter((f) => f.ruleId === 'rollout-max-unavailable' || f.ruleId === 'invalid-manifest').map((f) => [f.ruleId, f.resource.kind, f.resource.name, f.path])).toEqual([
      ['rollout-max-unavailable', 'Deployment', 'counted', '/spec/strategy/rollingUpdate/maxUnavailable'],
      ['invalid-manifest', 'PodDisruptionBudget', 'rejected', '/spec/maxUnavailable'],
    ]);
  });

  it('disruptionBudgetOf reads only budgets the API server accepts', () => {
    const graph = buildGraph(loadSources([source('test/fixtures/load/pdb-rejected.yaml'), source(FIXTURE)]).resources);
    expect(graph.pdbs.map((p) => [p.name, p.namespace, disruptionBudgetOf(p)])).toEqual([
      ['counted', 'pdb', { maxUnavailable: 1 }],
      ['rejected', 'pdb', undefined],
      ['web', 'rejected', undefined],
    ]);
  });
});
