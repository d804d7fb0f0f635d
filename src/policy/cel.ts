/**
 * Pieces of CEL (the Common Expression Language of Kubernetes admission policies) that the
 * compiled rules share. Each function returns the text of an expression over a variable named by
 * the caller. Only standard CEL and the Kubernetes `strings` extension (`trim`, `replace`,
 * `split`, `join`, `indexOf`, `lastIndexOf`, `substring`) are used: no optional types, no
 * bindings, so the same text runs on every Kubernetes release that serves
 * admissionregistration.k8s.io/v1 policies (1.30+).
 */
import { SHELL, SLEEP_BINARY } from '../domain/hooks.js';

/** A CEL string literal. */
export function str(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/**
 * `body` with `name` bound to `value` (a boolean expression): standard CEL has no `let`, so the
 * value is bound as the one element of a list (`[value].exists(name, body)`), computed once.
 */
export function bind(name: string, value: string, body: string): string {
  return `[${value}].exists(${name}, ${body})`;
}

/** A CEL double literal (CEL needs the `.0` to read a double). */
export function dbl(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** `has(a.b) && has(a.b.c)`: every step of a field path exists (CEL errors on a missing key). */
export function hasPath(base: string, fields: readonly string[]): string {
  const steps: string[] = [];
  let at = base;
  for (const field of fields) {
    at = `${at}.${field}`;
    steps.push(`has(${at})`);
  }
  return steps.join(' && ');
}

/** `base.a.b` when every step exists, else `fallback`. */
export function fieldOr(base: string, fields: readonly string[], fallback: string): string {
  return `(${hasPath(base, fields)} ? ${base}.${fields.join('.')} : ${fallback})`;
}

/** A port number the API server accepts (model/ports.ts validPort): an integer in 1–65535. */
export function validPortCel(x: string): string {
  return `(type(${x}) == int && ${x} >= 1 && ${x} <= 65535)`;
}

/** A port name the API server accepts (model/ports.ts validPortName, IsValidPortName). */
export function validPortNameCel(x: string): string {
  return `(type(${x}) == string && size(${x}) <= 15 && ${x}.matches('^[-a-z0-9]+$') && ${x}.matches('[a-z]') && !${x}.contains('--') && !${x}.startsWith('-') && !${x}.endsWith('-'))`;
}

/** The ports container `c` declares (model/container.ts declaredPorts): entries with a valid containerPort. */
export function declaredCel(c: string): string {
  return `(has(${c}.ports) ? ${c}.ports.filter(p, has(p.containerPort) && ${validPortCel('p.containerPort')}) : [])`;
}

/**
 * A port name that says metrics, admin or health (domain/service-role.ts isNonClientPortName): a
 * port for Prometheus, operators and probes, not for clients.
 */
export function nonClientPortNameCel(x: string): string {
  return `(${x}.matches('(?i)metrics|^prom(etheus)?$') || ${x}.matches('(?i)(^|-)(admin|health|healthz|status|pprof|debug)($|-)'))`;
}

/**
 * True when container `c` serves with no Service in view (domain/serving.ts): it declares a port
 * that is not named for metrics or health.
 */
export function declaresPortCel(c: string): string {
  return `(has(${c}.ports) && ${c}.ports.exists(p, has(p.containerPort) && ${validPortCel('p.containerPort')} && !(has(p.name) && ${nonClientPortNameCel('p.name')})))`;
}

/**
 * A JavaScript regular expression as RE2 (what CEL's `matches` runs): the sources rollsafe uses
 * stay inside the common subset; only the escaped slash, which JavaScript literals need, goes.
 */
export function re2(pattern: RegExp): string {
  if (pattern.flags !== '') throw new Error(`regular expression /${pattern.source}/${pattern.flags} has flags RE2 would not apply`);
  return pattern.source.replace(/\\\//g, '/');
}

/** Replaces every ASCII whitespace character by a space, so that `split(' ')` splits on any. */
function spaced(s: string): string {
  return `${s}.replace('\\t', ' ').replace('\\n', ' ').replace('\\r', ' ').replace('\\f', ' ').replace('\\v', ' ')`;
}

/** A `sleep` argument that is a duration (`30`, `30s`, `1m`, `0.5`, `2h`), as sleepSeconds reads it. */
function isDuration(arg: string): string {
  return `${arg}.trim().matches('^[0-9]+(\\\\.[0-9]+)?[smh]?$')`;
}

/** Seconds (a double) of a `sleep` argument that {@link isDuration} accepted. */
function durationSeconds(arg: string): string {
  return `[${arg}.trim()].map(t, double(t.replace('s', '').replace('m', '').replace('h', '')) * (t.endsWith('m') ? 60.0 : t.endsWith('h') ? 3600.0 : 1.0))[0]`;
}

/** The preStop hook of container `c` as the rules read it (model/container.ts preStopOf). */
export interface PreStopCel {
  /** The container has a preStop hook of any kind. */
  readonly any: string;
  /** The hook is the native `sleep` action with its seconds. */
  readonly native: string;
  /** The hook is an exec `sleep N` run directly (not through a shell). */
  readonly direct: string;
  /** The hook is an exec `sleep N` (the kind that needs a sleep binary in the image). */
  readonly execSleep: string;
  /** Seconds of a known sleep (the native action, or an exec `sleep N`, also through `sh -c`), as a double; -1.0 for any other hook or none. */
  readonly seconds: string;
}

/** Compiles preStopOf for container variable `c`. */
export function preStopCel(c: string): PreStopCel {
  const hook = `${c}.lifecycle.preStop`;
  const any = hasPath(c, ['lifecycle', 'preStop']);
  const native = `(${any} && ${hasPath(hook, ['sleep', 'seconds'])})`;
  const cmd = `${hook}.exec.command`;
  const exec = `${any} && !has(${hook}.sleep) && ${hasPath(hook, ['exec', 'command'])}`;
  const direct = `(${exec} && size(${cmd}) >= 2 && ${cmd}[0].matches(${str(re2(SLEEP_BINARY))}) && ${isDuration(`${cmd}[1]`)})`;
  const shellScript = `(${exec} && size(${cmd}) >= 3 && ${cmd}[0].matches(${str(re2(SHELL))}) && ${cmd}[1] == '-c')`;
  // The word after the leading `sleep` of the script, once every ASCII space is a space; '' when the script does not start with `sleep WORD`.
  const script = spaced(`${cmd}[2]`);
  const word = `[${script}].map(s, s.matches('^ *(/bin/)?sleep +[^ ]') ? s.trim().substring(s.trim().indexOf('sleep') + 5).trim().split(' ')[0] : '')[0]`;
  const viaShell = `${shellScript} ? [${word}].map(w, ${isDuration('w')} ? ${durationSeconds('w')} : -1.0)[0] : -1.0`;
  return {
    any: `(${any})`,
    native,
    direct,
    execSleep: `(${direct} || (${shellScript} && [${word}].exists(w, ${isDuration('w')})))`,
    seconds: `(${native} ? double(${hook}.sleep.seconds) : ${direct} ? ${durationSeconds(`${cmd}[1]`)} : ${viaShell})`,
  };
}

/**
 * An int-or-string (maxSurge, maxUnavailable) resolved against `total` as the controllers do
 * (model/intstr.ts scaledValue): `valid` is false where the API server rejects the value and
 * rollsafe skips it.
 */
export function scaled(value: string, total: string, roundUp: boolean, atMost100 = false): { valid: string; value: string } {
  const percent = `int(${value}.replace('%', ''))`;
  // maxUnavailable over 100 % is rejected too (IsNotMoreThan100Percent, model/rollout.ts).
  const cap = atMost100 ? ` && ${percent} <= 100` : '';
  return {
    valid: `(type(${value}) == int ? ${value} >= 0 : (type(${value}) == string && ${value}.matches('^[0-9]+%$')${cap}))`,
    value: `(type(${value}) == int ? ${value} : ${roundUp ? `(${percent} * ${total} + 99) / 100` : `${percent} * ${total} / 100`})`,
  };
}
