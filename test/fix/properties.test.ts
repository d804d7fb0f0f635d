/**
 * Round-trip properties of `fix` over real manifests (the peer corpus and examples/) under every
 * built-in profile, and over generated manifests in many YAML styles (fast-check):
 * - every output document parses (no YAML problem the input did not have);
 * - every comment line of the input is still in the output, and every comment;
 * - a document whose value did not change is byte-identical, and nothing is lost or reordered;
 * - fix(fix(x)) == fix(x);
 * - check(fix(x)) has no fixable finding left.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../src/engine/run.js';
import type { Finding } from '../../src/rules/types.js';
import { commentsOf } from '../../src/fix/edit.js';
import { fixSources } from '../../src/fix/driver.js';
import { deepEqual } from '../../src/fix/patch.js';
import { documentChunks, parseSource } from '../../src/load/parse.js';
import { KUBERNETES_YAML_SCHEMA } from '../../src/load/yaml11.js';
import { BUILTIN_PROFILES, findBuiltinProfile } from '../../src/profiles/builtin.js';
import { withK8sVersion } from '../../src/profiles/load.js';
import type { Profile } from '../../src/profiles/types.js';
import { ROOT } from '../helpers.js';
import { manifestArbitrary } from './generate.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const MANIFEST = /\.(?:ya?ml|json)$/i;

const read = (path: string): string => readFileSync(`${ROOT}${path}`, 'utf8');

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (MANIFEST.test(entry.name)) out.push(path);
  }
  return out.sort();
}

function profile(name: string): Profile {
  const [base = '', version] = name.split('@');
  const p = findBuiltinProfile(base);
  if (!p) throw new Error(`no profile ${base}`);
  return version === undefined ? p : withK8sVersion(p, version);
}

/** Every built-in profile at its default version, and the seed's era (1.18: no sleep action, no ProxyTerminatingEndpoints). */
const PROFILES = [...[...BUILTIN_PROFILES.keys()].filter((n) => n !== 'ingress-nginx'), 'ack-flannel@1.18', 'eks-alb-ip@1.29'];

/** Problems that mean a document does not parse as YAML. */
const YAML_PROBLEMS = new Set(['yaml-syntax', 'duplicate-key', 'tab-indentation', 'too-deep', 'alias-bomb']);

function yamlProblems(text: string): number {
  return parseSource({ path: 'x.yaml', text }).problems.filter((p) => YAML_PROBLEMS.has(p.code)).length;
}

/** Items of `before` (a multiset) that `after` lacks. */
function missing(before: readonly string[], after: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const a of after) counts.set(a, (counts.get(a) ?? 0) + 1);
  return before.filter((b) => {
    const n = counts.get(b) ?? 0;
    counts.set(b, n - 1);
    return n <= 0;
  });
}

const commentLines = (text: string): string[] => text.split(/\r?\n|\r/).filter((line) => /^\s*#/.test(line));

interface Doc {
  readonly text: string;
  readonly value: unknown;
  readonly id: string;
}

function documents(text: string): Doc[] {
  return documentChunks(text).map((chunk) => {
    let value: unknown;
    try {
      value = jsYaml.load(chunk.text, { schema: KUBERNETES_YAML_SCHEMA });
    } catch {
      value = undefined;
    }
    const meta = (value as { metadata?: { name?: unknown; namespace?: unknown } } | undefined)?.metadata;
    const kind = (value as { kind?: unknown } | undefined)?.kind;
    const id = typeof kind === 'string' ? `${kind}/${String(meta?.namespace ?? '')}/${String(meta?.name ?? '')}` : `text:${chunk.text}`;
    return { text: chunk.text, value, id };
  });
}

/** The keys and scalars of `before` that `after` changed or dropped (where an edit may remove lines). */
function changedParts(before: unknown, after: unknown, keys = new Set<string>(), scalars = new Set<string>()): { keys: Set<string>; scalars: Set<string> } {
  if (deepEqual(before, after)) return { keys, scalars };
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isMap(before) && isMap(after)) {
    for (const k of Object.keys(before)) {
      if (deepEqual(before[k], after[k])) continue;
      keys.add(k);
      changedParts(before[k], after[k], keys, scalars);
    }
  } else if (Array.isArray(before) && Array.isArray(after)) {
    before.forEach((v, i) => changedParts(v, after[i], keys, scalars));
  } else {
    // Replaced or removed: every key and scalar under it.
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (isMap(v)) for (const [k, child] of Object.entries(v)) {
        keys.add(k);
        visit(child);
      }
      else scalars.add(String(v));
    };
    visit(before);
  }
  return { keys, scalars };
}

/** Lines of an edited document that are gone although nothing they hold was changed. */
function needlesslyRemoved(before: Doc, after: Doc): string[] {
  const lines = (t: string): string[] => t.split(/\r?\n/).filter((l) => l.trim() !== '' && !/^\s*#/.test(l));
  const { keys, scalars } = changedParts(before.value, after.value);
  return missing(lines(before.text), lines(after.text)).filter((line) => {
    const entry = /^\s*(?:-\s+)?(["']?)([^"'#:]+)\1:(?:\s|$)/.exec(line);
    if (entry) return !keys.has(entry[2] ?? '');
    const item = /^\s*-\s+(["']?)(.*?)\1\s*(?:#.*)?$/.exec(line);
    return !item || !scalars.has(item[2] ?? '');
  });
}

/** The documents a fix may add: what pdb-missing writes. */
const ADDED_KINDS = new Set(['PodDisruptionBudget']);

/** Fixes a text and checks the round-trip properties; returns the violations (empty when all hold). */
function violations(label: string, text: string, p: Profile): string[] {
  return roundTripViolations(label, text, fixSources([{ path: label, text }], { profile: p }).files[0]?.after ?? '', p);
}

/** The round-trip properties of `after` as the fix of `text`. */
function roundTripViolations(label: string, text: string, after: string, p: Profile): string[] {
  const out: string[] = [];
  if (yamlProblems(after) > yamlProblems(text)) out.push(`${label}: the output has YAML problems the input did not have`);
  for (const line of missing(commentLines(text), commentLines(after))) out.push(`${label}: comment line lost: ${line}`);
  if (yamlProblems(text) === 0) for (const c of missing(commentsOf(text).map((c) => c.source), commentsOf(after).map((c) => c.source))) out.push(`${label}: comment lost: ${c}`);
  // Documents: each input document is in the output, in order; only added documents come between.
  const before = documents(text);
  const fixed = documents(after);
  let j = 0;
  const isAdded = (d: Doc): boolean => ADDED_KINDS.has((d.value as { kind?: string } | undefined)?.kind ?? '') && !before.some((b) => b.id === d.id);
  for (const doc of before) {
    let k = j;
    while (k < fixed.length && fixed[k]?.id !== doc.id) k++;
    const match = fixed[k];
    if (!match) {
      out.push(`${label}: document ${doc.id} lost`);
      continue;
    }
    for (const extra of fixed.slice(j, k)) if (!isAdded(extra)) out.push(`${label}: unexpected document ${extra.id}`);
    // A document whose value is the same keeps its bytes; the one exception is the line break a
    // document without one gets when a new document is added after it.
    const sameBytes = match.text === doc.text || (/[^\n]$/.test(doc.text) && (match.text === `${doc.text}\n` || match.text === `${doc.text}\r\n`));
    if (!sameBytes && deepEqual(match.value, doc.value)) out.push(`${label}: document ${doc.id} changed its text but not its value`);
    if (!sameBytes) for (const line of needlesslyRemoved(doc, match)) out.push(`${label}: document ${doc.id} lost a line it did not need to change: ${line.trim()}`);
    j = k + 1;
  }
  for (const extra of fixed.slice(j)) if (!isAdded(extra)) out.push(`${label}: unexpected document ${extra.id}`);
  // Idempotent, nothing fixable is left, and no new problem came in.
  const again = fixSources([{ path: label, text: after }], { profile: p });
  if (again.files[0]?.after !== after) out.push(`${label}: fix(fix(x)) differs from fix(x)`);
  const key = (f: Finding): string => `${f.ruleId} ${f.resource.kind}/${f.resource.namespace}/${f.resource.name} ${f.path}`;
  const old = new Set(checkSources([{ path: label, text }], { profile: p }).findings.map(key));
  const findings = checkSources([{ path: label, text: after }], { profile: p }).findings;
  for (const f of findings) if (!f.fix && !old.has(key(f))) out.push(`${label}: the fix brought a new finding: ${key(f)}: ${f.message}`);
  for (const f of findings) {
    if (f.fix) out.push(`${label}: still fixable after fixing: ${f.ruleId} ${f.path}${again.unfixed.length > 0 ? ` (${again.unfixed.map((u) => u.reason).join('; ')})` : ''}`);
  }
  return out;
}

describe('the round-trip check itself', () => {
  const text = read('examples/seed/before/old-pod-no-prestop.yaml');
  const good = fixSources([{ path: 'x.yaml', text }], { profile: profile('ack-flannel') }).files[0]?.after ?? '';

  it('passes the real fix', () => {
    expect(roundTripViolations('x.yaml', text, good, profile('ack-flannel'))).toEqual([]);
  });

  it('catches a lost comment, a reformatted document, a lost document, a broken one and a fix left undone', () => {
    const p = profile('ack-flannel');
    const service = good.split('---\n').at(-1) ?? '';
    const cases: Array<[string, RegExp]> = [
      [good.replace('        # readiness probe on the port nginx serves\n', ''), /comment line lost/],
      [good.replace(service, service.replace('  type: LoadBalancer\n', '  type:   LoadBalancer\n')), /Service\/before-prestop\/nginx lost a line it did not need to change: type: LoadBalancer/],
      [good.replace(`---\n${service}`, ''), /document Service\/before-prestop\/nginx lost/],
      [good.replace('  replicas: 3\n', '  replicas: [3\n'), /YAML problems/],
      [text, /still fixable after fixing: prestop-missing/],
    ];
    for (const [after, expected] of cases) expect(roundTripViolations('x.yaml', text, after, p).join('\n')).toMatch(expected);
  });
});

describe('rule fixes that would bring a new finding: corrected, or withheld', () => {
  /** Fixes with every rule, or only the named ones, and checks the result with every rule. */
  const fixOnce = (text: string, p: Profile, only?: readonly string[]): { after: string; findings: Finding[] } => {
    const after = fixSources([{ path: 'x.yaml', text }], { profile: p, ...(only ? { only } : {}) }).files[0]?.after ?? '';
    return { after, findings: checkSources([{ path: 'x.yaml', text: after }], { profile: p }).findings };
  };
  const row = (f: Finding): string => `${f.ruleId} ${f.resource.kind}/${f.resource.name} ${f.path} fixable=${String(f.fixable)}`;
  /** apiVersion + kind of each document, and the added PodDisruptionBudget's spec. */
  const kinds = (text: string): string[] => documents(text).map((d) => { const v = d.value as { apiVersion?: string; kind?: string }; return `${String(v.apiVersion)} ${String(v.kind)}`; });
  const pdbSpec = (text: string): unknown => (documents(text).map((d) => d.value as { kind?: string; spec?: unknown }).find((v) => v.kind === 'PodDisruptionBudget'))?.spec;

  it('pdb-missing writes policy/v1beta1 before Kubernetes 1.21 (policy/v1 is served from 1.21), policy/v1 from then on', () => {
    const text = read('examples/seed/before/lb-no-drain.yaml');
    const versions = ['1.18', '1.20', '1.21', '1.24', '1.25', '1.30'].map((v) => {
      const { after, findings } = fixOnce(text, profile(`ack-flannel@${v}`));
      expect(findings.map(row), v).toEqual([]);
      expect(pdbSpec(after), v).toEqual({ maxUnavailable: 1, selector: { matchLabels: { app: 'nginx' } } });
      return `${v} ${kinds(after)[1] ?? ''}`;
    });
    expect(versions).toEqual([
      '1.18 policy/v1beta1 PodDisruptionBudget',
      '1.20 policy/v1beta1 PodDisruptionBudget',
      '1.21 policy/v1 PodDisruptionBudget',
      '1.24 policy/v1 PodDisruptionBudget',
      '1.25 policy/v1 PodDisruptionBudget',
      '1.30 policy/v1 PodDisruptionBudget',
    ]);
  });

  describe('pdb-missing copies only a valid, non-empty workload selector that selects the pod labels', () => {
    const deployment = (selector: string, labels = '    metadata:\n      labels:\n        app: web\n        tier: front\n'): string =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n${selector}  template:\n${labels}    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n        ports:\n        - containerPort: 80\n        readinessProbe:\n          tcpSocket:\n            port: 80\n`;
    const p = profile('generic');
    const pdbFinding = (findings: readonly Finding[]): string[] => findings.filter((f) => f.ruleId === 'pdb-missing').map(row);

    it('matchLabels, matchExpressions or both: copied as written', () => {
      const cases: Array<[string, unknown]> = [
        ['  selector:\n    matchLabels:\n      app: web\n', { matchLabels: { app: 'web' } }],
        ['  selector:\n    matchExpressions:\n    - key: tier\n      operator: In\n      values: [front, back]\n', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }],
        ['  selector:\n    matchLabels: {app: web}\n    matchExpressions:\n    - {key: canary, operator: DoesNotExist}\n', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] }],
      ];
      for (const [selector, expected] of cases) {
        const { after, findings } = fixOnce(deployment(selector), p);
        expect(pdbSpec(after), selector).toEqual({ maxUnavailable: 1, selector: expected });
        expect(kinds(after), selector).toEqual(['apps/v1 Deployment', 'policy/v1 PodDisruptionBudget']);
        expect(findings.map(row), selector).toEqual([]);
      }
    });

    it('no selector, an empty one, a malformed one or one that misses the pod labels: no PodDisruptionBudget, the finding stays without a fix', () => {
      const cases: Array<[string, string, string[]]> = [
        ['no selector', '', ['invalid-manifest Deployment/web /spec/selector fixable=false']],
        ['empty', '  selector: {}\n', []],
        ['empty matchLabels', '  selector:\n    matchLabels: {}\n', []],
        ['labels without matchLabels', '  selector:\n    app: web\n', ['invalid-manifest Deployment/web /spec/selector/app fixable=false']],
        ['In without values', '  selector:\n    matchExpressions:\n    - {key: app, operator: In}\n', []],
        ['unknown operator', '  selector:\n    matchExpressions:\n    - {key: app, operator: Equals, values: [web]}\n', []],
        ['invalid label value', '  selector:\n    matchLabels:\n      app: "web server"\n', []],
        ['other pods', '  selector:\n    matchLabels:\n      app: api\n', []],
      ];
      for (const [label, selector, invalid] of cases) {
        const text = deployment(selector);
        const { after, findings } = fixOnce(text, p, ['pdb-missing']);
        expect(after, label).toBe(text);
        expect(pdbFinding(findings), label).toEqual(['pdb-missing Deployment/web  fixable=false']);
        expect(findings.filter((f) => f.ruleId === 'invalid-manifest').map(row), label).toEqual(invalid);
        expect(findings.find((f) => f.ruleId === 'pdb-missing')?.fix, label).toBeUndefined();
      }
    });

    it('an apps/v1 Deployment without a selector gets none from its pod labels (apps/v1 does not default it); without pod labels neither', () => {
      const { after } = fixOnce(deployment('', '    metadata:\n      labels: {}\n'), p);
      expect(kinds(after)).toEqual(['apps/v1 Deployment']);
    });
  });

  describe('readiness-probe-missing', () => {
    const pod = (ports: string, liveness: string): string =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: dns\nspec:\n  containers:\n  - name: dns\n    image: coredns/coredns:1.11.1\n    ports:\n${ports}${liveness}`;
    const p = profile('generic');

    it('never probes a UDP or SCTP port with tcpSocket: no fix, the finding stays', () => {
      for (const protocol of ['UDP', 'SCTP']) {
        const text = pod(`    - containerPort: 53\n      name: dns\n      protocol: ${protocol}\n`, '    livenessProbe:\n      tcpSocket:\n        port: dns\n');
        const { after, findings } = fixOnce(text, p, ['readiness-probe-missing']);
        expect(after, protocol).toBe(text);
        expect(findings.filter((f) => f.ruleId === 'readiness-probe-missing').map(row), protocol).toEqual(['readiness-probe-missing Pod/dns /spec/containers/0 fixable=false']);
      }
    });

    it('a readiness probe on the liveness probe\'s port gives up first, so liveness-probe-same-as-readiness does not fire', () => {
      const cases: Array<[string, unknown]> = [
        // liveness gives up after 10 s × 3: readiness after 9 s × 3.
        ['    livenessProbe:\n      tcpSocket:\n        port: 53\n', { tcpSocket: { port: 'dns' }, periodSeconds: 9 }],
        ['    livenessProbe:\n      tcpSocket:\n        port: dns\n      periodSeconds: 5\n', { tcpSocket: { port: 'dns' }, periodSeconds: 4 }],
        // 1 s × 3: only fewer failures give up sooner.
        ['    livenessProbe:\n      tcpSocket:\n        port: dns\n      periodSeconds: 1\n', { tcpSocket: { port: 'dns' }, periodSeconds: 1, failureThreshold: 2 }],
        // Liveness gives up later than the defaults (20 s × 3): the plain probe.
        ['    livenessProbe:\n      tcpSocket:\n        port: dns\n      periodSeconds: 20\n', { tcpSocket: { port: 'dns' } }],
        // Another action on the same port is not the same probe.
        ['    livenessProbe:\n      httpGet:\n        port: dns\n        path: /health\n', { tcpSocket: { port: 'dns' } }],
      ];
      for (const [liveness, expected] of cases) {
        const text = pod('    - containerPort: 53\n      name: dns\n', liveness);
        const { after, findings } = fixOnce(text, p);
        expect((jsYaml.load(after) as { spec: { containers: Array<{ readinessProbe?: unknown }> } }).spec.containers[0]?.readinessProbe, liveness).toEqual(expected);
        const before = new Set(checkSources([{ path: 'x.yaml', text }], { profile: p }).findings.map(row));
        expect(findings.map(row).filter((f) => !before.has(f)), liveness).toEqual([]);
        expect(findings.filter((f) => f.ruleId.includes('readiness')).map(row), liveness).toEqual([]);
      }
    });

    it('no fix when liveness gives up after one second: no readiness probe on that port could give up first', () => {
      const text = pod('    - containerPort: 53\n      name: dns\n', '    livenessProbe:\n      tcpSocket:\n        port: dns\n      periodSeconds: 1\n      failureThreshold: 1\n');
      const { after, findings } = fixOnce(text, p, ['readiness-probe-missing']);
      expect(after).toBe(text);
      expect(findings.filter((f) => f.ruleId.includes('readiness')).map(row)).toEqual(['readiness-probe-missing Pod/dns /spec/containers/0 fixable=false']);
    });
  });

  describe('lb-connection-drain-missing', () => {
    // The container serves 8080, the Service targets 80: no serving container, so no grace fix either.
    const withGrace = (grace: number): string =>
      read('examples/seed/before/lb-no-drain.yaml').replace('terminationGracePeriodSeconds: 60', `terminationGracePeriodSeconds: ${grace}`).replace('targetPort: 80', 'targetPort: 8080');
    const timeoutOf = (text: string): unknown => (documents(text).map((d) => d.value as { kind?: string; metadata?: { annotations?: Record<string, string> } }).find((v) => v.kind === 'Service'))?.metadata?.annotations;
    const ON = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain';
    const TIMEOUT = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout';

    it('sets the drain timeout to the recommended 30 s, lowered to the grace period of the pods behind the Service', () => {
      const cases: Array<[number, string]> = [[60, '30'], [30, '30'], [25, '25'], [10, '10']];
      for (const [grace, timeout] of cases) {
        const { after, findings } = fixOnce(withGrace(grace), profile('ack-flannel'));
        expect(timeoutOf(after), String(grace)).toEqual({ [ON]: 'on', [TIMEOUT]: timeout });
        expect(findings.filter((f) => f.ruleId.startsWith('lb-')).map(row), String(grace)).toEqual([]);
      }
    });

    it('no fix when the grace period is below the CLB minimum of 10 s: the finding stays', () => {
      const text = withGrace(5);
      const { after, findings } = fixOnce(text, profile('ack-flannel'), ['lb-connection-drain-missing']);
      expect(after).toBe(text);
      expect(findings.filter((f) => f.ruleId.startsWith('lb-')).map(row)).toEqual(['lb-connection-drain-missing Service/nginx /metadata fixable=false']);
    });
  });
});

const REAL = [...(existsSync(CORPUS) ? walk(CORPUS) : []), ...walk(`${ROOT}examples`)];

describe('fix round-trips real manifests (peer corpus and examples/)', () => {
  it('has files to fix, and changes many of them', () => {
    expect(REAL.length).toBeGreaterThan(existsSync(CORPUS) ? 569 : 7);
    const changed = REAL.filter((path) => {
      const text = readFileSync(path, 'utf8');
      return fixSources([{ path, text }], { profile: profile('ack-flannel') }).files[0]?.after !== text;
    });
    expect(changed.length).toBeGreaterThan(existsSync(CORPUS) ? 100 : 4);
  });

  for (const name of PROFILES) {
    it(`profile ${name}: every property holds on every file`, () => {
      const p = profile(name);
      const found: string[] = [];
      for (const path of REAL) found.push(...violations(relative(ROOT, path), readFileSync(path, 'utf8'), p));
      expect(found).toEqual([]);
    });
  }
});

describe('fix round-trips generated manifests (fast-check)', () => {
  it('the generator writes YAML that reads back as its objects', () => {
    fc.assert(
      fc.property(manifestArbitrary, (m) => {
        expect(jsYaml.loadAll(m.text, undefined, { schema: KUBERNETES_YAML_SCHEMA })).toEqual(m.objects);
      }),
      { numRuns: 200 },
    );
  });

  // FIX_RUNS=5000 npx vitest run test/fix/properties.test.ts --testTimeout=0 searches longer.
  it('every property holds, under every profile', () => {
    fc.assert(
      fc.property(manifestArbitrary, fc.constantFrom(...PROFILES), (m, name) => {
        expect(violations('generated.yaml', m.text, profile(name))).toEqual([]);
      }),
      { numRuns: Number(process.env["FIX_RUNS"] ?? 300) },
    );
  });

  it('most generated manifests get fixed (the generator reaches the fixes)', () => {
    let fixedCount = 0;
    const rules = new Set<string>();
    fc.assert(
      fc.property(manifestArbitrary, (m) => {
        const p = profile('ack-flannel');
        const before = checkSources([{ path: 'g.yaml', text: m.text }], { profile: p }).findings;
        for (const f of before) if (f.fix) rules.add(f.ruleId);
        if (fixSources([{ path: 'g.yaml', text: m.text }], { profile: p }).applied > 0) fixedCount++;
      }),
      { numRuns: 200, seed: 42 },
    );
    expect(fixedCount).toBeGreaterThan(150);
    expect([...rules].sort()).toEqual([
      'grace-period-too-short',
      'hpa-replicas-conflict',
      'lb-connection-drain-missing',
      'pdb-missing',
      'prestop-exec-unavailable',
      'prestop-missing',
      'prestop-too-short',
      'readiness-probe-missing',
      'recreate-strategy',
      'rollout-max-unavailable',
    ]);
  });
});
