/** Text sources and positions in them: the bottom of every finding and load problem. */

/** A text source: a file, stdin or an in-memory string. */
export interface SourceText {
  /** Display path: the file path as given, or `<stdin>`. */
  readonly path: string;
  readonly text: string;
}

/** 1-based line and column. */
export interface Position {
  readonly line: number;
  readonly column: number;
}
