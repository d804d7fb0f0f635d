/**
 * Shared helpers of the rule tests. A fixture is `test/fixtures/rules/<rule-id>[.<variant>].yaml`;
 * the rule under test is the file name up to the first dot. Objects whose top-level
 * `metadata.name` starts with `fire-` must get a finding of that rule, objects named
 * `dont-fire-…` must not (under the profile and version the fixture's header names).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkSources } from '../../src/engine/run.js';
import type { Finding, PatchOperation, Severity } from '../../src/rules/types.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { withK8sVersion } from '../../src/profiles/load.js';
import type { Profile } from '../../src/profiles/types.js';

/** One finding as the tests compare it: resource name, JSON Pointer, severity. */
export type Row = readonly [name: string, path: string, severity: Severity];

const FIXTURES = new URL('../fixtures/rules/', import.meta.url);

/** The rule a fixture tests: its file name up to the first dot. */
function ruleOf(fixture: string): string {
  return fixture.split('.')[0] ?? fixture;
}

/** Display path of a fixture, as findings carry it in `file`. */
export function fixturePath(fixture: string): string {
  return `test/fixtures/rules/${fixture}.yaml`;
}

/** The text of a fixture. */
export function fixtureText(fixture: string): string {
  return readFileSync(fileURLToPath(new URL(`${fixture}.yaml`, FIXTURES)), 'utf8');
}

/** A built-in profile, optionally at another Kubernetes version. */
export function profileOf(name: string, version?: string): Profile {
  const profile = findBuiltinProfile(name);
  if (profile === undefined) throw new Error(`no built-in profile ${name}`);
  return version === undefined ? profile : withK8sVersion(profile, version);
}

/** Every finding of a fixture's text, of every rule. */
export function checkText(fixture: string, text: string, profileName: string, version: string | undefined): Finding[] {
  return checkSources([{ path: fixturePath(fixture), text }], { profile: profileOf(profileName, version) }).findings;
}

/** How many objects a fixture has that loaded (documents that do not parse have none). */
export function loadedObjects(fixture: string): number {
  return checkSources([{ path: fixturePath(fixture), text: fixtureText(fixture) }], { profile: profileOf('generic') }).objects;
}

/** Every finding of a fixture, of every rule. */
export function checkAll(fixture: string, profileName = 'generic', version?: string): Finding[] {
  return checkText(fixture, fixtureText(fixture), profileName, version);
}

/** The findings of the fixture's rule (see {@link ruleOf}). */
export function run(fixture: string, profileName = 'generic', version?: string): Finding[] {
  const rule = ruleOf(fixture);
  return checkAll(fixture, profileName, version).filter((f) => f.ruleId === rule);
}

/**
 * Like {@link run}, with every `rollsafe.io/ignore` annotation neutralised (its value replaced by
 * a rule id that does not exist): shows that a suppressed object would fire without it.
 */
export function runUnsuppressed(fixture: string, profileName = 'generic', version?: string): Finding[] {
  const rule = ruleOf(fixture);
  const text = fixtureText(fixture).replace(/^(\s*rollsafe\.io\/ignore:).*$/gm, '$1 no-such-rule');
  return checkText(fixture, text, profileName, version).filter((f) => f.ruleId === rule);
}

/** Findings as sorted `[name, path, severity]` rows. */
export function rows(findings: readonly Finding[]): Row[] {
  return findings.map((f): Row => [f.resource.name, f.path, f.severity]).sort(compareRows);
}

/** Code-point order, field by field (no locale: the order must not depend on the machine). */
function compareRows(a: Row, b: Row): number {
  for (let i = 0; i < 3; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Rows of the named objects only. */
export function rowsOf(findings: readonly Finding[], names: readonly string[]): Row[] {
  return rows(findings).filter((r) => names.includes(r[0]));
}

/** Top-level `metadata.name`s of a fixture that start with `fire-` and `dont-fire-`. */
function namedObjects(fixture: string): { fire: string[]; dontFire: string[] } {
  const names = [...fixtureText(fixture).matchAll(/^ {2}name: ((?:dont-)?fire-[\w.-]+)\s*$/gm)].map((m) => m[1] ?? '');
  return { fire: names.filter((n) => n.startsWith('fire-')), dontFire: names.filter((n) => n.startsWith('dont-fire-')) };
}

/**
 * Checks the naming convention: which `fire-` objects got no finding and which `dont-fire-`
 * objects got one.
 */
export function conventionViolations(fixture: string, findings: readonly Finding[]): { silentFire: string[]; firedDontFire: string[] } {
  const { fire, dontFire } = namedObjects(fixture);
  const reported = new Set(findings.map((f) => f.resource.name));
  return {
    silentFire: fire.filter((n) => !reported.has(n)),
    firedDontFire: dontFire.filter((n) => reported.has(n)),
  };
}

/** The findings of one object. */
export function findingsOf(findings: readonly Finding[], name: string): Finding[] {
  return findings.filter((f) => f.resource.name === name);
}

/** The only finding of one object at one path; throws when there is not exactly one. */
export function findingAt(findings: readonly Finding[], name: string, path: string): Finding {
  const matching = findings.filter((f) => f.resource.name === name && f.path === path);
  const [only] = matching;
  if (only === undefined || matching.length !== 1) throw new Error(`expected one finding of ${name} at ${path}, found ${matching.length}`);
  return only;
}

/** A fix as data, without its prose description. */
export type FixData =
  | { readonly kind: 'patch'; readonly operations: readonly PatchOperation[] }
  | { readonly kind: 'document'; readonly document: Readonly<Record<string, unknown>> };

/** The fix of the only finding of `name` at `path`, without its description; undefined when none. */
export function fixOf(findings: readonly Finding[], name: string, path: string): FixData | undefined {
  const fix = findingAt(findings, name, path).fix;
  if (fix === undefined) return undefined;
  return fix.kind === 'patch' ? { kind: 'patch', operations: fix.operations } : { kind: 'document', document: fix.document };
}

/** Load problems of a fixture (as `invalid-manifest` findings): fixtures of other rules have none. */
export function loadProblems(fixture: string): Finding[] {
  return checkAll(fixture).filter((f) => f.ruleId === 'invalid-manifest');
}

/** The input of a rule-tester case read from a fixture, judged under a built-in profile and version. */
export function fixtureCase(fixture: string, profile?: string, k8sVersion?: string): { name: string; yaml: string; file: string; profile?: string; k8sVersion?: string } {
  const name = [fixture, profile, k8sVersion].filter((s) => s !== undefined).join(', ');
  return { name, yaml: fixtureText(fixture), file: fixturePath(fixture), ...(profile === undefined ? {} : { profile }), ...(k8sVersion === undefined ? {} : { k8sVersion }) };
}

/**
 * A fixture without its `fire-` objects (documents whose top-level `metadata.name` starts with
 * `fire-`): the `dont-fire-` objects and the objects around them, on which the rule reports nothing.
 */
export function withoutFiring(fixture: string, profile?: string, k8sVersion?: string): { name: string; yaml: string; file: string; profile?: string; k8sVersion?: string } {
  const whole = fixtureCase(fixture, profile, k8sVersion);
  const yaml = whole.yaml
    .split(/^(?=---[ \t]*$)/m)
    .filter((doc) => !/^ {2}name: fire-/m.test(doc))
    .join('');
  return { ...whole, name: `${whole.name}, without its fire- objects`, yaml };
}

const FIXED = new URL('./fixed/', import.meta.url);

/**
 * The expected text of a fixture after the fixer applied every fix of its rule:
 * `test/rules/fixed/<name>.yaml` (outside test/fixtures, which the simulator cross-check reads whole).
 */
export function fixedText(name: string): string {
  return readFileSync(fileURLToPath(new URL(`${name}.yaml`, FIXED)), 'utf8');
}
