import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readLibrary, CHART_PACKAGES } from '../../src/report/html/assets.js';
import { escapeHtml, jsonForScript, scriptText } from '../../src/report/html/escape.js';
import { sha256Base64 } from '../../src/report/html/sha256.js';

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<script>"x" & 'y'</script>`)).toBe('&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;');
  });

  it('leaves other text alone, including non-ASCII', () => {
    expect(escapeHtml('preStop 5 s → 30 s ✓')).toBe('preStop 5 s → 30 s ✓');
  });
});

describe('jsonForScript', () => {
  const hostile = { name: '</script><script>alert(1)</script>', note: '<!-- a & b -->', sep: 'a\u2028b\u2029c' };

  it('never contains <, > or & and parses back to the same value', () => {
    const text = jsonForScript(hostile);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(hostile);
  });
});

describe('scriptText', () => {
  it('breaks </script and <!-- in JavaScript source, whatever the case', () => {
    expect(scriptText('a="</script>";b="</SCRIPT>";c="<!--"')).toBe('a="<\\/script>";b="<\\/SCRIPT>";c="<\\!--"');
  });

  it('keeps the meaning of a string literal', () => {
    const source = 'globalThis.__x = "</script><!--";';
    // eslint-disable-next-line no-new-func -- evaluating the escaped source is the point
    new Function(scriptText(source))();
    expect((globalThis as Record<string, unknown>)['__x']).toBe('</script><!--');
  });

  it.each(CHART_PACKAGES)('the inlined %s build contains neither sequence (so escaping changes nothing)', (name) => {
    const { source } = readLibrary(name);
    expect(source.length).toBeGreaterThan(100_000);
    expect(source).not.toMatch(/<\/script|<!--/i);
    expect(scriptText(source)).toBe(source);
  });
});

describe('sha256Base64', () => {
  it.each(['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'héllo ✓ 😀', 'x'.repeat(100_003)])('matches node:crypto for a %#', (text) => {
    expect(sha256Base64(text)).toBe(createHash('sha256').update(text, 'utf8').digest('base64'));
  });
});
