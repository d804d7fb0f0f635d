import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, loadProblems, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'readiness-probe-port-mismatch';
const NO_SERVICE = 'readiness-probe-port-mismatch.no-service';
const PROBE = '/spec/template/spec/containers/0/readinessProbe';

describe('readiness-probe-port-mismatch', () => {
  test('the fixtures are valid manifests', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
    expect(loadProblems(NO_SERVICE)).toEqual([]);
  });

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

  test('positions: the line of the port field', () => {
    const findings = run(FIXTURE);
    expect(findingAt(findings, 'fire-unknown-name', `${PROBE}/httpGet/port`).line).toBe(43);
    expect(findingAt(findings, 'fire-sidecar-port', `${PROBE}/tcpSocket/port`).line).toBe(126);
    expect(findingAt(findings, 'fire-unseen-port', `${PROBE}/tcpSocket/port`).line).toBe(255);
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
