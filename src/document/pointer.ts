/** JSON Pointers (RFC 6901): how findings, fixes and validation name a place inside a document. */

/** Splits a JSON Pointer into unescaped tokens. */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  const tokens = pointer.slice(1).split('/');
  if (!pointer.includes('~')) return tokens;
  return tokens.map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Escapes one JSON Pointer token (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function escapeToken(token: string): string {
  return token.includes('~') || token.includes('/') ? token.replace(/~/g, '~0').replace(/\//g, '~1') : token;
}

/** Builds a JSON Pointer from tokens. */
export function toPointer(tokens: ReadonlyArray<string | number>): string {
  if (tokens.length === 0) return '';
  return '/' + tokens.map((t) => escapeToken(String(t))).join('/');
}

/** The pointer of an annotation of an object. */
export function annotationPointer(key: string): string {
  return `/metadata/annotations/${escapeToken(key)}`;
}
