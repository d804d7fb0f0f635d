/**
 * applyFixes: surgical edits of YAML text, pinned as exact output text. Every case also holds
 * something the edit must not touch (a comment, a quote style, an indentation, a line end).
 */
import { describe, expect, it } from 'vitest';
import type { Fix, PatchOperation } from '../../src/rules/types.js';
import { applyFixes, type TargetedFix } from '../../src/fix/apply.js';

function patch(...operations: PatchOperation[]): Fix {
  return { kind: 'patch', description: 'test', operations };
}

/** Applies patch fixes to document 0 and returns the text (every fix must apply). */
function fixed(text: string, ...fixes: Fix[]): string {
  const result = applyFixes(text, fixes.map((fix) => ({ document: 0, fix })));
  expect(result.outcomes).toEqual(fixes.map(() => ({ status: 'applied' })));
  return result.text;
}

const DEPLOYMENT = `# the app
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # trailing comment
  labels: {app: web, tier: "front"}
spec:
  replicas: 3
  template:
    spec:
      # containers below
      containers:
      - name: web
        image: 'nginx:1.25'
        ports:
        - containerPort: 80
        # no probe yet
      terminationGracePeriodSeconds: 30
`;

describe('applyFixes: replace', () => {
  it('replaces a scalar in place, keeping the trailing comment', () => {
    expect(fixed(DEPLOYMENT, patch({ op: 'replace', path: '/spec/replicas', value: 5 }))).toBe(DEPLOYMENT.replace('replicas: 3', 'replicas: 5'));
    expect(fixed('a: 1 # one\nb: 2\n', patch({ op: 'replace', path: '/a', value: 7 }))).toBe('a: 7 # one\nb: 2\n');
  });

  it('keeps the quote style of the old scalar', () => {
    expect(fixed(DEPLOYMENT, patch({ op: 'replace', path: '/spec/template/spec/containers/0/image', value: "it's:2" }))).toBe(DEPLOYMENT.replace("'nginx:1.25'", "'it''s:2'"));
    expect(fixed(DEPLOYMENT, patch({ op: 'replace', path: '/metadata/labels/tier', value: 'back' }))).toBe(DEPLOYMENT.replace('"front"', '"back"'));
    expect(fixed('command: ["sleep", "30"]\n', patch({ op: 'replace', path: '/command/1', value: '40' }))).toBe('command: ["sleep", "40"]\n');
  });

  it('quotes a string that YAML would read as something else', () => {
    for (const [value, text] of [
      ['30', '"30"'],
      ['on', '"on"'],
      ['yes', '"yes"'],
      ['null', '"null"'],
      ['0o17', '"0o17"'],
      ['a: b', '"a: b"'],
      ['x #y', '"x #y"'],
      ['', '""'],
      ['plain words', 'plain words'],
    ] as const) {
      expect(fixed('k: v\n', patch({ op: 'replace', path: '/k', value })), value).toBe(`k: ${text}\n`);
    }
    expect(fixed('k: [a, b]\n', patch({ op: 'replace', path: '/k/0', value: 'x,y' }))).toBe('k: ["x,y", b]\n');
  });

  it('replaces a block mapping key by key, so comments and order inside stay', () => {
    const text = 'spec:\n  strategy:\n    type: Recreate # all at once\n    # old pods go first\n  replicas: 2\n';
    const value = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } };
    expect(fixed(text, patch({ op: 'replace', path: '/spec/strategy', value }))).toBe(
      'spec:\n  strategy:\n    type: RollingUpdate # all at once\n    rollingUpdate:\n      maxUnavailable: 0\n      maxSurge: 1\n    # old pods go first\n  replicas: 2\n',
    );
  });

  it('replaces a scalar with a mapping by writing the entry anew', () => {
    expect(fixed('a:\n  b: 1\n  c: 2\n', patch({ op: 'replace', path: '/a/b', value: { x: [1, 'two'] } }))).toBe('a:\n  b:\n    x:\n      - 1\n      - two\n  c: 2\n');
  });

  it('replaces an exec preStop with the native sleep action (a different key)', () => {
    const text = 'lifecycle:\n  preStop:\n    # wait for the endpoints\n    exec:\n      command: ["sleep", "5"]\n';
    expect(fixed(text, patch({ op: 'replace', path: '/lifecycle/preStop', value: { sleep: { seconds: 5 } } }))).toBe(
      'lifecycle:\n  preStop:\n    # wait for the endpoints\n    sleep:\n      seconds: 5\n',
    );
  });
});

describe('applyFixes: add', () => {
  it('adds a key after the last entry of a block mapping, at its indentation, before comments that follow', () => {
    const out = fixed(DEPLOYMENT, patch({ op: 'add', path: '/spec/template/spec/containers/0/readinessProbe', value: { tcpSocket: { port: 80 } } }));
    expect(out).toBe(DEPLOYMENT.replace('        - containerPort: 80\n', '        - containerPort: 80\n        readinessProbe:\n          tcpSocket:\n            port: 80\n'));
  });

  it('skips comment lines indented deeper than the new key (they belong to the entry above)', () => {
    const out = fixed(DEPLOYMENT, patch({ op: 'add', path: '/spec/template/spec/hostname', value: 'h' }));
    expect(out).toBe(DEPLOYMENT + '      hostname: h\n');
    const text = 'spec:\n  a:\n    b: 1\n    # about b\n  # about c\n  c: 2\n';
    expect(fixed(text, patch({ op: 'add', path: '/spec/a/d', value: 3 }))).toBe('spec:\n  a:\n    b: 1\n    d: 3\n    # about b\n  # about c\n  c: 2\n');
  });

  it('keeps the indentation style of lists: `- ` under the key, or indented', () => {
    const flush = 'spec:\n  containers:\n  - name: a\n';
    expect(fixed(flush, patch({ op: 'add', path: '/spec/volumes', value: [{ name: 'v' }] }))).toBe('spec:\n  containers:\n  - name: a\n  volumes:\n  - name: v\n');
    const indented = 'spec:\n    containers:\n        - name: a\n';
    expect(fixed(indented, patch({ op: 'add', path: '/spec/volumes', value: [{ name: 'v', emptyDir: {} }] }))).toBe(
      'spec:\n    containers:\n        - name: a\n    volumes:\n        - name: v\n          emptyDir: {}\n',
    );
  });

  it('appends to and inserts into a block list', () => {
    const text = 'args:\n  - --a # first\n  - --b\nx: 1\n';
    expect(fixed(text, patch({ op: 'add', path: '/args/-', value: '--c' }))).toBe('args:\n  - --a # first\n  - --b\n  - --c\nx: 1\n');
    expect(fixed(text, patch({ op: 'add', path: '/args/1', value: '--z' }))).toBe('args:\n  - --a # first\n  - --z\n  - --b\nx: 1\n');
  });

  it('creates a missing parent', () => {
    const text = 'metadata:\n  name: web\nspec: {}\n';
    expect(fixed(text, patch({ op: 'add', path: '/metadata/annotations/a.io~1drain', value: 'on' }))).toBe('metadata:\n  name: web\n  annotations:\n    a.io/drain: "on"\nspec: {}\n');
  });

  it('fills a key that has no value (null), keeping its comment', () => {
    expect(fixed('metadata:\n  annotations: # none yet\n  name: x\n', patch({ op: 'add', path: '/metadata/annotations/k', value: 'v' }))).toBe(
      'metadata:\n  annotations: # none yet\n    k: v\n  name: x\n',
    );
    expect(fixed('metadata:\n  annotations:\n', patch({ op: 'add', path: '/metadata/annotations', value: { k: 'v' } }))).toBe('metadata:\n  annotations:\n    k: v\n');
    expect(fixed('spec:\n  replicas: # unset\n', patch({ op: 'add', path: '/spec/replicas', value: 2 }))).toBe('spec:\n  replicas: 2 # unset\n');
  });

  it('adds to a flow mapping by writing it anew in flow style; an empty one becomes a block', () => {
    expect(fixed('labels: {app: web}\n', patch({ op: 'add', path: '/labels/tier', value: 'front' }))).toBe('labels: {app: web, tier: front}\n');
    // `n` is a boolean to Kubernetes' YAML 1.1 reader: as a key it must be quoted.
    expect(fixed('labels: { app: web }\n', patch({ op: 'add', path: '/labels/n', value: '1' }))).toBe('labels: { app: web, "n": "1" }\n');
    expect(fixed('metadata:\n  annotations: {}\n  name: x\n', patch({ op: 'add', path: '/metadata/annotations/k', value: 'v' }))).toBe('metadata:\n  annotations:\n    k: v\n  name: x\n');
  });

  it('adds into a flow list', () => {
    expect(fixed('command: [sleep]\n', patch({ op: 'add', path: '/command/-', value: '30' }))).toBe('command: [sleep, "30"]\n');
  });

  it('replaces the value of a key that exists (add on a mapping member)', () => {
    expect(fixed('spec:\n  terminationGracePeriodSeconds: 30\n', patch({ op: 'add', path: '/spec/terminationGracePeriodSeconds', value: 65 }))).toBe('spec:\n  terminationGracePeriodSeconds: 65\n');
  });
});

describe('applyFixes: remove', () => {
  it('removes a key with its lines; a trailing comment stays on a line of its own', () => {
    expect(fixed(DEPLOYMENT, patch({ op: 'remove', path: '/spec/replicas' }))).toBe(DEPLOYMENT.replace('  replicas: 3\n', ''));
    expect(fixed('spec:\n  replicas: 3 # set by hand\n  paused: false\n', patch({ op: 'remove', path: '/spec/replicas' }))).toBe('spec:\n  # set by hand\n  paused: false\n');
  });

  it('removes a nested block and keeps the comment lines inside it', () => {
    const text = 'spec:\n  strategy:\n    # roll slowly\n    type: RollingUpdate\n  replicas: 2\n';
    expect(fixed(text, patch({ op: 'remove', path: '/spec/strategy' }))).toBe('spec:\n    # roll slowly\n  replicas: 2\n');
  });

  it('removes the first key of a list item: the next key moves behind the dash', () => {
    expect(fixed('items:\n- a: 1\n  b: 2\n', patch({ op: 'remove', path: '/items/0/a' }))).toBe('items:\n- b: 2\n');
  });

  it('removes the last key of a mapping: the mapping becomes {}', () => {
    expect(fixed('spec:\n  replicas: 3\nx: 1\n', patch({ op: 'remove', path: '/spec/replicas' }))).toBe('spec: {}\nx: 1\n');
  });

  it('removes a list item', () => {
    expect(fixed('args:\n- a\n- b # second\n- c\n', patch({ op: 'remove', path: '/args/1' }))).toBe('args:\n- a\n# second\n- c\n');
  });
});

describe('applyFixes: documents and streams', () => {
  const STREAM = '# head\napiVersion: v1\nkind: A\n# tail of A\n---\n# about B\napiVersion: v1\nkind: B\n';

  it('appends a new document right after its document; other documents stay byte for byte', () => {
    const result = applyFixes(STREAM, [{ document: 0, fix: { kind: 'document', description: 'pdb', document: { kind: 'C', spec: { count: 1 } } } }]);
    expect(result.text).toBe('# head\napiVersion: v1\nkind: A\n# tail of A\n---\nkind: C\nspec:\n  count: 1\n---\n# about B\napiVersion: v1\nkind: B\n');
    const last = applyFixes('kind: A', [{ document: 0, fix: { kind: 'document', description: 'pdb', document: { kind: 'C' } } }]);
    expect(last.text).toBe('kind: A\n---\nkind: C\n');
  });

  it('edits the second document only', () => {
    const result = applyFixes(STREAM, [{ document: 1, fix: patch({ op: 'add', path: '/metadata', value: { name: 'b' } }) }]);
    expect(result.text).toBe(STREAM + 'metadata:\n  name: b\n');
  });

  it('keeps CRLF line ends', () => {
    const crlf = 'kind: A\r\nspec:\r\n  containers:\r\n  - name: a # main\r\n';
    const out = fixed(crlf, patch({ op: 'add', path: '/spec/containers/0/readinessProbe', value: { tcpSocket: { port: 80 } } }));
    expect(out).toBe('kind: A\r\nspec:\r\n  containers:\r\n  - name: a # main\r\n    readinessProbe:\r\n      tcpSocket:\r\n        port: 80\r\n');
    const doc = applyFixes(crlf, [{ document: 0, fix: { kind: 'document', description: 'x', document: { kind: 'C', a: { b: 1 } } } }]);
    expect(doc.text).toBe(crlf + '---\r\nkind: C\r\na:\r\n  b: 1\r\n');
  });

  it('applies several operations of one fix in order', () => {
    const text = 'spec:\n  containers:\n  - name: a\n';
    const out = fixed(text, patch({ op: 'add', path: '/spec/containers/0/lifecycle', value: { preStop: { sleep: { seconds: 35 } } } }, { op: 'add', path: '/spec/terminationGracePeriodSeconds', value: 65 }));
    expect(out).toBe('spec:\n  containers:\n  - name: a\n    lifecycle:\n      preStop:\n        sleep:\n          seconds: 35\n  terminationGracePeriodSeconds: 65\n');
  });
});

describe('applyFixes: overlap and safety', () => {
  it('defers a fix that touches a path an earlier fix of the pass touched', () => {
    const fixes: TargetedFix[] = [
      { document: 0, fix: patch({ op: 'add', path: '/metadata/annotations', value: { a: '1' } }) },
      { document: 0, fix: patch({ op: 'add', path: '/metadata/annotations', value: { b: '2' } }) },
      { document: 0, fix: patch({ op: 'add', path: '/metadata/annotations/c', value: '3' }) },
      { document: 0, fix: patch({ op: 'add', path: '/metadata/labels', value: { d: '4' } }) },
    ];
    const result = applyFixes('metadata:\n  name: x\n', fixes);
    expect(result.outcomes.map((o) => o.status)).toEqual(['applied', 'deferred', 'deferred', 'applied']);
    expect([result.applied, result.skipped]).toEqual([2, 2]);
    expect(result.text).toBe('metadata:\n  name: x\n  annotations:\n    a: "1"\n  labels:\n    d: "4"\n');
  });

  it('treats an insertion into a list as touching the whole list', () => {
    const result = applyFixes('args:\n- a\n- b\n', [
      { document: 0, fix: patch({ op: 'add', path: '/args/0', value: 'z' }) },
      { document: 0, fix: patch({ op: 'replace', path: '/args/1', value: 'y' }) },
    ]);
    expect(result.outcomes.map((o) => o.status)).toEqual(['applied', 'deferred']);
  });

  it('refuses what it cannot do safely, and changes nothing for it', () => {
    const anchored = 'a: &x {k: 1}\nb: *x\n';
    const cases: Array<[string, Fix, RegExp]> = [
      [anchored, patch({ op: 'replace', path: '/a/k', value: 2 }), /does not read back/],
      [anchored, patch({ op: 'add', path: '/b/j', value: 2 }), /alias/],
      ['a: 1\n', patch({ op: 'replace', path: '/b', value: 2 }), /does not exist/],
      ['a: 1\n', patch({ op: 'add', path: '/a/b', value: 2 }), /no mapping or list/],
      ['a: 1\n', patch({ op: 'replace', path: '/a', value: 1 }), /changes nothing/],
      ['a: {b: 1, # c\n  d: 2}\n', patch({ op: 'add', path: '/a/e', value: 3 }), /comments inside/],
    ];
    for (const [text, fix, reason] of cases) {
      const result = applyFixes(text, [{ document: 0, fix }]);
      expect(result.text, JSON.stringify(fix)).toBe(text);
      const [outcome] = result.outcomes;
      expect(outcome?.status).toBe('refused');
      expect(outcome?.status === 'refused' ? outcome.reason : '').toMatch(reason);
    }
  });

  it('refuses fixes for a document that does not exist or does not parse', () => {
    const result = applyFixes('a: [1\n---\nb: 2\n', [
      { document: 0, fix: patch({ op: 'add', path: '/c', value: 1 }) },
      { document: 2, fix: patch({ op: 'add', path: '/c', value: 1 }) },
      { document: 1, fix: patch({ op: 'add', path: '/c', value: 1 }) },
    ]);
    expect(result.outcomes.map((o) => o.status)).toEqual(['refused', 'refused', 'applied']);
    expect(result.text).toBe('a: [1\n---\nb: 2\nc: 1\n');
  });
});

describe('applyFixes: a fix alone after fixing together', () => {
  it('gives what the fix does alone on a fresh copy, whatever the fixes before it did', () => {
    const doc = (fix: Fix): Fix => ({ kind: 'document', description: 'test', document: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: fix.description } } });
    const fixes: Fix[] = [
      patch({ op: 'replace', path: '/spec/replicas', value: 3 }),
      doc(patch()),
      patch({ op: 'replace', path: '/spec/replicas', value: 4 }),
      patch({ op: 'add', path: '/spec/minReadySeconds', value: 5 }),
      patch({ op: 'replace', path: '/spec/replicas', value: 5 }),
      patch({ op: 'replace', path: '/metadata/name', value: 'api' }),
    ];
    const text = `kind: Service\n---\n${DEPLOYMENT}`;
    const together = applyFixes(text, fixes.map((fix) => ({ document: 1, fix })));
    expect(together.outcomes.map((o) => o.status)).toEqual(['refused', 'applied', 'applied', 'applied', 'deferred', 'applied']);
    for (const fix of fixes) {
      const alone = applyFixes(text, [{ document: 1, fix }]);
      expect(alone).toEqual(applyFixes(text, [{ document: 1, fix: structuredClone(fix) }]));
    }
  });
});
