import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, fixOf, loadProblems, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'eni-backend-recommended';

describe('eni-backend-recommended', () => {
  test('the fixture is valid', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
  });

  test('ack-terway: fires (info) on LoadBalancer Services without backend-type eni', () => {
    const findings = run(FIXTURE, 'ack-terway');
    expect(rows(findings)).toEqual([
      ['fire-local-with-annotations', '/spec/type', 'info'],
      ['fire-no-annotations', '/spec/type', 'info'],
      ['fire-no-prestop-first', '/spec/type', 'info'],
    ]);
    expect(findings).toHaveLength(3);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-no-annotations', '/spec/type').line).toBe(13);
    expect(findingAt(findings, 'fire-local-with-annotations', '/spec/type').line).toBe(54);
  });

  test('the fix adds the annotation (or the annotations map)', () => {
    const findings = run(FIXTURE, 'ack-terway');
    expect(fixOf(findings, 'fire-no-annotations', '/spec/type')).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: '/metadata/annotations', value: { 'service.beta.kubernetes.io/backend-type': 'eni' } }],
    });
    expect(fixOf(findings, 'fire-local-with-annotations', '/spec/type')).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: '/metadata/annotations/service.beta.kubernetes.io~1backend-type', value: 'eni' }],
    });
  });

  // ENI backends make the CLB's deregistration (30 s) part of every pod's termination: without a
  // preStop that covers it the switch drops more than the kube-proxy race it removes
  // (test/sim/consistency.test.ts). The finding says so and offers no fix.
  test('no preStop behind the Service: no fix, and the message names the preStop it needs', () => {
    const findings = run(FIXTURE, 'ack-terway');
    expect(fixOf(findings, 'fire-no-prestop-first', '/spec/type')).toBeUndefined();
    expect(findingAt(findings, 'fire-no-prestop-first', '/spec/type').message).toContain('only together with a preStop of at least the CLB deregistration (30 s): the preStop of Deployment eni-no-prestop/cart is 0 s');
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE, 'ack-terway'), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', '/spec/type', 'info']]);
  });

  test('only Terway has ENI backends: silent under ack-flannel and generic', () => {
    expect(run(FIXTURE, 'ack-flannel')).toEqual([]);
    expect(run(FIXTURE, 'generic')).toEqual([]);
  });
});
