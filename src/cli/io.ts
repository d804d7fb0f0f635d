/** What the CLI may touch, injected so tests run it in-process. */
export interface Io {
  readonly stdout: (text: string) => void;
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
