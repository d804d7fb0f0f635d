/** JSON Pointers (RFC 6901) as findings, fixes and validation write them. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { annotationPointer, escapeToken, pointerTokens, toPointer } from '../../src/document/pointer.js';

describe('JSON Pointer helpers', () => {
  it('escapes ~ before / so that ~1 in a key stays a literal ~1 (RFC 6901 section 4)', () => {
    expect(escapeToken('a/b')).toBe('a~1b');
    expect(escapeToken('a~b')).toBe('a~0b');
    expect(escapeToken('~1')).toBe('~01');
    expect(escapeToken('plain')).toBe('plain');
  });

  it('builds and splits pointers, with the root as the empty pointer', () => {
    expect(toPointer([])).toBe('');
    expect(toPointer(['spec', 'template', 'spec', 'containers', 0, 'ports'])).toBe('/spec/template/spec/containers/0/ports');
    expect(pointerTokens('')).toEqual([]);
    // Unlike RFC 6901 (where it names the key ""), "/" is read as the root: no Kubernetes object
    // has an empty top-level key, and a fix or finding on the whole object may be written "/".
    expect(pointerTokens('/')).toEqual([]);
    expect(pointerTokens('/metadata/annotations/a~1b~0c')).toEqual(['metadata', 'annotations', 'a/b~c']);
  });

  it('names an annotation whose key has a slash', () => {
    expect(annotationPointer('rollsafe.io/ignore')).toBe('/metadata/annotations/rollsafe.io~1ignore');
  });

  it('splits what it builds back into the same tokens (but a lone empty key, see above)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1 }).filter((t) => !(t.length === 1 && t[0] === '')), (tokens) => {
        expect(pointerTokens(toPointer(tokens))).toEqual(tokens);
      }),
    );
  });
});
