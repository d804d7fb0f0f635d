import { describe, expect, test } from 'vitest';
import { prestopTooShort } from '../../src/rules/prestop-too-short.js';
import { checkText, conventionViolations, findingAt, fixedText, fixOf, fixtureCase, fixtureText, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'prestop-too-short';
const NO_SERVICE = 'prestop-too-short.no-service';
const ACK = 'prestop-too-short.ack-flannel';
const SLEEP = '/spec/template/spec/containers/0/lifecycle/preStop/sleep/seconds';
const EXEC = '/spec/template/spec/containers/0/lifecycle/preStop/exec/command';
const GRACE = '/spec/template/spec/terminationGracePeriodSeconds';
const PRESTOP = '/spec/template/spec/containers/0/lifecycle/preStop';
const HOOKS = 'prestop-too-short.hooks';

ruleTester.run('prestop-too-short', prestopTooShort, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'preStop sleep 2 s of container `web` is shorter than the 3 s propagation budget of profile generic (endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0/lifecycle/preStop/sleep/seconds', line: 42, column: 17, severity: 'error' },
        { message: 'preStop sleep 2 s of container `api` is shorter than the 3 s propagation budget of profile generic (endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0/lifecycle/preStop/exec/command', line: 80, column: 17, severity: 'error' },
        { message: 'preStop of container `nginx` lets the app accept connections for 2 s (sleep 2; `nginx -s quit` stops accepting at once and finishes the requests in flight), shorter than the 3 s propagation budget of profile generic (endpoint → kube-proxy, p99); sleep before it', path: '/spec/template/spec/containers/0/lifecycle/preStop/exec/command', line: 118, column: 17, severity: 'error' },
        { message: 'preStop of container `billing` runs `httpGet /drain on port 8080`, whose length rollsafe cannot know: it cannot judge whether the app keeps accepting for the 3 s propagation budget of profile generic (endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0/lifecycle/preStop', line: 280, column: 13, severity: 'warning' },
      ],
      output: fixedText('prestop-too-short'),
    },
    {
      ...fixtureCase(ACK),
      findings: [
        { message: 'preStop sleep 20 s of container `shop` is shorter than the 27 s propagation budget of profile generic (endpoint → L4 deregistration, p99)', path: '/spec/template/spec/containers/0/lifecycle/preStop/sleep/seconds', line: 46, column: 17, severity: 'error' },
        { message: 'preStop sleep 25 s of container `cart` is shorter than the 27 s propagation budget of profile generic (endpoint → L4 deregistration, p99)', path: '/spec/template/spec/containers/0/lifecycle/preStop/exec/command', line: 86, column: 17, severity: 'error' },
      ],
      output: fixedText('prestop-too-short.ack-flannel'),
    },
    {
      ...fixtureCase(ACK, 'ack-flannel'),
      findings: [
        { message: 'preStop sleep 20 s of container `shop` is shorter than the 30 s propagation budget of profile ack-flannel (endpoint → CLB deregistration, p99)', path: '/spec/template/spec/containers/0/lifecycle/preStop/sleep/seconds', line: 46, column: 17, severity: 'error' },
        { message: 'preStop sleep 25 s of container `cart` is shorter than the 30 s propagation budget of profile ack-flannel (endpoint → CLB deregistration, p99)', path: '/spec/template/spec/containers/0/lifecycle/preStop/exec/command', line: 86, column: 17, severity: 'error' },
      ],
      output: fixedText('prestop-too-short.ack-flannel.ack-flannel'),
    },
    {
      ...fixtureCase(HOOKS),
      findings: [
        { message: 'preStop of container `app` lets the app accept connections for 0 s (`nginx -s quit` stops accepting at once and finishes the requests in flight), shorter than the 3 s propagation budget of profile generic (endpoint → kube-proxy, p99); sleep before it', path: '/spec/template/spec/containers/0/lifecycle/preStop', line: 40, column: 13, severity: 'error' },
        { message: 'preStop of container `app` lets the app accept connections for 0 s (Envoy admin `/drain_listeners` without `graceful` closes the listeners at once), shorter than the 3 s propagation budget of profile generic (endpoint → kube-proxy, p99); sleep before it', path: '/spec/template/spec/containers/0/lifecycle/preStop', line: 79, column: 13, severity: 'error' },
        { message: 'preStop of container `app` lets the app accept connections for 0 s (/wait-shutdown sends the ingress-nginx controller SIGTERM: it fails /healthz, waits --shutdown-grace-period 0 s, then runs `nginx -s quit`), shorter than the 3 s propagation budget of profile generic (endpoint → kube-proxy, p99); sleep before it', path: '/spec/template/spec/containers/0/lifecycle/preStop', line: 119, column: 13, severity: 'error' },
        { message: 'preStop of container `app` runs `/app/deregister`, whose length rollsafe cannot know (at least 2 s): it cannot judge whether the app keeps accepting for the 3 s propagation budget of profile generic (endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0/lifecycle/preStop', line: 159, column: 13, severity: 'warning' },
      ],
      output: fixedText('prestop-too-short.hooks'),
    },
    {
      ...fixtureCase(NO_SERVICE),
      findings: [
        { message: 'preStop sleep 2 s of container `catalog` is shorter than the 3 s propagation budget of profile generic (endpoint → kube-proxy, p99)', path: '/spec/template/spec/containers/0/lifecycle/preStop/sleep/seconds', line: 27, column: 17, severity: 'warning' },
      ],
      output: fixedText('prestop-too-short.no-service'),
    },
  ],
});

describe('prestop-too-short', () => {
  test('hooks that are not a plain sleep: known commands by what they do, unknown ones as a warning', () => {
    const findings = run(HOOKS);
    expect(rows(findings)).toEqual([
      ['fire-drain-listeners-then-sleep', PRESTOP, 'error'],
      ['fire-nginx-quit', PRESTOP, 'error'],
      ['fire-unknown-script', PRESTOP, 'warning'],
      ['fire-wait-shutdown-default', PRESTOP, 'error'],
    ]);
    expect(conventionViolations(HOOKS, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    // A known hook that stops too early gets a sleep in front of it (and the grace period to match);
    // a hook of unknown length gets no fix.
    expect(rows(findings).map(([name]) => findingAt(findings, name, PRESTOP).fixable)).toEqual([true, true, false, true]);
    expect(fixOf(findings, 'fire-nginx-quit', PRESTOP)).toEqual({
      kind: 'patch',
      operations: [{ op: 'replace', path: `${PRESTOP}/exec/command`, value: ['/bin/sh', '-c', 'sleep 5 && nginx -s quit'] }],
    });
    expect(fixOf(findings, 'fire-drain-listeners-then-sleep', PRESTOP)).toEqual({
      kind: 'patch',
      operations: [{ op: 'replace', path: `${PRESTOP}/exec/command`, value: ['/bin/sh', '-c', 'sleep 5; curl -s -X POST http://127.0.0.1:9901/drain_listeners; sleep 30'] }],
    });
    expect(findingAt(findings, 'fire-nginx-quit', PRESTOP).message).toBe(
      'preStop of container `app` lets the app accept connections for 0 s (`nginx -s quit` stops accepting at once and finishes the requests in flight), shorter than the 3 s propagation budget of profile generic (endpoint → kube-proxy, p99); sleep before it',
    );
    expect(findingAt(findings, 'fire-unknown-script', PRESTOP).message).toBe(
      'preStop of container `app` runs `/app/deregister`, whose length rollsafe cannot know (at least 2 s): it cannot judge whether the app keeps accepting for the 3 s propagation budget of profile generic (endpoint → kube-proxy, p99)',
    );
  });

  test('generic: fires on serving containers whose sleep is shorter than 3 s', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-exec-sleep', EXEC, 'error'],
      ['fire-native-sleep', SLEEP, 'error'],
      ['fire-shell-sleep', EXEC, 'error'],
      // An httpGet hook's length is unknown: a warning that says so, never "0 s".
      ['fire-unknown-http-prestop', PRESTOP, 'warning'],
    ]);
    expect(findings).toHaveLength(4);
    expect(findingAt(findings, 'fire-unknown-http-prestop', PRESTOP).message).toBe(
      'preStop of container `billing` runs `httpGet /drain on port 8080`, whose length rollsafe cannot know: it cannot judge whether the app keeps accepting for the 3 s propagation budget of profile generic (endpoint → kube-proxy, p99)',
    );
    expect(findingAt(findings, 'fire-unknown-http-prestop', PRESTOP).fixable).toBe(false);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-native-sleep', SLEEP).line).toBe(42);
    expect(findingAt(findings, 'fire-exec-sleep', EXEC).line).toBe(80);
  });

  test('fixes raise the sleep to the kube-proxy path\'s 99.9th percentile, 5 s (and the grace period to sleep + 30 s); a script\'s leading sleep is lengthened', () => {
    const findings = run(FIXTURE);
    expect(fixOf(findings, 'fire-native-sleep', SLEEP)).toEqual({
      kind: 'patch',
      operations: [
        { op: 'replace', path: SLEEP, value: 5 },
        { op: 'add', path: GRACE, value: 35 },
      ],
    });
    expect(fixOf(findings, 'fire-exec-sleep', EXEC)).toEqual({
      kind: 'patch',
      operations: [
        { op: 'replace', path: `${EXEC}/1`, value: '5' },
        { op: 'add', path: GRACE, value: 35 },
      ],
    });
    expect(fixOf(findings, 'fire-shell-sleep', EXEC)).toEqual({
      kind: 'patch',
      operations: [
        { op: 'replace', path: EXEC, value: ['/bin/sh', '-c', 'sleep 5 && nginx -s quit'] },
        { op: 'add', path: GRACE, value: 35 },
      ],
    });
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', SLEEP, 'error']]);
  });

  test('without any Service in the input: a warning', () => {
    const findings = run(NO_SERVICE);
    expect(rows(findings)).toEqual([['fire-no-service', SLEEP, 'warning']]);
    expect(conventionViolations(NO_SERVICE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-no-service', SLEEP).line).toBe(27);
  });

  test('ack-flannel: behind a Local-policy LoadBalancer Service the budget is 30 s (fix 35 s, the CLB\'s 99.9th percentile 34.3 s rounded up), behind ClusterIP 3 s', () => {
    const findings = run(ACK, 'ack-flannel');
    expect(rows(findings)).toEqual([
      ['fire-lb-exec-sleep-25', EXEC, 'error'],
      ['fire-lb-sleep-20', SLEEP, 'error'],
    ]);
    expect(conventionViolations(ACK, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-lb-sleep-20', SLEEP).line).toBe(46);
    // The grace period (60 s) no longer covers 35 s + 30 s: it is raised too.
    expect(fixOf(findings, 'fire-lb-sleep-20', SLEEP)).toEqual({
      kind: 'patch',
      operations: [
        { op: 'replace', path: SLEEP, value: 35 },
        { op: 'replace', path: GRACE, value: 65 },
      ],
    });
    expect(fixOf(findings, 'fire-lb-exec-sleep-25', EXEC)).toEqual({
      kind: 'patch',
      operations: [
        { op: 'replace', path: `${EXEC}/1`, value: '35' },
        { op: 'replace', path: GRACE, value: 65 },
      ],
    });
  });

  test('ack-flannel, Cluster policy: every node stays a CLB backend, so the budget is kube-proxy\'s 3 s', () => {
    const cluster = fixtureText(ACK).replaceAll('  externalTrafficPolicy: Local\n', '');
    expect(checkText(ACK, cluster, 'ack-flannel', undefined).filter((f) => f.ruleId === 'prestop-too-short')).toEqual([]);
  });

  test('the same manifests under generic: the Local LoadBalancer Service proves a generic L4 LB (27 s, fix 30 s)', () => {
    const findings = run(ACK);
    expect(rows(findings)).toEqual([
      ['fire-lb-exec-sleep-25', EXEC, 'error'],
      ['fire-lb-sleep-20', SLEEP, 'error'],
    ]);
    expect(findingAt(findings, 'fire-lb-sleep-20', SLEEP).message).toContain('27 s propagation budget of profile generic (endpoint → L4 deregistration, p99)');
    // 99.9th percentile of the log-normal through p50 21 s (1 + 2.5 × 8) and p99 27 s (3 + 3 × 8):
    // 29.3 s. The grace period (60 s) already covers 30 s + 30 s.
    expect(fixOf(findings, 'fire-lb-sleep-20', SLEEP)).toEqual({
      kind: 'patch',
      operations: [
        { op: 'replace', path: SLEEP, value: 30 },
      ],
    });
  });

  test('an image that keeps serving after SIGTERM adds its delay to the hook (Gatekeeper --shutdown-delay, domain/images.ts)', () => {
    const manifest = (args: string): string => `apiVersion: v1
kind: Service
metadata: {name: webhook, namespace: pts-gk}
spec:
  selector: {app: webhook}
  ports: [{name: https, port: 443, targetPort: https}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: gatekeeper, namespace: pts-gk}
spec:
  replicas: 3
  selector: {matchLabels: {app: webhook}}
  template:
    metadata: {labels: {app: webhook}}
    spec:
      containers:
        - name: manager
          image: openpolicyagent/gatekeeper:v3.24.0
          args: [${args}]
          ports: [{name: https, containerPort: 8443}]
          readinessProbe: {httpGet: {path: /readyz, port: 9090}}
          lifecycle: {preStop: {sleep: {seconds: 1}}}
`;
    const judged = (args: string) => checkText(FIXTURE, manifest(args), 'generic', undefined).filter((f) => f.ruleId === 'prestop-too-short').map((f) => [f.resource.name, f.path, f.severity]);
    // 1 s sleep + the default 10 s delay covers the 3 s budget.
    expect(judged('--port=8443')).toEqual([]);
    // 1 s sleep + 1 s delay does not.
    expect(judged('--shutdown-delay=1')).toEqual([['gatekeeper', SLEEP, 'error']]);
    expect(checkText(FIXTURE, manifest('--shutdown-delay=1'), 'generic', undefined).find((f) => f.ruleId === 'prestop-too-short')?.message).toBe(
      'preStop sleep 1 s of container `manager`, plus the 1 s its image keeps serving after SIGTERM (--shutdown-delay, open-policy-agent/gatekeeper#3780), is shorter than the 3 s propagation budget of profile generic (endpoint → kube-proxy, p99)',
    );
  });
});
