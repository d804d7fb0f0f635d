/**
 * The objects the equivalence test judges: every workload the policy matches in the rule
 * fixtures, the loader's fixtures (defaults and values the API server rejects), the bundled
 * examples and the peer corpus, each with the rule verdicts of
 * `rollsafe check` run on that object alone (what the policy sees at admission).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSources } from '../../src/engine/run.js';
import { loadSources } from '../../src/load/objects.js';
import type { Profile } from '../../src/profiles/types.js';
import { POLICY_KINDS } from '../../src/policy/rules.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
/** The peer tools' fixtures (apps/ is judged for precision elsewhere). */
const PEERS = ['kube-linter', 'kube-score', 'polaris'];

const MANIFEST = /\.(?:ya?ml|json)$/i;

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (MANIFEST.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** Manifest files of a source set, as [display path, absolute path]. */
export function filesOf(set: 'fixtures' | 'load' | 'examples' | 'corpus'): [string, string][] {
  if (set === 'corpus') {
    return PEERS.flatMap((peer) => walk(join(CORPUS, peer))).map((p) => [`corpus/${relative(CORPUS, p)}`, p]);
  }
  const dir = set === 'fixtures' ? join(ROOT, 'test/fixtures/rules') : set === 'load' ? join(ROOT, 'test/fixtures/load') : join(ROOT, 'examples');
  return walk(dir).map((p) => [relative(ROOT, p), p]);
}

export const CORPUS_PRESENT = existsSync(CORPUS);

/** One workload object of the input, with what rollsafe reports on it when it is alone. */
export interface Case {
  /** `file#index Kind/name`. */
  readonly id: string;
  readonly object: Record<string, unknown>;
  /** Rule ids `rollsafe check` reports on the object alone (invalid-manifest aside). */
  readonly fired: ReadonlySet<string>;
  /** False when the API server would reject the object (rollsafe reports invalid-manifest on it). */
  readonly valid: boolean;
}

/** The workload objects (of the kinds the policy matches) in the files, judged alone under `profile`. */
export function casesOf(files: readonly [string, string][], profile: Profile): Case[] {
  const cases: Case[] = [];
  for (const [display, path] of files) {
    const loaded = loadSources([{ path: display, text: readFileSync(path, 'utf8') }], profile.k8sVersion);
    loaded.resources.forEach((resource, index) => {
      if (!(POLICY_KINDS as readonly string[]).includes(resource.kind)) return;
      if (resource.apiVersion !== (resource.kind === 'ReplicationController' ? 'v1' : 'apps/v1')) return;
      const alone = checkSources([{ path: display, text: JSON.stringify(resource.object) }], { profile });
      const valid = !alone.findings.some((f) => f.ruleId === 'invalid-manifest');
      const fired = new Set(alone.findings.map((f) => f.ruleId).filter((id) => id !== 'invalid-manifest'));
      cases.push({ id: `${display}#${index} ${resource.kind}/${resource.name}`, object: resource.object, fired, valid });
    });
  }
  return cases;
}
