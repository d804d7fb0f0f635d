/**
 * The config file `.rollsafe.yaml`: default profile and Kubernetes version, `--fail-on`, and a
 * severity (or `off`) per rule. Validated with clear errors; unknown keys are errors too.
 */
import jsYaml from 'js-yaml';
import { escapeToken } from '../document/pointer.js';
import { isRecord } from '../model/k8s.js';
import { RULES } from '../rules/index.js';
import type { Severity } from '../rules/types.js';
import { RollsafeError } from '../errors.js';

export type FailOn = Severity | 'none';

export interface Config {
  readonly profile?: string;
  readonly k8sVersion?: string;
  readonly failOn?: FailOn;
  readonly rules: Readonly<Record<string, Severity | 'off'>>;
}

const RULE_LEVELS = new Set(['error', 'warning', 'info', 'off']);
const FAIL_ON = new Set(['error', 'warning', 'info', 'none']);

/** Parses `ID=LEVEL` (from `--rule`) into the rules map; throws a RollsafeError `invalid-config` on a bad value. */
export function parseRuleSetting(setting: string, into: Record<string, Severity | 'off'>): void {
  const m = /^([a-z0-9-]+)=([a-z]+)$/.exec(setting);
  if (!m) throw new RollsafeError('invalid-config', `--rule ${setting}: expected RULE-ID=error|warning|info|off`);
  const [, id = '', level = ''] = m;
  if (!RULES.has(id)) throw new RollsafeError('invalid-config', `--rule ${setting}: unknown rule \`${id}\` (see \`rollsafe rules\`)`);
  if (!RULE_LEVELS.has(level)) throw new RollsafeError('invalid-config', `--rule ${setting}: unknown severity \`${level}\`; use error, warning, info or off`);
  into[id] = level as Severity | 'off';
}

/** Parses a config file's text. */
export function parseConfig(text: string, path: string): Config {
  let value: unknown;
  try {
    value = jsYaml.load(text, { filename: path });
  } catch (error: unknown) {
    const e = error as { reason?: string; mark?: { line?: number; column?: number } };
    throw new RollsafeError('invalid-config', `${path}:${(e.mark?.line ?? 0) + 1}:${(e.mark?.column ?? 0) + 1}: YAML syntax error: ${e.reason ?? String(error)}`, { file: path });
  }
  if (value === undefined || value === null) return { rules: {} };
  if (!isRecord(value)) throw new RollsafeError('invalid-config', `${path}: expected a mapping with profile, k8sVersion, failOn, rules`, { file: path });
  const rules: Record<string, Severity | 'off'> = {};
  let config: Config = { rules };
  for (const [key, v] of Object.entries(value)) {
    switch (key) {
      case 'profile':
        if (typeof v !== 'string') throw new RollsafeError('invalid-config', `${path}: profile must be a profile name or file path`, { file: path, pointer: '/profile' });
        config = { ...config, profile: v };
        break;
      case 'k8sVersion':
        if (typeof v === 'number') throw new RollsafeError('invalid-config', `${path}: k8sVersion must be quoted: YAML reads ${String(v)} as a number (write k8sVersion: "1.30")`, { file: path, pointer: '/k8sVersion' });
        if (typeof v !== 'string') throw new RollsafeError('invalid-config', `${path}: k8sVersion must be a version like "1.30"`, { file: path, pointer: '/k8sVersion' });
        config = { ...config, k8sVersion: v };
        break;
      case 'failOn':
        if (typeof v !== 'string' || !FAIL_ON.has(v)) throw new RollsafeError('invalid-config', `${path}: failOn must be error, warning, info or none`, { file: path, pointer: '/failOn' });
        config = { ...config, failOn: v as FailOn };
        break;
      case 'rules':
        if (!isRecord(v)) throw new RollsafeError('invalid-config', `${path}: rules must map rule ids to error, warning, info or off`, { file: path, pointer: '/rules' });
        for (const [id, level] of Object.entries(v)) {
          if (!RULES.has(id)) throw new RollsafeError('invalid-config', `${path}: rules: unknown rule \`${id}\` (see \`rollsafe rules\`)`, { file: path, pointer: `/rules/${escapeToken(id)}` });
          if (typeof level !== 'string' || !RULE_LEVELS.has(level)) throw new RollsafeError('invalid-config', `${path}: rules.${id}: use error, warning, info or off (quote "off")`, { file: path, pointer: `/rules/${escapeToken(id)}` });
          rules[id] = level as Severity | 'off';
        }
        break;
      default:
        throw new RollsafeError('invalid-config', `${path}: unknown key \`${key}\`; allowed: profile, k8sVersion, failOn, rules`, { file: path, pointer: `/${escapeToken(key)}` });
    }
  }
  return config;
}
