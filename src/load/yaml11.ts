/**
 * The YAML schema Kubernetes reads manifests with. The API machinery decodes YAML with a YAML 1.1
 * parser (sigs.k8s.io/yaml over go-yaml v2), so plain `on`, `off`, `yes`, `no`, `y`, `n` are
 * booleans there, unlike in YAML 1.2. Reading them the same way shows users what the API server
 * will see: `connection-drain: on` is a boolean, and an annotation must be a string.
 */
import jsYaml from 'js-yaml';

const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

/**
 * True for the plain scalars above. js-yaml asks this of every plain scalar, so most are turned
 * away by their length or first letter (y, n, t, f, o in either case) before a set lookup.
 */
function isBoolean(data: string): boolean {
  if (data.length > 5) return false;
  switch (data.charCodeAt(0) | 0x20) {
    case 0x79: // y
    case 0x6e: // n
    case 0x74: // t
    case 0x66: // f
    case 0x6f: // o
      return TRUE.has(data) || FALSE.has(data);
    default:
      return false;
  }
}

const yaml11Bool = new jsYaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && isBoolean(data),
  construct: (data: string) => TRUE.has(data),
  predicate: (object: unknown) => typeof object === 'boolean',
  represent: { lowercase: (object: object) => (object.valueOf() ? 'true' : 'false') },
  defaultStyle: 'lowercase',
});

/** js-yaml's merge-key type (exported at run time, missing from its type declarations). */
function mergeType(): jsYaml.Type {
  const merge = (jsYaml as unknown as { types?: { merge?: jsYaml.Type } }).types?.merge;
  if (!merge) throw new Error('js-yaml has no merge type');
  return merge;
}

/**
 * Core schema with YAML 1.1 booleans and merge keys, as the Kubernetes decoder reads them.
 * No timestamp type: go-yaml v2 keeps timestamp-like plain scalars as strings when decoding into
 * untyped values, which is what the API machinery does.
 */
export const KUBERNETES_YAML_SCHEMA = jsYaml.CORE_SCHEMA.extend({ implicit: [yaml11Bool, mergeType()] });

/** The plain scalars that are booleans only under YAML 1.1 (a hint for the user). */
export function isYaml11OnlyBoolean(text: string): boolean {
  return (TRUE.has(text) || FALSE.has(text)) && !/^(true|false|True|False|TRUE|FALSE)$/.test(text);
}
