import { describe, expect, test } from 'vitest';
import { readinessProbePortMismatch } from '../../src/rules/readiness-probe-port-mismatch.js';
import { conventionViolations, findingAt, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'readiness-probe-port-mismatch';
const NO_SERVICE = 'readiness-probe-port-mismatch.no-service';
const PROBE = '/spec/template/spec/containers/0/readinessProbe';

ruleTester.run('readiness-probe-port-mismatch', readinessProbePortMismatch, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'readinessProbe of container `catalog` uses port name `web`, which the container does not declare: the kubelet resolves a probe port name only in the probed container, so the probe never succeeds and the pod never becomes Ready', path: '/spec/template/spec/containers/0/readinessProbe/httpGet/port', line: 43, column: 15, severity: 'error' },
        { message: 'readinessProbe of container `orders` uses port name `envoy-admin`, which only container `envoy` declares: the kubelet resolves a probe port name only in the probed container, so the probe never succeeds and the pod never becomes Ready', path: '/spec/template/spec/containers/0/readinessProbe/httpGet/port', line: 81, column: 15, severity: 'error' },
        { message: 'readinessProbe of container `users` checks port 5432, which container `cloudsql-proxy` declares: the probe reaches `cloudsql-proxy` through the pod network, so `users` counts as Ready whenever `cloudsql-proxy` listens, whether or not it serves', path: '/spec/template/spec/containers/0/readinessProbe/tcpSocket/port', line: 126, column: 15, severity: 'error' },
        { message: 'readinessProbe of container `cart` checks port 15021, which container `proxy` declares: the probe reaches `proxy` through the pod network, so `cart` counts as Ready whenever `proxy` listens, whether or not it serves', path: '/spec/template/spec/containers/0/readinessProbe/httpGet/port', line: 174, column: 15, severity: 'error' },
        { message: 'readinessProbe of container `worker` checks port 8080, which container `api` declares: the probe reaches `api` through the pod network, so `worker` counts as Ready whenever `api` listens, whether or not it serves', path: '/spec/template/spec/containers/1/readinessProbe/tcpSocket/port', line: 219, column: 15, severity: 'warning' },
        { message: 'readinessProbe of container `nginx` checks port 5084 and Service web sends to port 80: fine if the same process answers readiness on 5084 (a health or admin port), but no container declares 5084; if nothing listens there the pod never becomes Ready', path: '/spec/template/spec/containers/0/readinessProbe/tcpSocket/port', line: 255, column: 15, severity: 'info' },
      ],
    },
    {
      ...fixtureCase(NO_SERVICE),
      findings: [
        { message: 'readinessProbe of container `catalog` uses port name `https`, which the container does not declare: the kubelet resolves a probe port name only in the probed container, so the probe never succeeds and the pod never becomes Ready', path: '/spec/template/spec/containers/0/readinessProbe/httpGet/port', line: 28, column: 15, severity: 'error' },
      ],
    },
  ],
});

describe('readiness-probe-port-mismatch', () => {
  test('fires where the probe cannot reflect the serving container; a health or admin port of the same container is not a finding', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-name-of-sidecar', `${PROBE}/httpGet/port`, 'error'],
      ['fire-native-sidecar-port', `${PROBE}/httpGet/port`, 'error'],
      ['fire-sidecar-port', `${PROBE}/tcpSocket/port`, 'error'],
      ['fire-unknown-name', `${PROBE}/httpGet/port`, 'error'],
      ['fire-unseen-port', `${PROBE}/tcpSocket/port`, 'info'],
      ['fire-worker-probes-sidecar', '/spec/template/spec/containers/1/readinessProbe/tcpSocket/port', 'warning'],
    ]);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findings.every((f) => !f.fixable)).toBe(true);
  });

  test('the messages name the evidence', () => {
    const findings = run(FIXTURE);
    const message = (name: string, path: string): string => findingAt(findings, name, path).message;
    expect(message('fire-unknown-name', `${PROBE}/httpGet/port`)).toBe(
      'readinessProbe of container `catalog` uses port name `web`, which the container does not declare: the kubelet resolves a probe port name only in the probed container, so the probe never succeeds and the pod never becomes Ready',
    );
    expect(message('fire-name-of-sidecar', `${PROBE}/httpGet/port`)).toBe(
      'readinessProbe of container `orders` uses port name `envoy-admin`, which only container `envoy` declares: the kubelet resolves a probe port name only in the probed container, so the probe never succeeds and the pod never becomes Ready',
    );
    expect(message('fire-sidecar-port', `${PROBE}/tcpSocket/port`)).toBe(
      'readinessProbe of container `users` checks port 5432, which container `cloudsql-proxy` declares: the probe reaches `cloudsql-proxy` through the pod network, so `users` counts as Ready whenever `cloudsql-proxy` listens, whether or not it serves',
    );
    expect(message('fire-native-sidecar-port', `${PROBE}/httpGet/port`)).toContain('which container `proxy` declares');
    expect(message('fire-unseen-port', `${PROBE}/tcpSocket/port`)).toBe(
      'readinessProbe of container `nginx` checks port 5084 and Service web sends to port 80: fine if the same process answers readiness on 5084 (a health or admin port), but no container declares 5084; if nothing listens there the pod never becomes Ready',
    );
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', `${PROBE}/tcpSocket/port`, 'error']]);
  });

  test('without any Service in the input an unresolvable port name is still an error; a declared health port is not a finding', () => {
    const findings = run(NO_SERVICE);
    expect(rows(findings)).toEqual([['fire-undeclared-name', `${PROBE}/httpGet/port`, 'error']]);
    expect(conventionViolations(NO_SERVICE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-undeclared-name', `${PROBE}/httpGet/port`).line).toBe(28);
  });
});
