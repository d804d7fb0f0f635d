/** What the CLI may touch, injected so tests run it in-process. */
export interface Io {
  readonly stdout: (text: string) => void;
  /**
   * Resolves once stdout has taken what was written to it (a pipe takes 64 KiB at a time; what it
   * has not taken waits in memory). Absent: every write is taken at once (tests, files).
   */
  readonly stdoutDrained?: () => Promise<void>;
  readonly stderr: (text: string) => void;
  /** All of stdin, read before the command runs (see `readsStdin`); only called for the `-` path. */
  readonly stdin: () => string;
  readonly readFile: (path: string) => string;
  readonly fileExists: (path: string) => boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when stdout is a terminal (colour, wrapping). */
  readonly isTTY: boolean;
  /** Columns of the terminal stdout writes to; absent when it is not a terminal. */
  readonly columns?: number;
  /** True when stderr is a terminal: long work shows its progress there. */
  readonly stderrIsTTY?: boolean;
  /** Calls `handler` once when the process gets the signal (`serve` shuts down on it). */
  readonly onSignal?: (signal: 'SIGTERM' | 'SIGINT', handler: () => void) => void;
  /** How the user called the program: `rollsafe`, or `kubectl rollsafe` when run as a kubectl plugin. */
  readonly program?: string;
}

/**
 * Writes the chunks to stdout one after another, each once stdout has taken the one before, so
 * that memory holds one chunk, not the whole output. Without `stdoutDrained` (an Io whose writes
 * are taken at once, as `main` runs in tests and as a library) it writes them all at once and
 * returns nothing, so that a command stays synchronous there.
 */
export function writeChunks(io: Pick<Io, 'stdout' | 'stdoutDrained'>, chunks: Iterable<string>): Promise<void> | undefined {
  const drained = io.stdoutDrained;
  if (drained === undefined) {
    for (const chunk of chunks) io.stdout(chunk);
    return undefined;
  }
  return (async () => {
    for (const chunk of chunks) {
      io.stdout(chunk);
      await drained();
    }
  })();
}
