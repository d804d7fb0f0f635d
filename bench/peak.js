// Runs a Node script in this process and, when the process exits, writes its peak resident memory
// (process.resourceUsage().maxRSS, KiB) to a file: the bench's memory figure for one case, taken
// by the process that did the work, with no external tool.
// Usage: node bench/peak.js OUT.json SCRIPT [ARG...]   (SCRIPT sees [ARG...] as process.argv.slice(2))
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [out, script, ...args] = process.argv.slice(2);
if (out === undefined || script === undefined) {
  process.stderr.write('usage: node bench/peak.js OUT.json SCRIPT [ARG...]\n');
  process.exit(2);
}
process.on('exit', () => writeFileSync(out, `${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS })}\n`));
process.argv = [process.argv[0] ?? 'node', resolve(script), ...args];
await import(pathToFileURL(resolve(script)).href);
