/**
 * Command-line pieces shared by the commands that analyze manifests (`check`, `fix`): the
 * profile, Kubernetes version, config file and `--rule` options.
 */
import { parseConfig, parseRuleSetting, type Config } from '../engine/config.js';
import type { Severity } from '../rules/types.js';
import { resolveProfile, withK8sVersion } from '../profiles/load.js';
import { BUILTIN_PROFILES } from '../profiles/builtin.js';
import type { Profile } from '../profiles/types.js';
import type { Io } from './io.js';
import { RollsafeError } from '../errors.js';

/** The analysis options (option specs of command.ts, taken into a command's own table). */
export const ANALYSIS_OPTIONS = {
  profile: { type: 'string', short: 'p', value: 'NAME|FILE', description: `cluster profile: a file, or one of ${[...BUILTIN_PROFILES.keys()].join(', ')} (add +ingress-nginx to any)`, defaultText: 'generic' },
  'k8s-version': { type: 'string', value: '1.N', description: 'Kubernetes version of the cluster', defaultText: "the profile's" },
  rule: { type: 'string', value: 'ID=LEVEL', repeatable: true, description: "set a rule's severity or turn it off (error, warning, info or off)" },
  config: { type: 'string', short: 'c', value: 'FILE', description: 'config file', defaultText: './.rollsafe.yaml when present' },
} as const;

/** The analysis options as parsed. */
export interface AnalysisValues {
  readonly profile?: string | undefined;
  readonly 'k8s-version'?: string | undefined;
  readonly rule?: readonly string[] | undefined;
  readonly config?: string | undefined;
}

/** What the analysis options resolve to. */
export interface Analysis {
  readonly config: Config;
  readonly profile: Profile;
  readonly ruleSeverities: Record<string, Severity | 'off'>;
}

/** Reads the config file: the one given, else `./.rollsafe.yaml` when it exists, else none. */
export function loadConfig(path: string | undefined, io: Io): Config {
  const file = path ?? '.rollsafe.yaml';
  if (path === undefined && !io.fileExists(file)) return { rules: {} };
  let text: string;
  try {
    text = io.readFile(file);
  } catch {
    throw new RollsafeError('invalid-config', `${file}: cannot read the config file`);
  }
  return parseConfig(text, file);
}

/** A built-in profile or a profile file, at the Kubernetes version asked for. */
export function resolveCheckProfile(name: string, version: string | undefined, io: Io): Profile {
  const profile = resolveProfile(name, io.readFile);
  return version === undefined ? profile : withK8sVersion(profile, version);
}

/**
 * Resolves profile, version, config file and rule severities: flags win over the config file,
 * which wins over the defaults (profile `generic`, the profile's version).
 */
export function resolveAnalysis(values: AnalysisValues, io: Io): Analysis {
  const config = loadConfig(values.config, io);
  const ruleSeverities: Record<string, Severity | 'off'> = { ...config.rules };
  for (const setting of values.rule ?? []) parseRuleSetting(setting, ruleSeverities);
  const profile = resolveCheckProfile(values.profile ?? config.profile ?? 'generic', values['k8s-version'] ?? config.k8sVersion, io);
  return { config, profile, ruleSeverities };
}
