/**
 * The layers of src/, bottom first, checked by `npm run lint` (dependency-cruiser). A module may
 * import from its own folder and from the layers below its own; never from a layer above, never
 * from a sibling in its own layer, and never in a circle. docs/architecture.md says what each
 * layer is for.
 *
 *   1  document, version.ts, errors.ts   text, positions, JSON Pointers; the version; the error type
 *   2  model        narrow Kubernetes types, guards, workload views, the object graph
 *   3  schema       validation against the Kubernetes schemas
 *   4  load         files and stdin → documents → validated objects, problems as data
 *   5  profiles     cluster profiles, built in and from files
 *   6  domain       facts the rules, the simulator and advise share
 *   7  rules | sim  the rule contract and catalog | the discrete-event simulator
 *   8  engine       runs the rules: severities, suppression, config
 *   9  fix          fixes applied to YAML, the multi-pass driver
 *  10  impact       what a finding's fix changes in a simulated rollout
 *  11  report       text, json, sarif, github and html output
 *  12  advise | appcheck | lab | policy | server    features built on the layers below
 *  13  cli          main(argv, io) → exit code
 *  14  index.ts     the public API
 */
'use strict';

/** Bottom first; each entry is a layer, each name a folder of src/ or a file there. */
const LAYERS = [
  ['document', 'version.ts', 'errors.ts'],
  ['model'],
  ['schema'],
  ['load'],
  ['profiles'],
  ['domain'],
  ['rules', 'sim'],
  ['engine'],
  ['fix'],
  ['impact'],
  ['report'],
  ['advise', 'appcheck', 'lab', 'policy', 'server'],
  ['cli'],
  ['index.ts'],
];

/** The path pattern of a folder (`src/model/…`) or a file (`src/index.ts`) of src/. */
function pattern(name) {
  const escaped = name.replace(/\./g, '\\.');
  return name.endsWith('.ts') ? `^src/${escaped}$` : `^src/${escaped}/`;
}

const layerRules = LAYERS.flatMap((layer, level) =>
  layer.map((name) => {
    const forbidden = [...layer.filter((other) => other !== name), ...LAYERS.slice(level + 1).flat()];
    return {
      name: `layer-${name.replace(/\.ts$/, '')}`,
      comment: `${name} is in layer ${level + 1}: it may import only from layers 1-${level} and from itself (.dependency-cruiser.cjs lists the layers)`,
      severity: 'error',
      from: { path: pattern(name) },
      to: { path: forbidden.map(pattern) },
    };
  }),
).filter((rule) => rule.to.path.length > 0);

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'Modules that import each other, directly or through others, cannot be understood or tested one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'cli-plumbing-stays-low',
      comment: 'cli/io.ts, cli/write-file.ts and cli/report-error.ts are what every sub-command uses; they import no sub-command.',
      severity: 'error',
      from: { path: '^src/cli/(io|write-file|report-error)\\.ts$' },
      to: { path: '^src/cli/', pathNot: '^src/cli/io\\.ts$' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to no file is a typo or a missing package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-dev-dependencies-in-src',
      comment: 'What src/ imports ships to users: it must be in dependencies, not devDependencies.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
  options: {
    // TypeScript 7 has no compiler API for dependency-cruiser to parse with; swc parses the sources.
    parser: 'swc',
    // Type-only imports are arrows too: a layer that needs a type from above is still upside down.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
  },
};
