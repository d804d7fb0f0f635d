/**
 * Escaping for the HTML report. Everything that comes from a manifest (names, annotations,
 * messages, file paths, diffs) passes through one of these before it reaches the page.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and for quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const SCRIPT_JSON_ESCAPES: Readonly<Record<string, string>> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` become `\u003c`,
 * `\u003e`, `\u0026`, so no string value can close the element or open a comment, and the text
 * still parses with JSON.parse to the same value.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => SCRIPT_JSON_ESCAPES[c] ?? c);
}

/**
 * JavaScript source made safe to sit inside a `<script>` element: `</script` would end the element
 * and `<!--` would put the HTML parser into its escaped state. In minified code both occur only
 * inside string literals, where `<\/` and `<\!` read the same as `</` and `<!` (in a `u`-flag
 * regular expression `\!` would not parse, which is why a test checks that the inlined library
 * files contain neither: for them this changes nothing; it guards a future version).
 */
export function scriptText(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
