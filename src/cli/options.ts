/**
 * Command-line pieces shared by the commands that analyze manifests (`check`, `fix`): the
 * profile, Kubernetes version, config file and `--rule` options, and the exit-code-2 error report.
 */
import { ConfigError, parseConfig, parseRuleSetting, type Config } from '../engine/config.js';
import type { Severity } from '../rules/types.js';
import { InputError } from '../load/files.js';
import { ProfileError, resolveProfile, withK8sVersion } from '../profiles/load.js';
import { BUILTIN_PROFILES } from '../profiles/builtin.js';
import type { Profile } from '../profiles/types.js';
import type { Io } from './io.js';

/** A usage error: exit code 2 with the message and a pointer to --help. */
export class UsageError extends Error {
  readonly code = 'usage';
}

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
    throw new ConfigError(`${file}: cannot read the config file`);
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

/**
 * Reports an error that ends a command and returns exit code 2; no stack unless ROLLSAFE_DEBUG.
 * A usage error points to the help of `command` (the program's help without one).
 */
export function reportError(error: unknown, io: Io, command?: string): number {
  const code = (error as { code?: unknown }).code;
  if (error instanceof UsageError || (error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
    // Node's argument-parser messages run on with advice about `--`; the first sentence says it.
    const message = error instanceof UsageError ? error.message : (error.message.split(/\.\s/)[0] ?? error.message);
    io.stderr(`rollsafe: ${message}\nRun \`${io.program ?? 'rollsafe'}${command === undefined ? '' : ` ${command}`} --help\` for usage.\n`);
  } else if (error instanceof InputError || error instanceof ConfigError || error instanceof ProfileError || (error instanceof Error && code === 'unwritable-output')) {
    io.stderr(`rollsafe: ${error.message}\n`);
  } else {
    // An internal error: say so plainly; the stack only when asked for.
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`rollsafe: internal error: ${message}\n`);
    if (io.env['ROLLSAFE_DEBUG'] && error instanceof Error && error.stack) io.stderr(error.stack + '\n');
  }
  return 2;
}
