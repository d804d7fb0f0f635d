/**
 * The one error reporter of the CLI: a RollsafeError is one clear line (and, for some codes, the
 * help pointer or the output of the command under test); anything else is a bug, reported as an
 * internal error with its stack when ROLLSAFE_DEBUG is set.
 */
import { isRollsafeError, type ErrorCode } from '../errors.js';
import type { Io } from './io.js';

/** Exit code of a command that ended with an error: 2 for every code (1 means findings). */
const ERROR_EXIT_CODE = 2;

/** Codes whose message is followed by a pointer to `--help`. */
const NEEDS_HELP: ReadonlySet<ErrorCode> = new Set(['usage']);

/** Codes about something a sub-command runs, whose message the sub-command's name leads. */
const SCOPE: Readonly<Partial<Record<ErrorCode, string>>> = {
  'command-not-found': 'app-check',
  'never-listened': 'app-check',
  'exited-before-listening': 'app-check',
  'exited-before-termination': 'app-check',
  'port-in-use': 'app-check',
  'not-root': 'lab',
  'missing-tools': 'lab',
  'command-failed': 'lab',
};

/** Node's parseArgs errors (`ERR_PARSE_ARGS_*`) are usage errors too. */
function isParseArgsError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/**
 * Reports an error that ends a command on stderr and returns the exit code. `command` names the
 * sub-command whose help a usage error points to (`rollsafe advise --help`); without it, the
 * program's help.
 */
export function reportError(error: unknown, io: Io, command?: string): number {
  const help = `Run \`${io.program ?? 'rollsafe'} ${command === undefined ? '' : `${command} `}--help\` for usage.\n`;
  if (isParseArgsError(error)) {
    // Node's argument-parser messages run on with advice about `--`; the first sentence says it.
    io.stderr(`rollsafe: ${error.message.split(/\.\s/)[0] ?? error.message}\n${help}`);
    return ERROR_EXIT_CODE;
  }
  if (isRollsafeError(error)) {
    const scope = SCOPE[error.code];
    let text = `rollsafe: ${scope === undefined ? '' : `${scope}: `}${error.message}\n`;
    if (error.hint !== undefined) text += `${error.hint}\n`;
    if (NEEDS_HELP.has(error.code)) text += help;
    const output = error.output.trimEnd();
    if (output) text += `the command's last output:\n${output.split('\n').map((line) => `  ${line}`).join('\n')}\n`;
    io.stderr(text);
    return ERROR_EXIT_CODE;
  }
  // A bug: say so plainly; the stack only when asked for.
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`rollsafe: internal error: ${message}\n`);
  if (io.env['ROLLSAFE_DEBUG'] && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  return ERROR_EXIT_CODE;
}
