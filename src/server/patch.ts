/**
 * rollsafe's fix operations → strict RFC 6902. A rule's `add` creates missing (or null)
 * intermediate mappings (src/fix/patch.ts); RFC 6902 and the API server's JSON Patch need the
 * parent to exist. An `add` under a missing mapping becomes one `add` of the nested value at the
 * first missing ancestor, so nothing the user set is replaced on the way.
 */
import type { PatchOperation } from '../rules/types.js';
import { applyOperation, isPlainObject } from '../fix/patch.js';
import { pointerTokens, toPointer } from '../document/pointer.js';

/** One RFC 6902 operation as the API server reads it. */
export type JsonPatchOperation = { readonly op: 'add' | 'replace'; readonly path: string; readonly value: unknown } | { readonly op: 'remove'; readonly path: string };

/** The first ancestor of the last token that is missing or null in `root`, if any. */
function firstMissingAncestor(root: unknown, tokens: readonly string[]): { index: number; isNull: boolean } | undefined {
  let node = root;
  for (let i = 0; i < tokens.length - 1; i++) {
    const token = tokens[i] ?? '';
    let child: unknown;
    if (Array.isArray(node)) {
      // Lists are never created by a fix (applyOperation refuses a missing index): only walked.
      child = node[Number(token)];
      if (child === undefined) return undefined;
    } else if (isPlainObject(node)) {
      child = Object.hasOwn(node, token) ? node[token] : undefined;
    } else {
      return undefined;
    }
    if (child === undefined || child === null) return { index: i, isNull: child === null };
    node = child;
  }
  return undefined;
}

/**
 * Translates one fix operation, applied to `root`, into RFC 6902 operations with the same effect,
 * and returns them with the value after the operation.
 */
export function toJsonPatch(root: unknown, op: PatchOperation): { operations: JsonPatchOperation[]; next: unknown } {
  const next = applyOperation(root, op);
  if (op.op !== 'add') return { operations: [op.op === 'remove' ? { op: 'remove', path: op.path } : { op: 'replace', path: op.path, value: op.value }], next };
  const tokens = pointerTokens(op.path);
  const missing = firstMissingAncestor(root, tokens);
  if (!missing) return { operations: [{ op: 'add', path: op.path, value: op.value }], next };
  let value: unknown = op.value;
  for (let i = tokens.length - 1; i > missing.index; i--) value = { [tokens[i] ?? '']: value };
  const path = toPointer(tokens.slice(0, missing.index + 1));
  return { operations: [{ op: missing.isNull ? 'replace' : 'add', path, value }], next };
}
