/**
 * The one error type of rollsafe. Findings and load problems are values; an error is thrown only
 * for input a command cannot use at all, for I/O, and for a broken installation, and each carries
 * a code from the closed set below. Anything else that is thrown is a bug (an internal error).
 */

/** Every error code, with what it means. */
export const ERROR_CODES = {
  // Command line and configuration
  usage: 'a bad command, option or argument',
  'invalid-config': 'a config file or --rule setting that cannot be used',
  'unknown-profile': 'no built-in profile and no file of that name',
  'unreadable-profile': 'a profile file that cannot be read',
  'invalid-profile': 'a profile file with wrong or missing fields',
  'invalid-version': 'a Kubernetes version that is not 1.<minor>',
  'unsupported-version': 'a Kubernetes version too old for what was asked',
  // Input and output
  'unreadable-input': 'a file, folder or stdin that cannot be read, or is over the size limit',
  'unwritable-output': 'an output file that cannot be written',
  'missing-library': 'a package rollsafe needs is not installed (a broken installation)',
  // serve
  'invalid-certificate': 'a TLS certificate or key that cannot be read or used',
  'cannot-listen': 'the webhook cannot listen on its port',
  // advise: platform facts
  'missing-fact': 'a platform fact advise needs was not given',
  'unknown-provider': 'a provider advise does not know',
  'unknown-plugin': 'a network plugin advise does not know',
  'unsupported-plugin': 'a network plugin that does not run on the provider',
  'unsupported-lb': 'a load balancer kind the provider does not offer',
  'invalid-facts': 'a facts file with wrong or missing fields',
  'no-workloads': 'manifests with no workload to advise for',
  // app-check: the command under test
  'command-not-found': 'the command to check cannot be started',
  'never-listened': 'the command never listened on its port',
  'exited-before-listening': 'the command exited before it listened',
  'exited-before-termination': 'the command exited before it was told to stop',
  'port-in-use': 'the port the command should listen on is taken',
  // lab: the network lab on this host
  'not-root': 'the lab needs root (network namespaces, iptables)',
  'missing-tools': 'the lab needs tools that are not installed',
  'command-failed': 'a command the lab ran failed',
  'invalid-lab-file': 'a file given to report --lab that is not JSON or not the output of rollsafe lab -f json',
  // Caught inside rollsafe and turned into data; never reach the command line
  'bad-review': 'an admission review body that is not a v1 AdmissionReview request (HTTP 400)',
  'unsafe-fix': 'a fix that cannot be applied safely (the fix is withheld, the finding stays)',
  'alias-bomb': 'an object that expands to more nodes than one object may (a load problem)',
} as const;

/** Closed set of error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** What an error may say besides its message. */
export interface ErrorDetails {
  /** The file the error is about, as the user gave it. */
  readonly file?: string;
  /** JSON Pointer of the place in the file, when the error is about one field. */
  readonly pointer?: string;
  /** What to do about it, one line. */
  readonly hint?: string;
  /** Lines to show below the message (e.g. the last output of a command under test). */
  readonly output?: string;
  readonly cause?: unknown;
}

/** An error with a code: input rollsafe cannot use, I/O, or a broken installation. */
export class RollsafeError extends Error {
  override readonly name = 'RollsafeError';
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly pointer: string | undefined;
  readonly hint: string | undefined;
  readonly output: string;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.file = details.file;
    this.pointer = details.pointer;
    this.hint = details.hint;
    this.output = details.output ?? '';
  }
}

/** True for a RollsafeError, of one of `codes` when any are given. */
export function isRollsafeError(error: unknown, ...codes: readonly ErrorCode[]): error is RollsafeError {
  return error instanceof RollsafeError && (codes.length === 0 || codes.includes(error.code));
}

/**
 * Why a file could not be read, in words (`missing` names the ENOENT case: a lone file, or a path
 * that may be a folder). Node's raw message names the file twice, so it is the last resort.
 */
export function fileErrorReason(error: unknown, missing = 'no such file'): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return missing;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return error instanceof Error ? error.message : String(error);
}
