/**
 * The layer check of `npm run lint` (.dependency-cruiser.cjs) run on a small tree of sources that
 * has the arrows src/ once had: each wrong one must be reported by name, the right ones not at all.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const TREE: Record<string, string> = {
  // Right: down the layers.
  'src/document/pointer.ts': 'export const root = "";\n',
  'src/model/k8s.ts': "import { root } from '../document/pointer.js';\nexport const k = root;\n",
  'src/load/parse.ts': "import { k } from '../model/k8s.js';\nexport const p = k;\n",
  'src/rules/index.ts': "import { k } from '../model/k8s.js';\nexport const RULES = [k];\n",
  'src/engine/run.ts': "import { RULES } from '../rules/index.js';\nexport const run = RULES;\n",
  'src/fix/patch.ts': "import { run } from '../engine/run.js';\nexport const apply = run;\n",
  // Wrong: the arrows the layers were made to remove.
  'src/model/resource.ts': "import { p } from '../load/parse.js';\nexport const r = p;\n",
  'src/schema/validate.ts': "import type { Load } from '../load/objects.js';\nexport type V = Load;\n",
  'src/load/objects.ts': 'export interface Load { readonly n: number }\n',
  'src/rules/pdb-missing.ts': "import { run } from '../engine/run.js';\nexport const rule = run;\n",
  'src/rules/sim-peek.ts': "import { step } from '../sim/cluster.js';\nexport const peek = step;\n",
  'src/sim/cluster.ts': 'export const step = 1;\n',
  'src/sim/impact.ts': "import { apply } from '../fix/patch.js';\nexport const impact = apply;\n",
  'src/cli/io.ts': "import { main } from './main.js';\nexport const io = main;\n",
  'src/cli/report-error.ts': "import { io } from './io.js';\nimport { runFix } from './fix.js';\nexport const report = [io, runFix];\n",
  'src/cli/main.ts': "import { runFix } from './fix.js';\nexport const main = runFix;\n",
  'src/cli/fix.ts': "import type { Main } from './types.js';\nexport const runFix: Main = 1;\n",
  'src/cli/types.ts': "import { main } from './main.js';\nexport type Main = typeof main;\n",
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' }, include: ['src'] }),
};

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollsafe-layers-'));
  for (const [path, text] of Object.entries(TREE)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function violations(): string[] {
  const bin = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
  const run = spawnSync(process.execPath, [bin, '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json', 'src'], { cwd: dir, encoding: 'utf8' });
  const result = JSON.parse(run.stdout) as { summary: { violations: Violation[] } };
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

describe('the layer check', () => {
  it('reports every upward, sideways and circular arrow by its rule, and nothing else', () => {
    expect(violations()).toEqual([
      'cli-plumbing-stays-low: src/cli/io.ts -> src/cli/main.ts',
      // report-error.ts may use io.ts, not a sub-command.
      'cli-plumbing-stays-low: src/cli/report-error.ts -> src/cli/fix.ts',
      'layer-model: src/model/resource.ts -> src/load/parse.ts',
      'layer-rules: src/rules/pdb-missing.ts -> src/engine/run.ts',
      'layer-rules: src/rules/sim-peek.ts -> src/sim/cluster.ts',
      'layer-schema: src/schema/validate.ts -> src/load/objects.ts',
      'layer-sim: src/sim/impact.ts -> src/fix/patch.ts',
      // One report per circle (main -> fix -> types -> main), from the module the cruise met first.
      'no-circular: src/cli/fix.ts -> src/cli/types.ts',
    ]);
  });
});
