// Peak memory of one bench case: the command runs through bench/peak.js, which writes the
// child's own process.resourceUsage().maxRSS when it exits.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);

/**
 * Runs `node ARGS…` once from the repository root; returns spawnSync's result and the child's
 * peak resident memory in MiB (NaN when the child died before it could say).
 */
export function runWithPeak(args, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rollsafe-peak-'));
  const file = join(dir, 'peak.json');
  try {
    const result = spawnSync(process.execPath, [join(BENCH, 'peak.js'), file, ...args], { cwd: ROOT, ...options });
    const peakMiB = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).maxRssKiB / 1024 : Number.NaN;
    return { result, peakMiB };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
