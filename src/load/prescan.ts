/**
 * A look at a source's text without parsing it: which namespaces its objects are in or refer to,
 * and whether it seems to hold a Service or a workload. `check` uses it to split a large input into
 * parts that share no namespace (engine/partition.ts). It is a hint, never trusted: the objects
 * each part loads are checked against it, and any difference sends the input back to a whole check.
 */
import { isWorkloadKind } from '../model/workload.js';

export interface SourceHints {
  /**
   * Namespaces the source's objects are in or refer to: every value of a `namespace` key, the name
   * of a `Namespace` object, the `matchNames` of a namespace selector, and `default` for a document
   * with no `namespace` key at all (objects without one are in `default`).
   */
  readonly namespaces: ReadonlySet<string>;
  /** A namespace selector with `any: true`: the source relates to every namespace. */
  readonly everyNamespace: boolean;
  /** A `kind: Service` line. */
  readonly service: boolean;
  /** A `kind:` line naming a workload kind. */
  readonly workload: boolean;
}

/** Document separators: `---` or `...` at the start of a line. */
const SEPARATOR = /^(?:---|\.\.\.)(?:[ \t].*)?$/gm;
/** A key's scalar value after its colon (plain or quoted). */
const VALUE = /[ \t]*["']?([^\s"',#{}[\]]*)/y;
const NAMESPACE_JSON = /"namespace"\s*:\s*"([^"]*)"/g;
const KIND_JSON = /"kind"\s*:\s*"([A-Za-z]+)"/g;
const NAME = /^[ \t]+["']?name["']?[ \t]*:[ \t]*["']?([^\s"',#{}[\]]+)/m;
const MATCH_NAMES = /^([ \t]*)["']?matchNames["']?[ \t]*:[ \t]*$((?:\n\1[ \t]*- .*)*)/gm;
const LIST_ITEM = /^[ \t]*- ["']?([^\s"',#]+)/gm;
const ANY_TRUE = /^[ \t]*["']?any["']?[ \t]*:[ \t]*true\b/m;

/** What one document of the text says. */
interface DocHints {
  kinds: number;
  namespaces: number;
  namespaceObject: boolean;
}

/** True when the text before `offset` on its line lets a key start there: the line's start after indentation or a list dash, or a flow mapping's `{` or `,` (a quote before the key is skipped). */
function keyStart(text: string, offset: number): boolean {
  let i = offset - 1;
  if (text[i] === '"' || text[i] === "'") i--;
  while (text[i] === ' ' || text[i] === '\t') i--;
  if (text[i] === '-') {
    i--;
    while (text[i] === ' ' || text[i] === '\t') i--;
  }
  return i < 0 || text[i] === '\n' || text[i] === '\r' || text[i] === '{' || text[i] === ',';
}

/**
 * Each `word` that is a key (block or flow style, see {@link keyStart}) and the scalar after its
 * colon. Found with indexOf, not a multiline regex over the whole text: several times faster on
 * large inputs.
 */
function keysAt(text: string, word: string, visit: (offset: number, value: string) => void): void {
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + word.length)) {
    if (!keyStart(text, i)) continue;
    let j = i + word.length;
    if (text[j] === '"' || text[j] === "'") j++;
    while (text[j] === ' ' || text[j] === '\t') j++;
    if (text[j] !== ':') continue;
    VALUE.lastIndex = j + 1;
    visit(i, VALUE.exec(text)?.[1] ?? '');
  }
}

/** The hints of one source's text (see {@link SourceHints}). */
export function scanHints(text: string): SourceHints {
  const namespaces = new Set<string>();
  let service = false;
  let workload = false;
  const json = /^\s*[[{]/.test(text);
  // Document starts (offset 0 and every separator line) and what each document holds.
  const starts = [0];
  if (!json) for (const m of text.matchAll(SEPARATOR)) starts.push(m.index);
  const docs: DocHints[] = starts.map(() => ({ kinds: 0, namespaces: 0, namespaceObject: false }));
  let doc = 0;
  const docAt = (offset: number): DocHints => {
    if (offset < (starts[doc] ?? 0)) doc = 0;
    while (doc + 1 < starts.length && (starts[doc + 1] ?? 0) <= offset) doc++;
    return docs[doc] as DocHints;
  };
  const kind = (offset: number, value: string): void => {
    const hints = docAt(offset);
    hints.kinds++;
    if (value === 'Service') service = true;
    else if (isWorkloadKind(value)) workload = true;
    else if (value === 'Namespace') hints.namespaceObject = true;
  };
  const namespace = (offset: number, value: string): void => {
    docAt(offset).namespaces++;
    namespaces.add(value === '' ? 'default' : value);
  };
  if (json) {
    for (const m of text.matchAll(KIND_JSON)) kind(m.index, m[1] ?? '');
    for (const m of text.matchAll(NAMESPACE_JSON)) namespace(m.index, m[1] ?? '');
  } else {
    keysAt(text, 'kind', kind);
    keysAt(text, 'namespace', namespace);
  }
  docs.forEach((hints, i) => {
    if (hints.kinds === 0) return;
    // A document with no namespace key, or a JSON document (keys may share a line): `default` too.
    if (hints.namespaces === 0 || json) namespaces.add('default');
    if (hints.namespaceObject) {
      const name = NAME.exec(text.slice(starts[i], starts[i + 1]))?.[1];
      if (name !== undefined) namespaces.add(name);
    }
  });
  if (text.includes('matchNames')) {
    for (const m of text.matchAll(MATCH_NAMES)) for (const item of (m[2] ?? '').matchAll(LIST_ITEM)) if (item[1]) namespaces.add(item[1]);
  }
  const everyNamespace = text.includes('any') && ANY_TRUE.test(text);
  return { namespaces, everyNamespace, service, workload };
}
