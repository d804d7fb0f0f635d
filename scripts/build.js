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
//    building a path string and an options object per field. On the fast path a validator does
//    not destructure its options either (`fast`): each object calls about a hundred validators,
//    most of them a line long and run by the interpreter before they get hot, where the
//    destructuring with defaults cost more than the check itself (bench corpus A: the first pass
//    over its objects 147 → 122 ms).
//    The bundle is a script (models.cjs) that dist/schema/models.js compiles with vm.Script and a
//    V8 code cache written here after a warm-up (models.cache): Node 20 caches no module code, and
//    compiling 1.3 MB of validators cost more at each start than reading their cache.
// 2. dist/cli/bin.js: the program in one module instead of ~160, which Node would resolve, read
//    and link one by one at every start. models.js stays its own file, loaded from there.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';

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
/** A validator's parameters, as ajv writes them. */
const PARAMETERS = /\(data, \{ instancePath = "", parentData, parentDataProperty, rootData = data \} = \{\}\) \{\n/g;

function addFastPath(bundle) {
  const nested = replaceAll(bundle, NESTED_OPTIONS, (literal) => `(fast ? FAST : ${literal})`, 'nested validator calls');
  const headers = replaceAll(
    nested.out,
    PARAMETERS,
    '(data, options) {\n  const fast = options === FAST;\n  let instancePath = "", parentData, parentDataProperty, rootData = data;\n  if (!fast) ({ instancePath = "", parentData, parentDataProperty, rootData = data } = options ?? {});\n',
    'validator parameters',
  );
  const setter = replaceAll(
    headers.out,
    /function setValidateFunc\(ctor, fn\) \{\n/g,
    'function setValidateFunc(ctor, fn) {\n  ctor.prototype.isValid = function() {\n    return fn(this, FAST) === true;\n  };\n',
    'setValidateFunc',
  );
  if (setter.count !== 1) throw new Error(`build: ${setter.count} setValidateFunc in the validators bundle`);
  // Every other use of the four options must be a validator's parameter list or an error's label.
  const rest = setter.out
    .replace(/\(fast \? FAST : \{[^{}]*\}\)/g, '')
    .replace(/let instancePath = "", parentData, parentDataProperty, rootData = data;\n  if \(!fast\) \(\{ instancePath = "", parentData, parentDataProperty, rootData = data \} = options \?\? \{\}\);/g, '')
    .replace(/\{ instancePath, schemaPath: /g, '');
  const stray = /\b(?:instancePath|parentData|parentDataProperty|rootData)\b/.exec(rest.replace(/err\.instancePath/g, ''));
  if (stray) throw new Error(`build: the validators use \`${stray[0]}\` beyond labelling errors: ${rest.slice(Math.max(0, stray.index - 120), stray.index + 120)}`);
  return `/** Passed as \`rootData\`: the validator only answers whether the value is valid (see scripts/build.js). */\nconst FAST = {};\nFAST.rootData = FAST;\n${setter.out}`;
}

/** Manifests run through the validators before their code cache is written, so that it holds their compiled code. */
const WARM_UP = ['examples', 'test/fixtures/rules'];

function manifests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? manifests(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []));
}

async function buildModels() {
  const result = await build({
    entryPoints: [`${root}src/schema/models.ts`],
    bundle: true,
    format: 'cjs',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    write: false,
    outfile: `${root}dist/schema/models.cjs`,
    logLevel: 'warning',
  });
  const [file] = result.outputFiles;
  // A script that evaluates to the module's exports: run by dist/schema/models.js with vm.Script.
  const script = `(function () {\nconst module = { exports: {} };\nconst exports = module.exports;\n${addFastPath(file.text)}\nreturn module.exports;\n})();\n`;
  const path = `${root}dist/schema/models.cjs`;
  writeFileSync(path, script);
  // Node 20 caches no module code: the loader passes V8 this code cache (V8 ignores it when its
  // version, flags or the source differ, and compiles as usual).
  const compiled = new Script(script, { filename: path });
  const models = compiled.runInThisContext();
  const { parseSource } = await import(`${root}dist/load/parse.js`);
  const byId = new Map(Object.values(models).map((m) => [`${m.apiVersion}/${m.kind}`, m]));
  for (const manifest of WARM_UP.flatMap((dir) => manifests(`${root}${dir}`))) {
    for (const doc of parseSource({ path: manifest, text: readFileSync(manifest, 'utf8') }).documents) {
      const model = byId.get(`${doc.value?.apiVersion}/${doc.value?.kind}`);
      if (!model) continue;
      model.prototype.isValid.call(doc.value);
      try {
        model.prototype.validate.call(doc.value);
      } catch {
        // Invalid manifests warm the error paths.
      }
    }
  }
  writeFileSync(`${root}dist/schema/models.cache`, compiled.createCachedData());
  const names = Object.keys(models);
  writeFileSync(
    `${root}dist/schema/models.js`,
    `// Written by scripts/build.js: the validators bundle (models.cjs), compiled with its code cache.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const path = fileURLToPath(new URL('models.cjs', import.meta.url));
let cachedData;
try {
  cachedData = readFileSync(fileURLToPath(new URL('models.cache', import.meta.url)));
} catch {
  cachedData = undefined;
}
const models = new Script(readFileSync(path, 'utf8'), { filename: path, cachedData }).runInThisContext();
export const { ${names.join(', ')} } = models;
`,
  );
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
