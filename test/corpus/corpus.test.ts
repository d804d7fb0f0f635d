/**
 * The peer corpus (/work/shared/corpus: test fixtures of kube-score, kube-linter and Polaris,
 * written by nobody on this project). Every manifest must load and be analyzed without an exception
 * and with every finding inside its file; the findings per rule are pinned; and where a peer check
 * means the same as a rollsafe rule, the verdicts per object are compared, with every disagreement
 * named and explained.
 *
 * Each file is analyzed on its own, as the peers' tests run them: relations (Service → workload,
 * PDB → workload) are only looked for inside the file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkSources, type CheckResult } from '../../src/engine/run.js';
import type { Finding } from '../../src/rules/types.js';
import { parseSource } from '../../src/load/parse.js';
import { positionInSource } from '../../src/document/document.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const PRESENT = existsSync(CORPUS);
const SUITE = PRESENT ? `peer corpus (${CORPUS})` : `peer corpus: SKIPPED, the folder ${CORPUS} is absent (it lies beside the project root)`;

/** The real applications (apps/) are judged for precision in test/apps/, not here. */
const APPS = 'apps/';

// In CI the corpus is always laid beside the project: its absence is a failure, not a skip.
it.runIf(process.env['CI'] !== undefined && process.env['CI'] !== '')('the corpus folder is present in CI', () => {
  expect(existsSync(CORPUS)).toBe(true);
});

/** The files `rollsafe check FOLDER` reads. */
const MANIFEST = /\.(?:ya?ml|json)$/i;

function walk(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

const generic = findBuiltinProfile('generic');
if (generic === undefined) throw new Error('no generic profile');
const profile = generic;

function read(rel: string): string {
  return readFileSync(join(CORPUS, rel), 'utf8');
}

function analyze(rel: string, text = read(rel)): CheckResult {
  return checkSources([{ path: rel, text }], { profile });
}

describe.skipIf(!PRESENT)(SUITE, () => {
  const all = PRESENT ? walk(CORPUS, []).map((p) => relative(CORPUS, p)).filter((p) => !p.startsWith(APPS)).sort() : [];
  const manifests = all.filter((p) => MANIFEST.test(p));

  it('holds 573 files: 569 manifests, three licences and the README', () => {
    expect(all).toHaveLength(573);
    expect(all.filter((p) => !MANIFEST.test(p))).toEqual(['README.md', 'kube-linter/LICENSE', 'kube-score/LICENSE', 'polaris/LICENSE']);
    expect(manifests).toHaveLength(569);
  });

  // Analyzed once, shared by the tests below.
  const results = new Map<string, CheckResult>();
  const errors: string[] = [];
  for (const rel of manifests) {
    try {
      results.set(rel, analyze(rel));
    } catch (error: unknown) {
      errors.push(`${rel}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  it('every manifest loads and is analyzed without an exception', () => {
    expect(errors).toEqual([]);
    expect(results.size).toBe(manifests.length);
  });

  it('every finding has a line and column inside its file', () => {
    const outside: string[] = [];
    for (const [rel, result] of results) {
      // Line ends as YAML counts them: LF, CRLF and a lone CR.
      const lines = read(rel).split(/\r\n?|\n/);
      for (const f of result.findings) {
        const text = lines[f.line - 1];
        const inside = f.file === rel && f.line >= 1 && f.column >= 1 && text !== undefined && f.column <= text.length + 1;
        if (!inside) outside.push(`${rel}:${f.line}:${f.column} ${f.ruleId}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('reads 1 060 objects', () => {
    let objects = 0;
    for (const result of results.values()) objects += result.objects;
    expect(objects).toBe(1060);
  });

  it('finds, per rule, exactly', () => {
    const perRule: Record<string, number> = {};
    for (const result of results.values()) for (const f of result.findings) perRule[f.ruleId] = (perRule[f.ruleId] ?? 0) + 1;
    expect(perRule).toEqual({
      'fast-shutdown-image': 11,
      'hpa-replicas-conflict': 5,
      // Six of them: objects without metadata.name (kube-linter: 4 Deployments, 2 StatefulSets).
      // Twelve: six pairs of objects defined twice in one file (kube-linter cel.yml ×2,
      // dangling-servicemonitor.yml, forbidden-annotation.yml, no-liveness-probe.yml,
      // no-readiness-probe.yml). Six values the API server rejects: kube-linter
      // invalid-target-ports.yaml (targetPort 123456 and "n234567890123456", containerPort 123456),
      // two Polaris PDBs with both minAvailable and maxUnavailable, one with minAvailable "150%".
      // Ten: ServiceMonitors defined more than once (kube-linter cel.yml and
      // dangling-servicemonitor.yml, each `dont-fire` ×2 and `app1` ×3), seen since ServiceMonitors
      // are read for what a Service carries (domain/service-role.ts).
      'invalid-manifest': 331,
      'liveness-probe-same-as-readiness': 6,
      'pdb-missing': 43,
      // Not on the 5 one-replica StatefulSets: their pod is deleted before its replacement exists, so
      // no preStop helps; single-replica says so.
      'prestop-missing': 102,
      'readiness-probe-missing': 91,
      'readiness-probe-port-mismatch': 3,
      'recreate-strategy': 1,
      // kube-score deployment-extensions-v1beta1.yaml: one replica and that version's defaults
      // (maxSurge 1, maxUnavailable 1) let the rollout stop the only pod.
      'rollout-max-unavailable': 1,
      'service-selects-nothing': 13,
      // Not on the 142 one-replica workloads (most peer fixtures are bare Deployments) whose file has
      // no Service and none of whose containers declares a port: nothing shows that they serve,
      // and the container rules skip them too.
      'single-replica': 226,
    });
  });

  it('the files that are not valid manifests get a clear error at the document', () => {
    const documentProblems: string[] = [];
    for (const [rel, result] of results) {
      for (const f of result.findings) if (f.ruleId === 'invalid-manifest' && f.path === '') documentProblems.push(`${rel}:${f.line}:${f.column} ${f.message.split(':')[0] ?? ''}`);
    }
    expect(documentProblems.sort()).toEqual([
      'kube-linter/cel.yml:36:1 duplicated mapping key',
      'kube-score/helm/app1/Chart.yaml:1:1 not a Kubernetes object',
      'polaris/nakedPod/check.yaml:17:23 unrendered Helm template',
      'polaris/oneController/check.yaml:17:23 unrendered Helm template',
      'polaris/resourceRange/check.yaml:1:1 not a Kubernetes object',
    ]);
  });

  describe('agreement with peer checks that mean the same', () => {
    /** One object (or container) with the peer's verdict and rollsafe's: true = the check fires. */
    type Table = Record<string, { readonly peer: boolean; readonly rollsafe: boolean }>;

    interface DocumentObject {
      readonly label: string;
      readonly kind: string;
      readonly name: string;
      readonly value: Record<string, unknown>;
      readonly firstLine: number;
    }

    function isRecord(value: unknown): value is Record<string, unknown> {
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    }

    function field(value: unknown, ...keys: string[]): unknown {
      let node = value;
      for (const key of keys) node = isRecord(node) ? node[key] : undefined;
      return node;
    }

    /** The objects of a file in order, labelled `Kind/name` (`#2` etc. when a label repeats). */
    function objectsOf(rel: string, text: string): DocumentObject[] {
      const source = { path: rel, text };
      const seen = new Map<string, number>();
      return parseSource(source).documents.flatMap((doc) => {
        const value = doc.value;
        if (!isRecord(value)) return [];
        const kind = String(value['kind'] ?? '');
        const name = String(field(value, 'metadata', 'name') ?? '');
        const base = `${kind}/${name}`;
        const n = (seen.get(base) ?? 0) + 1;
        seen.set(base, n);
        return [{ label: n === 1 ? base : `${base}#${n}`, kind, name, value, firstLine: positionInSource(source, doc.offset).line }];
      });
    }

    /** The object a finding is in: the last document starting at or before its line. */
    function objectAt(objects: readonly DocumentObject[], finding: Finding): DocumentObject | undefined {
      let found: DocumentObject | undefined;
      for (const o of objects) if (o.firstLine <= finding.line) found = o;
      return found;
    }

    /** rollsafe's verdict per object of the given kinds: does `ruleId` fire on it? */
    function objectVerdicts(rel: string, ruleId: string, kinds: readonly string[], text = read(rel)): Map<string, boolean> {
      const objects = objectsOf(rel, text);
      const fired = new Set<DocumentObject>();
      for (const f of analyze(rel, text).findings) {
        const o = f.ruleId === ruleId ? objectAt(objects, f) : undefined;
        if (o) fired.add(o);
      }
      return new Map(objects.filter((o) => kinds.includes(o.kind)).map((o) => [o.label, fired.has(o)]));
    }

    /** Builds the table from the peer's verdicts (by key) and rollsafe's (by object label). */
    function tableOf(entries: ReadonlyArray<readonly [key: string, peer: boolean, rollsafe: boolean | undefined]>): Table {
      const table: Table = {};
      for (const [key, peer, rollsafe] of entries) {
        if (rollsafe === undefined) throw new Error(`no object for ${key}`);
        table[key] = { peer, rollsafe };
      }
      return table;
    }

    /** Every disagreement of the table has a reason, and every reason is a disagreement. */
    function expectExplained(table: Table, reasons: Readonly<Record<string, string>>): void {
      const disagreements = Object.keys(table).filter((key) => table[key]?.peer !== table[key]?.rollsafe);
      expect(disagreements.sort()).toEqual(Object.keys(reasons).sort());
    }

    const fire = (peer: boolean, rollsafe: boolean): { peer: boolean; rollsafe: boolean } => ({ peer, rollsafe });

    it('kube-linter no-readiness-probe.yml vs readiness-probe-missing', () => {
      const rel = 'kube-linter/no-readiness-probe.yml';
      const verdicts = objectVerdicts(rel, 'readiness-probe-missing', ['Deployment', 'DeploymentConfig']);
      // The peer's verdict is in the name: objects named dont-fire* must not fire.
      const table = tableOf([...verdicts].map(([label, rollsafe]) => [label, !label.split('/')[1]?.startsWith('dont-fire'), rollsafe] as const));
      expect(table).toEqual({
        'Deployment/dont-fire': fire(false, false),
        'DeploymentConfig/dont-fire': fire(false, false),
        'Deployment/app1': fire(true, false),
        'DeploymentConfig/app2': fire(true, false),
        'Deployment/dont-fire#2': fire(false, false),
      });
      expectExplained(table, {
        'Deployment/app1': 'rollsafe skips containers that declare no ports when no Service is in the input (nothing shows they serve traffic)',
        'DeploymentConfig/app2': 'rollsafe does not analyze OpenShift apps.openshift.io DeploymentConfig (skipped with a note)',
      });
    });

    it('kube-linter no-rolling-update-strategy.yml vs recreate-strategy', () => {
      const rel = 'kube-linter/no-rolling-update-strategy.yml';
      const verdicts = objectVerdicts(rel, 'recreate-strategy', ['Deployment', 'DeploymentConfig']);
      // The peer's verdicts are in kube-linter's e2etests/bats-tests.sh: app1 and app2 (type Other) fire.
      const peer: Record<string, boolean> = { 'Deployment/app1': true, 'DeploymentConfig/app2': true, 'Deployment/app3': false, 'DeploymentConfig/app4': false };
      const table = tableOf(Object.entries(peer).map(([label, fires]) => [label, fires, verdicts.get(label)] as const));
      expect(table).toEqual({
        'Deployment/app1': fire(true, false),
        'DeploymentConfig/app2': fire(true, false),
        'Deployment/app3': fire(false, false),
        'DeploymentConfig/app4': fire(false, false),
      });
      expectExplained(table, {
        'Deployment/app1': 'type `Other` is not a strategy Kubernetes accepts: rollsafe reports it as invalid-manifest (enum), recreate-strategy fires only on Recreate',
        'DeploymentConfig/app2': 'rollsafe does not analyze OpenShift apps.openshift.io DeploymentConfig (skipped with a note)',
      });
      // The invalid type is reported, just by another rule.
      const strategyProblems = analyze(rel).findings.filter((f) => f.ruleId === 'invalid-manifest' && f.path.startsWith('/spec/strategy'));
      // At the value `Other` (a wrong value is reported at the value).
      expect(strategyProblems.map((f) => [f.line, f.column, f.path])).toEqual([[8, 11, '/spec/strategy/type']]);
    });

    it('kube-linter readiness-port.yml vs readiness-probe-port-mismatch (per container)', () => {
      const rel = 'kube-linter/readiness-port.yml';
      const [deployment] = objectsOf(rel, read(rel));
      const containers = field(deployment?.value, 'spec', 'template', 'spec', 'containers');
      const names = Array.isArray(containers) ? containers.map((c) => String(field(c, 'name'))) : [];
      const fired = new Set(
        analyze(rel)
          .findings.filter((f) => f.ruleId === 'readiness-probe-port-mismatch')
          .map((f) => Number(/^\/spec\/template\/spec\/containers\/(\d+)\//.exec(f.path)?.[1])),
      );
      // The peer's verdict is in the container name: fire-* fires, dont-fire-* does not.
      const table = tableOf(names.map((name, i) => [name, name.startsWith('fire-'), fired.has(i)] as const));
      expect(table).toEqual({
        'dont-fire-deployment-grpc': fire(false, false),
        'dont-fire-deployment': fire(false, false),
        'fire-deployment-name': fire(true, true),
        'fire-deployment-int': fire(true, true),
        'fire-deployment-udp': fire(true, false),
        'fire-deployment-grpc': fire(true, true),
      });
      expectExplained(table, {
        'fire-deployment-udp':
          'rollsafe resolves the probe port by name without checking its protocol: a tcpSocket probe on a port declared UDP can never connect (a rollsafe gap)',
      });
    });

    it('Polaris readinessProbeMissing vs readiness-probe-missing', () => {
      const dir = 'polaris/readinessProbeMissing';
      const files = manifests.filter((p) => p.startsWith(`${dir}/`) && /^(?:success|failure)/.test(p.slice(dir.length + 1)));
      const entries = files.flatMap((rel) =>
        [...objectVerdicts(rel, 'readiness-probe-missing', ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet'])].map(
          ([label, rollsafe]) => [`${rel.slice(dir.length + 1)} ${label}`, rel.slice(dir.length + 1).startsWith('failure'), rollsafe] as const,
        ),
      );
      const table = tableOf(entries);
      expect(table).toEqual({
        'failure.yaml Pod/readiness-exec': fire(true, false),
        'success.yaml Pod/readiness-exec': fire(false, false),
      });
      expectExplained(table, {
        'failure.yaml Pod/readiness-exec': 'rollsafe skips containers that declare no ports when no Service is in the input (the Pod only runs a shell loop)',
      });
    });

    const POLARIS_PDB = 'polaris/missingPodDisruptionBudget';

    function polarisPdbTable(transform: (text: string) => string): Table {
      const files = manifests.filter((p) => p.startsWith(`${POLARIS_PDB}/`));
      return tableOf(
        files.flatMap((rel) => {
          const file = rel.slice(POLARIS_PDB.length + 1);
          return [...objectVerdicts(rel, 'pdb-missing', ['Deployment', 'StatefulSet'], transform(read(rel)))].map(([label, rollsafe]) => [`${file} ${label}`, file.startsWith('failure'), rollsafe] as const);
        }),
      );
    }

    it('Polaris missingPodDisruptionBudget vs pdb-missing', () => {
      const table = polarisPdbTable((text) => text);
      expect(table).toEqual({
        'failure-bad-ns.yaml Deployment/zookeeper': fire(true, false),
        'failure.bad-name.yaml Deployment/zookeeper': fire(true, false),
        'failure.empty-labels.yaml Deployment/zookeeper': fire(true, false),
        'failure.no-labels.yaml Deployment/zookeeper': fire(true, false),
        'failure.no-metadata.yaml Deployment/zookeeper': fire(true, false),
        'failure.wrong-place.yaml Deployment/zookeeper': fire(true, false),
        'failure.yaml Deployment/zookeeper': fire(true, false),
        'success.many.yaml Deployment/zookeeper': fire(false, false),
        'success.yaml Deployment/zookeeper': fire(false, false),
      });
      const onlyReplicas = 'replicas is unset (1): rollsafe asks for a PDB only from 2 replicas (single-replica covers one); Polaris ignores replicas';
      expectExplained(table, {
        'failure-bad-ns.yaml Deployment/zookeeper': onlyReplicas,
        'failure.bad-name.yaml Deployment/zookeeper': onlyReplicas,
        'failure.empty-labels.yaml Deployment/zookeeper': onlyReplicas,
        'failure.no-labels.yaml Deployment/zookeeper': onlyReplicas,
        'failure.no-metadata.yaml Deployment/zookeeper': onlyReplicas,
        'failure.wrong-place.yaml Deployment/zookeeper': onlyReplicas,
        'failure.yaml Deployment/zookeeper': onlyReplicas,
      });
    });

    /** Adds `replicas: 3` to the first Deployment or StatefulSet of a file. */
    function withThreeReplicas(text: string): string {
      const scaled = text.replace(/(kind: (?:Deployment|StatefulSet)\n(?:.*\n)*?)spec:\n/, '$1spec:\n  replicas: 3\n');
      expect(scaled).not.toBe(text);
      return scaled;
    }

    it('Polaris missingPodDisruptionBudget vs pdb-missing, every workload scaled to 3 replicas: full agreement', () => {
      const table = polarisPdbTable(withThreeReplicas);
      for (const verdict of Object.values(table)) expect(verdict.rollsafe).toBe(verdict.peer);
      expect(Object.keys(table)).toHaveLength(9);
    });

    /** kube-score: one workload per file; the verdicts are from kube-score's score/*_test.go. */
    function kubeScoreTable(ruleId: string, peer: Readonly<Record<string, boolean>>, transform: (text: string) => string = (t) => t): Table {
      return tableOf(
        Object.entries(peer).map(([file, fires]) => {
          const verdicts = [...objectVerdicts(`kube-score/${file}`, ruleId, ['Pod', 'Deployment', 'StatefulSet'], transform(read(`kube-score/${file}`))).values()];
          expect(verdicts).toHaveLength(1);
          return [file, fires, verdicts[0]] as const;
        }),
      );
    }

    it('kube-score pod-probes (missing readinessProbe) vs readiness-probe-missing: full agreement', () => {
      // score/probe_test.go: Critical "Container is missing a readinessProbe" fires; AllOK, skipped
      // ("not targeted by a service") and the identical-probe cases do not.
      const table = kubeScoreTable('readiness-probe-missing', {
        'pod-probes-all-missing.yaml': true,
        'pod-probes-both.yaml': false,
        'pod-probes-identical-exec.yaml': false,
        'pod-probes-identical-http.yaml': false,
        'pod-probes-identical-tcp.yaml': false,
        'pod-probes-missing-live.yaml': false,
        'pod-probes-missing-ready.yaml': true,
        'pod-probes-not-targeted-by-service-multi-labels.yaml': false,
        'pod-probes-not-targeted-by-service.yaml': false,
        'pod-probes-on-different-containers-init.yaml': false,
        'pod-probes-on-different-containers.yaml': false,
        'pod-probes-targeted-by-service-different-namespace.yaml': false,
        'pod-probes-targeted-by-service-same-namespace-multi-labels.yaml': true,
        'pod-probes-targeted-by-service-same-namespace.yaml': true,
        'pod-probes-targeted-by-service.yaml': true,
      });
      expect(Object.values(table).filter((v) => v.rollsafe)).toHaveLength(5);
      expectExplained(table, {});
    });

    it('kube-score pod-probes-identical vs liveness-probe-same-as-readiness: full agreement', () => {
      // score/probe_test.go: "Container has the same readiness and liveness probe" for the three
      // identical-* files; the others have different or missing probes.
      const table = kubeScoreTable('liveness-probe-same-as-readiness', {
        'pod-probes-all-missing.yaml': false,
        'pod-probes-both.yaml': false,
        'pod-probes-identical-exec.yaml': true,
        'pod-probes-identical-http.yaml': true,
        'pod-probes-identical-tcp.yaml': true,
        'pod-probes-missing-live.yaml': false,
        'pod-probes-missing-ready.yaml': false,
        'pod-probes-on-different-containers-init.yaml': false,
        'pod-probes-on-different-containers.yaml': false,
      });
      expect(Object.values(table).filter((v) => v.rollsafe)).toHaveLength(3);
      expectExplained(table, {});
    });

    it('kube-score deployment-strategy vs recreate-strategy: full agreement', () => {
      // score/deployment_test.go: Warning when targeted by a Service and the type is set and not
      // RollingUpdate; unset is AllOK; not targeted is skipped.
      const table = kubeScoreTable('recreate-strategy', {
        'service-target-deployment.yaml': false,
        'service-not-target-deployment.yaml': false,
        'service-target-deployment-not-rolling.yaml': true,
        'service-target-deployment-strategy-not-set.yaml': false,
      });
      expect(table['service-target-deployment-not-rolling.yaml']).toEqual(fire(true, true));
      expectExplained(table, {});
    });

    // score/poddisruptionbudget_test.go: "Deployment/StatefulSet has PodDisruptionBudget".
    const KUBE_SCORE_PDB: Record<string, boolean> = {
      'deployment-poddisruptionbudget-v1-different-namespace.yaml': true,
      'deployment-poddisruptionbudget-v1-matches.yaml': false,
      'deployment-poddisruptionbudget-v1-no-match.yaml': true,
      'deployment-poddisruptionbudget-v1beta1-expression-matches.yaml': false,
      'deployment-poddisruptionbudget-v1beta1-expression-no-match.yaml': true,
      'deployment-poddisruptionbudget-v1beta1-matches.yaml': false,
      'deployment-poddisruptionbudget-v1beta1-no-match.yaml': true,
      'statefulset-poddisruptionbudget-v1beta1-expression-matches.yaml': false,
      'statefulset-poddisruptionbudget-v1beta1-expression-no-match.yaml': true,
      'statefulset-poddisruptionbudget-v1beta1-matches.yaml': false,
      'statefulset-poddisruptionbudget-v1beta1-no-match.yaml': true,
    };

    it('kube-score deployment/statefulset-has-poddisruptionbudget vs pdb-missing', () => {
      const table = kubeScoreTable('pdb-missing', KUBE_SCORE_PDB);
      expect(table).toEqual({
        'deployment-poddisruptionbudget-v1-different-namespace.yaml': fire(true, false),
        'deployment-poddisruptionbudget-v1-matches.yaml': fire(false, false),
        'deployment-poddisruptionbudget-v1-no-match.yaml': fire(true, false),
        'deployment-poddisruptionbudget-v1beta1-expression-matches.yaml': fire(false, false),
        'deployment-poddisruptionbudget-v1beta1-expression-no-match.yaml': fire(true, false),
        'deployment-poddisruptionbudget-v1beta1-matches.yaml': fire(false, false),
        'deployment-poddisruptionbudget-v1beta1-no-match.yaml': fire(true, false),
        'statefulset-poddisruptionbudget-v1beta1-expression-matches.yaml': fire(false, false),
        'statefulset-poddisruptionbudget-v1beta1-expression-no-match.yaml': fire(true, false),
        'statefulset-poddisruptionbudget-v1beta1-matches.yaml': fire(false, false),
        'statefulset-poddisruptionbudget-v1beta1-no-match.yaml': fire(true, false),
      });
      const onlyReplicas = 'replicas is unset (1): rollsafe asks for a PDB only from 2 replicas (single-replica covers one); kube-score skips only an explicit replicas < 2';
      expectExplained(
        table,
        Object.fromEntries(Object.entries(KUBE_SCORE_PDB).filter(([, fires]) => fires).map(([file]) => [file, onlyReplicas])),
      );
    });

    it('kube-score has-poddisruptionbudget vs pdb-missing, every workload scaled to 3 replicas: full agreement', () => {
      // Same selectors, namespaces and matchExpressions; only the replica count differs.
      const table = kubeScoreTable('pdb-missing', KUBE_SCORE_PDB, withThreeReplicas);
      expectExplained(table, {});
      expect(Object.values(table).filter((v) => v.rollsafe)).toHaveLength(6);
    });
  });
});
