/**
 * Position tracing for js-yaml documents. While a document is parsed, js-yaml's listener reports
 * every node it opens and closes; we record those events flat (cheap on the hot path), keep them
 * as one compact typed array once the document is parsed, and walk them only when a finding needs
 * the line of a JSON Pointer.
 */
import { pointerTokens } from './pointer.js';
import type { Position } from './types.js';

interface ListenerState {
  position: number;
  result: unknown;
}

/**
 * Flat record of node events of one parsed chunk, as recorded: an open is its source offset (a
 * number); a close is the node's value, with numbers stored as strings so that every number is an
 * open.
 */
export interface RecordedTrace {
  readonly events: unknown[];
}

/**
 * The same events, compact (see `createRecorder`): at an open, the distance to its close (≥ 1), so
 * a walk steps from child to child without reading their insides; at a close, -(2 × the node's
 * source offset + same) - 1, where `same` is 1 when the node has the very value of the node around
 * it (js-yaml reports some nodes twice). A mapping's keys are not kept: they are its value's own
 * keys, in the same order.
 */
interface CompactTrace {
  readonly compact: Int32Array;
}

/** Node events of one parsed chunk. */
export type Trace = RecordedTrace | CompactTrace;

/** Compact traces are cut from shared slabs: one backing store per slab, not one per document. */
const SLAB = 1 << 20;
let slab = new Int32Array(SLAB);
let used = 0;

/** A zeroed array of `n` events (a view of a slab; its own array when larger than a slab). */
function allocate(n: number): Int32Array {
  if (n > SLAB >> 3) return new Int32Array(n);
  if (used + n > SLAB) {
    slab = new Int32Array(SLAB);
    used = 0;
  }
  const view = slab.subarray(used, used + n);
  used += n;
  return view;
}

/** Marks, while compacting, a close whose node has its parent's value. */
const SAME_MARK = -1;

/** Two close results are the same node value (numbers compare by their text, as the recorded form keeps them). */
function sameResult(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && String(a) === String(b));
}

/**
 * Records the node events of one document at a time (`start` forgets the last) into buffers
 * reused from document to document: the source offset of each open, the value of each close.
 * `finish` gives the document's compact trace: 4 bytes an event in a typed array (a view of a
 * shared slab), outside the garbage-collected heap, instead of a value reference per event. Only
 * when every mapping's keys, in source order, are its value's own keys in order (as `Object.keys`
 * lists them): then the n-th key of the value is the n-th key in the source, and the walk finds
 * keys by position. Merge keys (`<<`), aliases of mappings and integer-like keys (which JavaScript
 * orders first) break that; such a document keeps its recorded trace, so every position stays exact.
 */
export interface TraceRecorder {
  readonly listener: (type: string, state: ListenerState) => void;
  start(): void;
  /** The events as a recorded trace (an open is its offset; a close its value, numbers as strings). */
  recorded(): RecordedTrace;
  /** The compact trace, or `fallback` (default: the recorded trace) when the document cannot be compacted. */
  finish(fallback?: RecordedTrace): Trace;
}

export function createRecorder(): TraceRecorder {
  /** Per event: the source offset of an open, -1 for a close. */
  let offsets = new Int32Array(4096);
  /** Per event: at an open, the distance to its close; 0 at a close (the compact trace's first half). */
  let distances = new Int32Array(4096);
  /** Per event: the value of a close (stale entries of earlier documents at opens are never read). */
  const results: unknown[] = [];
  /** The opens not closed yet. */
  let stack = new Int32Array(256);
  let n = 0;
  let depth = 0;
  let broken = false;
  const grow = (array: Int32Array): Int32Array<ArrayBuffer> => {
    const grown = new Int32Array(array.length * 2);
    grown.set(array);
    return grown;
  };
  const listener = (type: string, state: ListenerState): void => {
    if (n === offsets.length) {
      offsets = grow(offsets);
      distances = grow(distances);
    }
    if (type === 'open') {
      const position = state.position;
      // Offsets beyond 2^29 do not fit the encoding (inputs are at most 64 MiB).
      if (position >= 2 ** 29) broken = true;
      if (depth === stack.length) stack = grow(stack);
      stack[depth++] = n;
      offsets[n++] = position;
    } else {
      if (depth === 0) broken = true;
      else {
        const open = stack[--depth] ?? 0;
        distances[open] = n - open;
      }
      offsets[n] = -1;
      distances[n] = 0;
      results[n++] = state.result;
    }
  };
  const recorded = (): RecordedTrace => {
    const events: unknown[] = Array.from({ length: n });
    for (let j = 0; j < n; j++) {
      const offset = offsets[j] ?? -1;
      const result = results[j];
      events[j] = offset >= 0 ? offset : typeof result === 'number' ? String(result) : result;
    }
    return { events };
  };
  const finish = (fallback?: RecordedTrace): Trace => {
    if (n === 0 || broken || depth > 0) return fallback ?? recorded();
    const compact = allocate(n);
    // Filled as the walk goes (copying with `set` needs one more typed array view per document): each open
    // when the walk reaches it, each close by its open; children's distances are read from `distances`.
    for (let open = 0; open < n; open++) {
      const distance = distances[open] ?? 0;
      if (distance <= 0) continue;
      compact[open] = distance;
      const close = open + distance;
      const result = results[close];
      compact[close] = -2 * (offsets[open] ?? 0) - 1 - (compact[close] === SAME_MARK ? 1 : 0);
      let child = open + 1;
      if (child < close && sameResult(results[child + (distances[child] ?? 0)], result)) {
        // Marked before its own close is written (children come after their parent).
        compact[child + (distances[child] ?? 0)] = SAME_MARK;
        continue;
      }
      if (typeof result !== 'object' || result === null || Array.isArray(result)) continue;
      // The keys in source order must be the value's own keys in order: walked side by side
      // (for…in lists own keys as Object.keys does for these plain objects, without a new array).
      for (const key in result) {
        // The key nodes are every other child, starting with the first; each is followed by its value's.
        if (child >= close || String(results[child + (distances[child] ?? 0)]) !== key) return fallback ?? recorded();
        child += (distances[child] ?? 0) + 1;
        if (child < close) child += (distances[child] ?? 0) + 1;
      }
      // A key node left over is a key the value does not have.
      if (child < close) return fallback ?? recorded();
    }
    return { compact };
  };
  return {
    listener,
    start: () => {
      n = 0;
      depth = 0;
      broken = false;
    },
    recorded,
    finish,
  };
}

/**
 * Walks the direct children of the node opened at `open`, calling `visit(childOpen, childClose)`
 * until it returns true. Returns false when the node has no more children.
 */
function eachChild(events: readonly unknown[], open: number, visit: (childOpen: number, childClose: number) => boolean): boolean {
  let depth = 0;
  let childOpen = -1;
  for (let j = open + 1; j < events.length; j++) {
    if (typeof events[j] === 'number') {
      if (depth === 0) childOpen = j;
      depth++;
    } else {
      if (depth === 0) return false;
      depth--;
      if (depth === 0 && visit(childOpen, j)) return true;
    }
  }
  return false;
}

/**
 * The source offset of the node at `pointer` (for a mapping key: the key itself), or of its
 * nearest ancestor that exists in the source; with `at: 'value'`, the value of the last key.
 * `root` is the document's value: the walk follows the value alongside the events, so no tree is
 * built.
 */
export function offsetOf(trace: Trace, pointer: string, root: unknown, at: 'key' | 'value' = 'key'): number {
  if ('compact' in trace) return compactOffsetOf(trace.compact, pointer, root, at);
  const events = trace.events;
  let open = typeof events[0] === 'number' ? 0 : events.findIndex((e) => typeof e === 'number');
  if (open < 0) return 0;
  let offset = events[open] as number;
  let value = root;
  const tokens = pointerTokens(pointer);
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t] ?? '';
    // js-yaml may report a collection twice (an outer and an inner node with the same value).
    for (;;) {
      let inner = -1;
      eachChild(events, open, (childOpen, childClose) => {
        if (events[childClose] === value) inner = childOpen;
        return true;
      });
      if (inner < 0) break;
      open = inner;
    }
    if (Array.isArray(value)) {
      const index = Number(token);
      let k = 0;
      let found = -1;
      eachChild(events, open, (childOpen) => {
        if (k++ === index) found = childOpen;
        return found >= 0;
      });
      if (found < 0) return offset;
      open = found;
      offset = events[found] as number;
      value = value[index];
    } else if (typeof value === 'object' && value !== null) {
      let k = 0;
      let keyOpen = -1;
      let found = -1;
      eachChild(events, open, (childOpen, childClose) => {
        if (keyOpen >= 0) {
          found = childOpen;
          return true;
        }
        if (k++ % 2 === 0 && String(events[childClose]) === token) keyOpen = childOpen;
        return false;
      });
      if (found < 0) return keyOpen >= 0 ? (events[keyOpen] as number) : offset;
      offset = events[at === 'value' && t === tokens.length - 1 ? found : keyOpen] as number;
      open = found;
      value = (value as Record<string, unknown>)[token];
    } else {
      return offset;
    }
  }
  return offset;
}

/** The source offset of the node opened at `open` of a compact trace. */
function compactOffset(events: Int32Array, open: number): number {
  return (-(events[open + (events[open] ?? 0)] ?? -1) - 1) >> 1;
}

/** True when the node opened at `open` of a compact trace has the value of its parent. */
function sameAsParent(events: Int32Array, open: number): boolean {
  return ((-(events[open + (events[open] ?? 0)] ?? -1) - 1) & 1) === 1;
}

/** The open of the `index`-th direct child of the node opened at `open` of a compact trace, or -1. */
function compactChild(events: Int32Array, open: number, index: number): number {
  const close = open + (events[open] ?? 0);
  let child = open + 1;
  for (let k = 0; child < close; child += (events[child] ?? 0) + 1, k++) if (k === index) return child;
  return -1;
}

/** The place of `key` among an object's own keys (Object.keys order), or -1. */
function keyOrdinal(value: object, key: string): number {
  let i = 0;
  for (const own in value) {
    if (own === key) return i;
    i++;
  }
  return -1;
}

/** `offsetOf` over a compact trace: the same walk, with a mapping's keys found by their place in the value. */
function compactOffsetOf(events: Int32Array, pointer: string, root: unknown, at: 'key' | 'value'): number {
  let open = 0;
  let offset = compactOffset(events, open);
  let value = root;
  const tokens = pointerTokens(pointer);
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t] ?? '';
    while (open + 1 < open + (events[open] ?? 0) && sameAsParent(events, open + 1)) open++;
    if (Array.isArray(value)) {
      const index = Number(token);
      const found = Number.isInteger(index) && index >= 0 ? compactChild(events, open, index) : -1;
      if (found < 0) return offset;
      open = found;
      offset = compactOffset(events, found);
      value = value[index];
    } else if (typeof value === 'object' && value !== null) {
      const ordinal = keyOrdinal(value, token);
      const keyOpen = ordinal >= 0 ? compactChild(events, open, 2 * ordinal) : -1;
      const close = open + (events[open] ?? 0);
      const next = keyOpen >= 0 ? keyOpen + (events[keyOpen] ?? 0) + 1 : -1;
      const found = next >= 0 && next < close ? next : -1;
      if (found < 0) return keyOpen >= 0 ? compactOffset(events, keyOpen) : offset;
      offset = compactOffset(events, at === 'value' && t === tokens.length - 1 ? found : keyOpen);
      open = found;
      value = (value as Record<string, unknown>)[token];
    } else {
      return offset;
    }
  }
  return offset;
}

/**
 * The offset of the first mapping key that is a collection (`? [a, b]`), or -1. js-yaml turns such
 * keys into strings silently; the Kubernetes decoder rejects them.
 */
export function complexKeyOffset(trace: RecordedTrace, root: unknown): number {
  const events = trace.events;
  const visit = (open: number, value: unknown): number => {
    if (typeof value !== 'object' || value === null) return -1;
    let found = -1;
    let k = 0;
    let key: unknown;
    eachChild(events, open, (childOpen, childClose) => {
      const result = events[childClose];
      if (result === value) {
        // The wrapper node of a collection: look inside it.
        found = visit(childOpen, value);
        return true;
      }
      if (Array.isArray(value)) found = visit(childOpen, result);
      else if (k++ % 2 === 0) {
        key = result;
        if (typeof result === 'object' && result !== null) found = events[childOpen] as number;
      } else found = visit(childOpen, (value as Record<string, unknown>)[String(key)]);
      return found >= 0;
    });
    return found;
  };
  return typeof events[0] === 'number' ? visit(0, root) : -1;
}

/** Line-start table of a text, for offset → line/column (a typed array: 4 bytes a line, outside the collected heap). */
export function lineStarts(text: string): Int32Array {
  if (text.includes('\r')) {
    // CR-only (old Mac) line ends count too, as YAML counts them.
    const re = /\r\n?|\n/g;
    const found = [0];
    for (let m = re.exec(text); m; m = re.exec(text)) found.push(m.index + m[0].length);
    return Int32Array.from(found);
  }
  // About one line in 32 characters to start with (manifest lines are shorter), doubled when full.
  let starts = new Int32Array(Math.max(16, text.length >> 5));
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (lines === starts.length) {
      const grown = new Int32Array(lines * 2);
      grown.set(starts);
      starts = grown;
    }
    starts[lines++] = i + 1;
  }
  return starts.subarray(0, lines);
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
export function positionAt(starts: ArrayLike<number>, offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
}
