/**
 * Commands as data: one table per command (name, summary, usage, arguments, options, examples)
 * from which the parser and `--help` both derive. Node's `util.parseArgs` splits the command line
 * into tokens; this module checks them against the table (unknown options with a suggestion,
 * missing values, choices, numbers) and renders the help.
 */
import { parseArgs } from 'node:util';
import { wrapLine } from '../report/wrap.js';
import type { Io } from './io.js';
import { reportError } from './report-error.js';
import { RollsafeError } from '../errors.js';

/** One option of a command. */
export interface OptionSpec {
  /** `boolean` is a flag; `number` and `integer` are checked (and `min`/`max`) before the command runs. */
  readonly type: 'string' | 'boolean' | 'number' | 'integer';
  /** A one-letter alias: `-f` for `--format`. */
  readonly short?: string;
  /** The value's name in the help (`FILE`, `N`); strings and numbers only. */
  readonly value?: string;
  readonly description: string;
  /** Applied when the option is absent, and shown in the help. */
  readonly default?: string | number | boolean;
  /** Shown in the help as the default when the command computes it (`the profile's`). */
  readonly defaultText?: string;
  /** The only values accepted (a string option). */
  readonly choices?: readonly string[];
  /** May be given more than once; the values arrive as an array in order. */
  readonly repeatable?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** A heading that groups options in the help (`Output`); options without one come first. */
  readonly group?: string;
}

/** The options of a command by long name (without `--`). */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** A positional argument, for the help and the count check. */
interface ArgumentSpec {
  readonly name: string;
  readonly description: string;
  /** At least one is needed (a missing one is a usage error). */
  readonly required?: boolean;
  /** Any number may be given. */
  readonly variadic?: boolean;
}

type ValueOf<S extends OptionSpec> = S extends { readonly type: 'boolean' }
  ? boolean | (S extends { readonly default: boolean } ? never : undefined)
  : S extends { readonly repeatable: true }
    ? (S extends { readonly type: 'number' | 'integer' } ? number : string)[]
    :
        | (S extends { readonly type: 'number' | 'integer' } ? number : S extends { readonly choices: readonly (infer C extends string)[] } ? C : string)
        | (S extends { readonly default: string | number } ? never : undefined);

/** The parsed options: repeatable options are arrays; an absent option without a default is undefined (so a flag can override a file). */
type Values<O extends OptionTable> = { -readonly [K in keyof O]: ValueOf<O[K]> };

/** What a command's handler receives. */
export interface Parsed<O extends OptionTable> {
  readonly values: Values<O>;
  /** The positional arguments (for a `passthrough` command, those before `--`). */
  readonly positionals: readonly string[];
  /** The words after `--` of a `passthrough` command; empty when it has none. */
  readonly rest: readonly string[];
}

/** A command: its table and its handler. */
export interface Command<O extends OptionTable = OptionTable> {
  readonly name: string;
  /** One line for `rollsafe --help`. */
  readonly summary: string;
  /** What follows `rollsafe NAME` on each usage line: `[options] PATH...`. */
  readonly usage: readonly string[];
  /** Paragraphs under the usage (blank lines separate them). */
  readonly description: string;
  readonly arguments: readonly ArgumentSpec[];
  /** Appended to the error when a command without arguments gets some. */
  readonly argumentsHint?: string;
  readonly options: O;
  /** Whole command lines, without the program name. */
  readonly examples?: readonly string[];
  /** The closing paragraph (exit codes). */
  readonly footer?: string;
  /** The words after `--` are not arguments but `rest` (a command to run). */
  readonly passthrough?: boolean;
  /** Runs only in the rollsafe program (`run`), not the synchronous `main`: why. */
  readonly asyncOnly?: string;
  /** True when this command line reads standard input (`-` as a path). */
  readsStdin?(parsed: Parsed<O>): boolean;
  /** Runs the command; throws a usage error or returns the exit code. */
  run(parsed: Parsed<O>, io: Io): number | Promise<number>;
}

/** Defines a command, keeping the literal types of its option table for the handler. */
export function defineCommand<const O extends OptionTable>(command: Command<O>): Command<O> {
  return command;
}

/** The option every command has. */
const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'print this help' };

/** Joins words as prose: `a, b or c`. */
function oneOf(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1] ?? ''}`;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The closest name to `wrong` when it is a near miss (a typo, a missing or extra letter or two). */
export function nearest(wrong: string, names: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const d = distance(wrong, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(wrong.length / 3)) ? best : undefined;
}

function flag(name: string, spec: OptionSpec): string {
  return spec.short === undefined ? `--${name}` : `-${spec.short}, --${name}`;
}

function numberValue(name: string, spec: OptionSpec, text: string): number {
  const n = Number(text);
  const whole = spec.type === 'integer';
  const ok = text.trim() !== '' && Number.isFinite(n) && (!whole || Number.isInteger(n)) && (spec.min === undefined || n >= spec.min) && (spec.max === undefined || n <= spec.max);
  if (ok) return n;
  const kind = whole ? 'a whole number' : 'a number';
  const range = spec.min !== undefined && spec.max !== undefined ? ` from ${spec.min} to ${spec.max}` : spec.min !== undefined ? ` ≥ ${spec.min}` : spec.max !== undefined ? ` ≤ ${spec.max}` : '';
  throw new RollsafeError('usage', `--${name} needs ${kind}${range}, not \`${text}\``);
}

function checkedValue(name: string, spec: OptionSpec, text: string): string | number {
  if (spec.type === 'number' || spec.type === 'integer') return numberValue(name, spec, text);
  if (spec.choices !== undefined && !spec.choices.includes(text)) throw new RollsafeError('usage', `unknown --${name} ${text}; use ${oneOf(spec.choices)}`);
  return text;
}

/** Parses the words after the command name against its table; `help` when -h/--help is among them. */
export function parseCommand<O extends OptionTable>(command: Command<O>, args: readonly string[]): Parsed<O> | 'help' {
  const table: Readonly<Record<string, OptionSpec>> = { ...command.options, help: HELP_OPTION };
  const config: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, spec] of Object.entries(table)) {
    config[name] = { type: spec.type === 'boolean' ? 'boolean' : 'string', ...(spec.short === undefined ? {} : { short: spec.short }) };
  }
  // Not strict: every token comes back and is judged here, so that each error names its option.
  const { tokens } = parseArgs({ args: [...args], options: config, allowPositionals: true, strict: false, tokens: true });
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  const rest: string[] = [];
  let afterTerminator = false;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') {
      afterTerminator = true;
      continue;
    }
    if (token.kind === 'positional') {
      (afterTerminator && command.passthrough ? rest : positionals).push(token.value);
      continue;
    }
    // parseArgs names a known short option by its long name, an unknown one by its letter.
    const name = token.name;
    const spec = Object.hasOwn(table, name) ? table[name] : undefined;
    if (spec === undefined) {
      const longs = Object.keys(table);
      const suggestion = token.rawName.startsWith('--') ? nearest(token.name, longs) : undefined;
      throw new RollsafeError('usage', `unknown option ${token.rawName} for ${command.name}${suggestion === undefined ? '' : `; did you mean --${suggestion}?`}`);
    }
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new RollsafeError('usage', `${flag(name, spec)} takes no value (got \`${token.value}\`)`);
      values[name] = true;
      continue;
    }
    // A value that looks like an option is more likely a forgotten value than a value (as strict parseArgs judges).
    const value = token.value;
    if (value === undefined || (!token.inlineValue && value.length > 1 && value.startsWith('-'))) {
      const what = spec.choices === undefined ? (spec.value ?? 'a value') : `${spec.value ?? 'a value'}: ${oneOf(spec.choices)}`;
      const hint = value === undefined ? '' : `; write --${name}=${value} if that is the value`;
      throw new RollsafeError('usage', `${flag(name, spec)} needs ${what}${hint}`);
    }
    const checked = checkedValue(name, spec, value);
    if (spec.repeatable) ((values[name] ??= []) as unknown[]).push(checked);
    else values[name] = checked;
  }
  if (values['help'] === true) return 'help';
  for (const [name, spec] of Object.entries(command.options)) {
    if (values[name] !== undefined) continue;
    if (spec.repeatable) values[name] = [];
    else if (spec.default !== undefined) values[name] = spec.default;
  }
  delete values['help'];
  checkArguments(command, positionals);
  return { values: values as Values<O>, positionals, rest };
}

function checkArguments(command: Command<OptionTable>, positionals: readonly string[]): void {
  const specs = command.arguments;
  if (specs.length === 0) {
    if (positionals.length > 0) throw new RollsafeError('usage', `${command.name} takes no arguments (got ${positionals.join(' ')})${command.argumentsHint === undefined ? '' : `; ${command.argumentsHint}`}`);
    return;
  }
  const required = specs.filter((a) => a.required);
  const first = required[0];
  if (first !== undefined && positionals.length < required.length) {
    throw new RollsafeError('usage', `${command.name} needs ${first.variadic ? 'at least one ' : 'a '}${first.name} (${first.description})`);
  }
  if (!specs.some((a) => a.variadic) && positionals.length > specs.length) {
    throw new RollsafeError('usage', `${command.name} takes ${specs.length === 1 ? 'one' : String(specs.length)} ${specs.map((a) => a.name).join(' ')}, got ${positionals.length}: ${positionals.join(' ')}`);
  }
}

/** The width help text wraps at: 80 columns, or the terminal's when it is narrower. */
const HELP_WIDTH = 80;

function optionLeft(name: string, spec: OptionSpec): string {
  const head = spec.short === undefined ? `    --${name}` : `-${spec.short}, --${name}`;
  const value = spec.type === 'boolean' ? '' : ` ${spec.value ?? (spec.choices === undefined ? 'VALUE' : spec.choices.join('|'))}`;
  return `  ${head}${value}`;
}

function optionText(spec: OptionSpec): string {
  const extra: string[] = [];
  // The choices, unless the description already names every one.
  if (spec.choices !== undefined && spec.value !== undefined && !spec.choices.every((c) => new RegExp(`\\b${c}\\b`).test(spec.description))) extra.push(oneOf(spec.choices));
  const shownDefault = spec.defaultText ?? (spec.default === undefined || spec.default === false ? undefined : String(spec.default));
  if (shownDefault !== undefined) extra.push(`default: ${shownDefault}`);
  if (spec.repeatable) extra.push('repeatable');
  if (extra.length === 0) return spec.description;
  // One parenthesis, not two in a row.
  return spec.description.endsWith(')') ? `${spec.description.slice(0, -1)}; ${extra.join('; ')})` : `${spec.description} (${extra.join('; ')})`;
}

/** Two columns, one entry per row: the left (padded to `column`, or alone on its line when longer) and wrapped text. */
function twoColumns(rows: readonly (readonly [string, string])[], width: number, maxColumn = 30): string[] {
  const column = Math.min(maxColumn, Math.max(...rows.map(([left]) => left.length)) + 2);
  const indent = ' '.repeat(column);
  return rows.map(([left, text]) => {
    const wrapped = wrapLine(text, width, indent, column);
    if (text === '') return left;
    return left.length + 2 <= column ? left.padEnd(column) + wrapped : `${left}\n${indent}${wrapped}`;
  });
}

/** Paragraphs separated by blank lines, each wrapped; one whose lines are indented is kept as written (an example). */
function paragraphs(text: string, width: number): string[] {
  return text
    .trim()
    .split(/\n[ \t]*\n/)
    .flatMap((p, i) => [...(i > 0 ? [''] : []), p.split('\n').every((l) => l.startsWith('  ')) ? p : wrapLine(p.replace(/\s*\n\s*/g, ' '), width, '')]);
}

/** `rollsafe CMD --help`, from the command's table. */
function commandHelp(command: Command<OptionTable>, options: { program?: string; width?: number } = {}): string {
  const program = options.program ?? 'rollsafe';
  const width = Math.min(HELP_WIDTH, options.width ?? HELP_WIDTH);
  const usages = command.usage.map((u) => `${program} ${command.name}${u === '' ? '' : ` ${u}`}`);
  const lines = usages.length === 1 ? [`Usage: ${usages[0] ?? ''}`] : ['Usage:', ...usages.map((u) => `  ${u}`)];
  lines.push('', ...paragraphs(command.description, width));
  if (command.arguments.length > 0) {
    lines.push('', 'Arguments:', ...twoColumns(command.arguments.map((a) => [`  ${a.name}${a.variadic ? '...' : ''}`, a.description] as const), width));
  }
  const entries = Object.entries({ ...command.options, help: HELP_OPTION });
  // Options without a group (and --help) first, under "Options", then each group in order.
  const groups = [undefined, ...new Set(entries.map(([, spec]) => spec.group).filter((g) => g !== undefined))];
  const rows = entries.map(([name, spec]) => [optionLeft(name, spec), optionText(spec)] as const);
  const column = twoColumns(rows, width);
  // One column position for every group, so that the options line up across headings.
  const rendered = new Map(entries.map(([name], i) => [name, column[i]]));
  for (const group of groups) {
    lines.push('', `${group ?? 'Options'}:`);
    for (const [name, spec] of entries) if (spec.group === group) lines.push(rendered.get(name) ?? '');
  }
  if (command.examples !== undefined && command.examples.length > 0) {
    lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e.startsWith('rollsafe ') ? program + e.slice('rollsafe'.length) : e.replaceAll('| rollsafe ', `| ${program} `)}`));
  }
  if (command.footer !== undefined) lines.push('', ...paragraphs(command.footer, width));
  return `${lines.join('\n')}\n`;
}

/** `rollsafe --help`: every command with its usage and summary. */
export function programHelp(commands: readonly Command<OptionTable>[], head: string, footer: string, options: { program?: string; width?: number } = {}): string {
  const program = options.program ?? 'rollsafe';
  const width = Math.min(HELP_WIDTH, options.width ?? HELP_WIDTH);
  const rows = commands.flatMap((c) => c.usage.map((u, i) => [`  ${program} ${c.name}${u === '' ? '' : ` ${u}`}`, i === 0 ? c.summary : ''] as const));
  rows.push([`  ${program} help COMMAND`, 'a command\'s options (also: COMMAND --help)'], [`  ${program} --version`, 'the version']);
  const lines = [...paragraphs(head, width), '', 'Usage:', ...twoColumns(rows, width, 38), '', ...paragraphs(footer, width)];
  return `${lines.join('\n')}\n`;
}

/**
 * Parses the words after a command's name against its table and runs it: its help for -h/--help,
 * a usage error (exit 2) for a command line the table does not accept. `handler` replaces the
 * command's own (tests inject file writers and simulators through it).
 */
export function runCommand<O extends OptionTable>(command: Command<O>, args: readonly string[], io: Io, handler: Command<O>['run'] = command.run.bind(command)): number | Promise<number> {
  try {
    const parsed = parseCommand(command, args);
    if (parsed === 'help') {
      const width = io.isTTY ? io.columns : undefined;
      io.stdout(commandHelp(command as unknown as Command<OptionTable>, { ...(io.program === undefined ? {} : { program: io.program }), ...(width === undefined ? {} : { width }) }));
      return 0;
    }
    const code = handler(parsed, io);
    return typeof code === 'number' ? code : code.catch((error: unknown) => reportError(error, io, command.name));
  } catch (error: unknown) {
    return reportError(error, io, command.name);
  }
}

