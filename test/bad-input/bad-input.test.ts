/**
 * Hostile and broken inputs, run through the real CLI in-process (`main(argv, io)`): each must end
 * with exit code 1 and an `invalid-manifest` finding at the exact line and column, exit code 0 when
 * the input is fine, or exit code 2 with a one-line message naming the file; never a stack trace.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';
import { checkSources } from '../../src/engine/run.js';
import { BUILTIN_PROFILES, findBuiltinProfile } from '../../src/profiles/builtin.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/bad-input/', import.meta.url));

/** The JSON report, as far as these tests read it. */
interface JsonFinding {
  readonly ruleId: string;
  readonly severity: string;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
}

interface JsonReport {
  readonly summary: { readonly files: number; readonly objects: number; readonly errors: number; readonly warnings: number; readonly infos: number };
  readonly findings: readonly JsonFinding[];
  readonly notes: ReadonlyArray<{ readonly message: string; readonly file: string; readonly line: number }>;
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** A capturing io; the default `.rollsafe.yaml` of the working directory is never read. */
function capture(stdin: string): { io: Io; out: () => { stdout: string; stderr: string } } {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stdin: () => stdin,
    readFile: (path) => readFileSync(path, 'utf8'),
    fileExists: (path) => path !== '.rollsafe.yaml' && existsSync(path),
    env: {},
    isTTY: false,
  };
  return { io, out: () => ({ stdout, stderr }) };
}

function runCli(argv: readonly string[], stdin = ''): Run {
  const { io, out } = capture(stdin);
  const start = performance.now();
  const code = main(argv, io);
  const ms = performance.now() - start;
  const { stdout, stderr } = out();
  expectNoStackTrace(stdout);
  expectNoStackTrace(stderr);
  return { code, stdout, stderr, ms };
}

function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/^ {4}at /m);
  expect(text).not.toContain('TypeError');
  expect(text).not.toContain('node:internal');
  expect(text).not.toContain('internal error');
}

function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** `rollsafe check --format json PATH...`; the report is parsed when the exit code is 0 or 1. */
function check(paths: readonly string[], extra: readonly string[] = [], stdin = ''): Run & { report: JsonReport } {
  const run = runCli(['check', '--format', 'json', ...extra, ...paths], stdin);
  expect([0, 1]).toContain(run.code);
  expect(run.stderr).toBe('');
  return { ...run, report: JSON.parse(run.stdout) as JsonReport };
}

function checkFixture(name: string, extra: readonly string[] = []): Run & { report: JsonReport } {
  return check([fixture(name)], extra);
}

/** Where the `invalid-manifest` findings are: line, column and JSON Pointer. */
function invalidAt(report: JsonReport): Array<{ line: number; column: number; path: string }> {
  return report.findings.filter((f) => f.ruleId === 'invalid-manifest').map((f) => ({ line: f.line, column: f.column, path: f.path }));
}

function invalidFindings(report: JsonReport): JsonFinding[] {
  return report.findings.filter((f) => f.ruleId === 'invalid-manifest');
}

/** Exit code 2: nothing on stdout, one line on stderr naming `path`. */
function expectOneLineError(run: Run, path: string): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr.endsWith('\n')).toBe(true);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toContain(path);
}

/** Exit code 2 for a usage error: the message, then a pointer to --help. */
function expectUsageError(run: Run, pattern: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).toMatch(/Run `rollsafe (check )?--help` for usage\.\n$/);
}

const at = (line: number, column: number, path = ''): { line: number; column: number; path: string } => ({ line, column, path });

describe('YAML that does not parse: exit 1, invalid-manifest at the error', () => {
  it.each([
    ['syntax-bad-indentation.yaml', at(5, 2)],
    ['syntax-unclosed-flow.yaml', at(6, 13)],
    ['syntax-stray-bracket.yaml', at(6, 14)],
    ['duplicate-key.yaml', at(8, 3)],
    ['tab-indentation.yaml', at(4, 1)],
    ['broken.json', at(4, 3)],
    ['nul-byte.yaml', at(4, 12)],
  ])('%s', (name, where) => {
    const { code, report } = checkFixture(name);
    expect(code).toBe(1);
    expect(invalidAt(report)).toEqual([where]);
    expect(report.summary.objects).toBe(0);
  });

  it('an unclosed quote is an error, not a crash', () => {
    const { code, report } = checkFixture('syntax-unclosed-quote.yaml');
    expect(code).toBe(1);
    expect(invalidFindings(report)).toHaveLength(1);
    expect(invalidFindings(report)[0]?.message).toMatch(/double quoted scalar/);
  });

  // js-yaml reports an unterminated quote or flow collection at the end of the document; the user
  // wants the quote or bracket that is never closed.
  it('an unclosed quote points at the opening quote (4:9), not at the end of the document', () => {
    expect(invalidAt(checkFixture('syntax-unclosed-quote.yaml').report)).toEqual([at(4, 9)]);
  });

  it('an unclosed quote in the second document points at the quote (13:9)', () => {
    const { report } = checkFixture('multi-document-one-broken.yaml');
    expect(invalidAt(report).find((p) => p.path === '')).toEqual(at(13, 9));
  });

  it('an unclosed JSON object points at its opening brace (1:1)', () => {
    expect(invalidAt(checkFixture('broken-unclosed.json').report)).toEqual([at(1, 1)]);
  });

  it('an unclosed JSON object is an error, not a crash', () => {
    const { code, report } = checkFixture('broken-unclosed.json');
    expect(code).toBe(1);
    expect(invalidFindings(report)).toHaveLength(1);
  });

  it('a stray `]` is named in the message', () => {
    expect(invalidFindings(checkFixture('syntax-stray-bracket.yaml').report)[0]?.message).toContain(']');
  });

  it('an unclosed `{` is named in the message, at the `{`', () => {
    expect(invalidFindings(checkFixture('syntax-unclosed-flow.yaml').report)[0]?.message).toMatch(/never closed/);
  });

  it('a duplicate key and a tab are named as such', () => {
    expect(invalidFindings(checkFixture('duplicate-key.yaml').report)[0]?.message).toMatch(/duplicated mapping key/);
    expect(invalidFindings(checkFixture('tab-indentation.yaml').report)[0]?.message).toMatch(/tab/i);
  });

  it('an unknown YAML tag (CloudFormation `!Ref`) is an error on its line', () => {
    const { code, report } = checkFixture('custom-tag.yaml');
    expect(code).toBe(1);
    expect(invalidAt(report).map((p) => p.line)).toEqual([4]);
  });

  it('an unknown YAML tag points at the tag (4:9)', () => {
    expect(invalidAt(checkFixture('custom-tag.yaml').report)).toEqual([at(4, 9)]);
  });

  it('a broken document does not hide the documents around it', () => {
    const { code, report } = checkFixture('multi-document-one-broken.yaml');
    expect(code).toBe(1);
    expect(report.summary.objects).toBe(2);
    expect(invalidAt(report).filter((p) => p.path !== '')).toEqual([at(8, 7, '/spec/ports/0/targetPorts'), at(22, 7, '/spec/ports/0/targetPorts')]);
    expect(invalidAt(report).filter((p) => p.path === '').map((p) => p.line)).toEqual([13]);
  });
});

describe('unrendered Helm templates', () => {
  it.each([
    ['helm-value.yaml', at(6, 13)],
    ['helm-if.yaml', at(1, 1)],
    ['helm-quoted.yaml', at(8, 15)],
  ])('%s: exit 1, with a hint to render the chart', (name, where) => {
    const { code, report } = checkFixture(name);
    expect(code).toBe(1);
    expect(invalidAt(report)).toEqual([where]);
    expect(invalidFindings(report)[0]?.message).toContain('helm template');
    expect(report.summary.objects).toBe(0);
  });

  it('a Go template inside a ConfigMap block scalar is data, not an error', () => {
    const { code, report } = checkFixture('helm-in-configmap-block.yaml');
    expect(code).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.summary.objects).toBe(1);
  });

  // `args: [{{ .Values.arg }}]` would otherwise parse as a flow mapping ("must be string, found an object").
  it('a template inside a flow sequence is reported as a Helm template (9:14)', () => {
    const { report } = checkFixture('helm-flow-sequence.yaml');
    expect(invalidAt(report)).toEqual([at(9, 14)]);
    expect(invalidFindings(report)[0]?.message).toContain('helm template');
  });

  // `name: web-{{ .Release.Name }}` (a template after other text) would otherwise load as a name.
  it('a template in the middle of a plain scalar is reported (4:13)', () => {
    const { code, report } = checkFixture('helm-mid-scalar.yaml');
    expect(code).toBe(1);
    expect(invalidAt(report)).toEqual([at(4, 13)]);
    expect(invalidFindings(report)[0]?.message).toContain('helm template');
    expect(report.summary.objects).toBe(0);
  });
});

describe('documents that are not Kubernetes objects', () => {
  it.each([
    ['scalar-document.yaml', at(1, 1)],
    ['list-document.yaml', at(1, 1)],
    ['no-apiversion.yaml', at(1, 1)],
  ])('%s: exit 1, invalid-manifest at the document', (name, where) => {
    const { code, report } = checkFixture(name);
    expect(code).toBe(1);
    expect(invalidAt(report)).toEqual([where]);
    expect(invalidFindings(report)[0]?.message).toMatch(/^not a Kubernetes object/);
    expect(report.summary.objects).toBe(0);
  });

  it('a non-string apiVersion is an error, and the good document beside it still loads', () => {
    const { code, report } = checkFixture('api-version-number.yaml');
    expect(code).toBe(1);
    expect(report.summary.objects).toBe(1);
    expect(invalidAt(report).map((p) => p.line)).toEqual([6]);
  });

  it('a numeric apiVersion is reported at the value of /apiVersion (6:13)', () => {
    const { report } = checkFixture('api-version-number.yaml');
    expect(invalidAt(report)).toEqual([at(6, 13, '/apiVersion')]);
  });

  it('valid JSON loads like YAML', () => {
    const { code, report } = checkFixture('valid.json');
    expect(code).toBe(0);
    expect(report.summary.objects).toBe(1);
    expect(invalidFindings(report)).toEqual([]);
    expect(report.findings.map((f) => [f.ruleId, f.line, f.column])).toEqual([['pdb-missing', 1, 1]]);
  });

  it('kind: List with a broken item: the good item is analyzed, the bad one reported in place', () => {
    const { code, report } = checkFixture('list-kind-broken-item.yaml');
    expect(code).toBe(1);
    expect(report.summary.objects).toBe(2);
    expect(invalidAt(report)).toEqual([
      at(17, 5, '/items/1/spec/selector'),
      at(17, 5, '/items/1/spec/template'),
      at(18, 17, '/items/1/spec/replicas'),
    ]);
  });

  it('kind: List with a null item is an error at the item', () => {
    const { code, report } = checkFixture('list-null-item.yaml');
    expect(code).toBe(1);
    expect(report.summary.objects).toBe(1);
    expect(invalidAt(report)).toEqual([at(5, 5, '/items/0')]);
  });

  it('a null List item is described as null, not as "a object"', () => {
    const message = invalidFindings(checkFixture('list-null-item.yaml').report)[0]?.message ?? '';
    expect(message).not.toContain('a object');
    expect(message).toMatch(/null|empty/);
  });

  it('a custom resource is skipped with a note, exit 0', () => {
    const { code, report } = checkFixture('custom-resource.yaml');
    expect(code).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.notes.map((n) => [n.file, n.line])).toEqual([[fixture('custom-resource.yaml'), 1]]);
    expect(report.notes[0]?.message).toContain('Certificate (cert-manager.io/v1)');
  });

  it('a removed API version is an error at the value of apiVersion', () => {
    const { code, report } = checkFixture('removed-api.yaml');
    expect(code).toBe(1);
    expect(invalidAt(report)).toEqual([at(1, 13, '/apiVersion')]);
    expect(invalidFindings(report)[0]?.message).toMatch(/extensions\/v1beta1 Deployment .*1\.16.*apps\/v1/);
  });

  // Its replacement is networking.k8s.io/v1, not apps/v1 (Kubernetes deprecation guide, v1.16).
  it('extensions/v1beta1 NetworkPolicy names networking.k8s.io/v1 as the replacement', () => {
    const { report } = checkFixture('removed-api-networkpolicy.yaml');
    expect(invalidAt(report)).toEqual([at(1, 13, '/apiVersion')]);
    expect(invalidFindings(report)[0]?.message).toContain('networking.k8s.io/v1');
  });

  // The API server rejects it ("name or generateName is required"). The field is missing: the
  // finding is at its nearest written ancestor, the `metadata` key.
  it('a missing metadata.name is an error at /metadata/name, located at metadata (3:1)', () => {
    const { code, report } = checkFixture('missing-metadata-name.yaml');
    expect(code).toBe(1);
    expect(invalidAt(report)).toEqual([at(3, 1, '/metadata/name')]);
  });

  // js-yaml would turn a complex key (`? [a, b]`) into the string "a,b"; Kubernetes refuses non-string keys.
  it('a complex mapping key is an error at the key', () => {
    const { code, report } = checkFixture('complex-key.yaml');
    expect(code).toBe(1);
    expect(invalidAt(report).map((p) => [p.line, p.column])).toEqual([[6, 6]]);
  });
});

describe('schema: wrong types, unknown, misplaced and missing fields', () => {
  it.each([
    // A wrong value is reported at the value; a wrong key (unknown, misplaced, missing) at the key.
    ['wrong-type-replicas-string.yaml', at(6, 13, '/spec/replicas')],
    ['wrong-type-command-number.yaml', at(17, 28, '/spec/template/spec/containers/0/command/1')],
    ['wrong-type-container-port-string.yaml', at(18, 30, '/spec/template/spec/containers/0/ports/0/containerPort')],
    ['wrong-type-label-number.yaml', at(7, 14, '/metadata/labels/version')],
    ['wrong-type-ports-map.yaml', at(9, 5, '/spec/ports')],
    ['yaml11-on-annotation.yaml', at(6, 77, '/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain')],
    ['unknown-field.yaml', at(10, 7, '/spec/ports/0/targetPorts')],
    ['misplaced-strategy.yaml', at(10, 5, '/spec/template/strategy')],
    ['misplaced-replicas.yaml', at(14, 7, '/spec/template/spec/replicas')],
    ['missing-container-name.yaml', at(15, 11, '/spec/template/spec/containers/0/name')],
  ])('%s', (name, where) => {
    const { code, report } = checkFixture(name);
    expect(code).toBe(1);
    expect(invalidAt(report)).toEqual([where]);
    expect(report.summary.objects).toBe(1);
  });

  it('an unquoted `on` says it is a YAML 1.1 boolean and to quote it', () => {
    const message = invalidFindings(checkFixture('yaml11-on-annotation.yaml').report)[0]?.message ?? '';
    expect(message).toContain('YAML 1.1 boolean');
    expect(message).toContain('"on"');
  });

  it('a number in command says to quote it', () => {
    expect(invalidFindings(checkFixture('wrong-type-command-number.yaml').report)[0]?.message).toContain('quote it');
  });

  it('a misplaced field names where it belongs', () => {
    expect(invalidFindings(checkFixture('misplaced-strategy.yaml').report)[0]?.message).toContain('`spec`');
    expect(invalidFindings(checkFixture('misplaced-replicas.yaml').report)[0]?.message).toContain('`spec`');
  });

  it('an IntOrString field holding a list is one error at the value', () => {
    const { code, report } = checkFixture('int-or-string-list.yaml');
    expect(code).toBe(1);
    expect(invalidAt(report)).toEqual([at(14, 17, '/spec/containers/0/readinessProbe/httpGet/port')]);
  });

  // Not three ("must be string", "must be integer", 'must match exactly one schema in "oneOf"').
  it('an IntOrString field holding a list says "must be an integer or a string"', () => {
    expect(invalidFindings(checkFixture('int-or-string-list.yaml').report).map((f) => f.message)).toEqual([expect.stringContaining('must be an integer or a string')]);
  });

  // An empty value has no text of its own: it is reported on its key's line, not at the next content.
  it('null fields are reported in place, not a crash', () => {
    const { code, report } = checkFixture('null-fields.yaml');
    expect(code).toBe(1);
    expect(report.summary.objects).toBe(2);
    expect(invalidAt(report)).toEqual([at(7, 3, '/spec/selector'), at(11, 7, '/spec/template/spec/containers')]);
  });

  it('values of every wrong type are reported in place, not a crash', () => {
    const { code, report } = checkFixture('odd-types.yaml');
    expect(code).toBe(1);
    expect(report.summary.objects).toBe(2);
    expect(invalidAt(report)).toEqual([
      // No name (metadata is a list): at the nearest written ancestor, the `metadata` key.
      at(3, 1, '/metadata/name'),
      at(3, 11, '/metadata'),
      at(5, 13, '/spec/replicas'),
      at(6, 13, '/spec/selector'),
      at(9, 15, '/spec/template/metadata/labels'),
      at(11, 19, '/spec/template/spec/containers'),
      at(17, 1, '/spec/selector'),
      at(18, 13, '/spec/replicas'),
      at(22, 17, '/spec/template/spec/containers/0/name'),
      at(23, 19, '/spec/template/spec/containers/0/ports/0'),
      at(23, 23, '/spec/template/spec/containers/0/ports/1'),
      at(23, 31, '/spec/template/spec/containers/0/ports/2'),
      at(24, 11, '/spec/template/spec/containers/1'),
      at(25, 11, '/spec/template/spec/containers/2'),
    ]);
  });

  it('__proto__, constructor and toString as keys neither crash nor pollute prototypes', () => {
    const { code, report } = checkFixture('prototype-keys.yaml');
    expect(code).toBe(1);
    expect(report.summary.objects).toBe(2);
    // The Service's targetPort `hasOwnProperty` is no port name (upper case: IsValidPortName), so
    // the API server rejects it and no rule reasons with it.
    expect(invalidAt(report)).toEqual([at(6, 16, '/metadata/labels/__proto__'), at(33, 19, '/spec/ports/0/targetPort')]);
    expect(report.findings.filter((f) => f.ruleId === 'service-target-port-unserved')).toEqual([]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('merge keys (`<<: *base`) are read as Kubernetes reads them', () => {
    const { code, report } = checkFixture('merge-keys.yaml');
    expect(code).toBe(1);
    expect(invalidAt(report)).toEqual([at(14, 7, '/spec/containers/1/portz')]);
    expect(report.findings.filter((f) => f.ruleId === 'readiness-probe-missing').map((f) => f.path)).toEqual(['/spec/containers/0', '/spec/containers/1']);
  });
});

describe('resource exhaustion', () => {
  it('a billion-laughs Deployment is refused quickly', () => {
    const { code, report, ms } = checkFixture('alias-bomb.yaml');
    expect(code).toBe(1);
    expect(invalidAt(report)).toEqual([at(1, 1)]);
    expect(invalidFindings(report)[0]?.message).toMatch(/alias bomb/);
    expect(ms).toBeLessThan(5_000);
  });

  it('a document with more aliases than any manifest needs is refused quickly', () => {
    const { code, report, ms } = checkFixture('alias-bomb-many-aliases.yaml');
    expect(code).toBe(1);
    expect(invalidAt(report)).toEqual([at(1, 1)]);
    expect(invalidFindings(report)[0]?.message).toMatch(/alias bomb/);
    expect(ms).toBeLessThan(5_000);
  });

  it('a billion-laughs ConfigMap finishes quickly', () => {
    const { ms } = checkFixture('alias-bomb-configmap.yaml');
    expect(ms).toBeLessThan(5_000);
  });

  // 72 aliases expanding to 9^9 nodes stay under the 500-alias limit; kubectl (go-yaml: "excessive
  // aliasing") and the API server refuse the document whatever its kind.
  it('a billion-laughs ConfigMap is refused as an alias bomb', () => {
    const { code, report } = checkFixture('alias-bomb-configmap.yaml');
    expect(code).toBe(1);
    expect(invalidAt(report)).toEqual([at(1, 1)]);
    expect(invalidFindings(report)[0]?.message).toMatch(/alias bomb/);
    expect(report.summary.objects).toBe(0);
  });

  // A 3 KB List of 440 aliased items, each under a per-object budget, would walk 88 million nodes.
  it('a List of aliased near-bomb items is refused as an alias bomb within 2 s', () => {
    const { code, report, ms } = checkFixture('alias-bomb-list.yaml');
    expect(code).toBe(1);
    expect(invalidAt(report)).toEqual([at(1, 1)]);
    expect(invalidFindings(report)[0]?.message).toMatch(/alias bomb/);
    expect(ms).toBeLessThan(2_000);
  });

  it('1000 levels of flow nesting are refused at the depth limit', () => {
    const { code, report, ms } = checkFixture('deep-nesting-flow.yaml');
    expect(code).toBe(1);
    expect(invalidAt(report)).toEqual([at(6, 68)]);
    expect(invalidFindings(report)[0]?.message).toMatch(/nests deeper than 64 levels/);
    expect(ms).toBeLessThan(5_000);
  });

  describe('generated inputs', () => {
    let dir = '';
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'rollsafe-bad-input-'));
    });
    afterAll(() => {
      if (dir !== '') {
        chmodSync(dir, 0o755);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('1000 levels of block nesting (1 MB) are refused at the depth limit', () => {
      const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: deep', 'data:'];
      for (let i = 0; i < 1000; i++) lines.push(`${'  '.repeat(i + 1)}k${i}:`);
      const file = join(dir, 'deep-block.yaml');
      writeFileSync(file, lines.join('\n') + ' x\n');
      const { code, report, ms } = check([file]);
      expect(code).toBe(1);
      // Line 68 holds k62, the key 64 mappings deep.
      expect(invalidAt(report)).toEqual([at(68, 127)]);
      expect(ms).toBeLessThan(30_000);
    });

    // Finding the position of an error at the end of a document must stay linear (a trailing-blank
    // regex once backtracked quadratically: 30 000 spaces took seconds).
    it('an unclosed quote followed by 30 000 spaces is reported within 1 s', () => {
      const file = join(dir, 'quadratic.yaml');
      writeFileSync(file, `apiVersion: v1\nkind: Service\nmetadata:\n  name: "web\n${' '.repeat(30_000)}x\n`);
      const { code, ms } = check([file]);
      expect(code).toBe(1);
      expect(ms).toBeLessThan(1_000);
    });

    it('a 20 MB file of 50 131 valid documents is analyzed without a crash', { timeout: 180_000 }, () => {
      const parts: string[] = [];
      let size = 0;
      let count = 0;
      while (size < 20 * 1024 * 1024) {
        const doc = `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${count}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web-${count}
  template:
    metadata:
      labels:
        app: web-${count}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
          readinessProbe:
            httpGet:
              path: /
              port: 80
`;
        parts.push(doc);
        size += doc.length;
        count++;
      }
      expect(count).toBe(50_131);
      const file = join(dir, 'big.yaml');
      writeFileSync(file, parts.join(''));
      const { code, report } = check([file]);
      expect(code).toBe(0);
      expect(report.summary.objects).toBe(count);
      expect(report.summary.errors).toBe(0);
      const perRule = new Map<string, number>();
      for (const f of report.findings) perRule.set(f.ruleId, (perRule.get(f.ruleId) ?? 0) + 1);
      expect(Object.fromEntries(perRule)).toEqual({ 'pdb-missing': count, 'prestop-missing': count });
      expect(report.findings.at(-1)?.line).toBe(24 * (count - 1) + 17);
    });

    it('10 000 empty documents and a real one', () => {
      const file = join(dir, 'many-empty.yaml');
      writeFileSync(file, '---\n'.repeat(10_000) + readFileSync(fixture('unknown-field.yaml'), 'utf8'));
      const { code, report } = check([file]);
      expect(code).toBe(1);
      expect(invalidAt(report)).toEqual([at(10_010, 7, '/spec/ports/0/targetPorts')]);
    });

    it('a 1 MB single-line value', () => {
      const file = join(dir, 'long-line.yaml');
      writeFileSync(file, `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    big: "${'x'.repeat(1024 * 1024)}"\n  bogus: 1\n`);
      const { code, report } = check([file]);
      expect(code).toBe(1);
      expect(invalidAt(report)).toEqual([at(7, 3, '/metadata/bogus')]);
    });

    it('a broken symlink: exit 2 naming it', () => {
      const link = join(dir, 'dangling.yaml');
      symlinkSync(join(dir, 'nowhere.yaml'), link);
      expectOneLineError(runCli(['check', '--format', 'json', link]), link);
    });

    // Symlinked manifests are common in kustomize overlays and generated trees.
    it('a symlinked manifest inside a folder is analyzed', () => {
      const folder = join(dir, 'linked');
      mkdirSync(folder);
      symlinkSync(fixture('unknown-field.yaml'), join(folder, 'service.yaml'));
      const { code, report } = check([folder]);
      expect(report.summary.files).toBe(1);
      expect(code).toBe(1);
    });

    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    it.skipIf(root)('an unreadable file (chmod 000): exit 2 naming it (skipped as root, who can read it)', () => {
      const file = join(dir, 'secret.yaml');
      writeFileSync(file, 'apiVersion: v1\n');
      chmodSync(file, 0o000);
      const run = runCli(['check', '--format', 'json', file]);
      expectOneLineError(run, file);
      expect(run.stderr).toContain('permission denied');
    });
  });
});

describe('encodings and line endings', () => {
  it('a UTF-8 BOM parses fine', () => {
    const { code, report } = checkFixture('bom.yaml');
    expect(code).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.summary.objects).toBe(1);
  });

  // Same line as removed-api.yaml (1:13), behind a BOM.
  it('a UTF-8 BOM does not shift positions on line 1', () => {
    const { report } = checkFixture('bom-removed-api.yaml');
    expect(invalidAt(report)).toEqual([at(1, 13, '/apiVersion')]);
  });

  // YAML allows a BOM at the start of every document of a stream (files joined with `cat`).
  it('a BOM at the start of the second document is ignored', () => {
    const { report } = checkFixture('bom-second-document.yaml');
    expect(report.summary.objects).toBe(2);
    expect(invalidAt(report)).toEqual([at(20, 7, '/spec/ports/0/targetPorts')]);
  });

  it('CRLF line endings keep lines and columns right', () => {
    const { code, report } = checkFixture('crlf.yaml');
    expect(code).toBe(1);
    expect(invalidAt(report)).toEqual([at(10, 7, '/spec/ports/0/targetPorts')]);
  });

  it('CR-only line endings load', () => {
    const { code, report } = checkFixture('cr-only-line-endings.yaml');
    expect(code).toBe(1);
    expect(invalidFindings(report).map((f) => f.path)).toEqual(['/spec/ports/0/targetPorts']);
  });

  // YAML (and js-yaml) break lines at a lone `\r` too.
  it('CR-only line endings keep lines and columns right (8:7)', () => {
    expect(invalidAt(checkFixture('cr-only-line-endings.yaml').report)).toEqual([at(8, 7, '/spec/ports/0/targetPorts')]);
  });

  it('invalid UTF-8 bytes do not stop the documents after them', () => {
    const { code, report } = checkFixture('invalid-utf8.yaml');
    expect(code).toBe(1);
    expect(report.summary.objects).toBe(2);
    expect(invalidAt(report)).toEqual([at(17, 7, '/spec/ports/0/targetPorts')]);
  });

  it('%YAML directives and `...` document end markers', () => {
    const { code, report } = checkFixture('document-end-markers.yaml');
    expect(code).toBe(1);
    expect(report.summary.objects).toBe(2);
    expect(invalidAt(report)).toEqual([at(19, 7, '/spec/ports/0/targetPorts')]);
  });
});

describe('empty input: exit 0, no findings', () => {
  it.each([['empty.yaml'], ['comments-only.yaml']])('%s', (name) => {
    const { code, report } = checkFixture(name);
    expect(code).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.summary.objects).toBe(0);
  });

  it('a folder with no YAML: exit 2 naming it (a wrong path in CI must not pass)', () => {
    const run = runCli(['check', fixture('no-yaml-folder')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no-yaml-folder: no \*\.yaml, \*\.yml or \*\.json files in this folder\n$/);
  });

  it('empty stdin', () => {
    const { code, report } = check(['-']);
    expect(code).toBe(0);
    expect(report.summary).toEqual({ files: 1, objects: 0, errors: 0, warnings: 0, infos: 0 });
  });
});

describe('paths', () => {
  it('a path that does not exist: exit 2 naming it', () => {
    const path = fixture('does-not-exist.yaml');
    const run = runCli(['check', '--format', 'json', path]);
    expectOneLineError(run, path);
    expect(run.stderr).toContain('no such file or directory');
  });

  it('a folder whose name looks like a file is read as a folder', () => {
    const { code, report } = checkFixture('folder-named-like-file.yaml');
    expect(code).toBe(1);
    expect(report.summary.files).toBe(1);
    expect(report.findings.map((f) => [f.file, f.line, f.column])).toEqual([[join(fixture('folder-named-like-file.yaml'), 'inner.yaml'), 10, 7]]);
  });

  it('a folder and `-` (stdin) together', () => {
    const stdin = readFileSync(fixture('wrong-type-ports-map.yaml'), 'utf8');
    const { code, report } = check([fixture('folder-named-like-file.yaml'), '-'], [], stdin);
    expect(code).toBe(1);
    expect(report.summary.files).toBe(2);
    // Findings are sorted by file name: '/' sorts before '<'.
    // Both define the same Deployment: a duplicate-object finding at each name (4:3).
    expect(invalidFindings(report).map((f) => [f.file, f.line, f.column])).toEqual([
      [join(fixture('folder-named-like-file.yaml'), 'inner.yaml'), 4, 3],
      [join(fixture('folder-named-like-file.yaml'), 'inner.yaml'), 10, 7],
      ['<stdin>', 4, 3],
      ['<stdin>', 9, 5],
    ]);
  });
});

describe('command line misuse: exit 2', () => {
  const empty = fixture('empty.yaml');

  it('an unknown command', () => {
    expectUsageError(runCli(['frobnicate']), /unknown command `frobnicate`/);
  });

  it('an unknown flag', () => {
    expectUsageError(runCli(['check', '--frobnicate', empty]), /--frobnicate/);
  });

  it('check without a path', () => {
    expectUsageError(runCli(['check']), /PATH/);
  });

  it('a flag without its value', () => {
    expectUsageError(runCli(['check', '--format']), /--format/);
  });

  it('a bad --format', () => {
    expectUsageError(runCli(['check', '--format', 'xml', empty]), /unknown --format xml/);
  });

  it('a bad --fail-on', () => {
    expectUsageError(runCli(['check', '--fail-on', 'sometimes', empty]), /unknown --fail-on sometimes/);
  });

  it('a bad --profile name lists the valid names', () => {
    const run = runCli(['check', '--profile', 'nope', empty]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('"nope"');
    for (const name of BUILTIN_PROFILES.keys()) expect(run.stderr).toContain(name);
  });

  it.each([['2.0'], ['v1.30'], ['1.x'], ['']])('a bad --k8s-version %j', (version) => {
    const run = runCli(['check', '--k8s-version', version, empty]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`"${version}"`);
  });

  it.each([
    ['nope=off', /unknown rule `nope`/],
    ['pdb-missing=loud', /unknown severity `loud`/],
    ['pdb-missing', /expected RULE-ID=/],
  ])('a bad --rule %s', (setting, pattern) => {
    const run = runCli(['check', '--rule', setting, empty]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(pattern);
  });

  it('a broken config file: file:line:col of the syntax error', () => {
    const path = fixture('config-broken.rollsafe.yaml');
    const run = runCli(['check', '--config', path, empty]);
    expectOneLineError(run, `${path}:4:2:`);
  });

  it('a config file with an unknown key names the file and the key', () => {
    const path = fixture('config-unknown-key.rollsafe.yaml');
    const run = runCli(['check', '--config', path, empty]);
    expectOneLineError(run, path);
    expect(run.stderr).toContain('`failon`');
  });

  it('a config file that does not exist names it', () => {
    const path = fixture('no-such-config.yaml');
    expectOneLineError(runCli(['check', '--config', path, empty]), path);
  });

  it('a profile file with an unknown key: file:line:col of the key', () => {
    const path = fixture('profile-unknown-key.yaml');
    const run = runCli(['check', '--profile', path, empty]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${path}:5:3: unknown key "colour" in loadBalancer`);
  });

  it('a profile file that does not exist names it', () => {
    const path = fixture('no-such-profile.yaml');
    const run = runCli(['check', '--profile', path, empty]);
    expectOneLineError(run, path);
  });

  // Not Node's raw error, which names the file twice ("ENOENT: no such file or directory, open 'X'").
  it('a missing profile file says "no such file" without the raw ENOENT text', () => {
    const path = fixture('no-such-profile.yaml');
    const { stderr } = runCli(['check', '--profile', path, empty]);
    expect(stderr).toContain('no such file');
    expect(stderr).not.toContain('ENOENT');
  });
});

describe('property: checkSources never throws and every position is inside the text', () => {
  const generic = findBuiltinProfile('generic');
  if (generic === undefined) throw new Error('no generic profile');
  const profile = generic;

  function expectPositionsInside(text: string): void {
    const result = checkSources([{ path: 'input.yaml', text }], { profile });
    // Line ends as YAML counts them: LF, CRLF and a lone CR.
    const lines = text.split(/\r\n?|\n/);
    for (const f of result.findings) {
      expect(f.line).toBeGreaterThanOrEqual(1);
      expect(f.column).toBeGreaterThanOrEqual(1);
      expect(f.line).toBeLessThanOrEqual(lines.length);
      expect(f.column).toBeLessThanOrEqual((lines[f.line - 1] ?? '').length + 1);
    }
  }

  it('arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        expectPositionsInside(text);
      }),
      { numRuns: 300 },
    );
  });

  const FRAGMENTS = [
    'apiVersion: v1', 'apiVersion: apps/v1', 'kind: Service', 'kind: Deployment', 'kind: Pod', 'kind: List', 'items:',
    'metadata:', 'name: web', 'spec:', 'selector:', 'app: web', 'template:', 'containers:', 'ports:', 'port: 80',
    'containerPort: 80', 'targetPort: http', 'readinessProbe:', 'httpGet:', 'replicas: 3', 'strategy:', 'type: Recreate',
    'key', 'on', '"', "'", ':', ': ', '-', '- ', '{', '}', '[', ']', ',', '\t', '\n', '\r\n', '\r', ' ', '  ', '    ',
    '{{', '}}', '{{ .Values.x }}', '&a ', '*a', '&b [*a, *a]', '<<: *a', '!!str ', '!Ref ', '? ', '|', '>-', '#', '---', '...',
    '%YAML 1.1', '\uFEFF', '\0', '0x1F', '1e400', '.inf', '~', 'null', '2024-01-01', '__proto__',
  ];

  it('arbitrary YAML-ish text built from fragments', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }), (parts) => {
        expectPositionsInside(parts.join(''));
      }),
      { numRuns: 1000 },
    );
  });

  it('line-structured YAML-ish text', () => {
    const line = fc.tuple(fc.constantFrom('', '  ', '    ', '      ', '- ', '  - ', '\t'), fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 4 })).map(([indent, parts]) => indent + parts.join(' '));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        expectPositionsInside(lines.join('\n'));
      }),
      { numRuns: 1000 },
    );
  });
});
