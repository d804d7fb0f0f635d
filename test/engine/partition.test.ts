/**
 * check in parts (engine/partition.ts) gives exactly what a whole check gives: over the shared
 * corpora, the fixtures and the examples split into as many parts as their namespaces allow, and
 * on inputs made to contradict the text pre-scan, which must send the input back to a whole check.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFiles, PART_BYTES } from '../../src/engine/partition.js';
import { checkSources, type CheckResult } from '../../src/engine/run.js';
import { listSources } from '../../src/load/files.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import type { Profile } from '../../src/profiles/types.js';
import { ROOT } from '../helpers.js';

function builtin(name: string): Profile {
  const p = findBuiltinProfile(name);
  if (!p) throw new Error(`${name} missing`);
  return p;
}

/** Both ways: in parts of at most `partBytes` (1: every namespace group its own part) and whole. */
function bothWays(paths: readonly string[], profile: Profile, partBytes = 1): { parts: CheckResult; whole: CheckResult; mode: string } {
  const files = listSources(paths, () => '');
  let mode = '';
  const parts = checkFiles(files, { profile }, { partBytes, onMode: (m, n) => (mode = `${m} ${n}`) });
  const whole = checkSources(
    files.map((f) => ({ path: f.path, text: f.read() })),
    { profile },
  );
  return { parts, whole, mode };
}

describe('check in parts equals the whole check', () => {
  // Parts per input when every namespace group is its own part (files sharing a namespace, or a
  // document without one, are one group).
  const inputs: ReadonlyArray<readonly [string, number]> = [
    ['../shared/corpus/apps', 4],
    ['../shared/corpus/kube-linter', 3],
    ['../shared/corpus/kube-score', 7],
    ['../shared/corpus/polaris', 6],
    ['test/fixtures', 67],
    ['examples', 8],
  ];
  for (const profile of ['generic', 'eks-alb-ip']) {
    for (const [input, parts] of inputs) {
      it(`${input} under ${profile}: ${parts} parts, same findings, notes and counts`, () => {
        const run = bothWays([join(ROOT, input)], builtin(profile));
        expect(run.mode).toBe(`parts ${parts}`);
        expect(run.parts).toEqual(run.whole);
        expect(run.whole.findings.length).toBeGreaterThan(0);
      });
    }
  }

  it('checks an input of PART_BYTES or less whole, without the pre-scan', () => {
    const files = listSources([join(ROOT, 'examples')], () => '');
    expect(files.reduce((sum, f) => sum + f.bytes, 0)).toBeLessThan(PART_BYTES);
    let mode = '';
    checkFiles(files, { profile: builtin('generic') }, { onMode: (m, n) => (mode = `${m} ${n}`) });
    expect(mode).toBe('whole 1');
  });
});

describe('inputs the pre-scan guesses wrong are checked whole', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rollsafe-partition-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  /** Writes files into a new folder: name → text. */
  const folder = (files: Readonly<Record<string, string>>): string => {
    const path = join(dir, String(n++));
    mkdirSync(path);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(path, name), text);
    return path;
  };
  const deployment = (namespace: string, name: string, extra = ''): string =>
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: app
          image: example/app:1
          ports: [{containerPort: 8080}]
${extra}`;
  const service = (namespace: string, name: string, app: string): string =>
    `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {app: ${app}}
  ports: [{port: 80, targetPort: 8080}]
`;
  const profile = builtin('generic');
  const ids = (result: CheckResult): string[] => result.findings.map((f) => `${f.ruleId} ${f.resource.namespace}/${f.resource.name} ${f.line}:${f.column}`);

  it('passes the whole input facts to each part: a Service in another part makes an unselected workload unserved', () => {
    const path = folder({ 'a.yaml': deployment('team-a', 'web'), 'b.yaml': service('team-b', 'api', 'nothing-here') });
    const run = bothWays([path], profile);
    expect(run.mode).toBe('parts 2');
    expect(run.parts).toEqual(run.whole);
    // team-a/web has no Service selecting it while the input has one: no Service-dependent finding
    // (its part alone has no Service, and alone it would have them).
    expect(ids(run.parts)).toEqual(['service-selects-nothing team-b/api 5:3']);
    const alone = bothWays([join(path, 'a.yaml')], profile);
    expect(ids(alone.whole)).toContain('readiness-probe-missing team-a/web 13:11');
  });

  it('a namespace written through an alias: the part holds an object in a namespace it was not given', () => {
    const aliased = deployment('team-a', 'web').replace('metadata:\n  name: web\n  namespace: team-a', 'metadata:\n  name: web\n  namespace: *ns').replace('replicas: 2', 'replicas: 2\n  x: &ns team-b');
    const path = folder({ 'a.yaml': aliased, 'b.yaml': service('team-b', 'web', 'web') });
    const run = bothWays([path], profile);
    expect(run.mode).toBe('whole-after-parts 2');
    expect(run.parts).toEqual(run.whole);
  });

  it('a ServiceMonitor over every namespace: block style refuses the parts, flow style is caught by the part', () => {
    const monitor = (selector: string): string =>
      `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: all, namespace: monitoring}
spec:
  namespaceSelector:${selector}
  selector: {matchLabels: {app: web}}
  endpoints: [{port: http}]
`;
    const block = bothWays([folder({ 'a.yaml': deployment('team-a', 'web'), 'm.yaml': monitor('\n    any: true') })], profile);
    expect(block.mode).toBe('whole 1');
    const flow = bothWays([folder({ 'a.yaml': deployment('team-a', 'web'), 'm.yaml': monitor(' {any: true}') })], profile);
    expect(flow.mode).toBe('whole-after-parts 2');
    expect(flow.parts).toEqual(flow.whole);
  });

  it('a webhook configuration calls a Service in the namespace it names: one part with it', () => {
    const webhook = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: guard}
webhooks:
  - name: guard.example.com
    clientConfig:
      service: {name: guard, namespace: team-a}
    admissionReviewVersions: [v1]
    sideEffects: None
`;
    const run = bothWays([folder({ 'a.yaml': deployment('team-a', 'guard') + '---\n' + service('team-a', 'guard', 'guard'), 'b.yaml': deployment('team-b', 'web'), 'w.yaml': webhook })], profile);
    expect(run.mode).toBe('parts 2');
    expect(run.parts).toEqual(run.whole);
    // guard is served by the API server only (failurePolicy Fail by default): its findings are capped at warning and say so.
    expect(run.parts.findings.filter((f) => f.resource.name === 'guard' && f.ruleId === 'readiness-probe-missing').map((f) => f.severity)).toEqual(['warning']);
  });

  it('a cluster-scoped object of one name in two parts is a duplicate only a whole check sees', () => {
    const webhook = (namespace: string): string =>
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: guard}
webhooks:
  - name: guard.example.com
    clientConfig:
      service: {name: guard, namespace: ${namespace}}
    admissionReviewVersions: [v1]
    sideEffects: None
`;
    const run = bothWays([folder({ 'a.yaml': webhook('team-a'), 'b.yaml': webhook('team-b') })], profile);
    expect(run.mode).toBe('whole-after-parts 2');
    expect(run.parts).toEqual(run.whole);
    expect(run.parts.findings.map((f) => f.message.slice(0, 60))).toEqual([
      'ValidatingWebhookConfiguration guard is defined more than on',
      'ValidatingWebhookConfiguration guard is defined more than on',
    ]);
  });

  it('a Service the pre-scan does not see (its kind through an alias) sends the input back whole', () => {
    const hidden = service('team-b', 'api', 'web').replace('kind: Service', 'kind: *k').replace('apiVersion: v1', 'apiVersion: v1\nx: &k Service');
    const run = bothWays([folder({ 'a.yaml': deployment('team-a', 'web'), 'b.yaml': hidden })], profile);
    expect(run.mode).toBe('whole-after-parts 2');
    expect(run.parts).toEqual(run.whole);
  });
});
