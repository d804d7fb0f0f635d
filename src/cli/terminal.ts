/** What the CLI does differently on a terminal: the width text output wraps at. */
import type { OptionSpec } from './command.js';
import type { Io } from './io.js';

/** `--width N` of the commands that print text. */
export const WIDTH_OPTION = {
  type: 'integer',
  value: 'N',
  min: 0,
  description: 'wrap text output at N columns; 0 never wraps',
  defaultText: "the terminal's, or COLUMNS; none when stdout is not a terminal",
} as const satisfies OptionSpec;

/**
 * The width text output wraps at, 0 for none: `--width` when given; on a terminal, COLUMNS when it
 * is a positive whole number, else the terminal's width; piped or redirected, no wrapping, so that
 * every finding stays one line for grep, diff and CI logs.
 */
export function outputWidth(flag: number | undefined, io: Pick<Io, 'isTTY' | 'env' | 'columns'>): number {
  if (flag !== undefined) return flag;
  if (!io.isTTY) return 0;
  const columns = io.env['COLUMNS'];
  if (columns !== undefined && /^[1-9]\d*$/.test(columns)) return Number(columns);
  return io.columns ?? 80;
}
