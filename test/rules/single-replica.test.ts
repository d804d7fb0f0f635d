import { describe, expect, test } from 'vitest';
import { singleReplica } from '../../src/rules/single-replica.js';
import { conventionViolations, findingAt, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'single-replica';
const NO_SERVICE = 'single-replica.no-service';
const SHARED = 'single-replica.shared-service';

ruleTester.run('single-replica', singleReplica, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'Deployment sr-explicit/fire-explicit-one runs 1 replica: any restart, eviction or node drain leaves nothing serving', path: '/spec/replicas', line: 22, column: 3, severity: 'warning' },
        { message: 'Deployment sr-default/fire-default-one runs 1 replica (spec.replicas defaults to 1): any restart, eviction or node drain leaves nothing serving', path: '/spec', line: 55, column: 1, severity: 'warning' },
        { message: 'Pod sr-pod/fire-bare-pod is a bare Pod: no controller replaces it, and any change deletes it before a new one serves', path: '', line: 82, column: 1, severity: 'warning' },
        { message: 'StatefulSet sr-sts/fire-statefulset-one runs 1 replica: a StatefulSet deletes its pod before it creates the new one, so every rollout is an outage that no preStop can shorten; run at least 2 replicas — only headless Service db selects it: clients connect to the pod IPs they resolved by DNS, so what fails depends on their DNS cache and retries', path: '/spec/replicas', line: 117, column: 3, severity: 'warning' },
        { message: 'Deployment sr-singleton/fire-controller-with-election runs 1 replica: any restart, eviction or node drain leaves nothing serving', path: '/spec/replicas', line: 356, column: 3, severity: 'warning' },
      ],
    },
    {
      ...fixtureCase(NO_SERVICE),
      findings: [
        { message: 'Deployment sr-no-service/fire-no-service runs 1 replica: any restart, eviction or node drain leaves nothing serving', path: '/spec/replicas', line: 9, column: 3, severity: 'warning' },
      ],
    },
    {
      ...fixtureCase(SHARED),
      findings: [
        { message: 'Deployment shared/fire-canary runs 1 replica, but Service web also sends to Deployment shared/dont-fire-stable (3 replicas): a restart, eviction or node drain of its pod leaves those serving, with less capacity', path: '/spec/replicas', line: 41, column: 3, severity: 'info' },
        { message: 'Deployment shared/fire-blue runs 1 replica, but Service checkout also sends to Deployment shared/fire-green (1 replica): a restart, eviction or node drain of its pod leaves those serving, with less capacity', path: '/spec/replicas', line: 73, column: 3, severity: 'info' },
        { message: 'Deployment shared/fire-green runs 1 replica (spec.replicas defaults to 1), but Service checkout also sends to Deployment shared/fire-blue (1 replica): a restart, eviction or node drain of its pod leaves those serving, with less capacity', path: '/spec', line: 91, column: 1, severity: 'info' },
        { message: 'Deployment shared/fire-other-scaled-to-zero runs 1 replica: any restart, eviction or node drain leaves nothing serving', path: '/spec/replicas', line: 121, column: 3, severity: 'warning' },
        { message: 'Deployment shared/fire-own-service-too runs 1 replica: any restart, eviction or node drain leaves nothing serving', path: '/spec/replicas', line: 180, column: 3, severity: 'warning' },
        { message: 'Deployment shared/search-canary runs as few as 1 replica (HorizontalPodAutoscaler fire-hpa-canary minReplicas 1), but Service search also sends to Deployment shared/dont-fire-search-stable (4 replicas): a restart, eviction or node drain of its pod leaves those serving, with less capacity', path: '/spec/minReplicas', line: 248, column: 3, severity: 'info' },
      ],
    },
  ],
});

describe('single-replica', () => {
  test('fires on served workloads with one replica and no HPA, and on bare Pods; not on a controller without leader election (one instance by design)', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-bare-pod', '', 'warning'],
      ['fire-controller-with-election', '/spec/replicas', 'warning'],
      ['fire-default-one', '/spec', 'warning'],
      ['fire-explicit-one', '/spec/replicas', 'warning'],
      ['fire-statefulset-one', '/spec/replicas', 'warning'],
    ]);
    expect(findings).toHaveLength(5);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findings.every((f) => !f.fixable)).toBe(true);
  });

  test('a one-replica StatefulSet: every rollout deletes the pod before the new one exists, which no preStop shortens', () => {
    const findings = run(FIXTURE);
    expect(findingAt(findings, 'fire-statefulset-one', '/spec/replicas').message).toBe(
      'StatefulSet sr-sts/fire-statefulset-one runs 1 replica: a StatefulSet deletes its pod before it creates the new one, so every rollout is an outage that no preStop can shorten; run at least 2 replicas — only headless Service db selects it: clients connect to the pod IPs they resolved by DNS, so what fails depends on their DNS cache and retries',
    );
    expect(findingAt(findings, 'fire-explicit-one', '/spec/replicas').message).toMatch(/any restart, eviction or node drain leaves nothing serving$/);
  });

  test('suppression in a list of ids: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', '/spec/replicas', 'warning']]);
  });

  test('without any Service in the input: still a warning', () => {
    const findings = run(NO_SERVICE);
    expect(rows(findings)).toEqual([['fire-no-service', '/spec/replicas', 'warning']]);
    expect(conventionViolations(NO_SERVICE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-no-service', '/spec/replicas').line).toBe(9);
  });
});

describe('single-replica behind a Service shared with other workloads', () => {

  test('info when every Service that sends to it also sends to another workload with pods; warning otherwise', () => {
    const findings = run(SHARED);
    expect(rows(findings)).toEqual([
      ['fire-blue', '/spec/replicas', 'info'],
      ['fire-canary', '/spec/replicas', 'info'],
      ['fire-green', '/spec', 'info'],
      ['fire-hpa-canary', '/spec/minReplicas', 'info'],
      ['fire-other-scaled-to-zero', '/spec/replicas', 'warning'],
      ['fire-own-service-too', '/spec/replicas', 'warning'],
    ]);
    expect(conventionViolations(SHARED, findings)).toEqual({ silentFire: [], firedDontFire: [] });
  });

  test('the message names the workloads that keep serving instead of "nothing serving"', () => {
    const findings = run(SHARED);
    expect(findingAt(findings, 'fire-canary', '/spec/replicas').message).toBe(
      'Deployment shared/fire-canary runs 1 replica, but Service web also sends to Deployment shared/dont-fire-stable (3 replicas): a restart, eviction or node drain of its pod leaves those serving, with less capacity',
    );
    expect(findingAt(findings, 'fire-hpa-canary', '/spec/minReplicas').message).toBe(
      'Deployment shared/search-canary runs as few as 1 replica (HorizontalPodAutoscaler fire-hpa-canary minReplicas 1), but Service search also sends to Deployment shared/dont-fire-search-stable (4 replicas): a restart, eviction or node drain of its pod leaves those serving, with less capacity',
    );
    expect(findingAt(findings, 'fire-other-scaled-to-zero', '/spec/replicas').message).toBe('Deployment shared/fire-other-scaled-to-zero runs 1 replica: any restart, eviction or node drain leaves nothing serving');
  });
});
