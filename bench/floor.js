// The floor for `rollsafe check`: what any tool must spend to read and parse the same YAML.
// It finds files exactly as the CLI does (src/load/files.ts: recursive, sorted by name,
// *.yaml|*.yml|*.json, skipping .git and node_modules), so both do the same I/O, and it runs as
// its own `node` process, so both pay the same start-up. Prints the number of documents parsed.
// Usage: node bench/floor.js DIR
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';

const MANIFEST = /\.(?:ya?ml|json)$/i;
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

function parseTree(dir) {
  let documents = 0;
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) documents += parseTree(path);
    } else if (entry.isFile() && MANIFEST.test(entry.name)) {
      documents += loadAll(readFileSync(path, 'utf8')).length;
    }
  }
  return documents;
}

process.stdout.write(`${parseTree(process.argv[2] ?? '.')}\n`);
