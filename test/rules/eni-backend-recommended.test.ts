import { describe, expect, test } from 'vitest';
import { eniBackendRecommended } from '../../src/rules/eni-backend-recommended.js';
import { conventionViolations, findingAt, fixedText, fixOf, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'eni-backend-recommended';

ruleTester.run('eni-backend-recommended', eniBackendRecommended, {
  valid: [withoutFiring(FIXTURE, 'ack-terway'), fixtureCase(FIXTURE), fixtureCase(FIXTURE, 'ack-flannel')],
  invalid: [
    {
      ...fixtureCase(FIXTURE, 'ack-terway'),
      findings: [
        { message: 'LoadBalancer Service fire-no-annotations on Terway sends through nodes and kube-proxy; `service.beta.kubernetes.io/backend-type: "eni"` makes the pods the CLB backends and removes the node-routing and proxy races', path: '/spec/type', line: 13, column: 3, severity: 'info' },
        { message: 'LoadBalancer Service fire-local-with-annotations on Terway sends through nodes and kube-proxy; `service.beta.kubernetes.io/backend-type: "eni"` makes the pods the CLB backends and removes the node-routing and proxy races', path: '/spec/type', line: 54, column: 3, severity: 'info' },
        { message: 'LoadBalancer Service fire-no-prestop-first on Terway sends through nodes and kube-proxy; `service.beta.kubernetes.io/backend-type: "eni"` makes the pods the CLB backends and removes the node-routing and proxy races, but only together with a preStop of at least the CLB deregistration (30 s): the preStop of Deployment eni-no-prestop/cart is 0 s, and with it the switch drops more requests than it saves (no automatic fix; raise the preStop first)', path: '/spec/type', line: 214, column: 3, severity: 'info' },
      ],
      output: fixedText('eni-backend-recommended.ack-terway'),
    },
  ],
});

describe('eni-backend-recommended', () => {
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
