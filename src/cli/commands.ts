/**
 * Every command of the CLI, in the order `rollsafe --help` lists them. Adding a command is adding
 * its table (name, summary, usage, arguments, options, examples) and handler with `defineCommand`
 * in a module of its own, and its entry here: parsing, `--help`, `rollsafe help NAME`, the usage
 * errors and the option-table tests follow from the table.
 */
import { ADVISE } from './advise.js';
import { APP_CHECK } from './app-check.js';
import { CHECK } from './check.js';
import type { Command, OptionTable } from './command.js';
import { FIX } from './fix.js';
import { LAB } from './lab.js';
import { POLICY } from './policy.js';
import { REPORT } from './report.js';
import { EXPLAIN, RULES_COMMAND } from './rules.js';
import { SERVE } from './serve.js';
import { SIMULATE } from './simulate.js';

export const COMMANDS: readonly Command<OptionTable>[] = [CHECK, RULES_COMMAND, EXPLAIN, FIX, ADVISE, SIMULATE, POLICY, REPORT, SERVE, APP_CHECK, LAB];
