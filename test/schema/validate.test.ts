import { describe, expect, it } from 'vitest';
import { loadSources } from '../../src/load/objects.js';
import { validateObject } from '../../src/schema/validate.js';

describe('schema validation against the Kubernetes OpenAPI schema', () => {
  it('reports wrong types, unknown and misplaced fields with JSON Pointers', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'a', labels: { ok: 'x', n: 1 } },
      spec: {
        replicas: '3',
        selector: { matchLabels: { a: 'b' } },
        template: {
          strategy: { type: 'Recreate' },
          metadata: { labels: { a: 'b' } },
          spec: { replicas: 2, containers: [{ name: 'c', image: 'nginx', imagePullPolice: 'Always', lifecycle: { preStop: { exec: { command: ['sleep', 30] } } } }] },
        },
      },
    };
    expect(validateObject('apps/v1', 'Deployment', deployment).map((v) => [v.code, v.path])).toEqual([
      ['wrong-type', '/metadata/labels/n'],
      ['wrong-type', '/spec/replicas'],
      ['wrong-type', '/spec/template/spec/containers/0/lifecycle/preStop/exec/command/1'],
      ['misplaced-field', '/spec/template/strategy'],
      ['misplaced-field', '/spec/template/spec/replicas'],
      ['unknown-field', '/spec/template/spec/containers/0/imagePullPolice'],
    ]);
  });

  it('a valid object has no violations, and maps accept any key', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', annotations: { 'any/key': 'v' } }, spec: { selector: { x: 'y' }, ports: [{ port: 80, targetPort: 'http' }] } };
    expect(validateObject('v1', 'Service', svc)).toEqual([]);
  });

  it('missing required fields', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ image: 'nginx' }] } };
    expect(validateObject('v1', 'Pod', pod).map((v) => [v.code, v.path])).toEqual([['missing-field', '/spec/containers/0/name']]);
  });

  it('removed API versions and unknown kinds', () => {
    const text = 'apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: old}\nspec: {template: {spec: {containers: [{name: c}]}}}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n';
    const result = loadSources([{ path: 'x.yaml', text }]);
    expect(result.problems.map((p) => [p.code, p.path, p.line])).toEqual([['invalid-value', '/apiVersion', 1]]);
    expect(result.notes).toEqual([{ message: 'Widget (example.com/v1) is not a kind rollsafe analyzes; skipped', file: 'x.yaml', line: 6 }]);
    expect(result.objects).toBe(3);
    // ConfigMaps are read: they may name a Service that clients look up through the API (domain/service-role.ts).
    expect(result.resources.map((r) => r.kind)).toEqual(['Deployment', 'ConfigMap']);
  });

  it('an object that expands past the node budget is refused', () => {
    const text = ['apiVersion: v1', 'kind: Service', 'metadata:', '  name: s', '  annotations: &a0 {k: v}', ...Array.from({ length: 20 }, (_, i) => `x${i + 1}: &a${i + 1} [*a${i}, *a${i}, *a${i}]`), 'spec:', '  selector: {a: b}', '  ports: [*a20]'].join('\n');
    const result = loadSources([{ path: 'bomb.yaml', text }]);
    expect(result.problems.map((p) => p.code)).toContain('alias-bomb');
  });
});

describe('API versions judged against the cluster version', () => {
  const pdb = (apiVersion: string): string => `apiVersion: ${apiVersion}\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: {maxUnavailable: 1, selector: {matchLabels: {a: b}}}\n`;
  const problems = (apiVersion: string, version: string): string[] => loadSources([{ path: 'p.yaml', text: pdb(apiVersion) }], version).problems.map((p) => `${p.path} ${p.message}`);

  it('policy/v1beta1 is fine on 1.18 and removed on 1.25', () => {
    expect(problems('policy/v1beta1', '1.18')).toEqual([]);
    expect(problems('policy/v1beta1', '1.25')).toEqual(['/apiVersion policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25; the API server (1.25) rejects it: use policy/v1']);
  });

  it('policy/v1 is served from 1.21', () => {
    expect(problems('policy/v1', '1.20')).toEqual(['/apiVersion policy/v1 PodDisruptionBudget is served from Kubernetes 1.21; the API server (1.20) rejects it']);
    expect(problems('policy/v1', '1.21')).toEqual([]);
  });
});
