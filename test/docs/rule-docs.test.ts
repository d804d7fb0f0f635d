import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { RULES } from '../../src/rules/index.js';

const DOCS_DIR = fileURLToPath(new URL('../../docs/rules/', import.meta.url));

/** The H2 sections every rule page has, in this order (after the `# <id>` title). */
const SECTIONS = ['Cause', 'When it fires', 'Example', 'Fix', 'Sources', 'Other tools'] as const;

const ids = [...RULES.keys()];

/**
 * A primary source: a Kubernetes docs page, a KEP, a GitHub project path or issue
 * (`owner/repo` with a backticked path, `owner/repo#123`, a github.com URL), or a provider's docs URL.
 */
const PRIMARY_SOURCE = new RegExp(
  [
    String.raw`kubernetes\.io/`,
    String.raw`KEP-\d+`,
    String.raw`github\.com/[\w.-]+/[\w.-]+`,
    String.raw`\b[\w.-]+/[\w.-]+#\d+`,
    String.raw`\b[\w.-]+/[\w.-]+ \x60[^\x60]+\x60`,
    String.raw`https://(?:www\.)?(?:alibabacloud\.com|help\.aliyun\.com|docs\.aws\.amazon\.com|docs\.amazonaws\.cn|aws\.github\.io|kubernetes-sigs\.github\.io|cloud\.google\.com|learn\.microsoft\.com|docs\.azure\.cn|docs\.docker\.com)/`,
  ].join('|'),
);

/**
 * A citation of notes or design files outside the repository: `knowledge/…` (not as part of a URL
 * path such as cloud.google.com/knowledge/kb/…), `DESIGN.md` or `STYLE.md`.
 */
const OUTSIDE_CITATION = /(?<![\w./-])knowledge\/|\bDESIGN\.md\b|\bSTYLE\.md\b/;

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

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

    test('Sources cite a primary source: kubernetes.io, a KEP, a GitHub project path or issue, a provider docs URL', () => {
      expect(section(page(id), 'Sources')).toMatch(PRIMARY_SOURCE);
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

describe('docs stand on their own', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const files = [...markdownFiles(join(root, 'docs')), join(root, 'README.md')];

  test('there are docs pages to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  test.each(files.map((file) => [file.slice(root.length), file]))(
    '%s cites no knowledge/, DESIGN.md or STYLE.md',
    (_name, file) => {
      const hits = readFileSync(file, 'utf8')
        .split('\n')
        .map((line, index) => `${index + 1}: ${line}`)
        .filter((line) => OUTSIDE_CITATION.test(line));
      expect(hits).toEqual([]);
    },
  );

  test('the check catches a citation and spares a URL path', () => {
    expect(OUTSIDE_CITATION.test('knowledge/peers.md §8.5')).toBe(true);
    expect(OUTSIDE_CITATION.test('(knowledge/termination.md)')).toBe(true);
    expect(OUTSIDE_CITATION.test('see DESIGN.md §4')).toBe(true);
    expect(OUTSIDE_CITATION.test('(STYLE.md)')).toBe(true);
    expect(OUTSIDE_CITATION.test('https://cloud.google.com/knowledge/kb/502-503-errors')).toBe(false);
  });
});
