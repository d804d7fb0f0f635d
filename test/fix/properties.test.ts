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
import type { Finding } from '../../src/engine/types.js';
import { commentsOf } from '../../src/fix/edit.js';
import { fixSources } from '../../src/fix/driver.js';
import { deepEqual } from '../../src/fix/patch.js';
import { documentChunks, parseSource } from '../../src/load/parse.js';
import { KUBERNETES_YAML_SCHEMA } from '../../src/load/yaml11.js';
import { BUILTIN_PROFILES, findBuiltinProfile } from '../../src/profiles/builtin.js';
import { withK8sVersion } from '../../src/profiles/load.js';
import type { Profile } from '../../src/profiles/types.js';
import { compareVersions } from '../../src/schema/kinds.js';
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

/**
 * New findings that come from a rule's fix, not from the fixer (reported; each is pinned by a
 * test below, so a corrected rule shows up here):
 * - pdb-missing writes policy/v1 whatever the cluster version; before 1.21 it is not served;
 * - pdb-missing copies the workload's selector even when it is malformed (no matchLabels);
 * - readiness-probe-missing writes a tcpSocket probe identical to an existing tcpSocket
 *   livenessProbe, which liveness-probe-same-as-readiness then reports;
 * - lb-connection-drain-missing sets the profile's drain timeout even when it is longer than the
 *   grace period of the pods behind the Service, which lb-drain-exceeds-grace then reports.
 */
function isKnownRuleDefect(f: Finding, p: Profile): boolean {
  if (f.ruleId === 'invalid-manifest' && f.resource.kind === 'PodDisruptionBudget') {
    return (f.path === '/apiVersion' && compareVersions(p.k8sVersion, '1.21') < 0) || f.path.startsWith('/spec/selector/');
  }
  return f.ruleId === 'liveness-probe-same-as-readiness' || f.ruleId === 'lb-drain-exceeds-grace';
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
  for (const f of findings) if (!f.fix && !old.has(key(f)) && !isKnownRuleDefect(f, p)) out.push(`${label}: the fix brought a new finding: ${key(f)}: ${f.message}`);
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

describe('known rule defects the fixer shows (reported, not fixed here)', () => {
  const fixOnce = (text: string, p: Profile): { after: string; findings: Finding[] } => {
    const after = fixSources([{ path: 'x.yaml', text }], { profile: p }).files[0]?.after ?? '';
    return { after, findings: checkSources([{ path: 'x.yaml', text: after }], { profile: p }).findings };
  };

  it('pdb-missing adds a policy/v1 PodDisruptionBudget even where the cluster (before 1.21) does not serve policy/v1', () => {
    const p = profile('ack-flannel@1.18');
    const { findings } = fixOnce(read('examples/seed/before/lb-no-drain.yaml'), p);
    expect(findings.filter((f) => isKnownRuleDefect(f, p)).map((f) => f.message)).toEqual(['policy/v1 PodDisruptionBudget is served from Kubernetes 1.21; the API server (1.18) rejects it']);
  });

  it('pdb-missing copies a workload selector that is empty (the PDB then selects every pod of the namespace) or malformed', () => {
    const deployment = (selector: string): string => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n${selector}  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n        ports:\n        - containerPort: 80\n`;
    const p = profile('generic');
    expect(fixOnce(deployment(''), p).after).toContain('  selector:\n    matchLabels: {}\n');
    const malformed = fixOnce(deployment('  selector:\n    app: web\n'), p);
    expect(malformed.after).toContain('kind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  maxUnavailable: 1\n  selector:\n    app: web\n');
    expect(malformed.findings.filter((f) => f.resource.kind === 'PodDisruptionBudget').map((f) => `${f.ruleId} ${f.path}`)).toEqual(['invalid-manifest /spec/selector/app']);
  });

  it('readiness-probe-missing probes a UDP port with tcpSocket (never ready), the same probe as the livenessProbe', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: dns\nspec:\n  containers:\n  - name: dns\n    image: coredns/coredns:1.11.1\n    ports:\n    - containerPort: 53\n      name: dns\n      protocol: UDP\n    livenessProbe:\n      tcpSocket:\n        port: dns\n';
    const { after, findings } = fixOnce(text, profile('generic'));
    expect(after).toContain('    readinessProbe:\n      tcpSocket:\n        port: dns\n');
    expect(findings.map((f) => f.ruleId)).toContain('liveness-probe-same-as-readiness');
  });

  it('lb-connection-drain-missing sets a drain timeout longer than the grace period of the pods behind the Service', () => {
    // The container serves 8080, the Service targets 80: no serving container, so no grace fix either.
    const text = read('examples/seed/before/lb-no-drain.yaml').replace('terminationGracePeriodSeconds: 60', 'terminationGracePeriodSeconds: 10').replace('targetPort: 80', 'targetPort: 8080');
    const { after, findings } = fixOnce(text, profile('ack-flannel'));
    expect(after).toContain('alibaba-cloud-loadbalancer-connection-drain-timeout: "30"');
    expect(findings.map((f) => f.ruleId)).toContain('lb-drain-exceeds-grace');
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
