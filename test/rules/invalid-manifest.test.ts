import { describe, expect, test } from 'vitest';
import { invalidManifest } from '../../src/rules/invalid-manifest.js';
import { conventionViolations, findingAt, fixtureCase, loadedObjects, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'invalid-manifest';
const SYNTAX = 'invalid-manifest.syntax';

ruleTester.run('invalid-manifest', invalidManifest, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'must be string, found number 15; quote it: command and args must be strings', path: '/spec/template/spec/containers/0/lifecycle/preStop/exec/command/1', line: 26, column: 36, severity: 'error' },
        { message: '`strategy` is not a field here; it belongs under `spec`, so Kubernetes ignores it where it is', path: '/spec/template/strategy', line: 40, column: 5, severity: 'error' },
        { message: 'unknown field `readinessprobe`: the API server rejects it under strict field validation (kubectl\'s default) or drops it', path: '/spec/template/spec/containers/0/readinessprobe', line: 71, column: 11, severity: 'error' },
        { message: 'must be string, found boolean true: Kubernetes reads unquoted `on` as a YAML 1.1 boolean; quote it ("on")', path: '/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain', line: 83, column: 77, severity: 'error' },
        { message: 'required field `port` is missing', path: '/spec/ports/0/port', line: 103, column: 7, severity: 'error' },
        { message: 'extensions/v1beta1 Deployment was removed in Kubernetes 1.16; the API server (1.30) rejects it: use apps/v1', path: '/apiVersion', line: 107, column: 13, severity: 'error' },
      ],
    },
    {
      ...fixtureCase(SYNTAX),
      findings: [
        { message: 'YAML syntax error: bad indentation of a mapping entry', path: '', line: 29, column: 8, severity: 'error' },
      ],
    },
  ],
});

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
