/** Reading standard input as a stream (Node only; the rest of the pipeline is pure). */
import { MAX_FILE_BYTES } from './parse.js';
import { isRollsafeError, RollsafeError } from '../errors.js';

/**
 * Reads a stream to its end and decodes it as UTF-8. A pipe from a slow producer
 * (`helm template … | rollsafe check -`) has no data yet when rollsafe starts: a synchronous read
 * of file descriptor 0 then fails with EAGAIN, so stdin is read as a stream, awaiting every chunk.
 * Past `limit` bytes the read stops and a RollsafeError `unreadable-input` says so, as for a file over the limit.
 */
export async function readStream(stream: AsyncIterable<Uint8Array | string>, limit: number = MAX_FILE_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      size += buffer.byteLength;
      if (size > limit) {
        // Leaving the loop early closes the stream: the producer gets EPIPE instead of blocking.
        throw new RollsafeError('unreadable-input', `<stdin>: more than ${formatMiB(limit)} MiB, the limit per file; split the input or check it is a manifest`);
      }
      chunks.push(buffer);
    }
  } catch (error: unknown) {
    if (isRollsafeError(error, 'unreadable-input')) throw error;
    // A read error (EIO, a closed descriptor): an unreadable input, like an unreadable file.
    throw new RollsafeError('unreadable-input', `<stdin>: cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  // Decoded once at the end: a multi-byte character split across chunks stays whole.
  return Buffer.concat(chunks, size).toString('utf8');
}

function formatMiB(bytes: number): string {
  const mib = bytes / 1048576;
  return Number.isInteger(mib) ? String(mib) : mib.toFixed(1);
}
