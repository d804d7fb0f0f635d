#!/usr/bin/env node
// The bundling half of `npm run build` (after tsc has compiled src/ to dist/):
//
// 1. dist/schema/models.js: the kubernetes-models validators rollsafe uses, in one file (they span
//    ~300 modules). Each validator also gets a fast path, `prototype.isValid()`: the same compiled
//    code, told by a marker (`FAST`) passed as its `rootData` to hand every nested validator that
//    marker instead of a fresh `{ instancePath, parentData, parentDataProperty, rootData }` object.
//    Those four only label errors (instancePath) or serve keywords these schemas do not use
//    (`$data`, defaults, coercion, removal): the check below fails the build if the code uses them
//    any other way. So `isValid()` is true exactly when `validate()` finds nothing, without
//    building a path string and an options object per field.
// 2. dist/cli/bin.js: the program in one module instead of ~160, which Node would resolve, read
//    and link one by one at every start. models.js stays its own file, loaded from there.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;

/** Replaces every match of `pattern`, failing the build unless it matched `expected(count)`. */
function replaceAll(text, pattern, replacement, what) {
  let count = 0;
  const out = text.replace(pattern, (...args) => {
    count++;
    return typeof replacement === 'function' ? replacement(...args) : replacement;
  });
  if (count === 0) throw new Error(`build: no ${what} in the validators bundle (did kubernetes-models change its output?)`);
  return { out, count };
}

/** The options a validator passes to a nested one: a fresh object, or the marker on the fast path. */
const NESTED_OPTIONS = /\{ instancePath(?:: instancePath \+ [^{}]*?)?, parentData(?:: data)?, parentDataProperty(?:: [^{}]*?)?, rootData \}/g;

/** Adds the fast path to the bundled validators; see the top of this file. */
function addFastPath(bundle) {
  const nested = replaceAll(bundle, NESTED_OPTIONS, (literal) => `(rootData === FAST ? FAST : ${literal})`, 'nested validator calls');
  const setter = replaceAll(
    nested.out,
    /function setValidateFunc\(ctor, fn\) \{\n/g,
    'function setValidateFunc(ctor, fn) {\n  ctor.prototype.isValid = function() {\n    return fn(this, FAST) === true;\n  };\n',
    'setValidateFunc',
  );
  if (setter.count !== 1) throw new Error(`build: ${setter.count} setValidateFunc in the validators bundle`);
  // Every other use of the four options must be a validator's parameter list or an error's label.
  const rest = setter.out
    .replace(/\(rootData === FAST \? FAST : \{[^{}]*\}\)/g, '')
    .replace(/\{ instancePath = "", parentData, parentDataProperty, rootData = data \} = \{\}/g, '')
    .replace(/\{ instancePath, schemaPath: /g, '');
  const stray = /\b(?:instancePath|parentData|parentDataProperty|rootData)\b/.exec(rest.replace(/err\.instancePath/g, ''));
  if (stray) throw new Error(`build: the validators use \`${stray[0]}\` beyond labelling errors: ${rest.slice(Math.max(0, stray.index - 120), stray.index + 120)}`);
  return `/** Passed as \`rootData\`: the validator only answers whether the value is valid (see scripts/build.js). */\nconst FAST = {};\nFAST.rootData = FAST;\n${setter.out}`;
}

async function buildModels() {
  const result = await build({
    entryPoints: [`${root}src/schema/models.ts`],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    write: false,
    outfile: `${root}dist/schema/models.js`,
    logLevel: 'warning',
  });
  const [file] = result.outputFiles;
  writeFileSync(file.path, addFastPath(file.text));
}

async function buildCli() {
  await build({
    entryPoints: [`${root}src/cli/bin.ts`],
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    outfile: `${root}dist/cli/bin.js`,
    allowOverwrite: true,
    logLevel: 'warning',
    plugins: [
      {
        name: 'validators-bundle',
        setup(b) {
          // The validators stay their own bundle (built above), imported from dist/schema.
          b.onResolve({ filter: /^\.\/models\.js$/ }, (args) => (args.importer.endsWith('/src/schema/validate.ts') ? { path: '../schema/models.js', external: true } : undefined));
        },
      },
    ],
  });
}

await buildModels();
await buildCli();
