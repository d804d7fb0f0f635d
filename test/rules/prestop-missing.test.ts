import { describe, expect, test } from 'vitest';
import { prestopMissing } from '../../src/rules/prestop-missing.js';
import { checkText, conventionViolations, findingAt, fixedText, fixOf, fixtureCase, fixtureText, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'prestop-missing';
const NO_SERVICE = 'prestop-missing.no-service';
const SELF_DELAY = 'prestop-missing.self-delay';
const C0 = '/spec/template/spec/containers/0';
const GRACE = '/spec/template/spec/terminationGracePeriodSeconds';

/** The grace period the fix adds with the preStop: sleep + the profile's 30 s drain time. */
function addGrace(seconds: number, path = GRACE): { op: 'add'; path: string; value: number } {
  return { op: 'add', path, value: seconds };
}

ruleTester.run('prestop-missing', prestopMissing, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'container `app` of Deployment pm-basic/fire-basic has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 35, column: 11, severity: 'error' },
        { message: 'container `api` of Deployment pm-poststart/fire-poststart has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 98, column: 11, severity: 'error' },
        { message: 'container `shop` of Deployment pm-lb/fire-behind-lb has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 27 s (profile generic: endpoint → L4 deregistration, p99)', path: '/spec/template/spec/containers/0', line: 143, column: 11, severity: 'error' },
        { message: 'container `rest` of Deployment pm-two/fire-two-serving has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 185, column: 11, severity: 'error' },
        { message: 'container `grpc` of Deployment pm-two/fire-two-serving has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/1', line: 190, column: 11, severity: 'error' },
        { message: 'container `echo` of Pod pm-pod/fire-bare-pod has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/containers/0', line: 300, column: 7, severity: 'error' },
        { message: 'container `redis` of StatefulSet pm-sts/fire-statefulset has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99) — only headless Service cache selects it: clients connect to the pod IPs they resolved by DNS, so what fails depends on their DNS cache and retries', path: '/spec/template/spec/containers/0', line: 338, column: 11, severity: 'warning' },
        { message: 'container `node-exporter` of DaemonSet pm-ds/fire-daemonset has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 372, column: 11, severity: 'error' },
        { message: 'container `legacy` of Deployment pm-undeclared/fire-undeclared-port has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 406, column: 11, severity: 'error' },
        { message: 'container `payments` of Deployment pm-distroless/fire-distroless has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 440, column: 11, severity: 'error' },
      ],
      output: fixedText('prestop-missing'),
    },
    {
      ...fixtureCase(FIXTURE, 'ack-flannel'),
      findings: [
        { message: 'container `app` of Deployment pm-basic/fire-basic has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile ack-flannel: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 35, column: 11, severity: 'error' },
        { message: 'container `api` of Deployment pm-poststart/fire-poststart has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile ack-flannel: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 98, column: 11, severity: 'error' },
        { message: 'container `shop` of Deployment pm-lb/fire-behind-lb has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 30 s (profile ack-flannel: endpoint → CLB deregistration, p99)', path: '/spec/template/spec/containers/0', line: 143, column: 11, severity: 'error' },
        { message: 'container `rest` of Deployment pm-two/fire-two-serving has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile ack-flannel: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 185, column: 11, severity: 'error' },
        { message: 'container `grpc` of Deployment pm-two/fire-two-serving has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile ack-flannel: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/1', line: 190, column: 11, severity: 'error' },
        { message: 'container `echo` of Pod pm-pod/fire-bare-pod has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile ack-flannel: endpoint → kube-proxy, p99)', path: '/spec/containers/0', line: 300, column: 7, severity: 'error' },
        { message: 'container `redis` of StatefulSet pm-sts/fire-statefulset has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile ack-flannel: endpoint → kube-proxy, p99) — only headless Service cache selects it: clients connect to the pod IPs they resolved by DNS, so what fails depends on their DNS cache and retries', path: '/spec/template/spec/containers/0', line: 338, column: 11, severity: 'warning' },
        { message: 'container `node-exporter` of DaemonSet pm-ds/fire-daemonset has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile ack-flannel: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 372, column: 11, severity: 'error' },
        { message: 'container `legacy` of Deployment pm-undeclared/fire-undeclared-port has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile ack-flannel: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 406, column: 11, severity: 'error' },
        { message: 'container `payments` of Deployment pm-distroless/fire-distroless has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile ack-flannel: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 440, column: 11, severity: 'error' },
      ],
      output: fixedText('prestop-missing.ack-flannel'),
    },
    {
      ...fixtureCase(FIXTURE, 'generic', '1.29'),
      findings: [
        { message: 'container `app` of Deployment pm-basic/fire-basic has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 35, column: 11, severity: 'error' },
        { message: 'container `api` of Deployment pm-poststart/fire-poststart has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 98, column: 11, severity: 'error' },
        { message: 'container `shop` of Deployment pm-lb/fire-behind-lb has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 27 s (profile generic: endpoint → L4 deregistration, p99)', path: '/spec/template/spec/containers/0', line: 143, column: 11, severity: 'error' },
        { message: 'container `rest` of Deployment pm-two/fire-two-serving has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 185, column: 11, severity: 'error' },
        { message: 'container `grpc` of Deployment pm-two/fire-two-serving has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/1', line: 190, column: 11, severity: 'error' },
        { message: 'container `echo` of Pod pm-pod/fire-bare-pod has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/containers/0', line: 300, column: 7, severity: 'error' },
        { message: 'container `redis` of StatefulSet pm-sts/fire-statefulset has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99) — only headless Service cache selects it: clients connect to the pod IPs they resolved by DNS, so what fails depends on their DNS cache and retries', path: '/spec/template/spec/containers/0', line: 338, column: 11, severity: 'warning' },
        { message: 'container `node-exporter` of DaemonSet pm-ds/fire-daemonset has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 372, column: 11, severity: 'error' },
        { message: 'container `legacy` of Deployment pm-undeclared/fire-undeclared-port has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 406, column: 11, severity: 'error' },
        { message: 'container `payments` of Deployment pm-distroless/fire-distroless has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 440, column: 11, severity: 'error' },
      ],
      output: fixedText('prestop-missing.generic.1.29'),
    },
    {
      ...fixtureCase(NO_SERVICE),
      findings: [
        { message: 'container `catalog` of Deployment pm-no-service/fire-no-service has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 20, column: 11, severity: 'warning' },
      ],
      output: fixedText('prestop-missing.no-service'),
    },
    {
      ...fixtureCase(NO_SERVICE, 'ack-flannel'),
      findings: [
        { message: 'container `catalog` of Deployment pm-no-service/fire-no-service has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 30 s (profile ack-flannel: endpoint → CLB deregistration, p99)', path: '/spec/template/spec/containers/0', line: 20, column: 11, severity: 'warning' },
      ],
      output: fixedText('prestop-missing.no-service.ack-flannel'),
    },
    {
      ...fixtureCase(SELF_DELAY),
      findings: [
        { message: 'container `manager` of Deployment pm-gk-short/fire-gatekeeper-short has no preStop hook, and its image keeps serving only 2 s after SIGTERM (--shutdown-delay, open-policy-agent/gatekeeper#3780): endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 121, column: 11, severity: 'error' },
        { message: 'container `manager` of Deployment pm-gk-old/fire-gatekeeper-old has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 163, column: 11, severity: 'error' },
        { message: 'container `manager` of Deployment pm-gk-unknown/fire-unknown-image-flag has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0', line: 203, column: 11, severity: 'error' },
      ],
      output: fixedText('prestop-missing.self-delay'),
    },
  ],
});

describe('prestop-missing', () => {
  test('fires on every serving container without a preStop; error when a Service selects it', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-bare-pod', '/spec/containers/0', 'error'],
      ['fire-basic', C0, 'error'],
      ['fire-behind-lb', C0, 'error'],
      ['fire-daemonset', C0, 'error'],
      ['fire-distroless', C0, 'error'],
      ['fire-poststart', C0, 'error'],
      ['fire-statefulset', C0, 'warning'], // only a headless Service selects it (domain/service-role.ts)
      ['fire-two-serving', C0, 'error'],
      ['fire-two-serving', '/spec/template/spec/containers/1', 'error'],
      ['fire-undeclared-port', C0, 'error'],
    ]);
    expect(findings).toHaveLength(10);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
  });

  test('on 1.30 the fix adds a native sleep of the kube-proxy path\'s 99.9th percentile (generic: p50 1 s, p99 3 s → 4.3 s → 5 s) and a grace period that covers it', () => {
    const findings = run(FIXTURE);
    expect(fixOf(findings, 'fire-basic', C0)).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: `${C0}/lifecycle`, value: { preStop: { sleep: { seconds: 5 } } } }, addGrace(35)],
    });
    // A lifecycle is already there (postStart): only preStop is added.
    expect(fixOf(findings, 'fire-poststart', C0)).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: `${C0}/lifecycle/preStop`, value: { sleep: { seconds: 5 } } }, addGrace(35)],
    });
    expect(fixOf(findings, 'fire-bare-pod', '/spec/containers/0')).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: '/spec/containers/0/lifecycle', value: { preStop: { sleep: { seconds: 5 } } } }, addGrace(35, '/spec/terminationGracePeriodSeconds')],
    });
    // The native action needs no sleep binary, so the distroless image gets a fix too.
    expect(fixOf(findings, 'fire-distroless', C0)).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: `${C0}/lifecycle`, value: { preStop: { sleep: { seconds: 5 } } } }, addGrace(35)],
    });
    expect(findings.every((f) => f.fixable && f.fix !== undefined)).toBe(true);
  });

  test('on 1.29 the fix is an exec sleep, and there is none for an image without a sleep binary', () => {
    const findings = run(FIXTURE, 'generic', '1.29');
    expect(rows(findings)).toEqual(rows(run(FIXTURE)));
    expect(fixOf(findings, 'fire-basic', C0)).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: `${C0}/lifecycle`, value: { preStop: { exec: { command: ['sleep', '5'] } } } }, addGrace(35)],
    });
    expect(fixOf(findings, 'fire-poststart', C0)).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: `${C0}/lifecycle/preStop`, value: { exec: { command: ['sleep', '5'] } } }, addGrace(35)],
    });
    const distroless = findingAt(findings, 'fire-distroless', C0);
    expect(distroless.fix).toBeUndefined();
    expect(distroless.fixable).toBe(false);
  });

  test('ack-flannel: behind a Local-policy LoadBalancer the budget is the CLB deregistration (30 s → 35 s); ClusterIP stays 5 s', () => {
    const findings = run(FIXTURE, 'ack-flannel');
    expect(rows(findings)).toEqual(rows(run(FIXTURE)));
    expect(fixOf(findings, 'fire-behind-lb', C0)).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: `${C0}/lifecycle`, value: { preStop: { sleep: { seconds: 35 } } } }, addGrace(65)],
    });
    expect(fixOf(findings, 'fire-basic', C0)).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: `${C0}/lifecycle`, value: { preStop: { sleep: { seconds: 5 } } } }, addGrace(35)],
    });
  });

  test('ack-flannel, Cluster policy: every node stays a CLB backend, so the budget is kube-proxy\'s (5 s)', () => {
    const cluster = fixtureText(FIXTURE).replace('  externalTrafficPolicy: Local\n', '');
    const findings = checkText(FIXTURE, cluster, 'ack-flannel', undefined).filter((f) => f.ruleId === 'prestop-missing');
    expect(fixOf(findings, 'fire-behind-lb', C0)).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: `${C0}/lifecycle`, value: { preStop: { sleep: { seconds: 5 } } } }, addGrace(35)],
    });
  });

  test('suppression: the annotation (alone or in a list) is what keeps the ignored objects silent', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored', 'dont-fire-ignore-list'])).toEqual([
      ['dont-fire-ignore-list', C0, 'error'],
      ['dont-fire-ignored', C0, 'error'],
    ]);
  });

  test('without any Service in the input: a warning for containers that declare ports', () => {
    const findings = run(NO_SERVICE);
    expect(rows(findings)).toEqual([['fire-no-service', C0, 'warning']]);
    expect(conventionViolations(NO_SERVICE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-no-service', C0).line).toBe(20);
    expect(fixOf(findings, 'fire-no-service', C0)).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: `${C0}/lifecycle`, value: { preStop: { sleep: { seconds: 5 } } } }, addGrace(35)],
    });
    // No Service to tell the exposure: judged under the profile's whole path (ack-flannel: CLB).
    expect(fixOf(run(NO_SERVICE, 'ack-flannel'), 'fire-no-service', C0)).toEqual({
      kind: 'patch',
      operations: [{ op: 'add', path: `${C0}/lifecycle`, value: { preStop: { sleep: { seconds: 35 } } } }, addGrace(65)],
    });
  });

  test('an image that keeps serving after SIGTERM (Gatekeeper --shutdown-delay, default 10 s, from v3.20.0) counts as the preStop would', () => {
    const findings = run(SELF_DELAY);
    expect(rows(findings)).toEqual([
      ['fire-gatekeeper-old', C0, 'error'],
      ['fire-gatekeeper-short', C0, 'error'],
      ['fire-unknown-image-flag', C0, 'error'],
    ]);
    expect(conventionViolations(SELF_DELAY, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-gatekeeper-short', C0).message).toBe(
      'container `manager` of Deployment pm-gk-short/fire-gatekeeper-short has no preStop hook, and its image keeps serving only 2 s after SIGTERM (--shutdown-delay, open-policy-agent/gatekeeper#3780): endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99)',
    );
    expect(findingAt(findings, 'fire-gatekeeper-old', C0).message).not.toContain('shutdown-delay');
  });
});
