/** Reading stdin as a stream, and which command lines read it. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readsStdin } from '../../src/cli/main.js';
import { readStream } from '../../src/load/stdin.js';

describe('readStream', () => {
  it('joins chunks before decoding: a character split across chunks stays whole', async () => {
    const bytes = Buffer.from('name: café\n', 'utf8');
    // `é` is two bytes (0xC3 0xA9): split between them.
    const at = bytes.indexOf(0xc3) + 1;
    expect(await readStream(Readable.from([bytes.subarray(0, at), bytes.subarray(at)]))).toBe('name: café\n');
  });

  it('accepts exactly the limit and refuses one byte more, as an unreadable-input error', async () => {
    expect(await readStream(Readable.from([Buffer.from('abcd'), Buffer.from('ef')]), 6)).toBe('abcdef');
    await expect(readStream(Readable.from([Buffer.from('abcd'), Buffer.from('efg')]), 6)).rejects.toMatchObject({ name: 'RollsafeError', code: 'unreadable-input', message: '<stdin>: more than 0.0 MiB, the limit per file; split the input or check it is a manifest' });
  });

  it('a read error is an unreadable-input error that names stdin', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('kind: ');
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    }
    await expect(readStream(failing())).rejects.toMatchObject({ name: 'RollsafeError', code: 'unreadable-input', message: '<stdin>: cannot be read (EIO: i/o error, read)' });
  });

  it('an empty stream is an empty text', async () => {
    expect(await readStream(Readable.from([]))).toBe('');
  });
});

describe('readsStdin', () => {
  it.each([
    [['check', '-'], true],
    [['check', '--format', 'json', 'a.yaml', '-'], true],
    [['check', 'a.yaml'], false],
    [['fix', '-'], true],
    [['fix', '-o', 'out.yaml', 'a.yaml'], false],
    [['simulate', '--runs', '3', '-'], true],
    [['report', '-', '-o', 'page.html'], true],
    [['report', 'a.yaml', '-o', '-'], false],
    [['advise', '--provider', 'aws', '-f', '-'], true],
    [['advise', '--provider', 'aws'], false],
    [['rules', '-'], false],
    [['check', '--no-such-option', '-'], false],
  ] as const)('%j → %s', (argv, expected) => {
    expect(readsStdin(argv)).toBe(expected);
  });
});
