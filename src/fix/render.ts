/**
 * New YAML text for fix values, in the style of the document it goes into (indent step, whether
 * lists under a key are indented, line ends). A string is written plain only when it reads back
 * as the same string both as Kubernetes reads YAML (1.1 booleans such as `on`) and as YAML 1.2.
 */
import jsYaml from 'js-yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { isMap, isPair, isScalar, isSeq, yamlLib } from './yaml-lib.js';
import { KUBERNETES_YAML_SCHEMA } from '../load/yaml11.js';
import { deepEqual } from './patch.js';

/** The layout of a document, so added text looks like the text around it. */
export interface Style {
  /** Spaces per nesting level. */
  readonly indent: number;
  /** True when a list under a key is indented past the key (`key:\n  - a`), false for `key:\n- a`. */
  readonly indentSeq: boolean;
  /** The line end of the document: `\n` or `\r\n`. */
  readonly eol: string;
  /** True when flow collections have spaces inside their brackets (`{ a: 1 }`). */
  readonly flowPadding: boolean;
}

const DEFAULT_STYLE: Style = { indent: 2, indentSeq: true, eol: '\n', flowPadding: false };

/** Characters that end or split a plain scalar inside a flow collection. */
const FLOW_INDICATORS = /[,[\]{}]/;

/** True when `text` may be written as a plain scalar and still read as this string. */
function plainReadsBack(text: string, inFlow = false): boolean {
  if (text === '' || text !== text.trim() || /[\n\r\t\u0085\u2028\u2029]/.test(text)) return false;
  if (inFlow && FLOW_INDICATORS.test(text)) return false;
  try {
    const read = jsYaml.load(`k: ${text}\n`, { schema: KUBERNETES_YAML_SCHEMA });
    // YAML 1.2 core (what most other tools read) must read the same string too.
    return deepEqual(read, { k: text }) && deepEqual(jsYaml.load(`k: ${text}\n`, { schema: jsYaml.CORE_SCHEMA }), { k: text });
  } catch {
    return false;
  }
}

/** A double-quoted YAML scalar (JSON string syntax is valid YAML). */
function doubleQuoted(text: string): string {
  return JSON.stringify(text);
}

/** A single-quoted YAML scalar, when the text can be one on a single line. */
function singleQuoted(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    // Line breaks fold and control characters cannot be written inside single quotes.
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return undefined;
  }
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * The text of a new scalar value in place of an old one, keeping the old quote style where the
 * new value is a string that style can hold.
 */
export function renderScalar(value: unknown, options: { readonly quote?: string; readonly inFlow: boolean }): string {
  if (typeof value === 'string') {
    if (options.quote === 'QUOTE_SINGLE') return singleQuoted(value) ?? doubleQuoted(value);
    if (options.quote === 'QUOTE_DOUBLE') return doubleQuoted(value);
    return plainReadsBack(value, options.inFlow) ? value : doubleQuoted(value);
  }
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new TypeError(`cannot write ${typeof value} ${String(value)} as a YAML scalar`);
}

function toDocument(value: unknown, flow: boolean): Document {
  const doc = new (yamlLib().Document)(value, { version: '1.1' });
  if (flow && (isMap(doc.contents) || isSeq(doc.contents))) doc.contents.flow = true;
  yamlLib().visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && !plainReadsBack(node.value, flow)) node.type = 'QUOTE_DOUBLE';
      else if (typeof node.value === 'number' && !Number.isFinite(node.value)) throw new TypeError(`cannot write ${String(node.value)} in a manifest`);
    },
  });
  return doc;
}

function renderLines(value: unknown, style: Style): string[] {
  const text = toDocument(value, false).toString({ indent: style.indent, indentSeq: style.indentSeq, lineWidth: 0, minContentWidth: 0 });
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Prefixes every line but blank ones with `column` spaces and joins them with the style's line end. */
export function indentLines(lines: readonly string[], column: number, style: Style, firstPrefixed = true): string {
  const pad = ' '.repeat(column);
  return lines.map((line, i) => (line === '' || (i === 0 && !firstPrefixed) ? line : pad + line)).join(style.eol);
}

/** `key: value` lines (unindented) for a new mapping entry. */
export function renderPair(key: string, value: unknown, style: Style): string[] {
  return renderLines(Object.fromEntries([[key, value]]), style);
}

/**
 * The text that follows `key:` for a value (` 5`, ` {}`, or nothing on the key's line and the
 * block below), with lines after the first relative to the key's column.
 */
export function renderAfterKey(value: unknown, style: Style): string[] {
  const lines = renderPair('k', value, style);
  const first = lines[0] ?? '';
  if (!first.startsWith('k:')) throw new TypeError('unexpected rendering of a mapping entry');
  return [first.slice(2), ...lines.slice(1)];
}

/** `- value` lines (unindented) for a new list item. */
export function renderItem(value: unknown, style: Style): string[] {
  return renderLines([value], style);
}

/** The text after `- ` for a list item's value, lines after the first relative to the dash. */
export function renderItemBody(value: unknown, style: Style): string[] {
  const lines = renderItem(value, style);
  const first = lines[0] ?? '';
  if (!first.startsWith('-')) throw new TypeError('unexpected rendering of a list item');
  return [first.slice(first.startsWith('- ') ? 2 : 1), ...lines.slice(1)];
}

/** A whole document's lines (for a new document). */
export function renderDocument(value: unknown, style: Style): string[] {
  return renderLines(value, style);
}

/** A flow collection on one line (`{a: 1, b: [x]}`), for editing inside an existing flow collection. */
export function renderFlow(value: unknown, style: Style): string {
  return toDocument(value, true).toString({ lineWidth: 0, minContentWidth: 0, flowCollectionPadding: style.flowPadding }).replace(/\n$/, '');
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/**
 * Reads the style of a document: the indent step and list indentation of its first nested block
 * collections, its line ends, and its flow-bracket padding.
 */
export function detectStyle(text: string, contents: YamlNode | null): Style {
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  let flowPadding: boolean | undefined;
  if (contents) yamlLib().visit(contents, {
    Pair(_, pair) {
      if (!isPair(pair) || !isScalar(pair.key) || !pair.key.range) return undefined;
      const keyColumn = columnOf(text, pair.key.range[0]);
      const value = pair.value;
      if (isMap(value) && !value.flow && value.range && indent === undefined) {
        const step = columnOf(text, value.range[0]) - keyColumn;
        if (step > 0) indent = step;
      }
      if (isSeq(value) && !value.flow && value.range && indentSeq === undefined) indentSeq = columnOf(text, value.range[0]) > keyColumn;
      return indent !== undefined && indentSeq !== undefined && flowPadding !== undefined ? yamlLib().visit.BREAK : undefined;
    },
    Collection(_, node) {
      if (node.flow && node.range && node.items.length > 0 && flowPadding === undefined) flowPadding = text[node.range[0] + 1] === ' ';
      return undefined;
    },
  });
  return {
    indent: indent ?? DEFAULT_STYLE.indent,
    indentSeq: indentSeq ?? DEFAULT_STYLE.indentSeq,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    flowPadding: flowPadding ?? DEFAULT_STYLE.flowPadding,
  };
}
