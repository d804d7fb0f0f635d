/**
 * Progress of long work on stderr: one line, rewritten in place, erased before the result is
 * printed. Only when stderr is a terminal and the output is for a person: never in a pipe, a CI
 * log or beside JSON and SARIF, where it would be noise.
 */
import type { Io } from './io.js';

/** Moves to the start of the line and erases it (CR, then ANSI "erase to end of line"). */
export const ERASE = '\r\u001b[K';

export interface Progress {
  /** Shows `rollsafe: LABEL DONE/TOTAL` (or `LABEL DONE` without a total), rewriting the line. */
  update(label: string, done: number, total?: number): void;
  /** Erases the line, if anything was shown. */
  clear(): void;
}

const SILENT: Progress = { update: () => undefined, clear: () => undefined };

/**
 * The progress line of a command: silent unless stderr is a terminal and `forPerson` (text or
 * HTML output, not JSON or SARIF). It redraws only when the whole percentage changes (at most 101
 * times per step), or, without a total, at 1–99 and then every tenth of each power of ten, so that
 * 100,000 runs cost a few hundred writes.
 */
export function progressFor(io: Pick<Io, 'stderr' | 'stderrIsTTY'>, forPerson: boolean): Progress {
  if (io.stderrIsTTY !== true || !forPerson) return SILENT;
  let shown = false;
  let lastLabel = '';
  let lastMark = -1;
  return {
    update(label, done, total) {
      const mark = total === undefined ? done : Math.floor((done * 100) / Math.max(1, total));
      const step = total === undefined ? 10 ** Math.max(0, Math.floor(Math.log10(Math.max(1, done))) - 1) : 1;
      if (label === lastLabel && (mark === lastMark || (total === undefined && done % step !== 0))) return;
      lastLabel = label;
      lastMark = mark;
      shown = true;
      io.stderr(`${ERASE}rollsafe: ${label} ${done}${total === undefined ? '' : `/${total}`}`);
    },
    clear() {
      if (shown) io.stderr(ERASE);
      shown = false;
      lastLabel = '';
      lastMark = -1;
    },
  };
}
