/**
 * One RFC 6902 operation applied to the text of one YAML document, surgically: the `yaml` parser
 * (with source tokens) only finds where nodes are; the edit splices new text into the old, so
 * comments, key order, quoting and indentation outside the edited node stay as they were.
 */
import type { Document, Node as YamlNode, Pair, YAMLMap, YAMLSeq } from 'yaml';
import type { PatchOperation } from '../rules/types.js';
import { pointerTokens, toPointer } from '../document/pointer.js';
import { applyOperation, deepEqual, isPlainObject, valueAt } from './patch.js';
import { isAlias, isMap, isScalar, isSeq, yamlLib } from './yaml-lib.js';
import { indentLines, renderAfterKey, renderFlow, renderItem, renderItemBody, renderPair, renderScalar, type Style } from './render.js';
import { RollsafeError } from '../errors.js';

/** A comment in the document text. */
export interface Comment {
  readonly offset: number;
  readonly source: string;
}

/** One node on the way down a pointer, with what holds it. */
interface Step {
  readonly node: YamlNode | null;
  readonly tokens: readonly string[];
  readonly parent?: YAMLMap | YAMLSeq;
  readonly pair?: Pair;
  readonly index?: number;
}

/** The text being edited, parsed once per operation. */
interface Context {
  readonly text: string;
  readonly style: Style;
  /** The value after the operation (what the edited text must parse to). */
  readonly next: unknown;
  /** The value before the operation. */
  readonly before: unknown;
  comments?: readonly Comment[];
}

/** What an edit produced: the new text, or smaller operations to apply one after another. */
type Edit = { readonly text: string } | { readonly expand: readonly PatchOperation[] };

/**
 * Remembers what `compute` made of the last `size` texts. Fixing reads one document text many
 * times: each operation and its verification parse it, and `report` applies each finding's fix
 * alone to the same original document. Callers must not change what it returns.
 */
export function memoByText<T>(size: number, compute: (text: string) => T): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    const hit = cache.get(text);
    if (hit !== undefined) return hit;
    const value = compute(text);
    if (cache.size >= size) cache.delete(cache.keys().next().value as string);
    cache.set(text, value);
    return value;
  };
}

/** A document's concrete syntax tree, read once: the document composed from it, and its comments. */
interface ParsedText {
  readonly doc: Document.Parsed;
  readonly comments: readonly Comment[];
}

/** What `parseDocument` does (one document, its errors), from a token list that the comments are read from too. */
const parseText: (text: string) => ParsedText = memoByText(64, (text) => {
  const { Composer, Parser, YAMLParseError } = yamlLib();
  const tokens = Array.from(new Parser().parse(text));
  const comments = findComments(tokens);
  let doc: Document.Parsed | undefined;
  for (const next of new Composer({ keepSourceTokens: true, version: '1.1', prettyErrors: false }).compose(tokens, true, text.length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
      break;
    }
  }
  // compose(…, forceDoc = true) always yields a document.
  return { doc: doc as Document.Parsed, comments };
});

/** Parses a document for editing; the `yaml` parser must read it without an error. The result is shared: read it, never change it. */
export function parseForEdit(text: string): Document.Parsed {
  const { doc } = parseText(text);
  const [error] = doc.errors;
  if (error) throw new RollsafeError('unsafe-fix', `the document cannot be edited safely (${error.message.split('\n')[0] ?? error.code})`);
  return doc;
}

/** Every comment of a document, from the concrete syntax tree (so `#` inside strings is not one). Shared: never change it. */
export function commentsOf(text: string): readonly Comment[] {
  return parseText(text).comments;
}

function findComments(tokens: readonly unknown[]): Comment[] {
  const found: Comment[] = [];
  const walk = (token: unknown): void => {
    if (Array.isArray(token)) {
      for (const t of token) walk(t);
    } else if (typeof token === 'object' && token !== null) {
      const t = token as { readonly type?: unknown; readonly offset?: unknown; readonly source?: unknown; readonly [field: string]: unknown };
      if (t.type === 'comment' && typeof t.offset === 'number' && typeof t.source === 'string') found.push({ offset: t.offset, source: t.source });
      // The token's own fields, as Object.values lists them (tokens are plain objects), without an array per token.
      else
        for (const key in t) {
          const value = t[key];
          if (typeof value === 'object') walk(value);
        }
    }
  };
  for (const token of tokens) walk(token);
  return found.sort((a, b) => a.offset - b.offset);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** The start of the next line after `offset` (or `offset` itself when it already starts a line). */
function nextLineStart(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

function onlySpaceBefore(text: string, offset: number): boolean {
  return /^ *$/.test(text.slice(lineStart(text, offset), offset));
}

function range(node: YamlNode): readonly [number, number, number] {
  if (!node.range) throw new RollsafeError('unsafe-fix', 'a node without a source position');
  return node.range;
}

/** Moves back over white space and line breaks. */
function trimBack(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && /[ \t\r\n]/.test(text[i - 1] ?? '')) i--;
  return i;
}

/** The offset just past the last content character of a node (trailing comments excluded). */
function contentEnd(text: string, node: YamlNode): number {
  if (isMap(node) && !node.flow && node.items.length > 0) {
    const last = node.items[node.items.length - 1] as Pair;
    const key = last.key as YamlNode | null;
    const value = last.value as YamlNode | null;
    return Math.max(key ? contentEnd(text, key) : 0, value ? contentEnd(text, value) : 0, colonOf(last) + 1);
  }
  if (isSeq(node) && !node.flow && node.items.length > 0) {
    const last = node.items[node.items.length - 1] as YamlNode | null;
    return Math.max(last ? contentEnd(text, last) : 0, (dashesOf(node).at(-1) ?? 0) + 1);
  }
  return Math.max(range(node)[0], trimBack(text, range(node)[1]));
}

/** The offset of the `:` of a block mapping entry (-1 when it has none). */
function colonOf(pair: Pair): number {
  const token = pair.srcToken as { sep?: Array<{ type: string; offset: number }> } | undefined;
  return token?.sep?.find((t) => t.type === 'map-value-ind')?.offset ?? -1;
}

/** The offsets of the `-` of each item of a block sequence. */
function dashesOf(seq: YAMLSeq): number[] {
  const token = seq.srcToken as { type?: string; items?: Array<{ start: Array<{ type: string; offset: number }> }> } | undefined;
  if (token?.type !== 'block-seq' || !token.items) throw new RollsafeError('unsafe-fix', 'a list whose items cannot be located');
  // The syntax tree may end a list with an item that holds only comments (no dash): not an item.
  const dashes = token.items.flatMap((item) => item.start.filter((t) => t.type === 'seq-item-ind').map((t) => t.offset));
  if (dashes.length !== seq.items.length) throw new RollsafeError('unsafe-fix', 'a list whose items cannot be located');
  return dashes;
}

function scalarKey(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

/** Walks a pointer down the parsed document; stops at the first token that is not there. */
function locate(doc: Document.Parsed, tokens: readonly string[]): { chain: Step[]; missing: number } {
  const chain: Step[] = [{ node: doc.contents, tokens: [] }];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    const node = chain[i]?.node ?? null;
    if (isAlias(node)) throw new RollsafeError('unsafe-fix', `${toPointer(tokens.slice(0, i))} is a YAML alias: editing it would change every place that uses it`);
    if (isMap(node) && node.items.some((p) => scalarKey(p) === '<<')) throw new RollsafeError('unsafe-fix', `${toPointer(tokens.slice(0, i))} has a YAML merge key`);
    const here = tokens.slice(0, i + 1);
    if (isMap(node)) {
      const pairs = node.items.filter((p) => scalarKey(p) === token);
      if (pairs.length > 1) throw new RollsafeError('unsafe-fix', `${toPointer(here)} is given twice`);
      const [pair] = pairs;
      if (!pair) return { chain, missing: i };
      chain.push({ node: (pair.value as YamlNode | null) ?? null, tokens: here, parent: node, pair });
    } else if (isSeq(node)) {
      const index = /^(?:0|[1-9]\d*)$/.test(token) ? Number(token) : -1;
      if (index < 0 || index >= node.items.length) return { chain, missing: i };
      chain.push({ node: (node.items[index] as YamlNode | null) ?? null, tokens: here, parent: node, index });
    } else {
      return { chain, missing: i };
    }
  }
  return { chain, missing: tokens.length };
}

function commentsIn(ctx: Context, from: number, to: number): Comment[] {
  ctx.comments ??= commentsOf(ctx.text);
  return ctx.comments.filter((c) => c.offset >= from && c.offset < to);
}

/**
 * Replaces text[from, to) and keeps every comment that was inside: a comment on a line of its
 * own keeps its line; a comment after content moves to a line of its own at `column`. They go
 * just above the edited line.
 */
function splice(ctx: Context, from: number, to: number, replacement: string, column: number): string {
  const { text, style } = ctx;
  const comments = commentsIn(ctx, from, to);
  if (comments.length === 0) return text.slice(0, from) + replacement + text.slice(to);
  const lines = comments.map((c) => {
    const start = lineStart(text, c.offset);
    return onlySpaceBefore(text, c.offset) ? text.slice(start, c.offset) + c.source : ' '.repeat(column) + c.source;
  });
  const at = lineStart(text, from);
  return text.slice(0, at) + lines.join(style.eol) + style.eol + text.slice(at, from) + replacement + text.slice(to);
}

/**
 * Where new lines go after a collection's last entry: the next line start, past comment lines
 * indented deeper than the new lines (they belong to the entry above).
 */
function appendPoint(text: string, end: number, column: number): number {
  let at = nextLineStart(text, end);
  for (;;) {
    const m = /^( *)#/.exec(text.slice(at, nextLineStart(text, at + 1)));
    if (!m || (m[1] ?? '').length <= column || at >= text.length) return at;
    at = nextLineStart(text, at + 1);
  }
}

/** Inserts whole lines at a line start (or at the end, adding the missing line break first). */
function insertLines(ctx: Context, at: number, lines: string): string {
  const { text, style } = ctx;
  const lead = at === text.length && text.length > 0 && !text.endsWith('\n') ? style.eol : '';
  return text.slice(0, at) + lead + lines + style.eol + text.slice(at);
}

function inFlow(chain: readonly Step[], upTo: number): boolean {
  for (let i = 0; i <= upTo; i++) {
    const node = chain[i]?.node;
    if ((isMap(node) || isSeq(node)) && node.flow) return true;
  }
  return false;
}

/** Writes a flow collection anew with its new value (refused when comments are inside it). */
function rewriteFlow(ctx: Context, step: Step): Edit {
  const node = step.node;
  if (!node) throw new RollsafeError('unsafe-fix', 'no collection to rewrite');
  const [start, end] = range(node);
  if (commentsIn(ctx, start, end).length > 0) throw new RollsafeError('unsafe-fix', `${toPointer(step.tokens)} is a flow collection with comments inside`);
  return { text: ctx.text.slice(0, start) + renderFlow(valueAt(ctx.next, step.tokens), ctx.style) + ctx.text.slice(end) };
}

/** Writes one entry (`key: value` of a block mapping, or `- value` of a block list) anew. */
function rewriteEntry(ctx: Context, chain: readonly Step[], i: number, value: unknown): Edit {
  const step = chain[i];
  const parent = step?.parent;
  if (!step || !parent) throw new RollsafeError('unsafe-fix', 'cannot replace the whole document');
  if (parent.flow) return rewriteFlow(ctx, chain[i - 1] ?? step);
  const { text, style } = ctx;
  if (step.pair) {
    const key = step.pair.key as YamlNode | null;
    if (!key || !isScalar(key)) throw new RollsafeError('unsafe-fix', 'a mapping key that is not a scalar');
    const [keyStart, keyEnd] = range(key);
    const column = columnOf(text, keyStart);
    const node = step.node;
    const end = node ? Math.max(contentEnd(text, node), keyEnd) : keyEnd;
    const after = renderAfterKey(value, style);
    const colon = colonOf(step.pair);
    if (colon >= 0 && node !== null && isScalar(node) && range(node)[0] === range(node)[1]) {
      // `key:` with no value: write the value after the colon, or the block below the key's line,
      // so that a comment after the colon stays where it is.
      if ((after[0] ?? '') !== '') return { text: text.slice(0, colon + 1) + indentLines(after, column, style, false) + text.slice(colon + 1) };
      return { text: insertLines(ctx, nextLineStart(text, colon), indentLines(after.slice(1), column, style)) };
    }
    return { text: splice(ctx, keyStart, end, text.slice(keyStart, keyEnd) + ':' + indentLines(after, column, style, false), column) };
  }
  const index = step.index ?? 0;
  const dash = dashesOf(parent as YAMLSeq)[index] ?? -1;
  if (dash < 0) throw new RollsafeError('unsafe-fix', 'a list item without a dash');
  const column = columnOf(text, dash);
  const node = step.node;
  const start = node ? range(node)[0] : dash + 1;
  const end = node ? Math.max(contentEnd(text, node), start) : start;
  const body = renderItemBody(value, style);
  const lead = text[start - 1] === '-' ? ' ' : '';
  return { text: splice(ctx, start, end, lead + indentLines(body, column, style, false), column) };
}

/** Replaces the node at the end of `chain` with `value`, as small an edit as the two allow. */
function replaceNode(ctx: Context, chain: readonly Step[], i: number, value: unknown): Edit {
  const step = chain[i];
  if (!step) throw new RollsafeError('unsafe-fix', 'nothing to replace');
  const node = step.node;
  if (isAlias(node)) throw new RollsafeError('unsafe-fix', `${toPointer(step.tokens)} is a YAML alias`);
  const isCollectionValue = typeof value === 'object' && value !== null;
  if (node === null || (isScalar(node) && range(node)[0] === range(node)[1])) return rewriteEntry(ctx, chain, i, value);
  if (isScalar(node)) {
    if (isCollectionValue || node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') return rewriteEntry(ctx, chain, i, value);
    const [start, end] = range(node);
    const scalar = renderScalar(value, { ...(node.type === undefined ? {} : { quote: node.type }), inFlow: inFlow(chain, i - 1) });
    return { text: ctx.text.slice(0, start) + scalar + ctx.text.slice(end) };
  }
  if (isMap(node) && isPlainObject(value)) {
    if (node.flow) return node.items.length === 0 && step.parent && !step.parent.flow ? rewriteEntry(ctx, chain, i, value) : rewriteFlow(ctx, step);
    const old = valueAt(ctx.before, step.tokens);
    if (!isPlainObject(old) || Object.keys(value).length === 0) return rewriteEntry(ctx, chain, i, value);
    // Edit key by key: additions and changes first, removals last, so the mapping never empties.
    const changes: PatchOperation[] = [];
    const removals: PatchOperation[] = [];
    for (const [k, v] of Object.entries(value)) {
      const path = toPointer([...step.tokens, k]);
      if (!Object.hasOwn(old, k)) changes.push({ op: 'add', path, value: v });
      else if (!deepEqual(old[k], v)) changes.push({ op: 'replace', path, value: v });
    }
    for (const k of Object.keys(old)) if (!Object.hasOwn(value, k)) removals.push({ op: 'remove', path: toPointer([...step.tokens, k]) });
    return { expand: [...changes, ...removals] };
  }
  if (isSeq(node) && Array.isArray(value)) {
    if (node.flow) return node.items.length === 0 && step.parent && !step.parent.flow ? rewriteEntry(ctx, chain, i, value) : rewriteFlow(ctx, step);
    const old = valueAt(ctx.before, step.tokens);
    if (Array.isArray(old) && old.length === value.length && value.length > 0) {
      const changes: PatchOperation[] = [];
      value.forEach((v: unknown, k) => {
        if (!deepEqual(old[k], v)) changes.push({ op: 'replace', path: toPointer([...step.tokens, k]), value: v });
      });
      return { expand: changes };
    }
  }
  return rewriteEntry(ctx, chain, i, value);
}

/** Adds a key to the mapping at the end of `chain`: new lines after its last entry, at its column. */
function addPair(ctx: Context, chain: readonly Step[], i: number, key: string): Edit {
  const step = chain[i];
  const node = step?.node;
  if (!step || !isMap(node)) throw new RollsafeError('unsafe-fix', 'no mapping to add to');
  if (node.flow || node.items.length === 0) return replaceNode(ctx, chain, i, valueAt(ctx.next, step.tokens));
  const { text, style } = ctx;
  const column = columnOf(text, range(node)[0]);
  const at = appendPoint(text, contentEnd(text, node), column);
  return { text: insertLines(ctx, at, indentLines(renderPair(key, valueAt(ctx.next, [...step.tokens, key]), style), column, style)) };
}

/** Inserts an item into the list at the end of `chain`, before item `token` or at the end (`-`). */
function insertItem(ctx: Context, chain: readonly Step[], i: number, token: string): Edit {
  const step = chain[i];
  const node = step?.node;
  if (!step || !isSeq(node)) throw new RollsafeError('unsafe-fix', 'no list to add to');
  if (node.flow || node.items.length === 0) return replaceNode(ctx, chain, i, valueAt(ctx.next, step.tokens));
  const { text, style } = ctx;
  const dashes = dashesOf(node);
  const index = token === '-' ? node.items.length : Number(token);
  const column = columnOf(text, dashes[0] ?? 0);
  let at: number;
  if (index >= node.items.length) {
    at = appendPoint(text, contentEnd(text, node), column);
  } else {
    const dash = dashes[index] ?? -1;
    if (dash < 0 || !onlySpaceBefore(text, dash)) throw new RollsafeError('unsafe-fix', `${toPointer(step.tokens)}: a list item that does not start its line`);
    at = lineStart(text, dash);
  }
  const item = valueAt(ctx.next, [...step.tokens, String(index)]);
  return { text: insertLines(ctx, at, indentLines(renderItem(item, style), column, style)) };
}

/** Removes the entry at the end of `chain`: its whole lines, keeping the comments among them. */
function removeEntry(ctx: Context, chain: readonly Step[], i: number): Edit {
  const step = chain[i];
  const parent = step?.parent;
  if (!step || !parent) throw new RollsafeError('unsafe-fix', 'cannot remove the whole document');
  if (parent.flow || parent.items.length === 1) return replaceNode(ctx, chain, i - 1, valueAt(ctx.next, chain[i - 1]?.tokens ?? []));
  const { text } = ctx;
  if (step.pair) {
    const key = step.pair.key as YamlNode | null;
    if (!key) throw new RollsafeError('unsafe-fix', 'a mapping entry without a key');
    const keyStart = range(key)[0];
    const column = columnOf(text, keyStart);
    const end = step.node ? Math.max(contentEnd(text, step.node), range(key)[1]) : range(key)[1];
    if (onlySpaceBefore(text, keyStart)) return { text: splice(ctx, lineStart(text, keyStart), nextLineStart(text, end), '', column) };
    // The first key of a list item (`- name: a`): the next key moves up behind the dash.
    const index = (parent as YAMLMap).items.indexOf(step.pair);
    const following = (parent as YAMLMap).items[index + 1]?.key as YamlNode | null | undefined;
    if (!following) throw new RollsafeError('unsafe-fix', 'a mapping entry that cannot be removed by lines');
    return { text: splice(ctx, keyStart, range(following)[0], '', column) };
  }
  const dash = dashesOf(parent as YAMLSeq)[step.index ?? 0] ?? -1;
  if (dash < 0 || !onlySpaceBefore(text, dash)) throw new RollsafeError('unsafe-fix', `${toPointer(step.tokens)}: a list item that does not start its line`);
  const end = step.node ? Math.max(contentEnd(text, step.node), dash + 1) : dash + 1;
  return { text: splice(ctx, lineStart(text, dash), nextLineStart(text, end), '', columnOf(text, dash)) };
}

function editOnce(ctx: Context, op: PatchOperation): Edit {
  const tokens = pointerTokens(op.path);
  const { chain, missing } = locate(parseForEdit(ctx.text), tokens);
  const last = chain.length - 1;
  if (missing === tokens.length) {
    if (op.op === 'remove') return removeEntry(ctx, chain, last);
    if (op.op === 'add' && isSeq(chain[last]?.parent)) return insertItem(ctx, chain, last - 1, tokens[last - 1] ?? '-');
    return replaceNode(ctx, chain, last, valueAt(ctx.next, tokens));
  }
  if (op.op !== 'add') throw new RollsafeError('unsafe-fix', `${op.path} is not written in the document (a merge key?)`);
  const node = chain[last]?.node ?? null;
  const token = tokens[missing] ?? '';
  if (isMap(node)) return addPair(ctx, chain, last, token);
  if (isSeq(node) && missing === tokens.length - 1) return insertItem(ctx, chain, last, token);
  if (node === null || (isScalar(node) && node.value === null)) return replaceNode(ctx, chain, last, valueAt(ctx.next, tokens.slice(0, missing)));
  throw new RollsafeError('unsafe-fix', `${op.path}: ${toPointer(tokens.slice(0, missing))} is not a mapping or a list`);
}

/**
 * Applies one operation to a document's text. `value` is what the text parses to; the result
 * carries the value after the operation. Throws a RollsafeError `unsafe-fix` when the edit cannot be made safely.
 */
export function editDocument(text: string, value: unknown, op: PatchOperation, style: Style): { text: string; value: unknown } {
  const next = applyOperation(value, op);
  const edit = editOnce({ text, style, next, before: value }, op);
  if ('text' in edit) return { text: edit.text, value: next };
  let current = { text, value };
  for (const sub of edit.expand) current = editDocument(current.text, current.value, sub, style);
  if (!deepEqual(current.value, next)) throw new RollsafeError('unsafe-fix', `${op.path}: the edit does not add up to the operation`);
  return { text: current.text, value: next };
}
