/**
 * The `yaml` library (the editor's parser and emitter), loaded on first use: `check` never edits
 * YAML, and loading the library costs every run of the CLI tens of milliseconds of start-up.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let loaded: typeof Yaml | undefined;

/** The `yaml` module. */
export function yamlLib(): typeof Yaml {
  loaded ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return loaded;
}

export const isAlias: typeof Yaml.isAlias = (node): node is Yaml.Alias => yamlLib().isAlias(node);
export const isMap: typeof Yaml.isMap = ((node: unknown) => yamlLib().isMap(node)) as typeof Yaml.isMap;
export const isPair: typeof Yaml.isPair = ((node: unknown) => yamlLib().isPair(node)) as typeof Yaml.isPair;
export const isScalar: typeof Yaml.isScalar = ((node: unknown) => yamlLib().isScalar(node)) as typeof Yaml.isScalar;
export const isSeq: typeof Yaml.isSeq = ((node: unknown) => yamlLib().isSeq(node)) as typeof Yaml.isSeq;
