/**
 * The facts file of `rollsafe advise --file FACTS.yaml`: the same facts as the flags, as one YAML
 * document, checked key by key. Every problem comes back with its line and column; nothing
 * throws on bad input.
 *
 * ```yaml
 * provider: alibaba          # alibaba | aws | gcp | azure | bare-metal
 * networkPlugin: flannel
 * lbKind: clb                # optional: the provider's default
 * preserveSourceIp: false
 * lbQuotaTight: true
 * k8sVersion: "1.30"         # quoted: unquoted 1.30 is the number 1.3
 * workload:                  # optional
 *   name: web
 *   namespace: shop
 *   image: registry.example.com/web:1.4.2
 *   port: 8080
 *   servicePort: 80
 *   replicas: 3
 *   healthPath: /healthz
 * ```
 */
import { locate, type ParsedDocument } from '../document/document.js';
import { parseSource } from '../load/parse.js';
import { toPointer } from '../document/pointer.js';
import { isRecord } from '../model/k8s.js';
import type { WorkloadInput } from './config.js';

/** Facts as read from a file or flags, before validation. */
export interface FactsInput {
  provider?: string;
  networkPlugin?: string;
  lbKind?: string;
  preserveSourceIp?: boolean;
  lbQuotaTight?: boolean;
  k8sVersion?: string;
}

interface FactsFileProblem {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

export interface FactsFile {
  readonly facts: FactsInput;
  readonly workload: WorkloadInput;
  readonly problems: readonly FactsFileProblem[];
}

type Kind = 'string' | 'boolean' | 'port' | 'count';

const FACT_KEYS: Readonly<Record<keyof FactsInput, Kind>> = {
  provider: 'string',
  networkPlugin: 'string',
  lbKind: 'string',
  preserveSourceIp: 'boolean',
  lbQuotaTight: 'boolean',
  k8sVersion: 'string',
};

const WORKLOAD_KEYS: Readonly<Record<'name' | 'namespace' | 'image' | 'port' | 'servicePort' | 'replicas' | 'healthPath', Kind>> = {
  name: 'string',
  namespace: 'string',
  image: 'string',
  port: 'port',
  servicePort: 'port',
  replicas: 'count',
  healthPath: 'string',
};

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'string' ? `string "${value}"` : `${typeof value} ${String(value)}`;
}

function expected(kind: Kind, key: string): string {
  if (key === 'k8sVersion') return 'a quoted version such as "1.30" (unquoted 1.30 is the number 1.3)';
  return kind === 'boolean' ? 'true or false' : kind === 'port' ? 'a port number (1–65535)' : kind === 'count' ? 'a whole number' : 'a string';
}

function valid(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string' && value.trim() !== '';
    case 'boolean':
      return typeof value === 'boolean';
    case 'port':
      return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
    case 'count':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0;
  }
}

/** Reads a facts file. Unknown keys, wrong types and YAML errors are problems with positions. */
export function parseFactsFile(text: string, path: string): FactsFile {
  const parsed = parseSource({ path, text }, { schema: 'core' });
  const problems: FactsFileProblem[] = parsed.problems.map((p) => ({ message: p.message, line: p.line, column: p.column }));
  const [doc, second] = parsed.documents;
  const at = (d: ParsedDocument | undefined, tokens: readonly string[], where: 'key' | 'value', message: string): void => {
    const pos = d ? locate(d, toPointer(tokens), where) : { line: 1, column: 1 };
    problems.push({ message, line: pos.line, column: pos.column });
  };
  if (second) at(second, [], 'key', 'a facts file holds one YAML document; found more');
  const facts: FactsInput = {};
  const workload: WorkloadInput = {};
  if (problems.length > 0) return { facts, workload, problems };
  if (!doc || !isRecord(doc.value)) {
    at(doc, [], 'value', doc ? `expected a mapping of facts, got ${describe(doc.value)}` : 'the facts file is empty');
    return { facts, workload, problems };
  }
  const read = (map: Record<string, unknown>, keys: Readonly<Record<string, Kind>>, path: readonly string[], into: Record<string, unknown>): void => {
    for (const [key, value] of Object.entries(map)) {
      if (key === 'workload' && path.length === 0) continue;
      const kind = Object.hasOwn(keys, key) ? keys[key] : undefined;
      const where = path.length === 0 ? '' : ` in ${path.join('.')}`;
      if (kind === undefined) {
        const allowed = [...Object.keys(keys), ...(path.length === 0 ? ['workload'] : [])].join(', ');
        at(doc, [...path, key], 'key', `unknown key "${key}"${where}; expected one of: ${allowed}`);
      } else if (!valid(kind, value)) {
        at(doc, [...path, key], 'value', `${[...path, key].join('.')}: expected ${expected(kind, key)}, got ${describe(value)}`);
      } else {
        into[key] = value;
      }
    }
  };
  read(doc.value, FACT_KEYS, [], facts as Record<string, unknown>);
  const w = doc.value['workload'];
  if (w !== undefined) {
    if (isRecord(w)) read(w, WORKLOAD_KEYS, ['workload'], workload as Record<string, unknown>);
    else at(doc, ['workload'], 'value', `workload: expected a mapping, got ${describe(w)}`);
  }
  return { facts, workload, problems };
}
