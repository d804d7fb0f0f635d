/** Word wrapping for terminal output: ANSI colour codes take no columns, words are never split. */

// eslint-disable-next-line no-control-regex -- the escape character is what a colour code starts with
const ANSI = /\u001b\[[0-9;]*m/g;

/** The columns a string takes on a terminal (colour codes excluded; one per code point). */
export function visibleWidth(text: string): number {
  let n = 0;
  for (const _ of text.replace(ANSI, '')) n++;
  return n;
}

/**
 * Wraps `text` (one line, words separated by spaces) to `width` columns: the first line starts
 * after `firstUsed` columns already on it, the next ones with `indent`. A word longer than a line
 * (a path, an annotation name) stays whole on a line of its own. `width` 0 or below: no wrapping.
 */
export function wrapLine(text: string, width: number, indent: string, firstUsed = 0): string {
  if (width <= 0 || firstUsed + visibleWidth(text) <= width) return text;
  // Leading spaces are the line's own indentation, not a place to break.
  const lead = /^ */.exec(text)?.[0] ?? '';
  if (lead !== '') return lead + wrapLine(text.slice(lead.length), width, indent, firstUsed + lead.length);
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  let used = firstUsed;
  for (const word of words) {
    const w = visibleWidth(word);
    if (line === '') {
      line = word;
      used += w;
    } else if (used + 1 + w <= width) {
      line += ` ${word}`;
      used += 1 + w;
    } else {
      lines.push(line.trimEnd());
      line = word;
      used = visibleWidth(indent) + w;
    }
  }
  lines.push(line);
  return lines.join(`\n${indent}`);
}
