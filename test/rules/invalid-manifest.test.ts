import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, loadedObjects, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'invalid-manifest';
const SYNTAX = 'invalid-manifest.syntax';

describe('invalid-manifest', () => {
  test('fires on fields Kubernetes rejects or drops, at the offending field', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-missing-port', '/spec/ports/0/port', 'error'],
      ['fire-number-in-command', '/spec/template/spec/containers/0/lifecycle/preStop/exec/command/1', 'error'],
      ['fire-removed-api', '/apiVersion', 'error'],
      ['fire-strategy-in-template', '/spec/template/strategy', 'error'],
      ['fire-unknown-field', '/spec/template/spec/containers/0/readinessprobe', 'error'],
      ['fire-yaml11-boolean', '/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain', 'error'],
    ]);
    expect(findings).toHaveLength(6);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findings.every((f) => !f.fixable && f.category === 'config')).toBe(true);
  });

  test('positions', () => {
    const findings = run(FIXTURE);
    expect(findingAt(findings, 'fire-number-in-command', '/spec/template/spec/containers/0/lifecycle/preStop/exec/command/1').line).toBe(26);
    expect(findingAt(findings, 'fire-strategy-in-template', '/spec/template/strategy').line).toBe(40);
    expect(findingAt(findings, 'fire-removed-api', '/apiVersion').line).toBe(107);
    // The missing field's nearest written ancestor: the port item.
    expect(findingAt(findings, 'fire-missing-port', '/spec/ports/0/port').line).toBe(103);
  });

  test('findings name their object by kind and namespace', () => {
    const finding = findingAt(run(FIXTURE), 'fire-yaml11-boolean', '/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain');
    expect(finding.resource).toEqual({ kind: 'Service', namespace: 'im-boolean', name: 'fire-yaml11-boolean' });
    expect(finding.line).toBe(83);
  });

  // Regression: load problems used to skip the `rollsafe.io/ignore` check (DESIGN §4: suppression
  // is per object and per rule id), so a field newer than the bundled schema could not be silenced.
  test('suppression: an object annotated rollsafe.io/ignore: invalid-manifest gets no finding', () => {
    expect(rowsOf(run(FIXTURE), ['dont-fire-ignored'])).toEqual([]);
  });

  test('the suppressed object does have a problem (the annotation is what silences it)', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', '/spec/template/spec/containers/0/futureField', 'error']]);
  });

  test('YAML that does not parse: one finding without an object; the documents around it load', () => {
    const findings = run(SYNTAX);
    expect(findings.map((f) => [f.resource, f.path, f.severity, f.line])).toEqual([[{ kind: '', namespace: '', name: '' }, '', 'error', 29]]);
    expect(conventionViolations(SYNTAX, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    // dont-fire-before and dont-fire-after.
    expect(loadedObjects(SYNTAX)).toBe(2);
  });
});
