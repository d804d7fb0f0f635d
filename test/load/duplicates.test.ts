/** Objects with the same kind, namespace and name: reported at every place, analyzed apart. */
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../src/engine/run.js';
import type { Finding } from '../../src/rules/types.js';
import { readSources } from '../../src/load/files.js';
import { loadSources } from '../../src/load/objects.js';
import { findingImpacts } from '../../src/impact/impact.js';
import { ROOT, source } from '../helpers.js';
import { profileOf } from '../rules/helpers.js';

const A = 'test/fixtures/load/duplicates/a.yaml';
const B = 'test/fixtures/load/duplicates/b.yaml';
const sources = [source(A), source(B)];

function check(): Finding[] {
  return checkSources(sources, { profile: profileOf('generic') }).findings;
}

describe('duplicate objects', () => {
  it('are a duplicate-object problem at each place, naming the other places', () => {
    const problems = loadSources(sources).problems.filter((p) => p.code === 'duplicate-object');
    expect(problems.map((p) => [p.file, p.line, p.column, p.path, p.resource])).toEqual([
      [A, 18, 3, '/metadata/name', { kind: 'Deployment', namespace: 'shop', name: 'web' }],
      [B, 6, 3, '/metadata/name', { kind: 'Deployment', namespace: 'shop', name: 'web' }],
      [A, 39, 3, '/metadata/name', { kind: 'PodDisruptionBudget', namespace: 'shop', name: 'web' }],
      [A, 50, 3, '/metadata/name', { kind: 'PodDisruptionBudget', namespace: 'shop', name: 'web' }],
    ]);
    const also = problems.map((p) => /\(also at ([^)]+)\)/.exec(p.message)?.[1]);
    expect(also).toEqual([`${B}:6:3`, `${A}:18:3`, `${A}:50:3`, `${A}:39:3`]);
  });

  it('become invalid-manifest findings; the same name in another namespace and generateName objects are not duplicates', () => {
    const invalid = check().filter((f) => f.ruleId === 'invalid-manifest');
    expect(invalid.map((f) => [f.file, f.line, f.resource.kind, f.resource.namespace])).toEqual([
      [A, 18, 'Deployment', 'shop'],
      [A, 39, 'PodDisruptionBudget', 'shop'],
      [A, 50, 'PodDisruptionBudget', 'shop'],
      [B, 6, 'Deployment', 'shop'],
    ]);
  });

  it('each copy is analyzed as its own object: no finding of one lands on the other', () => {
    const findings = check().filter((f) => f.ruleId !== 'invalid-manifest' && f.resource.namespace === 'shop');
    // Only a.yaml's copy lacks the preStop hook and the readiness probe.
    expect(findings.map((f) => [f.file, f.line, f.ruleId, f.path])).toEqual([
      [A, 31, 'prestop-missing', '/spec/template/spec/containers/0'],
      [A, 31, 'readiness-probe-missing', '/spec/template/spec/containers/0'],
    ]);
  });

  it('check --impact simulates the copy the finding is on, once', () => {
    const findings = check().filter((f) => f.ruleId === 'prestop-missing');
    const impacts = findingImpacts(sources, findings, { profile: profileOf('generic'), runs: 3 });
    const [finding] = findings;
    expect(finding).toBeDefined();
    const impact = impacts.get(finding as Finding);
    expect(impact?.workloads).toEqual(['Deployment/shop/web']);
    expect(impact?.before).toBeGreaterThan(0);
  });

  it('a file reached twice (named, and inside a folder also named) is read once, so it is no duplicate of itself', () => {
    const folder = `${ROOT}test/fixtures/load/duplicates`;
    let reads = 0;
    const read = readSources([`${folder}/b.yaml`, folder, `${folder}/b.yaml`, '-', '-'], () => {
      reads++;
      return '';
    });
    expect(read.map((s) => s.path.replace(ROOT, ''))).toEqual([B, A, '<stdin>']);
    expect(reads).toBe(1);
  });
});
