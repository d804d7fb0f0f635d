/** The command tables: parsing, help and docs all come from them and must agree. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nearest, parseCommand, type Command, type OptionSpec, type OptionTable } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { main } from '../../src/cli/main.js';
import { captureIo, ROOT, runCli } from '../helpers.js';

/** A value each option accepts: its first choice, its minimum, or a word. */
function sample(spec: OptionSpec): { arg: string | undefined; value: unknown } {
  if (spec.type === 'boolean') return { arg: undefined, value: true };
  if (spec.type === 'number' || spec.type === 'integer') {
    const n = spec.min ?? 1;
    return { arg: String(n), value: n };
  }
  const text = spec.choices?.[0] ?? 'some-value';
  return { arg: text, value: text };
}

/** The words a command needs besides its options to be accepted. */
function required(command: Command<OptionTable>): string[] {
  return command.arguments.filter((a) => a.required).map(() => 'input.yaml');
}

function helpOf(argv: string[]): string {
  const run = runCli(argv);
  expect(run.code, argv.join(' ')).toBe(0);
  expect(run.stderr).toBe('');
  return run.stdout;
}

describe('every command table', () => {
  for (const command of COMMANDS) {
    describe(command.name, () => {
      const help = helpOf([command.name, '--help']);

      it('its help names every option, with its short alias and value', () => {
        for (const [name, spec] of Object.entries(command.options)) {
          const head = spec.short === undefined ? `      --${name}` : `  -${spec.short}, --${name}`;
          const value = spec.type === 'boolean' ? '' : ` ${spec.value ?? ''}`;
          expect(help, `--${name}`).toContain(`\n${head}${value}`);
        }
        expect(help).toContain('\n  -h, --help');
      });

      it('its parser accepts every option, long and short, and returns the value', () => {
        for (const [name, spec] of Object.entries(command.options)) {
          const { arg, value } = sample(spec);
          const expected = spec.repeatable ? [value] : value;
          const forms = [`--${name}`, ...(spec.short === undefined ? [] : [`-${spec.short}`])];
          for (const form of forms) {
            const parsed = parseCommand(command, [form, ...(arg === undefined ? [] : [arg]), ...required(command)]);
            expect(parsed === 'help' ? 'help' : (parsed.values as Record<string, unknown>)[name], `${command.name} ${form}`).toEqual(expected);
          }
        }
      });

      it('is the same help as `rollsafe help NAME` and `-h`', () => {
        expect(helpOf(['help', command.name])).toBe(help);
        expect(helpOf([command.name, '-h'])).toBe(help);
      });

      it('its help is the reviewed text', async () => {
        await expect(help).toMatchFileSnapshot(`__snapshots__/help/${command.name}.txt`);
      });
    });
  }

  it('`rollsafe --help` lists every command with its usage', async () => {
    const help = helpOf(['--help']);
    for (const command of COMMANDS) for (const usage of command.usage) expect(help).toContain(`\n  rollsafe ${command.name} ${usage}`);
    await expect(help).toMatchFileSnapshot('__snapshots__/help/rollsafe.txt');
  });

  it('long names and short aliases are unique within a command', () => {
    for (const command of COMMANDS) {
      const shorts = Object.values(command.options).flatMap((s) => (s.short === undefined ? [] : [s.short]));
      expect(new Set([...shorts, 'h']).size, command.name).toBe(shorts.length + 1);
      expect(Object.keys(command.options), command.name).not.toContain('help');
    }
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });
});

describe('usage errors name the option, exit 2, one line and a pointer to the help', () => {
  it.each([
    [['check', '--fromat', 'json', 'x.yaml'], 'unknown option --fromat for check; did you mean --format?', 'check'],
    [['check', '--frobnicate', 'x.yaml'], 'unknown option --frobnicate for check', 'check'],
    [['check', '-x', 'x.yaml'], 'unknown option -x for check', 'check'],
    [['check', '--format'], '-f, --format needs FORMAT: text, json, sarif or github', 'check'],
    [['check', '--format', '--impact', 'x.yaml'], '-f, --format needs FORMAT: text, json, sarif or github; write --format=--impact if that is the value', 'check'],
    [['check', '--format', 'xml', 'x.yaml'], 'unknown --format xml; use text, json, sarif or github', 'check'],
    [['check', '--impact=yes', 'x.yaml'], '--impact takes no value (got `yes`)', 'check'],
    [['check', '--width', '-1', 'x.yaml'], '--width needs N; write --width=-1 if that is the value', 'check'],
    [['check', '--width=-1', 'x.yaml'], '--width needs a whole number ≥ 0, not `-1`', 'check'],
    [['check'], 'check needs at least one PATH (a file, a folder (recursive *.yaml, *.yml, *.json), or - for stdin)', 'check'],
    [['explain'], 'explain needs a RULE-ID (a rule id; `rollsafe rules` lists them)', 'explain'],
    [['explain', 'a', 'b'], 'explain takes one RULE-ID, got 2: a b', 'explain'],
    [['rules', 'x'], 'rules takes no arguments (got x)', 'rules'],
    [['policy', 'k8s/'], 'policy takes no arguments (got k8s/); it compiles the rules, not manifests', 'policy'],
    [['simulate', '--runs', '1.5', 'x.yaml'], '--runs needs a whole number from 1 to 100000, not `1.5`', 'simulate'],
    [['simulate', '--rps', '', 'x.yaml'], '--rps needs a number ≥ 0, not ``', 'simulate'],
  ])('%j', (argv, message, command) => {
    expect(runCli(argv)).toEqual({ code: 2, stdout: '', stderr: `rollsafe: ${message}\nRun \`rollsafe ${command} --help\` for usage.\n` });
  });

  it('an unknown command suggests the nearest one', () => {
    expect(runCli(['chek', 'x.yaml'])).toEqual({ code: 2, stdout: '', stderr: 'rollsafe: unknown command `chek`; did you mean `check`?\nRun `rollsafe --help` for usage.\n' });
    expect(runCli(['help', 'simualte']).stderr).toBe('rollsafe: unknown command `simualte`; did you mean `simulate`?\nRun `rollsafe --help` for usage.\n');
    expect(runCli(['frobnicate']).stderr).toBe('rollsafe: unknown command `frobnicate`\nRun `rollsafe --help` for usage.\n');
  });

  it('a kubectl plugin names itself in the pointer', () => {
    const { io, out } = captureIo();
    expect(main(['check', '--bogus', 'x'], { ...io, program: 'kubectl rollsafe' })).toBe(2);
    expect(out().stderr).toBe('rollsafe: unknown option --bogus for check\nRun `kubectl rollsafe check --help` for usage.\n');
  });

  it('suggests only near misses', () => {
    expect(nearest('fromat', ['format', 'fail-on'])).toBe('format');
    expect(nearest('k8s-verison', ['k8s-version', 'profile'])).toBe('k8s-version');
    expect(nearest('xyz', ['format', 'fail-on'])).toBeUndefined();
  });

  it('values after `--` are arguments, even when they look like options', () => {
    const check = COMMANDS.find((c) => c.name === 'check');
    if (!check) throw new Error('no check command');
    expect(parseCommand(check, ['--format', 'json', '--', '--odd-name.yaml'])).toMatchObject({ positionals: ['--odd-name.yaml'], rest: [] });
  });
});

/** The options a docs table lists in its first column (long names; a short alias alone stands for its option). */
function documentedOptions(markdown: string, after: string, command: Command<OptionTable>): string[] {
  const start = markdown.indexOf(after);
  expect(start, after).toBeGreaterThanOrEqual(0);
  const lines = markdown.slice(start).split('\n');
  const header = lines.findIndex((l) => /^\| *(option|flag) *\|/.test(l));
  expect(header, `${command.name}: an option table after ${after}`).toBeGreaterThanOrEqual(0);
  const names: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cell = line.split(/(?<!\\)\|/)[1] ?? '';
    for (const [token] of cell.matchAll(/(?<![\w-])--?[a-z0-9][a-z0-9-]*/g)) {
      if (token.startsWith('--')) names.push(token.slice(2));
      else {
        const long = Object.entries(command.options).find(([, s]) => s.short === token.slice(1))?.[0];
        expect(long, `${command.name}: ${token} in the docs is no short alias`).toBeDefined();
        names.push(long ?? token);
      }
    }
  }
  return [...new Set(names)].sort();
}

/** Where each command's options are documented as a table. */
const DOCS: Record<string, [file: string, after: string] | 'usage'> = {
  check: ['README.md', '### `check` options'],
  fix: ['README.md', '### `fix` options'],
  simulate: ['docs/simulate.md', '## Options'],
  report: ['docs/report.md', '## Options'],
  policy: ['docs/policy.md', '# '],
  serve: ['docs/serve.md', '# '],
  advise: ['docs/advise.md', '## Inputs'],
  'app-check': ['docs/app-check.md', '## Options'],
  lab: ['docs/lab.md', '## Options'],
  // Their options fit in the usage line of the README's command table.
  rules: 'usage',
  explain: 'usage',
};

describe('the docs list the same options as the tables', () => {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  for (const command of COMMANDS) {
    it(command.name, () => {
      const where = DOCS[command.name];
      if (where === undefined) throw new Error(`${command.name}: say in DOCS where its options are documented`);
      if (where === 'usage') {
        const row = readme.split('\n').find((l) => l.startsWith(`| \`rollsafe ${command.name}`)) ?? '';
        for (const [name, spec] of Object.entries(command.options)) expect(row).toContain(`--${name}${spec.choices ? ` ${spec.choices.join('\\|')}` : ''}`);
        return;
      }
      const [file, after] = where;
      expect(documentedOptions(readFileSync(`${ROOT}${file}`, 'utf8'), after, command)).toEqual(Object.keys(command.options).sort());
    });
  }
});
