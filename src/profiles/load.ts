/**
 * Profile files (YAML, our own format) and profile resolution. A file extends a built-in profile
 * and overrides any field; it is checked against one table of the known shape, and every problem
 * is returned with its line and column instead of being thrown.
 */
import { locate, type ParsedDocument } from '../document/document.js';
import { parseSource } from '../load/parse.js';
import { toPointer } from '../document/pointer.js';
import { BUILTIN_PROFILES, deepFreeze, findBuiltinProfile, INGRESS_NGINX_SUFFIX } from './builtin.js';
import type { Profile } from './types.js';
import { fileErrorReason, RollsafeError } from '../errors.js';

/** A problem in a profile file; line and column are 1-based. */
export interface ProfileProblem {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** The shape of a profile file: one entry per field, checked by {@link checkNode}. */
type Spec = (
  | { readonly type: 'string'; readonly oneOf?: readonly string[]; readonly pattern?: RegExp }
  | { readonly type: 'number'; readonly min?: number; readonly max?: number; readonly integer?: boolean }
  | { readonly type: 'strings' }
  | { readonly type: 'range' }
  | {
      readonly type: 'object';
      readonly fields: Readonly<Record<string, Spec>>;
      /** A constraint across fields, checked on the merged profile; `at` names the field to point at. */
      readonly refine?: (value: Readonly<Record<string, unknown>>) => { message: string; at: string } | undefined;
    }
) & {
  /** Optional fields may be missing, and `null` in a file removes the inherited value. */
  readonly optional?: boolean;
};

type ObjectSpec = Spec & { readonly type: 'object' };

const K8S_VERSION = /^1\.\d+$/;
const nonNegative: Spec = { type: 'number', min: 0 };
const seconds = nonNegative;
const count: Spec = { type: 'number', min: 1, integer: true };
const plainString: Spec = { type: 'string' };

const latency: Spec = {
  type: 'object',
  fields: { p50: seconds, p99: seconds },
  refine: (v) =>
    Number(v['p50']) > Number(v['p99']) ? { message: `p50 (${String(v['p50'])}) is greater than p99 (${String(v['p99'])})`, at: 'p99' } : undefined,
};

const PROFILE_SPEC: ObjectSpec = {
  type: 'object',
  fields: {
    extends: plainString,
    name: plainString,
    description: plainString,
    provider: { type: 'string', oneOf: ['alibaba', 'aws', 'azure', 'bare-metal', 'gcp', 'generic'] },
    networkPlugin: plainString,
    kubeProxyMode: { type: 'string', oneOf: ['iptables', 'ipvs', 'nftables', 'none'] },
    k8sVersion: { type: 'string', pattern: K8S_VERSION },
    nodes: count,
    proxySync: latency,
    ingress: { type: 'object', optional: true, fields: { name: plainString, sync: latency } },
    loadBalancer: {
      type: 'object',
      optional: true,
      fields: {
        kind: plainString,
        backend: { type: 'string', oneOf: ['node', 'pod'] },
        deregister: latency,
        register: latency,
        healthCheck: {
          type: 'object',
          fields: { intervalSeconds: { type: 'number', min: 1 }, healthyThreshold: count, unhealthyThreshold: count, registrationChecks: { ...count, optional: true } },
        },
        drain: {
          type: 'object',
          optional: true,
          fields: {
            on: { type: 'string', oneOf: ['backendconfig', 'ingress', 'service'] },
            annotations: { type: 'strings' },
            timeoutRange: { type: 'range' },
            recommendedTimeoutSeconds: seconds,
          },
          refine: (v) => {
            const [low, high] = v['timeoutRange'] as readonly [number, number];
            const recommended = Number(v['recommendedTimeoutSeconds']);
            return recommended < low || recommended > high
              ? { message: `recommendedTimeoutSeconds ${recommended} is outside timeoutRange [${low}, ${high}]`, at: 'recommendedTimeoutSeconds' }
              : undefined;
          },
        },
        nodeRemoval: { type: 'string', oneOf: ['controller', 'health-check'], optional: true },
        readinessGate: { ...plainString, optional: true },
      },
    },
    app: {
      type: 'object',
      fields: {
        startupSeconds: seconds,
        drainSeconds: seconds,
        sigterm: { type: 'string', oneOf: ['exit', 'graceful', 'ignore'] },
      },
    },
    traffic: {
      type: 'object',
      fields: { rps: nonNegative, keepAliveShare: { type: 'number', min: 0, max: 1 }, requestSeconds: seconds },
    },
  },
};

type Path = readonly string[];

interface Context {
  readonly doc: ParsedDocument | undefined;
  readonly problems: ProfileProblem[];
}

/** Reports at the node of `path`, or its nearest ancestor the file sets. */
function report(ctx: Context, path: Path, message: string, at: 'key' | 'value' = 'key'): void {
  const pos = ctx.doc ? locate(ctx.doc, toPointer(path), at) : { line: 1, column: 1 };
  ctx.problems.push({ message, line: pos.line, column: pos.column });
}

const dotted = (path: Path): string => path.join('.') || 'the profile';

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'string' ? `string "${value}"` : `${typeof value} ${String(value)}`;
}

/** Checks one value of the file against its spec; returns the value to merge, or undefined when invalid. */
function checkNode(ctx: Context, value: unknown, spec: Spec, path: Path): unknown {
  if (spec.optional === true && value === null) return null;
  const wrong = (expected: string): undefined => {
    report(ctx, path, `${dotted(path)}: expected ${expected}, got ${describe(value)}`, 'value');
    return undefined;
  };
  switch (spec.type) {
    case 'string': {
      if (typeof value !== 'string') return wrong(spec.pattern ? 'a quoted string such as "1.30"' : 'a string');
      if (spec.oneOf && !spec.oneOf.includes(value)) return wrong(`one of ${spec.oneOf.join(', ')}`);
      if (spec.pattern && !spec.pattern.test(value)) return wrong(`a value matching ${String(spec.pattern)}`);
      return value;
    }
    case 'number': {
      const min = spec.min ?? -Infinity;
      const max = spec.max ?? Infinity;
      const bounds = spec.max === undefined ? `≥ ${min}` : `between ${min} and ${max}`;
      const kind = spec.integer === true ? 'an integer' : 'a number';
      if (typeof value !== 'number' || !Number.isFinite(value)) return wrong(`${kind} ${bounds}`);
      if (value < min || value > max || (spec.integer === true && !Number.isInteger(value))) return wrong(`${kind} ${bounds}`);
      return value;
    }
    case 'strings': {
      if (!Array.isArray(value)) return wrong('a list of strings');
      const values = value.map((item, i) => checkNode(ctx, item, plainString, [...path, String(i)]));
      return values.every((v) => typeof v === 'string') ? values : undefined;
    }
    case 'range': {
      const values: unknown[] = Array.isArray(value) ? value : [];
      const [low, high] = values;
      const valid = values.length === 2 && typeof low === 'number' && typeof high === 'number' && low >= 0 && low <= high;
      return valid ? values : wrong('[min, max] with 0 ≤ min ≤ max');
    }
    case 'object':
      return checkMap(ctx, value, spec.fields, path, wrong);
  }
}

function checkMap(
  ctx: Context,
  value: unknown,
  fields: Readonly<Record<string, Spec>>,
  path: Path,
  wrong: (expected: string) => undefined,
): Record<string, unknown> | undefined {
  if (!isRecord(value)) return wrong('a mapping');
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const spec = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (spec === undefined) {
      const where = path.length === 0 ? '' : ` in ${dotted(path)}`;
      report(ctx, [...path, key], `unknown key "${key}"${where}; expected one of: ${Object.keys(fields).join(', ')}`);
      continue;
    }
    const checked = checkNode(ctx, child, spec, [...path, key]);
    if (checked !== undefined) result[key] = checked;
  }
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge: mappings merge, `null` removes, everything else replaces. */
function merge(base: unknown, override: unknown): unknown {
  if (!isRecord(base) || !isRecord(override)) return override;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete result[key];
    else result[key] = merge(result[key], value);
  }
  return result;
}

/** Checks the merged profile: required fields present, cross-field constraints hold. */
function checkMerged(ctx: Context, value: Readonly<Record<string, unknown>>, spec: ObjectSpec, path: Path, base: string): void {
  let complete = true;
  for (const [key, field] of Object.entries(spec.fields)) {
    const child = value[key];
    if (child === undefined) {
      if (field.optional === true || (path.length === 0 && key === 'extends')) continue;
      complete = false;
      report(ctx, path, `${dotted([...path, key])} is required (the base profile "${base}" does not set it)`, 'value');
    } else if (field.type === 'object' && isRecord(child)) {
      checkMerged(ctx, child, field, [...path, key], base);
    }
  }
  const broken = complete ? spec.refine?.(value) : undefined;
  if (broken) report(ctx, [...path, broken.at], `${dotted(path)}: ${broken.message}`, 'value');
}

/**
 * Parses a profile file. `extends` names the built-in profile it starts from (default `generic`);
 * every other field overrides that profile's value. Never throws on bad input.
 */
export function parseProfileFile(text: string, path: string): { profile?: Profile; problems: ProfileProblem[] } {
  const parsed = parseSource({ path, text }, { schema: 'core' });
  const [doc] = parsed.documents;
  const ctx: Context = { doc, problems: parsed.problems.map((p) => ({ message: p.message, line: p.line, column: p.column })) };
  const second = parsed.documents[1];
  if (second) {
    const pos = locate(second, '');
    ctx.problems.push({ message: 'a profile file holds one YAML document; found more', line: pos.line, column: pos.column });
  }
  if (ctx.problems.length > 0) return { problems: ctx.problems };
  if (!doc) {
    report(ctx, [], 'the profile file is empty');
    return { problems: ctx.problems };
  }

  const override = checkNode(ctx, doc.value, PROFILE_SPEC, []);
  if (!isRecord(override)) return { problems: ctx.problems };
  const baseName = typeof override['extends'] === 'string' ? override['extends'] : 'generic';
  const base = findBuiltinProfile(baseName);
  if (base === undefined) report(ctx, ['extends'], `extends: ${unknownProfileMessage(baseName)}`, 'value');
  if (base === undefined || ctx.problems.length > 0) return { problems: ctx.problems };

  const fields: Record<string, unknown> = { name: path, description: `Profile file ${path}, based on ${base.name}.`, ...override };
  delete fields['extends'];
  const merged = merge(base, fields);
  if (!isRecord(merged)) return { problems: ctx.problems };
  checkMerged(ctx, merged, PROFILE_SPEC, [], base.name);
  if (ctx.problems.length > 0) return { problems: ctx.problems };
  // Every field of Profile was checked above, against PROFILE_SPEC.
  return { profile: deepFreeze(merged as unknown as Profile), problems: [] };
}

function unknownProfileMessage(name: string): string {
  const names = [...BUILTIN_PROFILES.keys()].join(', ');
  return `unknown profile "${name}"; valid names: ${names} (any of them may end in ${INGRESS_NGINX_SUFFIX})`;
}

/** Whether a `--profile` value names a file rather than a built-in profile. */
export function isProfilePath(nameOrPath: string): boolean {
  return /[/\\]/.test(nameOrPath) || /\.ya?ml$/i.test(nameOrPath);
}

/**
 * Resolves a `--profile` value: a built-in name (optionally `NAME+ingress-nginx`) or a path to a
 * profile file (anything with a `/` or ending in `.yaml`/`.yml`).
 * @throws {RollsafeError} `unknown-profile`, `unreadable-profile` or `invalid-profile`.
 */
export function resolveProfile(nameOrPath: string, readFile: (path: string) => string): Profile {
  if (!isProfilePath(nameOrPath)) {
    const builtin = findBuiltinProfile(nameOrPath);
    if (builtin === undefined) throw new RollsafeError('unknown-profile', unknownProfileMessage(nameOrPath));
    return builtin;
  }
  let text: string;
  try {
    text = readFile(nameOrPath);
  } catch (cause) {
    throw new RollsafeError('unreadable-profile', `cannot read profile file ${nameOrPath}: ${fileErrorReason(cause)}`, { file: nameOrPath, cause });
  }
  const { profile, problems } = parseProfileFile(text, nameOrPath);
  if (profile === undefined) {
    const list = problems.map((p) => `  ${nameOrPath}:${p.line}:${p.column}: ${p.message}`).join('\n');
    throw new RollsafeError('invalid-profile', `invalid profile file ${nameOrPath}:\n${list}`, { file: nameOrPath });
  }
  return profile;
}

/**
 * The profile with another Kubernetes minor version (`--k8s-version`), e.g. `1.28`.
 * @throws {RollsafeError} `invalid-version` when the version is not `1.<minor>`.
 */
export function withK8sVersion(profile: Profile, version: string): Profile {
  if (!K8S_VERSION.test(version)) {
    throw new RollsafeError('invalid-version', `invalid Kubernetes version "${version}": expected 1.<minor>, e.g. 1.30`);
  }
  return deepFreeze({ ...profile, k8sVersion: version });
}
