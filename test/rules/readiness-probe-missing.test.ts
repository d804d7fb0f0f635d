import { describe, expect, test } from 'vitest';
import { readinessProbeMissing } from '../../src/rules/readiness-probe-missing.js';
import { conventionViolations, findingAt, fixedText, fixOf, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'readiness-probe-missing';
const NO_SERVICE = 'readiness-probe-missing.no-service';
const C0 = '/spec/template/spec/containers/0';
const C1 = '/spec/template/spec/containers/1';

ruleTester.run('readiness-probe-missing', readinessProbeMissing, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'container `web` of Deployment rpm-named/fire-named-port has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens', path: '/spec/template/spec/containers/0', line: 34, column: 11, severity: 'error' },
        { message: 'container `api` of Deployment rpm-numeric/fire-numeric-port has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens', path: '/spec/template/spec/containers/0', line: 69, column: 11, severity: 'error' },
        { message: 'container `api` of Deployment rpm-two/fire-two-containers has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens', path: '/spec/template/spec/containers/0', line: 108, column: 11, severity: 'error' },
        { message: 'container `admin` of Deployment rpm-two/fire-two-containers has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens', path: '/spec/template/spec/containers/1', line: 112, column: 11, severity: 'error' },
        { message: 'container `echo` of Pod rpm-pod/fire-pod has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens', path: '/spec/containers/0', line: 138, column: 7, severity: 'error' },
        { message: 'container `coredns` of Deployment rpm-udp/fire-udp-port has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens (no automatic fix: it serves port dns over UDP, which a tcpSocket probe cannot check)', path: '/spec/template/spec/containers/0', line: 310, column: 11, severity: 'error' },
        { message: 'container `coredns` of Deployment rpm-dual/fire-udp-and-tcp has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens', path: '/spec/template/spec/containers/0', line: 352, column: 11, severity: 'error' },
        { message: 'container `ledger` of Deployment rpm-liveness/fire-liveness-same-port has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens', path: '/spec/template/spec/containers/0', line: 391, column: 11, severity: 'error' },
        { message: 'container `ledger` of Deployment rpm-liveness/fire-liveness-one-second has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens (no automatic fix: its livenessProbe checks port 8080 and gives up after 1 s, too soon for a readiness probe on that port to give up first)', path: '/spec/template/spec/containers/0', line: 419, column: 11, severity: 'error' },
      ],
      output: fixedText('readiness-probe-missing'),
    },
    {
      ...fixtureCase(NO_SERVICE),
      findings: [
        { message: 'container `catalog` of Deployment rpm-no-service/fire-single-port has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens', path: '/spec/template/spec/containers/0', line: 21, column: 11, severity: 'warning' },
        { message: 'container `ledger` of StatefulSet rpm-no-service/fire-two-ports has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens', path: '/spec/template/spec/containers/0', line: 45, column: 11, severity: 'warning' },
      ],
      output: fixedText('readiness-probe-missing.no-service'),
    },
  ],
});

describe('readiness-probe-missing', () => {
  test('fires on serving containers without a readinessProbe; error when a Service selects them', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-liveness-one-second', C0, 'error'],
      ['fire-liveness-same-port', C0, 'error'],
      ['fire-named-port', C0, 'error'],
      ['fire-numeric-port', C0, 'error'],
      ['fire-pod', '/spec/containers/0', 'error'],
      ['fire-two-containers', C0, 'error'],
      ['fire-two-containers', C1, 'error'],
      ['fire-udp-and-tcp', C0, 'error'],
      ['fire-udp-port', C0, 'error'],
    ]);
    expect(findings).toHaveLength(9);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-named-port', C0).line).toBe(34);
    expect(findingAt(findings, 'fire-two-containers', C1).line).toBe(112);
  });

  test('the fix probes the port the Service sends to, by name or number', () => {
    const findings = run(FIXTURE);
    expect(fixOf(findings, 'fire-named-port', C0)).toEqual({ kind: 'patch', operations: [{ op: 'add', path: `${C0}/readinessProbe`, value: { tcpSocket: { port: 'http' } } }] });
    expect(fixOf(findings, 'fire-numeric-port', C0)).toEqual({ kind: 'patch', operations: [{ op: 'add', path: `${C0}/readinessProbe`, value: { tcpSocket: { port: 8080 } } }] });
    expect(fixOf(findings, 'fire-pod', '/spec/containers/0')).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: '/spec/containers/0/readinessProbe', value: { tcpSocket: { port: 5678 } } }],
    });
    expect(fixOf(findings, 'fire-two-containers', C0)).toEqual({ kind: 'patch', operations: [{ op: 'add', path: `${C0}/readinessProbe`, value: { tcpSocket: { port: 8080 } } }] });
  });

  // Regression: util.servedPort used to return the first numeric targetPort for every container,
  // so the second container (which serves 9090) got a probe on 8080, a port it does not serve.
  test('the fix for a second serving container probes that container\'s own port', () => {
    const findings = run(FIXTURE);
    expect(fixOf(findings, 'fire-two-containers', C1)).toEqual({ kind: 'patch', operations: [{ op: 'add', path: `${C1}/readinessProbe`, value: { tcpSocket: { port: 9090 } } }] });
  });

  test('never a tcpSocket probe on a UDP port: the TCP port when the container serves both, else no fix', () => {
    const findings = run(FIXTURE);
    expect(fixOf(findings, 'fire-udp-port', C0)).toBeUndefined();
    expect(findingAt(findings, 'fire-udp-port', C0).fixable).toBe(false);
    expect(fixOf(findings, 'fire-udp-and-tcp', C0)).toEqual({ kind: 'patch', operations: [{ op: 'add', path: `${C0}/readinessProbe`, value: { tcpSocket: { port: 'dns-tcp' } } }] });
  });

  test('beside a livenessProbe on the same port, the readiness probe gives up first (liveness-probe-same-as-readiness stays silent), else no fix', () => {
    const findings = run(FIXTURE);
    // Liveness gives up after 5 s × 3 = 15 s; readiness after 4 s × 3 = 12 s.
    expect(fixOf(findings, 'fire-liveness-same-port', C0)).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: `${C0}/readinessProbe`, value: { tcpSocket: { port: 8080 }, periodSeconds: 4 } }],
    });
    expect(fixOf(findings, 'fire-liveness-one-second', C0)).toBeUndefined();
    expect(findingAt(findings, 'fire-liveness-one-second', C0).fixable).toBe(false);
  });

  test('suppression with `all`: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', C0, 'error']]);
  });

  test('without any Service in the input: a warning; a fix only when one port is declared', () => {
    const findings = run(NO_SERVICE);
    expect(rows(findings)).toEqual([
      ['fire-single-port', C0, 'warning'],
      ['fire-two-ports', C0, 'warning'],
    ]);
    expect(conventionViolations(NO_SERVICE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-two-ports', C0).line).toBe(45);
    expect(fixOf(findings, 'fire-single-port', C0)).toEqual({ kind: 'patch', operations: [{ op: 'add', path: `${C0}/readinessProbe`, value: { tcpSocket: { port: 'http' } } }] });
    expect(fixOf(findings, 'fire-two-ports', C0)).toBeUndefined();
    expect(findingAt(findings, 'fire-two-ports', C0).fixable).toBe(false);
  });
});
