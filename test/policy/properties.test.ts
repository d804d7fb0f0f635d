/**
 * Property tests for the parts of the policy that re-express the rules' text matching in CEL
 * (preStop sleep commands and scripts, shell and package-manager commands, image names and tags):
 * on generated containers the CEL verdict equals the rule's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../src/engine/run.js';
import { compilePolicy } from '../../src/policy/policy.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { judge, type PolicyView } from './evaluate.js';

const generic = findBuiltinProfile('generic');
if (!generic) throw new Error('no generic profile');
const profile = generic;
const compiled = compilePolicy({ profile, mode: 'warn' });
const spec = (compiled.documents[0] as { spec: PolicyView }).spec;
const ids = compiled.rules.map((r) => r.ruleId);

/** How often each rule fired on the generated objects (the properties are not vacuous). */
const fired = new Map<string, number>();

/** Rule ids that fire on a one-container Deployment: by `rollsafe check` and by the policy. */
function verdicts(container: Record<string, unknown>, grace: number): { rule: string[]; cel: string[]; errors: readonly string[] } {
  const object = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'gen', namespace: 'ns' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'gen' } }, template: { metadata: { labels: { app: 'gen' } }, spec: { terminationGracePeriodSeconds: grace, containers: [{ name: 'app', ports: [{ containerPort: 80 }], readinessProbe: { tcpSocket: { port: 80 } }, ...container }] } } },
  };
  const rule = checkSources([{ path: 'gen.json', text: JSON.stringify(object) }], { profile }).findings.map((f) => f.ruleId).filter((id) => ids.includes(id));
  const verdict = judge(spec, object);
  for (const id of new Set(rule)) fired.set(id, (fired.get(id) ?? 0) + 1);
  return { rule: [...new Set(rule)].sort(), cel: [...verdict.failed.keys()].map((i) => ids[i] ?? '').sort(), errors: verdict.errors };
}

const word = fc.constantFrom('sleep', '/bin/sleep', '/usr/bin/sleep', 'sh', '/bin/sh', 'bash', 'ash', 'busybox sh', '-c', '-lc', '-ec', '-x', 'exec', 'npm', 'yarn', '/usr/local/bin/npm', 'start', 'run', 'serve', 'node', 'server.js', 'nginx', '-s', 'quit', 'kill', '-QUIT', 'trap', 'TERM');
const duration = fc.constantFrom('5', '30', '0.5', '5s', '1m', '2h', '10.25', ' 7 ', '5;', '5x', '', '08', '1.', '.5');
const separator = fc.constantFrom(' ', '  ', '\t', '\n', ' && ', ';', ' | ', ' || ', ' & ', '; ', '&&&', '|||');
const token = fc.oneof(word, duration);
/** A shell script: tokens joined by separators. */
const script = fc.array(fc.tuple(token, separator), { minLength: 1, maxLength: 6 }).map((parts) => parts.map(([t, s]) => t + s).join('').trimEnd());
const argv = fc.array(fc.oneof(token, script), { minLength: 0, maxLength: 4 });

const image = fc
  .tuple(
    fc.constantFrom('', 'docker.io/', 'docker.io/library/', 'library/', 'gcr.io/distroless/', 'cgr.dev/chainguard/', 'bitnami/', 'openresty/', 'envoyproxy/', 'registry:5000/team/'),
    fc.constantFrom('nginx', 'openresty', 'envoy', 'envoy-distroless', 'static', 'static-debian12', 'scratch', 'app', 'base-distroless'),
    fc.constantFrom('', ':1.19', ':1.19.4', ':1.19.5', ':1.18-alpine', ':0.9', ':01.019.04', ':1.19.', ':latest', ':debug', ':nonroot-debug', ':1.2-dev', ':2.0'),
    fc.constantFrom('', '@sha256:abc'),
  )
  .map(([registry, name, tag, digest]) => registry + name + tag + digest);

const preStop = fc.oneof(
  fc.constant(undefined),
  argv.map((command) => ({ exec: { command } })),
  fc.tuple(fc.constantFrom('sh', '/bin/sh', 'bash', 'busybox sh', '/usr/bin/sh'), fc.constantFrom('-c', '-lc'), script).map(([sh, flag, s]) => ({ exec: { command: [sh, flag, s] } })),
  fc.tuple(fc.constantFrom('sleep', '/bin/sleep', 'sleep2'), duration).map(([s, d]) => ({ exec: { command: [s, d] } })),
  fc.integer({ min: 0, max: 60 }).map((seconds) => ({ sleep: { seconds } })),
  fc.constant({ httpGet: { path: '/drain', port: 80 } }),
);

describe('generated containers: the policy agrees with the rules', () => {
  it('preStop hooks, commands and images', () => {
    fc.assert(
      fc.property(preStop, argv, argv, image, fc.constantFrom(1, 30, 45, 90), (hook, command, args, img, grace) => {
        const container: Record<string, unknown> = { image: img };
        if (hook) container['lifecycle'] = { preStop: hook };
        if (command.length > 0) container['command'] = command;
        if (args.length > 0) container['args'] = args;
        const v = verdicts(container, grace);
        expect(v.errors).toEqual([]);
        expect(v.cel).toEqual(v.rule);
      }),
      { numRuns: 400, seed: 20261204 },
    );
  });

  it('shell commands: sh -c with generated scripts', () => {
    fc.assert(
      fc.property(fc.constantFrom('sh', '/bin/sh', '/usr/bin/bash', 'dash', 'zsh'), fc.constantFrom('-c', '-lc', '-ec', '-x', 'c'), script, (sh, flag, s) => {
        const v = verdicts({ image: 'app:1', command: [sh, flag, s] }, 60);
        expect(v.errors).toEqual([]);
        expect(v.cel).toEqual(v.rule);
      }),
      { numRuns: 400, seed: 7 },
    );
  });

  it('the generated objects make each text-matching rule fire, and not fire', () => {
    for (const id of ['fast-shutdown-image', 'prestop-exec-unavailable', 'prestop-missing', 'sigterm-not-forwarded']) {
      // With the fixed seeds: 12 to 480 of the 800 objects.
      expect(fired.get(id) ?? 0, id).toBeGreaterThanOrEqual(10);
      expect(fired.get(id) ?? 0, id).toBeLessThan(800);
    }
  });
});
