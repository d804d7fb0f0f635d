import { describe, expect, test } from 'vitest';
import { fastShutdownImage } from '../../src/rules/fast-shutdown-image.js';
import { conventionViolations, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'fast-shutdown-image';
const IMAGE = '/spec/template/spec/containers/0/image';

ruleTester.run('fast-shutdown-image', fastShutdownImage, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'container `nginx`: nginx 1.17.10 (before 1.19.5) stops on SIGTERM with a fast shutdown, cutting requests in flight; add a preStop that drains gracefully (e.g. `sleep N && nginx -s quit`)', path: '/spec/template/spec/containers/0/image', line: 35, column: 11, severity: 'warning' },
        { message: 'container `nginx`: nginx 1.19.4-alpine (before 1.19.5) stops on SIGTERM with a fast shutdown, cutting requests in flight; add a preStop that drains gracefully (e.g. `sleep N && nginx -s quit`)', path: '/spec/template/spec/containers/0/image', line: 57, column: 11, severity: 'warning' },
        { message: 'container `nginx`: nginx 1.18.0 (before 1.19.5) stops on SIGTERM with a fast shutdown, cutting requests in flight; add a preStop that drains gracefully (e.g. `sleep N && nginx -s quit`)', path: '/spec/template/spec/containers/0/image', line: 79, column: 11, severity: 'warning' },
        { message: 'container `nginx`: bitnami/nginx stops on SIGTERM with a fast shutdown, cutting requests in flight; add a preStop that drains gracefully (e.g. `sleep N && nginx -s quit`)', path: '/spec/template/spec/containers/0/image', line: 104, column: 11, severity: 'warning' },
        { message: 'container `openresty`: openresty stops on SIGTERM with a fast shutdown, cutting requests in flight; add a preStop that drains gracefully (e.g. `sleep N && nginx -s quit`)', path: '/spec/template/spec/containers/0/image', line: 125, column: 11, severity: 'warning' },
        { message: 'container `envoy`: envoy exits on SIGTERM without draining, cutting requests in flight; add a preStop that drains gracefully (e.g. `sleep N && nginx -s quit`)', path: '/spec/template/spec/containers/1/image', line: 151, column: 11, severity: 'warning' },
      ],
    },
  ],
});

describe('fast-shutdown-image', () => {
  test('fires on nginx < 1.19.5, bitnami/nginx, openresty and envoy without a graceful preStop', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-bitnami-nginx', IMAGE, 'warning'],
      ['fire-envoy-sidecar', '/spec/template/spec/containers/1/image', 'warning'],
      ['fire-nginx-1-17', IMAGE, 'warning'],
      ['fire-nginx-1-19-4-qualified', IMAGE, 'warning'],
      ['fire-nginx-sleep-only', IMAGE, 'warning'],
      ['fire-openresty', IMAGE, 'warning'],
    ]);
    expect(rows(findings)).toHaveLength(6);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findings.every((f) => !f.fixable)).toBe(true);
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', IMAGE, 'warning']]);
  });

  // Regression: a minor-only tag was read as patch 0 (`nginx:1.19` → 1.19.0), but the floating
  // tag 1.19 is the last 1.19 release, 1.19.10, built with STOPSIGNAL SIGQUIT
  // (knowledge/cloud-load-balancers.md §6: 1.19.5 and later use SIGQUIT).
  test('does not fire on the floating tag nginx:1.19', () => {
    expect(rowsOf(run(FIXTURE), ['dont-fire-nginx-1-19-floating'])).toEqual([]);
  });
});
