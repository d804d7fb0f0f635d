/**
 * The command line: `main(argv, io)` returns an exit code; only bin.ts touches `process`.
 * Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, I/O or internal error.
 * The commands are the tables in commands.ts; this module finds one and runs it.
 */
import { VERSION } from '../version.js';
import { nearest, parseCommand, programHelp, runCommand, type Command, type OptionTable } from './command.js';
import { COMMANDS } from './commands.js';
import type { Io } from './io.js';
import { reportError } from './report-error.js';
import { RollsafeError } from '../errors.js';

const HEAD = `rollsafe ${VERSION}: find, explain and fix the causes of dropped requests during Kubernetes rollouts`;

const FOOTER = `Run \`rollsafe COMMAND --help\` for the options of a command.

Suppress a rule on one object with the annotation

  rollsafe.io/ignore: rule-id[,rule-id]

Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage, unreadable input or internal error.`;

function commandNamed(name: string | undefined): Command<OptionTable> | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** `rollsafe --help`, naming the program as it was called. */
function mainHelp(io: Pick<Io, 'program' | 'isTTY' | 'columns'> = { isTTY: false }): string {
  const program = io.program ?? 'rollsafe';
  const width = io.isTTY ? io.columns : undefined;
  return programHelp(COMMANDS, HEAD, FOOTER.replaceAll('`rollsafe ', `\`${program} `), { program, ...(width === undefined ? {} : { width }) });
}

function unknownCommand(name: string): RollsafeError {
  const suggestion = nearest(name, COMMANDS.map((c) => c.name));
  return new RollsafeError('usage', `unknown command \`${name}\`${suggestion === undefined ? '' : `; did you mean \`${suggestion}\`?`}`);
}

/**
 * Runs the CLI as the rollsafe program does: `serve` resolves its exit code once it has stopped,
 * `app-check` once its run is judged.
 */
export function run(argv: readonly string[], io: Io): number | Promise<number> {
  const [name, ...rest] = argv;
  const command = commandNamed(name);
  return command === undefined ? main(argv, io) : runCommand(command, rest, io);
}

/**
 * True when the command line reads standard input (`-` as an input path of check, fix, simulate or
 * report, or `advise -f -`). The bin reads stdin to its end (as a stream) before `main` runs, and
 * only then: `report x.yaml -o -` must not wait for an input it never reads.
 */
export function readsStdin(argv: readonly string[]): boolean {
  const [name, ...args] = argv;
  const command = commandNamed(name);
  if (command?.readsStdin === undefined) return false;
  try {
    const parsed = parseCommand(command, args);
    return parsed !== 'help' && command.readsStdin(parsed);
  } catch {
    // A malformed command line: the command itself reports it, without reading stdin.
    return false;
  }
}

/** Runs the CLI; returns the exit code. */
export function main(argv: readonly string[], io: Io): number {
  const [name, ...rest] = argv;
  try {
    const command = commandNamed(name);
    if (command !== undefined) {
      const asks = rest.includes('--help') || rest.includes('-h');
      if (command.asyncOnly !== undefined && !asks) throw new RollsafeError('usage', command.asyncOnly);
      const code = runCommand(command, rest, io);
      if (typeof code !== 'number') throw new RollsafeError('usage', `${command.name} does not finish at once; start it with run(), as the rollsafe program does`);
      return code;
    }
    switch (name) {
      case '--version':
      case '-v':
      case 'version':
        io.stdout(`${VERSION}\n`);
        return 0;
      case 'help': {
        const [topic] = rest;
        if (topic === undefined) break;
        const command = commandNamed(topic);
        if (command === undefined) throw unknownCommand(topic);
        return runCommand(command, ['--help'], io) as number;
      }
      case undefined:
      case '--help':
      case '-h':
        break;
      default:
        throw unknownCommand(name);
    }
    io.stdout(mainHelp(io));
    return name === undefined ? 2 : 0;
  } catch (error: unknown) {
    return reportError(error, io);
  }
}
