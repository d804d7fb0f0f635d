import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixSources } from '../../src/fix/driver.js';
import { readSources } from '../../src/load/files.js';
import { resolveProfile, withK8sVersion } from '../../src/profiles/load.js';
import { buildReportData } from '../../src/report/html/build.js';
import { simulateSources } from '../../src/sim/index.js';
import { ROOT } from '../helpers.js';
import { fakeSimulate } from './fixtures.js';

const profile = withK8sVersion(resolveProfile('ack-flannel', (p) => readFileSync(p, 'utf8')), '1.18');
const sources = readSources([`${ROOT}examples`], () => '').map((s) => ({ ...s, path: s.path.slice(ROOT.length) }));

describe('buildReportData on examples/ (profile ack-flannel, Kubernetes 1.18)', () => {
  const data = buildReportData(sources, { profile, simulate: simulateSources, runs: 5, docsBase: 'docs/rules/' });

  it('has every simulated and skipped workload, once', () => {
    expect(data.workloads.map((w) => w.resource).sort()).toEqual([
      'Deployment/after-cluster/nginx',
      'Deployment/after-eni/nginx',
      'Deployment/after-local/nginx',
      'Deployment/before-drain/nginx',
      'Deployment/before-local/nginx',
      'Deployment/before-prestop/nginx',
      'Deployment/before-readiness/nginx',
      'Pod/seed-article/nginx',
    ]);
    expect(data.workloads.find((w) => w.resource === 'Pod/seed-article/nginx')?.skipped.before).toBeTruthy();
  });

  it('has the same findings as check, each placed with its workload or among the others', () => {
    expect(data.findings).toHaveLength(29);
    const placed = new Set([...data.workloads.flatMap((w) => w.findings), ...data.otherFindings]);
    expect(placed.size).toBe(data.findings.length);
  });

  it('puts a Service finding with the workload the Service selects', () => {
    const drain = data.workloads.find((w) => w.resource === 'Deployment/before-drain/nginx');
    expect(drain?.findings.map((f) => `${f.resource.kind} ${f.ruleId}`)).toContain('Service lb-connection-drain-missing');
  });

  it('gives every fixable finding a diff of its own fix, and marks what rollsafe fix removes', () => {
    const prestop = data.findings.find((f) => f.ruleId === 'prestop-missing' && f.file === 'examples/seed/before/old-pod-no-prestop.yaml');
    expect(prestop?.fixed).toBe(true);
    expect(prestop?.diff).toMatch(/^--- examples\/seed\/before\/old-pod-no-prestop\.yaml\n\+\+\+ examples\/seed\/before\/old-pod-no-prestop\.yaml\n@@ /);
    expect(prestop?.diff).toMatch(/\n\+ +preStop:/);
    const manual = data.findings.filter((f) => f.fixDescription === undefined);
    expect(manual.length).toBeGreaterThan(0);
    expect(manual.every((f) => f.diff === undefined && !f.fixed)).toBe(true);
    const fix = fixSources(sources, { profile });
    expect(data.fixesApplied).toBe(fix.applied);
    expect(data.findings.filter((f) => !f.fixed)).toHaveLength(fix.remaining.length);
  });

  it('simulates the seed: the missing preStop drops requests before the fix and none after', () => {
    const w = data.workloads.find((x) => x.resource === 'Deployment/before-prestop/nginx');
    expect(w?.before?.summary.failed.mean).toBeGreaterThan(0);
    expect(w?.after?.summary.failed.mean).toBe(0);
    expect(w?.before?.summary.runs).toBe(5);
    expect(w?.before?.timeline.pods.length).toBeGreaterThan(0);
  });
});

describe('buildReportData without a simulator', () => {
  it('lists the input workloads with their findings and says why there are no charts', () => {
    const data = buildReportData(sources, { profile, docsBase: 'docs/rules/', simulationNote: 'not simulated here' });
    expect(data.simulationNote).toBe('not simulated here');
    expect(data.workloads.every((w) => w.before === undefined && w.after === undefined)).toBe(true);
    expect(data.workloads.length).toBe(8);
  });

  it('takes any simulator with the same shape (a stand-in here)', () => {
    const data = buildReportData(sources, { profile, simulate: fakeSimulate, docsBase: 'docs/rules/' });
    expect(data.workloads.filter((w) => w.before !== undefined).length).toBe(7);
  });
});
