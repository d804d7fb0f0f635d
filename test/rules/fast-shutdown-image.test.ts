import { describe, expect, test } from 'vitest';
import { conventionViolations, findingAt, loadProblems, rows, rowsOf, run, runUnsuppressed } from './helpers.js';

const FIXTURE = 'fast-shutdown-image';
const IMAGE = '/spec/template/spec/containers/0/image';

describe('fast-shutdown-image', () => {
  test('the fixture is valid', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
  });

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

  test('positions: the line of the image field', () => {
    const findings = run(FIXTURE);
    expect(findingAt(findings, 'fire-nginx-1-17', IMAGE).line).toBe(35);
    expect(findingAt(findings, 'fire-envoy-sidecar', '/spec/template/spec/containers/1/image').line).toBe(151);
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
