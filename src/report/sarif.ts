import type { CheckResult } from '../engine/run.js';
import type { Finding, Severity } from '../rules/types.js';
import { arrayChunks, nested } from './chunks.js';
import { RULES } from '../rules/index.js';
import { VERSION } from '../version.js';

function level(severity: Severity): 'error' | 'warning' | 'note' {
  return severity === 'info' ? 'note' : severity;
}

/** Turns a path as shown to the user into a SARIF artifact URI (relative, forward slashes). */
function artifactUri(file: string): string {
  return file.split(/[\\/]/).map(encodeURIComponent).join('/');
}

type SarifResult = Record<string, unknown>;

function sarifResult(f: Finding, ruleIndex: ReadonlyMap<string, number>): SarifResult {
  return {
    ruleId: f.ruleId,
    ruleIndex: ruleIndex.get(f.ruleId) ?? -1,
    level: level(f.severity),
    message: { text: f.message },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: artifactUri(f.file) }, region: { startLine: f.line, startColumn: f.column } },
        ...(f.resource.kind === '' ? {} : { logicalLocations: [{ fullyQualifiedName: `${f.resource.kind}/${f.resource.namespace === '' ? '' : f.resource.namespace + '/'}${f.resource.name}`, kind: 'resource' }] }),
      },
    ],
    properties: { path: f.path, category: f.category, fixable: f.fixable, ...(f.impact ? { impact: f.impact } : {}) },
  };
}

/** The log around the results (`results` is the last key of the run, so everything after it closes the log). */
function sarifLog(result: CheckResult, results: readonly SarifResult[]): unknown {
  const rules = [...RULES.values()];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'rollsafe',
            version: VERSION,
            rules: rules.map((r) => ({
              id: r.meta.id,
              name: r.meta.id,
              shortDescription: { text: r.meta.description },
              help: { text: `See docs/rules/${r.meta.id}.md`, markdown: `See [docs/rules/${r.meta.id}.md](docs/rules/${r.meta.id}.md)` },
              defaultConfiguration: { level: level(r.meta.severity) },
              properties: { category: r.meta.category, fixable: r.meta.fixable },
            })),
          },
        },
        properties: { profile: result.profile },
        results,
      },
    ],
  };
}

const NO_RESULTS = '"results": []';

/**
 * SARIF 2.1.0: rule metadata in the driver, one result per finding with its physical location.
 * In pieces (report/chunks.ts) whose concatenation is `JSON.stringify(log, null, 2) + '\n'`: the
 * log is written around an empty `results`, and the results go where it was, CHUNK at a time.
 */
export function* sarifChunks(result: CheckResult): Generator<string> {
  const ruleIndex = new Map([...RULES.keys()].map((id, i) => [id, i]));
  const frame = JSON.stringify(sarifLog(result, []), null, 2);
  const at = frame.lastIndexOf(NO_RESULTS);
  yield `${frame.slice(0, at)}"results": `;
  yield* arrayChunks(result.findings, (f) => nested(sarifResult(f, ruleIndex), 4), 3, `${frame.slice(at + NO_RESULTS.length)}\n`);
}

/** The SARIF log as one string (see {@link sarifChunks}). */
export function formatSarif(result: CheckResult): string {
  return [...sarifChunks(result)].join('');
}
