import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, loadProblems, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'lb-readiness-gate-missing';
const POD_SPEC = '/spec/template/spec';

describe('lb-readiness-gate-missing', () => {
  test('the fixture is valid', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
  });

  test('eks-alb-ip: fires on workloads whose pods are LB targets, without a gate or an injecting namespace', () => {
    const findings = run(FIXTURE, 'eks-alb-ip');
    expect(rows(findings)).toEqual([
      ['fire-behind-alb-ingress', POD_SPEC, 'error'],
      ['fire-behind-lb-service', POD_SPEC, 'error'],
      ['fire-statefulset-unlabelled-namespace', POD_SPEC, 'error'],
    ]);
    expect(findings).toHaveLength(3);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findings.every((f) => !f.fixable)).toBe(true);
  });

  test('positions: the pod spec', () => {
    const findings = run(FIXTURE, 'eks-alb-ip');
    expect(findingAt(findings, 'fire-behind-alb-ingress', POD_SPEC).line).toBe(55);
    expect(findingAt(findings, 'fire-statefulset-unlabelled-namespace', POD_SPEC).line).toBe(164);
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE, 'eks-alb-ip'), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', POD_SPEC, 'error']]);
  });

  test('silent where there is no gate to add (generic, ack-terway) or the provider injects it (gke-neg)', () => {
    expect(run(FIXTURE, 'generic')).toEqual([]);
    expect(run(FIXTURE, 'ack-terway')).toEqual([]);
    expect(run(FIXTURE, 'gke-neg')).toEqual([]);
  });

  // Regression: the profile's `backend: pod` was assumed for every Ingress, but
  // `alb.ingress.kubernetes.io/target-type: instance` makes the nodes the targets; the AWS gate
  // "only works with target-type: ip" (knowledge/cloud-load-balancers.md §2).
  test('does not fire when the Ingress asks for instance targets', () => {
    expect(rowsOf(run(FIXTURE, 'eks-alb-ip'), ['dont-fire-instance-targets'])).toEqual([]);
  });
});
