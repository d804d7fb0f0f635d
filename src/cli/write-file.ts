/** Writing output files atomically, shared by `fix --write`, `report -o` and `policy -o`. */
import { chmodSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { pid } from 'node:process';
import { RollsafeError } from '../errors.js';

/** The file operations `--write` and `-o` need, injectable for tests. */
export interface FileWriter {
  /** The real path of an existing file (symlinks resolved); throws when it does not exist. */
  realpath(path: string): string;
  /** Permission bits of an existing file; throws when it does not exist. */
  mode(path: string): number;
  writeFile(path: string, text: string, mode: number | undefined): void;
  rename(from: string, to: string): void;
  remove(path: string): void;
}

export const NODE_FILES: FileWriter = {
  realpath: (path) => realpathSync(path),
  mode: (path) => statSync(path).mode & 0o7777,
  writeFile: (path, text, mode) => {
    writeFileSync(path, text, { flag: 'wx' });
    // The process umask strips bits from a mode given at creation (664 would become 644): set it after.
    if (mode !== undefined) chmodSync(path, mode);
  },
  rename: (from, to) => renameSync(from, to),
  remove: (path) => unlinkSync(path),
};

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EEXIST') return 'a temporary file of that name already exists';
  return error instanceof Error ? error.message : String(error);
}

/**
 * Writes a file so that readers see the old text or the new one, never a part: the text goes to
 * `FILE.rollsafe-tmp-<pid>` beside it, which is then renamed over FILE. A symlink is followed (its
 * target is rewritten, the link stays) and the file's permissions are kept.
 */
export function writeAtomically(path: string, text: string, files: FileWriter = NODE_FILES): void {
  let target = path;
  let mode: number | undefined;
  try {
    target = files.realpath(path);
    mode = files.mode(target);
  } catch {
    // A new file: written where the path says, with the default permissions.
  }
  const temp = `${target}.rollsafe-tmp-${pid}`;
  try {
    files.writeFile(temp, text, mode);
  } catch (error: unknown) {
    throw new RollsafeError('unwritable-output', `${path}: cannot write (${describe(error)})`);
  }
  try {
    files.rename(temp, target);
  } catch (error: unknown) {
    try {
      files.remove(temp);
    } catch {
      // Nothing more to do: the original is untouched either way.
    }
    throw new RollsafeError('unwritable-output', `${path}: cannot replace the file (${describe(error)})`);
  }
}
