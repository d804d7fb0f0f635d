import type { CheckResult } from '../engine/run.js';
import type { Severity } from '../rules/types.js';
import { RULES } from '../rules/index.js';
import { VERSION } from '../version.js';

function level(severity: Severity): 'error' | 'warning' | 'note' {
  return severity === 'info' ? 'note' : severity;
}

/** Turns a path as shown to the user into a SARIF artifact URI (relative, forward slashes). */
function artifactUri(file: string): string {
  return file.split(/[\\/]/).map(encodeURIComponent).join('/');
}

/** SARIF 2.1.0: rule metadata in the driver, one result per finding with its physical location. */
export function formatSarif(result: CheckResult): string {
  const rules = [...RULES.values()];
  const index = new Map(rules.map((r, i) => [r.meta.id, i]));
  const log = {
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
        results: result.findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: index.get(f.ruleId) ?? -1,
          level: level(f.severity),
          message: { text: f.message },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: artifactUri(f.file) }, region: { startLine: f.line, startColumn: f.column } },
              ...(f.resource.kind === '' ? {} : { logicalLocations: [{ fullyQualifiedName: `${f.resource.kind}/${f.resource.namespace === '' ? '' : f.resource.namespace + '/'}${f.resource.name}`, kind: 'resource' }] }),
            },
          ],
          properties: { path: f.path, category: f.category, fixable: f.fixable, ...(f.impact ? { impact: f.impact } : {}) },
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
