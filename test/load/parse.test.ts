import fc from 'fast-check';
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadSources } from '../../src/load/objects.js';
import { findTemplateAction, parseSource, splitDocuments } from '../../src/load/parse.js';
import { locate } from '../../src/document/document.js';

const doc = `# leading comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    drain: on
spec:
  template:
    spec:
      containers:
        - name: app
          ports: [{containerPort: 80}]
          lifecycle:
            preStop:
              exec:
                command: [sleep, 30]
`;

describe('positions', () => {
  const [parsed] = parseSource({ path: 'a.yaml', text: doc }).documents;
  if (!parsed) throw new Error('no document');
  it.each([
    ['', 2, 1],
    ['/kind', 3, 1],
    ['/metadata/annotations/drain', 7, 5],
    ['/spec/template/spec/containers/0', 12, 11],
    ['/spec/template/spec/containers/0/name', 12, 11],
    ["/spec/template/spec/containers/0/ports/0/containerPort", 13, 20],
    ["/spec/template/spec/containers/0/lifecycle/preStop/exec/command/1", 17, 34],
    ['/spec/template/spec/containers/0/missing/deeper', 12, 11],
  ])('%s is at %i:%i', (pointer, line, column) => {
    expect(locate(parsed, pointer)).toEqual({ line, column });
  });

  it('second document lines count from the file start', () => {
    const text = `a: 1\n---\nkind: X\napiVersion: v1\nmetadata:\n  name: y\n`;
    const docs = parseSource({ path: 'b.yaml', text }).documents;
    expect(docs.map((d) => d.index)).toEqual([0, 1]);
    const second = docs[1];
    if (!second) throw new Error('missing');
    expect(locate(second, '/metadata/name')).toEqual({ line: 6, column: 3 });
  });

  it('CRLF line endings keep lines right', () => {
    const [d] = parseSource({ path: 'c.yaml', text: doc.replace(/\n/g, '\r\n') }).documents;
    if (!d) throw new Error('missing');
    expect(locate(d, '/metadata/annotations/drain').line).toBe(7);
  });
});

describe('YAML 1.1 scalars, as the Kubernetes decoder reads them', () => {
  it('plain on/yes/off are booleans; quoted ones are strings', () => {
    const [d] = parseSource({ path: 'a.yaml', text: 'a: on\nb: "on"\nc: yes\nd: off\ne: y\nf: True\n' }).documents;
    expect(d?.value).toEqual({ a: true, b: 'on', c: true, d: false, e: true, f: true });
  });

  it('exactly the 22 YAML 1.1 boolean words are booleans, in no other case or length', () => {
    const words = ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'];
    const others = ['yES', 'tRUE', 'oN', 'nO', 'oFF', 'fALSE', 'o', 't', 'f', 'Yess', 'yes!', 'Y2', 'off-', 'nope', 'falsey', 'x', 'é', '9'];
    const text = [...words, ...others].map((w, i) => `k${i}: ${w}`).join('\n');
    const [d] = parseSource({ path: 'a.yaml', text }).documents;
    const booleans = [true, true, true, true, true, true, true, true, true, true, true, false, false, false, false, false, false, false, false, false, false, false];
    const strings = ['yES', 'tRUE', 'oN', 'nO', 'oFF', 'fALSE', 'o', 't', 'f', 'Yess', 'yes!', 'Y2', 'off-', 'nope', 'falsey', 'x', 'é', 9];
    expect(Object.values(d?.value as Record<string, unknown>)).toEqual([...booleans, ...strings]);
  });

  it('floats are read as js-yaml core reads them', () => {
    const scalars = ['1.5', '-2e3', '+1.0', '.5', '0.', '1e5', '1E-2', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '3', '-0', '0x1F', '1_000.5', '1.2.3', 'e5', 'inf', 'nan', 'NaN', 'v1.5', '~', '', '-1', '.', '+', '..5', '1.5x', ' 2.5', '١.٥'];
    const text = scalars.map((w, i) => `k${i}: ${w === '' ? "''" : w === ' 2.5' ? '" 2.5"' : w}`).join('\n');
    const [d] = parseSource({ path: 'a.yaml', text }).documents;
    const core = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA }) as Record<string, unknown>;
    expect(Object.values(d?.value as Record<string, unknown>)).toEqual(Object.values(core));
    expect(Object.values(d?.value as Record<string, unknown>).slice(0, 14)).toEqual([1.5, -2000, 1, 0.5, 0, 100000, 0.01, Infinity, -Infinity, Infinity, Number.NaN, Number.NaN, 3, 0]);
    fc.assert(
      fc.property(fc.stringMatching(/^[-+.0-9a-zA-Z_]{1,8}$/), (w) => {
        // A lone `-` starts a sequence entry, not a scalar.
        if (w === '-') return;
        const line = `k: ${w}\n`;
        const ours = parseSource({ path: 'p.yaml', text: line }).documents[0]?.value as Record<string, unknown> | undefined;
        const theirs = jsYaml.load(line, { schema: jsYaml.CORE_SCHEMA }) as Record<string, unknown>;
        // YAML 1.1 booleans (y, n, on, off…) are where the two schemas differ by design.
        if (typeof ours?.['k'] === 'boolean') return;
        expect(Object.is(ours?.['k'], theirs['k']) || ours?.['k'] === theirs['k']).toBe(true);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('an unquoted on in an annotation is an invalid-manifest problem that says to quote it', () => {
    const result = loadSources([{ path: 'svc.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n    x/connection-drain: on\nspec:\n  selector: {a: b}\n' }]);
    expect(result.problems.map((p) => [p.code, p.path, p.line, p.column])).toEqual([['wrong-type', '/metadata/annotations/x~1connection-drain', 6, 25]]);
    expect(result.problems[0]?.message).toContain('quote it ("on")');
  });
});

describe('document splitting', () => {
  it('splits at --- and ... markers only at column 0', () => {
    const chunks = splitDocuments('a: 1\n---\nb: "---"\nc: |\n  ---x\n...\n--- \nd: 2\n');
    expect(chunks.map((c) => c.offset)).toEqual([0, 5, 34]);
  });

  it('a broken document does not hide the good ones around it', () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nkey: [unclosed\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n';
    const result = parseSource({ path: 'x.yaml', text });
    expect(result.documents.map((d) => d.index)).toEqual([0, 2]);
    expect(result.problems.map((p) => [p.code, p.line])).toEqual([["yaml-syntax", 5]]);
  });
});

describe('unrendered Helm templates', () => {
  it.each([
    ['replicas: {{ .Values.replicas }}\n', 1],
    ['metadata:\n  name: x\n{{- if .Values.enabled }}\nspec: {}\n{{- end }}\n', 3],
    ['image: "{{ .Values.image }}"\n', 1],
  ])('%j is reported at line %i', (text, line) => {
    const result = parseSource({ path: 't.yaml', text });
    expect(result.problems.map((p) => [p.code, p.line])).toEqual([['helm-template', line]]);
  });

  it('Go templates inside a block scalar (e.g. an alerting ConfigMap) are data, not Helm', () => {
    expect(findTemplateAction('data:\n  tmpl: |\n    {{ .Labels.alertname }}\n    {{ range .Alerts }}x{{ end }}\nkind: ConfigMap\n')).toBe(-1);
  });
});

describe('kind: List and JSON', () => {
  it('List items become objects with /items/N pointers', () => {
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { a: 'b' }, ports: [{ port: 'eighty' }] } }] }, null, 2);
    const result = loadSources([{ path: 'l.json', text }]);
    expect(result.objects).toBe(1);
    expect(result.resources.map((r) => [r.kind, r.name, r.base])).toEqual([['Service', 's', '/items/0']]);
    expect(result.problems.map((p) => [p.code, p.path, p.line])).toEqual([['wrong-type', '/items/0/spec/ports/0/port', 17]]);
  });
});

describe('parser properties', () => {
  it('never throws; every problem has a position inside the text', () => {
    const fragment = fc.constantFrom('a', 'kind', ':', ' ', '  ', '\n', '- ', '"', "'", '{', '}', '[', ']', '\t', '{{', '&x ', '*x', '---\n', '#', '|', '1');
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 60 }).map((parts) => parts.join('')), (text) => {
        const lines = text.split('\n').length;
        const result = parseSource({ path: 'p.yaml', text });
        for (const p of result.problems) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.line).toBeLessThanOrEqual(lines);
          expect(p.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 500 },
    );
  });
});
