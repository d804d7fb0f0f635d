/**
 * Reads the chart library (d3 and Observable Plot, their UMD builds) from node_modules at report
 * time, so that the page inlines exactly the versions installed with rollsafe. Node only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { InlineLibrary } from './types.js';
import { RollsafeError } from '../../errors.js';

/** The packages inlined, in load order: Plot's UMD build expects the global `d3`. */
export const CHART_PACKAGES = ['d3', '@observablehq/plot'] as const;

interface PackageJson {
  readonly version?: string;
  readonly license?: string;
  readonly exports?: { readonly umd?: string };
}

/** The folder of an installed package, found the way Node looks for it from this module. */
function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new RollsafeError('missing-library', `the chart library ${name} is not installed (reinstall rollsafe: npm ci)`);
}

/** One package's UMD build (the file its package.json exports under the `umd` condition). */
export function readLibrary(name: string): InlineLibrary {
  const dir = packageDir(name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  const entry = pkg.exports?.umd;
  if (typeof entry !== 'string') throw new RollsafeError('missing-library', `${name} has no UMD build in its package.json exports`);
  return { name, version: pkg.version ?? 'unknown', license: pkg.license ?? 'unknown', source: readFileSync(join(dir, entry), 'utf8') };
}

let cached: readonly InlineLibrary[] | undefined;

/** d3 and Observable Plot, read once per process. */
export function chartLibraries(): readonly InlineLibrary[] {
  cached ??= CHART_PACKAGES.map(readLibrary);
  return cached;
}
