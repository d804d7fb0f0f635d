/**
 * RFC 6902 operations on plain values: what a fix means, computed apart from any text. The text
 * editor (edit.ts) is checked against this: after an edit the document must parse to exactly the
 * value these functions produce.
 */
import type { PatchOperation } from '../rules/types.js';
import { pointerTokens } from '../document/pointer.js';
import { RollsafeError } from '../errors.js';

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

/** True for a plain mapping value (not a list, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An array index token: `0`, `12`, or `-` (past the end, for `add`). */
function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (token === '-' && allowEnd) return length;
  if (!/^(?:0|[1-9]\d*)$/.test(token)) throw new RollsafeError('unsafe-fix', `\`${token}\` is not an array index`);
  const index = Number(token);
  if (index > length || (index === length && !allowEnd)) throw new RollsafeError('unsafe-fix', `array index ${index} is out of range`);
  return index;
}

/** A deep copy that shares nothing: YAML aliases become independent values, so a patch changes one place. */
export function cloneValue<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => cloneValue(v)) as T;
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = cloneValue(v);
    return copy as T;
  }
  return value;
}

/** Structural equality of parsed YAML values (mapping key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => deepEqual(v, b[i]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
}

/** The value at a pointer's tokens, or undefined when a step is missing. */
export function valueAt(root: unknown, tokens: readonly string[]): unknown {
  let node = root;
  for (const token of tokens) {
    if (Array.isArray(node)) {
      if (!/^(?:0|[1-9]\d*)$/.test(token)) return undefined;
      node = node[Number(token)];
    } else if (isPlainObject(node)) {
      node = Object.hasOwn(node, token) ? node[token] : undefined;
    } else {
      return undefined;
    }
  }
  return node;
}

/**
 * Applies one operation to a copy of `root` and returns the copy. `add` creates missing (or null)
 * intermediate mappings, as a fix that adds `lifecycle/preStop` to a container without `lifecycle`
 * means; `replace` and `remove` need their target to exist (RFC 6902). Throws a RollsafeError `unsafe-fix`.
 */
export function applyOperation(root: unknown, op: PatchOperation): unknown {
  const tokens = pointerTokens(op.path);
  if (tokens.length === 0) throw new RollsafeError('unsafe-fix', 'an operation on the whole document');
  const copy = cloneValue(root);
  if (!isContainer(copy)) throw new RollsafeError('unsafe-fix', 'the document is not a mapping');
  let parent: Container = copy;
  for (let i = 0; i < tokens.length - 1; i++) {
    const token = tokens[i] ?? '';
    let child: unknown;
    if (Array.isArray(parent)) {
      child = parent[arrayIndex(token, parent.length, false)];
    } else {
      child = Object.hasOwn(parent, token) ? parent[token] : undefined;
      if ((child === undefined || child === null) && op.op === 'add') {
        child = {};
        parent[token] = child;
      }
    }
    if (!isContainer(child)) throw new RollsafeError('unsafe-fix', `${op.path}: no mapping or list at /${tokens.slice(0, i + 1).join('/')}`);
    parent = child;
  }
  const last = tokens[tokens.length - 1] ?? '';
  const value = op.op === 'remove' ? undefined : cloneValue(op.value);
  if (Array.isArray(parent)) {
    const index = arrayIndex(last, parent.length, op.op === 'add');
    if (op.op === 'add') parent.splice(index, 0, value);
    else if (op.op === 'replace') parent[index] = value;
    else parent.splice(index, 1);
  } else if (op.op === 'add') {
    parent[last] = value;
  } else {
    if (!Object.hasOwn(parent, last)) throw new RollsafeError('unsafe-fix', `${op.path} does not exist`);
    if (op.op === 'replace') parent[last] = value;
    else delete parent[last];
  }
  return copy;
}

/**
 * The part of a document an operation claims, as pointer tokens: its path, or — for an `add` or
 * `remove` in a list, which shifts the indexes after it — the whole list.
 */
export function footprint(root: unknown, op: PatchOperation): string[] {
  const tokens = pointerTokens(op.path);
  if (op.op !== 'replace' && tokens.length > 0 && Array.isArray(valueAt(root, tokens.slice(0, -1)))) return tokens.slice(0, -1);
  return tokens;
}

/** True when one footprint contains the other (equal, ancestor or descendant). */
export function footprintsOverlap(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
