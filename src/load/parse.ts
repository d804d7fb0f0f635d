/**
 * YAML text → Kubernetes objects with positions. Every problem is returned as data: a broken
 * document never hides the good documents around it, and nothing here throws on bad input.
 */
import jsYaml from 'js-yaml';
import { positionInSource, type ParsedDocument } from '../document/document.js';
import { complexKeyOffset, createRecorder } from '../document/positions.js';
import type { SourceText } from '../document/types.js';
import type { LoadProblem, ProblemCode } from './types.js';
import { KUBERNETES_YAML_SCHEMA } from './yaml11.js';

/** Largest input accepted per file. The Kubernetes API server rejects requests over 3 MiB, so a
 * manifest file a thousand times larger than any one object is certainly not a manifest set. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Aliases per document: real manifests use a handful; a billion-laughs document uses thousands. */
const MAX_ALIASES = 500;
/** Nodes a document may expand to through its aliases (a Kubernetes object has hundreds). */
const MAX_EXPANDED_NODES = 1_000_000;
/** Nesting depth: Kubernetes objects nest about 15 levels deep. */
export const MAX_DEPTH = 64;

/** One document's text and where it starts in its source. */
export interface Chunk {
  readonly offset: number;
  readonly text: string;
}

/** A line that is a document marker: `---` or `...` at column 0, then space or end of line. */
const MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)|^\uFEFF/gm;

/**
 * Splits a YAML stream at document markers. YAML forbids content lines starting with `---` or
 * `...` at column 0 inside a document, so the split is exact. Each chunk keeps its `---` line so
 * that `--- value` documents parse.
 */
export function splitDocuments(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let start = 0;
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(text); m; m = MARKER.exec(text)) {
    if (m[0] === '\uFEFF') {
      // A byte-order mark at a line start (files joined with `cat`) starts a document and is not content.
      if (m.index > start) chunks.push({ offset: start, text: text.slice(start, m.index) });
      start = m.index + 1;
    } else if (m[0] === '---') {
      if (m.index > start) chunks.push({ offset: start, text: text.slice(start, m.index) });
      start = m.index;
    } else {
      // `...` ends a document: the text up to and including the marker line is one chunk.
      const eol = text.indexOf('\n', m.index);
      const end = eol === -1 ? text.length : eol + 1;
      chunks.push({ offset: start, text: text.slice(start, end) });
      start = end;
      MARKER.lastIndex = end;
    }
  }
  if (start < text.length) chunks.push({ offset: start, text: text.slice(start) });
  return chunks;
}

/** A line with content: not blank, not a comment, not a directive or a bare document marker. */
const CONTENT_LINE = /^(?![ \t]*(?:#|\r?$)|%|(?:---|\.\.\.)[ \t]*(?:#.*)?\r?$)./m;

/**
 * The documents of a stream as text, in the order (and with the indexes) `parseSource` numbers
 * them: `ParsedDocument.index` and `Finding.document` index this list.
 */
export function documentChunks(text: string): Chunk[] {
  return splitDocuments(text).filter((chunk) => !isBlank(chunk.text));
}

/** True when a chunk holds nothing but comments, blank lines, directives and markers. */
function isBlank(text: string): boolean {
  return !CONTENT_LINE.test(text);
}

const HELM_ACTION = /\{\{-?\s*(?:[.$]|include\b|template\b|toYaml\b|tpl\b|if\b|else\b|end\b|range\b|with\b|define\b|default\b|quote\b|printf\b|required\b|\/\*)/;
/** Expressions only a Helm chart has: `.Values`, `.Release`, `.Chart`, `include "…"`… */
const HELM_ONLY = /\{\{-?\s*(?:\.(?:Values|Release|Chart|Capabilities|Files|Template)\b|include\s|template\s|toYaml\s|tpl\s|\$\.Values)/;

/**
 * Finds an unrendered Helm/Go template action outside block scalars (a ConfigMap may carry Go
 * templates for another program inside a `|` block, which is fine). Returns the chunk offset.
 */
export function findTemplateAction(text: string): number {
  if (!text.includes('{{')) return -1;
  let blockIndent = -1;
  let offset = 0;
  for (const line of text.split('\n')) {
    const indent = line.search(/\S/);
    if (blockIndent >= 0 && (indent === -1 || indent > blockIndent)) {
      offset += line.length + 1;
      continue;
    }
    blockIndent = -1;
    const helm = HELM_ONLY.exec(line);
    if (helm) return offset + helm.index;
    const m = HELM_ACTION.exec(line);
    if (m) {
      // A generic action (`{{ if }}`, `{{ .x }}`) counts where a value or a whole line would be.
      const before = line.slice(0, m.index);
      if (/(?:^\s*(?:-\s*)*|[:[,]\s*["']?|\s["']?)$/.test(before)) return offset + m.index;
    }
    if (/(?:^|[:-]\s*)[|>][-+0-9]*\s*(?:#.*)?$/.test(line) && indent >= 0) blockIndent = indent;
    offset += line.length + 1;
  }
  return -1;
}

/**
 * The number of nodes a value expands to when its aliases are followed, counting shared nodes
 * once per reference (memoized, so a billion-laughs document is measured without expanding it).
 */
function expandedSize(value: unknown, memo = new Map<object, number>()): number {
  if (typeof value !== 'object' || value === null) return 1;
  const known = memo.get(value);
  if (known !== undefined) return known;
  memo.set(value, 1);
  let size = 1;
  for (const child of Array.isArray(value) ? value : Object.values(value)) size += expandedSize(child, memo);
  memo.set(value, size);
  return size;
}

function countAliases(text: string): number {
  if (!text.includes('*')) return 0;
  let n = 0;
  const re = /(?:^|[\s[{,:])\*[^\s,[\]{}]+/g;
  while (re.exec(text)) n++;
  return n;
}

interface YamlError {
  reason?: string;
  message?: string;
  mark?: { position?: number; line?: number; column?: number };
}

function classify(reason: string): ProblemCode {
  if (/duplicated mapping key/.test(reason)) return 'duplicate-key';
  if (/\btab/i.test(reason)) return 'tab-indentation';
  if (/maxDepth|nesting/.test(reason)) return 'too-deep';
  return 'yaml-syntax';
}

function explain(code: ProblemCode, reason: string): string {
  switch (code) {
    case 'duplicate-key':
      return `${reason}: the API server rejects a manifest with a key given twice`;
    case 'tab-indentation':
      return `${reason}: YAML does not allow tabs for indentation; indent with spaces`;
    case 'too-deep':
      return `document nests deeper than ${MAX_DEPTH} levels; not a Kubernetes manifest`;
    default:
      return `YAML syntax error: ${reason}`;
  }
}

/** Unbalanced brackets and quotes of a chunk: the outermost opener never closed, the first stray closer. */
interface Balance {
  readonly opener: number;
  readonly openerChar: string;
  readonly stray: number;
}

/**
 * Scans a chunk once (linear) for the outermost flow collection or quoted scalar that is never
 * closed, and for the first closing bracket that closes nothing.
 */
function balance(text: string): Balance {
  const stack: number[] = [];
  let quote = '';
  let quoteAt = -1;
  let stray = -1;
  let prev = '\n';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quote !== '') {
      if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = '';
      } else if (c === '\\' && quote === '"') i++;
    } else if (c === '#' && (prev === ' ' || prev === '\t' || prev === '\n')) {
      const nl = text.indexOf('\n', i);
      if (nl === -1) break;
      i = nl - 1;
    } else if ((c === '"' || c === "'") && /[\s:[{,-]/.test(prev)) {
      quote = c;
      quoteAt = i;
    } else if (c === '[' || c === '{') {
      stack.push(i);
    } else if (c === ']' || c === '}') {
      if (stack.length > 0) stack.pop();
      else if (stray < 0) stray = i;
    }
    prev = c;
  }
  const firstOpen = stack[0] ?? -1;
  const opener = quote !== '' && (firstOpen < 0 || quoteAt < firstOpen) ? quoteAt : firstOpen;
  return { opener, openerChar: opener >= 0 ? (text[opener] ?? '') : '', stray };
}

/** Where to report a parse error, and what to say: the unclosed opener or the stray closer, when there is one. */
function explainSyntax(text: string, reason: string, at: number): { at: number; reason: string } {
  const tag = /unknown tag !<(.+)>/.exec(reason);
  if (tag?.[1]) {
    const found = text.lastIndexOf(tag[1], at);
    return { at: found >= 0 ? found : at, reason };
  }
  const b = balance(text);
  if (b.opener >= 0 && b.opener <= at) {
    const what = b.openerChar === '"' || b.openerChar === "'" ? `quote ${b.openerChar}` : `\`${b.openerChar}\``;
    return { at: b.opener, reason: `${what} opened here is never closed (${reason})` };
  }
  if (b.stray >= 0 && b.stray <= at) {
    return { at: b.stray, reason: `unexpected \`${text[b.stray] ?? ''}\` that closes nothing (${reason})` };
  }
  return { at, reason };
}

/** Result of parsing one source. */
export interface ParseResult {
  readonly documents: ParsedDocument[];
  readonly problems: LoadProblem[];
}

function problemAt(source: SourceText, code: ProblemCode, message: string, offset: number): LoadProblem {
  const pos = positionInSource(source, Math.max(0, Math.min(offset, source.text.length)));
  return { code, message, file: source.path, line: pos.line, column: pos.column, path: '' };
}

/** Parsing options: the YAML schema (Kubernetes' YAML 1.1 scalars, or YAML 1.2 core for rollsafe's own files). */
export interface ParseOptions {
  readonly schema?: 'kubernetes' | 'core';
}

/** Records the node events of the document being parsed (one at a time: parsing is synchronous). */
const recorder = createRecorder();

/** Parses a YAML (or JSON) stream into documents; problems come back as data. */
export function parseSource(source: SourceText, options: ParseOptions = {}): ParseResult {
  const schema = options.schema === 'core' ? jsYaml.CORE_SCHEMA : KUBERNETES_YAML_SCHEMA;
  const documents: ParsedDocument[] = [];
  const problems: LoadProblem[] = [];
  if (source.text.length > MAX_FILE_BYTES) {
    problems.push(problemAt(source, 'too-large', `input is ${(source.text.length / 1048576).toFixed(1)} MiB; the limit is ${MAX_FILE_BYTES / 1048576} MiB per file`, 0));
    return { documents, problems };
  }
  if (source.text.includes('\0')) {
    problems.push(problemAt(source, 'yaml-syntax', 'input contains NUL bytes: a binary file, not YAML', source.text.indexOf('\0')));
    return { documents, problems };
  }
  let index = 0;
  for (const chunk of splitDocuments(source.text)) {
    const docIndex = index++;
    if (isBlank(chunk.text)) {
      index--;
      continue;
    }
    const helm = findTemplateAction(chunk.text);
    if (helm >= 0) {
      problems.push(problemAt(source, 'helm-template', 'unrendered Helm template: render the chart first, e.g. `helm template RELEASE CHART | rollsafe check -`', chunk.offset + helm));
      continue;
    }
    if (countAliases(chunk.text) > MAX_ALIASES) {
      problems.push(problemAt(source, 'alias-bomb', `document uses more than ${MAX_ALIASES} YAML aliases; refused as a possible alias bomb`, chunk.offset));
      continue;
    }
    recorder.start();
    try {
      const value: unknown = jsYaml.load(chunk.text, {
        schema,
        filename: source.path,
        listener: recorder.listener,
        maxDepth: MAX_DEPTH,
      } as jsYaml.LoadOptions);
      if (value === undefined || value === null) continue;
      if (chunk.text.includes('*') && expandedSize(value) > MAX_EXPANDED_NODES) {
        problems.push(problemAt(source, 'alias-bomb', `document expands to more than ${MAX_EXPANDED_NODES.toLocaleString('en')} nodes through its aliases; refused as a possible alias bomb`, chunk.offset));
        continue;
      }
      // A complex key needs the events as recorded (rare: the text has a `?`); they are also what the document keeps if it cannot be compacted.
      const recorded = chunk.text.includes('?') ? recorder.recorded() : undefined;
      const complexKey = recorded ? complexKeyOffset(recorded, value) : -1;
      if (complexKey >= 0) {
        problems.push(problemAt(source, 'yaml-syntax', 'a mapping key that is not a scalar (`? [a, b]`): Kubernetes objects need string keys', chunk.offset + complexKey));
        continue;
      }
      documents.push({ source, index: docIndex, offset: chunk.offset, value, trace: recorder.finish(recorded) });
    } catch (error: unknown) {
      const e = error as YamlError;
      const raw = typeof e.reason === 'string' ? e.reason : String(e.message ?? error);
      const code = classify(raw);
      const where = code === 'yaml-syntax' ? explainSyntax(chunk.text, raw, typeof e.mark?.position === 'number' ? e.mark.position : 0) : { at: e.mark?.position ?? 0, reason: raw };
      problems.push(problemAt(source, code, explain(code, where.reason), chunk.offset + where.at));
    }
  }
  return { documents, problems };
}
