import type { Rule } from './types.js';

/** Load problems (broken YAML, fields Kubernetes rejects or drops) as findings. */
export const invalidManifest: Rule = {
  meta: {
    id: 'invalid-manifest',
    category: 'config',
    severity: 'error',
    description: 'YAML that does not parse, or a field Kubernetes would reject or silently drop',
    fixable: false,
    serviceDependent: false,
    messages: { problem: '{{message}}' },
  },
  check(context) {
    for (const p of context.problems) {
      context.reportAt({ file: p.file, line: p.line, column: p.column, path: p.path, resource: p.resource ?? { kind: '', namespace: '', name: '' } }, 'problem', { message: p.message });
    }
  },
};
