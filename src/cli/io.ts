/** What the CLI may touch, injected so tests run it in-process. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** All of stdin, read before the command runs (see `readsStdin`); only called for the `-` path. */
  readonly stdin: () => string;
  readonly readFile: (path: string) => string;
  readonly fileExists: (path: string) => boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly isTTY: boolean;
  /** Calls `handler` once when the process gets the signal (`serve` shuts down on it). */
  readonly onSignal?: (signal: 'SIGTERM' | 'SIGINT', handler: () => void) => void;
  /** How the user called the program: `rollsafe`, or `kubectl rollsafe` when run as a kubectl plugin. */
  readonly program?: string;
}
