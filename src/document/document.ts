/** A parsed YAML document with the positions of its nodes, and how to find the line of a JSON Pointer in it. */
import { pointerTokens } from './pointer.js';
import { lineStarts, offsetOf, positionAt, skipBlank, type Trace } from './positions.js';
import type { Position, SourceText } from './types.js';

/** One YAML document of a source, as parsed. */
export interface ParsedDocument {
  readonly source: SourceText;
  /** 0-based index of the document in its source. */
  readonly index: number;
  /** Offset of the document's text in the source. */
  readonly offset: number;
  readonly value: unknown;
  /** Node positions, for finding the line of a JSON Pointer. */
  readonly trace: Trace;
}

const startsCache = new WeakMap<SourceText, Int32Array>();

function startsOf(source: SourceText): Int32Array {
  let starts = startsCache.get(source);
  if (!starts) {
    starts = lineStarts(source.text);
    startsCache.set(source, starts);
  }
  return starts;
}

/** 1-based position of a source offset (a byte-order mark at a line start takes no column). */
export function positionInSource(source: SourceText, offset: number): Position {
  const pos = positionAt(startsOf(source), offset);
  const lineStart = offset - pos.column + 1;
  return source.text.charCodeAt(lineStart) === 0xfeff && pos.column > 1 ? { line: pos.line, column: pos.column - 1 } : pos;
}

/** 1-based position of the node at `pointer` inside a parsed document (of its key, or its value). */
export function locate(doc: ParsedDocument, pointer: string, at: 'key' | 'value' = 'key'): Position {
  // An empty value has no text of its own: show its key.
  const local = offsetOf(doc.trace, pointer, doc.value, at === 'value' && valueAt(doc.value, pointer) === null ? 'key' : at);
  const text = doc.source.text;
  return positionInSource(doc.source, skipBlank(text, doc.offset + local));
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const token of pointerTokens(pointer)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}
