/**
 * The rule tester itself: it passes a rule that does what its cases say, and fails a rule that
 * mutates its input, reports another message or position, or offers a fix that is not valid
 * RFC 6902, does not remove its finding, or differs from the case's output; it refuses suites and
 * cases that assert nothing. And every rule of the catalog goes through it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { Fix, Rule } from '../../src/rules/types.js';
import { numberAt, recordAt } from '../../src/model/k8s.js';
import { RULES } from '../../src/rules/index.js';
import { prestopMissing } from '../../src/rules/prestop-missing.js';
import { ROOT } from '../helpers.js';
import { assertInvalid, assertSuite, assertValid, run, type InvalidCase } from './rule-tester.js';

function deployment(name: string, replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: app
          image: nginx:1.27
`;
}

/** A rule under test: Deployments with one replica, optionally with a fix and a misbehaviour. */
function oneReplica(options: { fix?: (replicas: number) => Fix; mutate?: boolean; id?: string } = {}): Rule {
  return {
    meta: {
      id: options.id ?? 'one-replica',
      category: 'capacity',
      severity: 'warning',
      description: 'a Deployment with one replica',
      fixable: options.fix !== undefined,
      serviceDependent: false,
      messages: { one: '{{name}} runs {{replicas}} replica' },
    },
    check(context) {
      for (const w of context.graph.workloads) {
        const spec = recordAt(w.resource.object, 'spec');
        const replicas = numberAt(spec, 'replicas');
        if (replicas !== 1) continue;
        if (options.mutate === true && spec) spec['replicas'] = 2;
        context.report({ resource: w.resource, path: '/spec/replicas', messageId: 'one', data: { name: w.resource.name, replicas }, ...(options.fix ? { fix: options.fix(replicas) } : {}) });
      }
    },
  };
}

const TWO: Fix = { kind: 'patch', description: 'two replicas', operations: [{ op: 'replace', path: '/spec/replicas', value: 2 }] };

const INVALID: InvalidCase = {
  yaml: deployment('web', 1) + '---\n' + deployment('api', 3),
  findings: [{ message: 'web runs 1 replica', path: '/spec/replicas', line: 6, column: 3, severity: 'warning' }],
  output: deployment('web', 2) + '---\n' + deployment('api', 3),
};

describe('the rule tester', () => {
  test('passes a rule that reports and fixes what the cases say, from YAML or from objects', () => {
    const rule = oneReplica({ fix: () => TWO });
    assertValid('one-replica', rule, { yaml: deployment('web', 3) });
    assertInvalid('one-replica', rule, INVALID);
    const object = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } } };
    assertInvalid('one-replica', rule, {
      objects: [object],
      findings: [{ message: 'web runs 1 replica', path: '/spec/replicas', line: 6, column: 3, severity: 'warning' }],
      output: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: app\n          image: nginx:1.27\n',
    });
  });

  test('fails a rule that mutates its input or the profile (both are frozen)', () => {
    expect(() => assertValid('one-replica', oneReplica({ mutate: true }), { yaml: deployment('web', 1) })).toThrow(TypeError);
    const base = oneReplica();
    const profileMutator: Rule = { meta: base.meta, check: (context) => void Object.assign(context.profile, { nodes: 1 }) };
    expect(() => assertValid('one-replica', profileMutator, { yaml: deployment('web', 3) })).toThrow(TypeError);
  });

  test('fails on another message, position or severity, a missing or extra finding', () => {
    const rule = oneReplica({ fix: () => TWO });
    const [expected] = INVALID.findings;
    if (expected === undefined) throw new Error('no finding');
    for (const wrong of [{ ...expected, message: 'web runs one replica' }, { ...expected, line: 7 }, { ...expected, column: 4 }, { ...expected, severity: 'error' as const }, { ...expected, path: '/spec' }]) {
      expect(() => assertInvalid('one-replica', rule, { ...INVALID, findings: [wrong] })).toThrow();
    }
    expect(() => assertInvalid('one-replica', rule, { ...INVALID, findings: [expected, expected] })).toThrow();
    expect(() => assertValid('one-replica', rule, { yaml: deployment('web', 1) })).toThrow();
  });

  test('fails a fix that is not valid RFC 6902 against its object', () => {
    const missing = oneReplica({ fix: () => ({ kind: 'patch', description: 'x', operations: [{ op: 'replace', path: '/spec/strategy/type', value: 'RollingUpdate' }] }) });
    expect(() => assertInvalid('one-replica', missing, INVALID)).toThrow(/not valid RFC 6902/);
  });

  test('fails a fix that leaves its finding, or brings a new one', () => {
    const same = oneReplica({ fix: () => ({ kind: 'patch', description: 'x', operations: [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }] }) });
    expect(() => assertInvalid('one-replica', same, INVALID)).toThrow(/the finding is gone/);
    // Fixed, but the fix labels the object, which the rule also reports: a finding at a new place.
    const labelled: Fix = { kind: 'patch', description: 'x', operations: [{ op: 'replace', path: '/spec/replicas', value: 2 }, { op: 'add', path: '/metadata/labels', value: { a: 'b' } }] };
    const base = oneReplica({ fix: () => labelled });
    const alsoLabels: Rule = {
      meta: { ...base.meta, messages: { ...base.meta.messages, labelled: '{{name}} is labelled' } },
      check(context) {
        base.check(context);
        for (const w of context.graph.workloads) if (recordAt(w.resource.object, 'metadata')?.['labels'] !== undefined) context.report({ resource: w.resource, path: '/metadata/labels', messageId: 'labelled', data: { name: w.resource.name } });
      },
    };
    expect(() => assertInvalid('one-replica', alsoLabels, INVALID)).toThrow(/no new finding/);
  });

  test('fails when the fixed text is not the output, and requires an output exactly when a finding has a fix', () => {
    const rule = oneReplica({ fix: () => TWO });
    expect(() => assertInvalid('one-replica', rule, { ...INVALID, output: deployment('web', 3) + '---\n' + deployment('api', 3) })).toThrow();
    const { output: _output, ...withoutOutput } = INVALID;
    expect(() => assertInvalid('one-replica', rule, withoutOutput)).toThrow(/needs `output`/);
    expect(() => assertInvalid('one-replica', oneReplica(), INVALID)).toThrow(/states no output/);
    expect(() => assertInvalid('one-replica', oneReplica(), withoutOutput)).not.toThrow();
  });

  test('fails a rule that offers fixes while its meta says it has none', () => {
    const rule = oneReplica({ fix: () => TWO });
    expect(() => assertInvalid('one-replica', { ...rule, meta: { ...rule.meta, fixable: false } }, INVALID)).toThrow(/its meta says fixable/);
  });

  test('refuses suites and cases that assert nothing', () => {
    const rule = oneReplica();
    const valid = { yaml: deployment('web', 3) };
    const { output: _output, ...invalid } = INVALID;
    expect(() => assertSuite('one-replica', rule, { valid: [], invalid: [invalid] })).toThrow(/no valid case/);
    expect(() => assertSuite('one-replica', rule, { valid: [valid], invalid: [] })).toThrow(/no invalid case/);
    expect(() => assertSuite('one-replica', rule, { valid: [valid], invalid: [{ ...invalid, findings: [] }] })).toThrow(/states no finding/);
    expect(() => assertSuite('one-replica', rule, { valid: [valid, valid], invalid: [invalid] })).toThrow(/duplicate case/);
    expect(() => assertSuite('other-id', rule, { valid: [valid], invalid: [invalid] })).toThrow(/id is one-replica/);
    expect(() => assertValid('one-replica', rule, {})).toThrow(/exactly one of `yaml` and `objects`/);
    expect(() => assertSuite('one-replica', rule, { valid: [valid], invalid: [invalid] })).not.toThrow();
  });

  test('runs only the catalog\'s rule of an id', () => {
    const { output: _output, ...invalid } = INVALID;
    expect(() => run('prestop-missing', oneReplica({ id: 'prestop-missing' }), { valid: [{ yaml: deployment('web', 3) }], invalid: [invalid] })).toThrow(/not the catalog's rule/);
    expect(RULES.get('prestop-missing')).toBe(prestopMissing);
  });
});

/** An id in camel case: `prestop-missing` → `prestopMissing` (how rules/index.ts imports each rule). */
function camel(id: string): string {
  return id.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
}

describe('every rule goes through the rule tester', () => {
  test.each([...RULES.keys()])('%s: its test file runs it through ruleTester.run', (id) => {
    const code = readFileSync(`${ROOT}test/rules/${id}.test.ts`, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    // run() itself refuses a suite without a valid and an invalid case, and a rule that is not the catalog's.
    expect(code).toContain(`ruleTester.run('${id}', ${camel(id)}, {`);
    expect(code).toContain(`import { ${camel(id)} } from '../../src/rules/${id}.js';`);
    // A rule that says it fixes has a case whose fix the tester applies (a case with a fix must state its output).
    expect(/^\s+output: /m.test(code), 'a case with an output').toBe(RULES.get(id)?.meta.fixable);
  });
});
