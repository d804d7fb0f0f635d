/** Reading inputs from disk and stdin (Node only; the rest of the pipeline is pure). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MAX_FILE_BYTES } from './parse.js';
import type { SourceText } from '../document/types.js';
import { fileErrorReason, isRollsafeError, RollsafeError } from '../errors.js';

const MANIFEST = /\.(?:ya?ml|json)$/i;
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

function isFileTarget(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(path, out);
    } else if (MANIFEST.test(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && isFileTarget(path)))) {
      // Symlinked manifests are followed; symlinked folders are not (no loops).
      out.push(path);
    }
  }
}

function describe(error: unknown): string {
  return fileErrorReason(error, 'no such file or directory');
}

/** A source found but not read yet: its size is known, its text is read on demand (each call reads it again). */
export interface SourceFile {
  /** Display path: the file path as given, or `<stdin>`. */
  readonly path: string;
  /** Size in bytes (of the UTF-8 text for stdin). */
  readonly bytes: number;
  read(): string;
}

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error: unknown) {
    throw new RollsafeError('unreadable-input', `${file}: ${describe(error)}`, { file: file });
  }
}

/**
 * Expands paths (files, folders searched recursively for *.yaml, *.yml, *.json) into the sources
 * to read, in order, without reading files yet (stdin is read here: it can be read only once).
 * A file reached twice (named twice, or named and inside a folder also named) is listed once: its
 * objects are not duplicates of themselves. Throws a RollsafeError `unreadable-input` for a path
 * that does not exist, a folder with no manifest, or a file over the size limit.
 */
export function listSources(paths: readonly string[], stdin: () => string): SourceFile[] {
  const sources: SourceFile[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    if (path === '-') {
      if (!seen.has('-')) {
        const text = stdin();
        sources.push({ path: '<stdin>', bytes: Buffer.byteLength(text), read: () => text });
      }
      seen.add('-');
      continue;
    }
    let files: string[];
    try {
      if (statSync(path).isDirectory()) {
        files = [];
        walk(path, files);
        // A folder with nothing to check is almost always a wrong path in a CI job: say so.
        if (files.length === 0) throw new RollsafeError('unreadable-input', `${path}: no *.yaml, *.yml or *.json files in this folder`, { file: path });
      } else {
        files = [path];
      }
    } catch (error: unknown) {
      if (isRollsafeError(error, 'unreadable-input')) throw error;
      throw new RollsafeError('unreadable-input', `${path}: ${describe(error)}`, { file: path });
    }
    for (const file of files) {
      const key = resolve(file);
      if (seen.has(key)) continue;
      seen.add(key);
      let size: number;
      try {
        size = statSync(file).size;
      } catch (error: unknown) {
        throw new RollsafeError('unreadable-input', `${file}: ${describe(error)}`, { file: file });
      }
      // Refuse before reading: a huge file would exhaust memory before the parser could say no.
      if (size > MAX_FILE_BYTES) throw new RollsafeError('unreadable-input', `${file}: ${(size / 1048576).toFixed(1)} MiB is over the ${MAX_FILE_BYTES / 1048576} MiB limit per file; split it or check it is a manifest`, { file: file });
      sources.push({ path: file, bytes: size, read: () => readFile(file) });
    }
  }
  return sources;
}

/**
 * Expands paths (see {@link listSources}) and reads every source. Throws a RollsafeError
 * `unreadable-input` for a path that cannot be read.
 */
export function readSources(paths: readonly string[], stdin: () => string): SourceText[] {
  return listSources(paths, stdin).map((source) => ({ path: source.path, text: source.read() }));
}
