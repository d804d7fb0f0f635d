import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { RULES } from '../../src/rules/index.js';

const DOCS_DIR = fileURLToPath(new URL('../../docs/rules/', import.meta.url));

/** The H2 sections every rule page has, in this order (after the `# <id>` title). */
const SECTIONS = ['Cause', 'When it fires', 'Example', 'Fix', 'Sources', 'Other tools'] as const;

const ids = [...RULES.keys()];

function page(id: string): string {
  return readFileSync(`${DOCS_DIR}${id}.md`, 'utf8');
}

/** The page without fenced code blocks, so that `## ` inside YAML or output is not a heading. */
function prose(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
}

function h2Headings(text: string): string[] {
  return [...prose(text).matchAll(/^## (.+?)\s*$/gm)].map((m) => m[1] ?? '');
}

/** The body of one H2 section (up to the next H2 or the end). */
function section(text: string, heading: string): string {
  const body = prose(text);
  const start = body.search(new RegExp(`^## ${heading}\\s*$`, 'm'));
  if (start < 0) return '';
  const rest = body.slice(start).replace(/^[^\n]*\n/, '');
  const next = rest.search(/^## /m);
  return (next < 0 ? rest : rest.slice(0, next)).trim();
}

describe('docs/rules', () => {
  test('the catalog is not empty', () => {
    expect(ids.length).toBeGreaterThan(0);
  });

  describe.each(ids)('%s', (id) => {
    test('has a page', () => {
      expect(existsSync(`${DOCS_DIR}${id}.md`)).toBe(true);
    });

    test('starts with `# <id>`', () => {
      expect(page(id).split('\n', 1)[0]).toBe(`# ${id}`);
    });

    test('has the six H2 sections, in order, and no others', () => {
      expect(h2Headings(page(id))).toEqual([...SECTIONS]);
    });

    test('summary line matches the rule metadata', () => {
      const meta = RULES.get(id)?.meta;
      if (!meta) throw new Error(`no rule ${id}`);
      const summary = page(id).split('\n').slice(1).find((line) => line.trim() !== '') ?? '';
      expect(/Category: `([a-z-]+)`/.exec(summary)?.[1]).toBe(meta.category);
      expect(/Severity: `([a-z]+)`/.exec(summary)?.[1]).toBe(meta.severity);
      expect(/Fix: (yes|no)/.exec(summary)?.[1]).toBe(meta.fixable ? 'yes' : 'no');
      expect(/Service-dependent: (yes|no)/.exec(summary)?.[1]).toBe(meta.serviceDependent ? 'yes' : 'no');
    });

    test('every section has content', () => {
      for (const heading of SECTIONS) expect(section(page(id), heading), heading).not.toBe('');
    });

    test('Sources cite knowledge/, the Kubernetes docs or a KEP', () => {
      expect(section(page(id), 'Sources')).toMatch(/knowledge\/|kubernetes\.io|KEP-/);
    });

    test('Example shows YAML and the rule firing', () => {
      const text = page(id);
      const start = text.indexOf('## Example');
      const end = text.indexOf('## Fix');
      const example = text.slice(start, end);
      expect(example).toContain('```yaml');
      expect(example).toContain(`  ${id}`);
    });
  });

  test('README.md links every rule', () => {
    const readme = readFileSync(`${DOCS_DIR}README.md`, 'utf8');
    for (const id of ids) expect(readme, id).toContain(`(${id}.md)`);
  });

  test('no page exists for an id that is not a rule', () => {
    const pages = readdirSync(DOCS_DIR)
      .filter((name) => name.endsWith('.md') && name !== 'README.md')
      .map((name) => name.slice(0, -'.md'.length));
    expect(pages.filter((name) => !RULES.has(name))).toEqual([]);
    expect(pages.sort()).toEqual([...ids].sort());
  });
});
