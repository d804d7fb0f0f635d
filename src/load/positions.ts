/**
 * Position tracing for js-yaml documents. While a document is parsed, js-yaml's listener reports
 * every node it opens and closes; we record those events flat (cheap on the hot path) and rebuild
 * the node tree only when a finding needs the line of a JSON Pointer.
 */
import type { Position } from './types.js';

const OPEN = 0;
const CLOSE = 1;

interface ListenerState {
  position: number;
  result: unknown;
}

/** Flat record of node open/close events of one parsed chunk. */
export interface Trace {
  /** Pairs: (OPEN, offset) or (CLOSE, result). */
  readonly events: unknown[];
}

/** Returns a trace and the js-yaml listener that fills it. */
export function createTrace(): { trace: Trace; listener: (type: string, state: ListenerState) => void } {
  const events: unknown[] = [];
  const listener = (type: string, state: ListenerState): void => {
    if (type === 'open') events.push(OPEN, state.position);
    else events.push(CLOSE, state.result);
  };
  return { trace: { events }, listener };
}

interface TraceNode {
  start: number;
  result: unknown;
  children: TraceNode[];
}

/** Rebuilds the node tree from the flat events (only called when a position is needed). */
function buildTree(events: readonly unknown[]): TraceNode | undefined {
  const stack: TraceNode[] = [];
  let root: TraceNode | undefined;
  for (let i = 0; i < events.length; i += 2) {
    if (events[i] === OPEN) {
      stack.push({ start: events[i + 1] as number, result: undefined, children: [] });
    } else {
      const node = stack.pop();
      if (!node) return root;
      node.result = events[i + 1];
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(node);
      else root ??= node;
    }
  }
  return root;
}

const treeCache = new WeakMap<Trace, TraceNode | null>();

function treeOf(trace: Trace): TraceNode | undefined {
  let tree = treeCache.get(trace);
  if (tree === undefined) {
    tree = buildTree(trace.events) ?? null;
    treeCache.set(trace, tree);
  }
  return tree ?? undefined;
}

/** Splits a JSON Pointer into unescaped tokens. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Builds a JSON Pointer from tokens. */
export function toPointer(tokens: ReadonlyArray<string | number>): string {
  if (tokens.length === 0) return '';
  return '/' + tokens.map((t) => String(t).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/** Skips wrapper nodes: js-yaml may report a collection twice (an outer and an inner node with the same result). */
function unwrap(node: TraceNode): TraceNode {
  let current = node;
  while (current.children.length === 1 && current.children[0]?.result === current.result && typeof current.result === 'object' && current.result !== null) {
    current = current.children[0];
  }
  return current;
}

/**
 * The source offset of the node at `pointer` (for a mapping key: the key itself), or of its
 * nearest ancestor that exists in the source.
 */
export function offsetOf(trace: Trace, pointer: string): number {
  let node = treeOf(trace);
  if (!node) return 0;
  let offset = node.start;
  for (const token of pointerTokens(pointer)) {
    node = unwrap(node);
    const value = node.result;
    if (Array.isArray(value)) {
      const child: TraceNode | undefined = node.children[Number(token)];
      if (!child || node.children.length !== value.length) return offset;
      node = child;
      offset = child.start;
    } else if (typeof value === 'object' && value !== null) {
      const kids = node.children;
      let found: TraceNode | undefined;
      for (let i = 0; i + 1 < kids.length; i += 2) {
        const key = kids[i];
        if (key && String(key.result) === token) {
          offset = key.start;
          found = kids[i + 1];
          break;
        }
      }
      if (!found) return offset;
      node = found;
    } else {
      return offset;
    }
  }
  return offset;
}

/** Line-start table of a text, for offset → line/column. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  let i = text.indexOf('\n');
  while (i !== -1) {
    starts.push(i + 1);
    i = text.indexOf('\n', i + 1);
  }
  return starts;
}

/** Moves an offset past white space and comment lines to the first character of content. */
export function skipBlank(text: string, offset: number): number {
  let i = offset;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 35 /* # */) {
      const nl = text.indexOf('\n', i);
      if (nl === -1) return i;
      i = nl + 1;
    } else break;
  }
  return i < text.length ? i : offset;
}

/** 1-based line and column of `offset` in a text with the given line starts. */
export function positionAt(starts: readonly number[], offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
}
