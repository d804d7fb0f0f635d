/**
 * Hostile requests over real TLS: each gets the status it should, and the server stays up with
 * its memory bounded. One server serves every case, in order.
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/https.js';
import { apiServerDeployment, reviewFor, send, startTestServer, testCertificates } from './helpers.js';

const LIMIT = 1024 * 1024;
let server: RunningServer;

beforeAll(async () => {
  ({ server } = await startTestServer({ maxBodyBytes: LIMIT, headersTimeoutMs: 600, requestTimeoutMs: 1_200, handshakeTimeoutMs: 600 }));
});
afterAll(async () => {
  server.server.closeAllConnections();
  server.server.close();
  await server.closed;
});

const deployment = apiServerDeployment();
const valid = reviewFor(deployment);
const request = valid['request'] as Record<string, unknown>;

function review(changes: Record<string, unknown>): string {
  return JSON.stringify({ ...valid, request: { ...request, ...changes } });
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

interface Case {
  readonly name: string;
  readonly body?: string | Buffer;
  readonly path?: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  /** Part of the Status message (400s) or of the response. */
  readonly says?: string;
  /** For 200s: the review's `allowed`. */
  readonly allowed?: boolean;
}

const CASES: Case[] = [
  // Malformed and truncated JSON.
  { name: 'empty body', body: '', status: 400, says: 'not JSON' },
  { name: 'a lone brace', body: '{', status: 400, says: 'not JSON' },
  { name: 'truncated in a key', body: '{"apiVersion":', status: 400, says: 'not JSON' },
  { name: 'truncated review', body: JSON.stringify(valid).slice(0, 200), status: 400, says: 'not JSON' },
  { name: 'review cut one byte short', body: JSON.stringify(valid).slice(0, -1), status: 400, says: 'not JSON' },
  { name: 'trailing garbage', body: `${JSON.stringify(valid)}x`, status: 400, says: 'not JSON' },
  { name: 'single quotes', body: "{'apiVersion':'admission.k8s.io/v1'}", status: 400, says: 'not JSON' },
  { name: 'NaN literal', body: '{"a":NaN}', status: 400, says: 'not JSON' },
  { name: 'YAML instead of JSON', body: 'apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\n', status: 400, says: 'not JSON' },
  { name: 'invalid UTF-8', body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), status: 400, says: 'the body is not UTF-8' },
  { name: 'JSON null', body: 'null', status: 400, says: 'not a JSON object' },
  { name: 'JSON array', body: '[]', status: 400, says: 'not a JSON object' },
  { name: 'JSON string', body: '"AdmissionReview"', status: 400, says: 'not a JSON object' },
  { name: 'JSON number', body: '42', status: 400, says: 'not a JSON object' },
  // Wrong versions and kinds of review.
  { name: 'admission.k8s.io/v1beta1', body: JSON.stringify({ ...valid, apiVersion: 'admission.k8s.io/v1beta1' }), status: 400, says: 'admissionReviewVersions: [v1]' },
  { name: 'admission.k8s.io/v2', body: JSON.stringify({ ...valid, apiVersion: 'admission.k8s.io/v2' }), status: 400, says: 'expected apiVersion admission.k8s.io/v1' },
  { name: 'no apiVersion', body: JSON.stringify({ kind: 'AdmissionReview', request }), status: 400, says: 'got none' },
  { name: 'apiVersion a number', body: JSON.stringify({ ...valid, apiVersion: 1 }), status: 400, says: 'got 1' },
  { name: 'kind Status', body: JSON.stringify({ ...valid, kind: 'Status' }), status: 400, says: 'expected kind AdmissionReview' },
  { name: 'a review response sent back', body: JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u', allowed: true } }), status: 400, says: 'no request' },
  // Broken requests.
  { name: 'request null', body: JSON.stringify({ ...valid, request: null }), status: 400, says: 'no request' },
  { name: 'request a list', body: JSON.stringify({ ...valid, request: [request] }), status: 400, says: 'no request' },
  { name: 'no uid', body: review({ uid: undefined }), status: 400, says: 'request.uid must be a string' },
  { name: 'empty uid', body: review({ uid: '' }), status: 400, says: 'request.uid is empty' },
  { name: 'uid a number', body: review({ uid: 7 }), status: 400, says: 'request.uid must be a string' },
  { name: 'kind a string', body: review({ kind: 'Deployment' }), status: 400, says: 'request.kind must be an object' },
  { name: 'kind without version', body: review({ kind: { group: 'apps', kind: 'Deployment' } }), status: 400, says: 'request.kind.version must be a string' },
  { name: 'operation PATCH', body: review({ operation: 'PATCH' }), status: 400, says: 'request.operation must be CREATE, UPDATE, DELETE or CONNECT' },
  { name: 'CREATE without object', body: review({ object: undefined }), status: 400, says: 'request.object must be an object for CREATE' },
  { name: 'UPDATE with a string object', body: review({ operation: 'UPDATE', object: 'Deployment' }), status: 400, says: 'request.object must be an object for UPDATE' },
  { name: 'dryRun a string', body: review({ dryRun: 'yes' }), status: 400, says: 'request.dryRun must be a boolean' },
  { name: 'object kind differs from request.kind', body: review({ object: { ...deployment, kind: 'StatefulSet' } }), status: 400, says: 'request.kind is apps/v1 Deployment' },
  // Deeply nested objects.
  { name: 'object nested 100 levels', body: review({ object: { ...deployment, spec: JSON.parse(`{"a":${'{"a":'.repeat(99)}1${'}'.repeat(100)}`) as unknown } }), status: 400, says: 'nests deeper than 66 levels' },
  { name: 'body nested 100,000 levels', body: nested(100_000), status: 400 },
  { name: 'review with 100,000 nested lists in an annotation field', body: `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","x":${nested(100_000)}}}`, status: 400 },
  // Reviews of what rollsafe never judges: allowed, untouched.
  { name: 'a review of a Secret', body: JSON.stringify(reviewFor({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, type: 'Opaque', data: { password: 'aHVudGVyMg==' } })), status: 200, allowed: true },
  { name: 'a custom resource', body: JSON.stringify(reviewFor({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' }, spec: { size: 3 } })), status: 200, allowed: true },
  { name: 'DELETE', body: JSON.stringify(reviewFor(deployment, { operation: 'DELETE' })), status: 200, allowed: true },
  { name: 'the scale subresource', body: JSON.stringify(reviewFor(deployment, { operation: 'UPDATE', subResource: 'scale' })), status: 200, allowed: true },
  // Content types, methods, paths.
  { name: 'Content-Type text/plain', body: JSON.stringify(valid), headers: { 'Content-Type': 'text/plain' }, status: 415, says: 'text/plain' },
  { name: 'Content-Type application/yaml', body: JSON.stringify(valid), headers: { 'Content-Type': 'application/yaml' }, status: 415 },
  { name: 'Content-Type application/jsonx', body: JSON.stringify(valid), headers: { 'Content-Type': 'application/jsonx' }, status: 415 },
  { name: 'no Content-Type', body: JSON.stringify(valid), headers: { 'Content-Type': '' }, status: 415, says: 'got none' },
  { name: 'Content-Type with charset (accepted)', body: JSON.stringify(valid), headers: { 'Content-Type': 'application/json; charset=utf-8' }, status: 200, allowed: true },
  { name: 'the API server’s ?timeout= query (accepted)', path: '/validate?timeout=3s', body: JSON.stringify(valid), status: 200, allowed: true },
  { name: 'GET /validate', method: 'GET', status: 405 },
  { name: 'PUT /mutate', path: '/mutate', method: 'PUT', body: JSON.stringify(valid), status: 405 },
  { name: 'POST /healthz', path: '/healthz', body: '{}', status: 405 },
  { name: 'an unknown path', path: '/../../etc/passwd', method: 'GET', status: 404 },
  // Bodies over the limit.
  { name: 'a body one byte over the limit', body: `"${'x'.repeat(LIMIT - 1)}"`, status: 413 },
  { name: 'a Content-Length over the limit', body: '{}', headers: { 'Content-Length': String(LIMIT * 8) }, status: 413 },
  { name: 'a 16 MiB review', body: review({ object: { ...deployment, metadata: { name: 'big', annotations: { a: 'x'.repeat(16 * 1024 * 1024) } } } }), status: 413 },
];

describe('hostile requests', () => {
  it('has 40 or more cases, each with its own name', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  for (const c of CASES) {
    it(`${c.name} → ${c.status}`, async () => {
      const headers: Record<string, string> = { ...(c.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...c.headers };
      const res = await send(server.port, c.path ?? '/validate', { method: c.method ?? (c.body === undefined ? 'GET' : 'POST'), ...(c.body === undefined ? {} : { body: c.body }), headers }).catch((error: unknown) => {
        // The server may close the socket right after its 413 while the client still writes.
        if (c.status === 413 && (error as { code?: string }).code === 'EPIPE') return { status: 413, headers: {}, body: '', serial: '' };
        throw error;
      });
      expect(res.status).toBe(c.status);
      if (c.says !== undefined) expect(res.body).toContain(c.says);
      if (c.status !== 200 && res.body !== '') {
        const status = JSON.parse(res.body) as Record<string, unknown>;
        expect(status).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: c.status });
      }
      if (c.allowed !== undefined) expect((JSON.parse(res.body) as { response: { allowed: boolean } }).response.allowed).toBe(c.allowed);
    });
  }

  function rawTls(): Promise<import('node:tls').TLSSocket> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: testCertificates().caCert }, () => resolve(socket));
      socket.on('error', reject);
    });
  }

  function readAll(socket: NodeJS.ReadableStream & { on: (e: string, f: (...a: unknown[]) => void) => unknown }): Promise<{ data: string; ms: number }> {
    const start = performance.now();
    return new Promise((resolve) => {
      let data = '';
      socket.on('data', (chunk) => {
        data += String(chunk);
      });
      socket.on('close', () => resolve({ data, ms: performance.now() - start }));
      socket.on('error', () => undefined);
    });
  }

  it('a client that never finishes its headers gets 408 after the headers timeout', async () => {
    const socket = await rawTls();
    socket.write('POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n');
    const { data, ms } = await readAll(socket);
    expect(data).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(3_000);
  });

  it('a client that sends its body slowly gets 408 after the request timeout', async () => {
    const socket = await rawTls();
    socket.write('POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion":');
    const timer = setInterval(() => socket.writable && socket.write(' '), 200);
    const { data, ms } = await readAll(socket);
    clearInterval(timer);
    expect(data).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(4_000);
  });

  it('a TCP client that never starts TLS is dropped after the handshake timeout', async () => {
    const socket = netConnect(server.port, '127.0.0.1');
    const { data, ms } = await readAll(socket);
    expect(data).toBe('');
    expect(ms).toBeLessThan(3_000);
  });

  it('plain HTTP to the TLS port gets 400 in plain text', async () => {
    const socket = netConnect(server.port, '127.0.0.1', () => socket.write('POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}'));
    const { data } = await readAll(socket);
    expect(data).toBe('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
  });

  it('random bytes to the TLS port close the connection', async () => {
    const socket = netConnect(server.port, '127.0.0.1', () => socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5, 0xff, 0xff])));
    const { data } = await readAll(socket);
    expect(data.startsWith('HTTP/')).toBe(false);
  });

  it('a TLS 1.1 client cannot connect; TLS 1.2 can', async () => {
    const old = await new Promise<string>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: testCertificates().caCert, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }, () => resolve('connected'));
      socket.on('error', (error: Error & { code?: string }) => resolve(error.code ?? 'error'));
    });
    expect(old).not.toBe('connected');
    const socket = await new Promise<import('node:tls').TLSSocket>((resolve) => {
      const s = tlsConnect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: testCertificates().caCert, maxVersion: 'TLSv1.2' }, () => resolve(s));
    });
    expect(socket.getProtocol()).toBe('TLSv1.2');
    socket.destroy();
  });

  it('an invalid request line gets 400', async () => {
    const socket = await rawTls();
    socket.write('GARBAGE\r\n\r\n');
    const { data } = await readAll(socket);
    expect(data).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('stays up, answers a real review after all of them, and its memory stays bounded', async () => {
    const before = process.memoryUsage().rss;
    const body = JSON.stringify(valid);
    for (let round = 0; round < 5; round++) {
      await Promise.all(CASES.filter((c) => c.status === 400).map((c) => send(server.port, '/validate', { body: c.body ?? '' })));
      await send(server.port, '/validate', { body: `"${'x'.repeat(LIMIT + 10)}"` }).catch(() => undefined);
    }
    const health = await send(server.port, '/healthz');
    expect(health.status).toBe(200);
    const res = await send(server.port, '/validate', { body });
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as { response: { uid: string } }).response.uid).toBe(request['uid']);
    // Five rounds of every malformed body and an oversized one grow the process by less than 64 MiB.
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    const metrics = await send(server.port, '/metrics');
    expect(metrics.body).toMatch(/rollsafe_http_rejected_total\{path="\/validate",code="400"\} \d+/);
    expect(metrics.body).toContain('rollsafe_http_rejected_total{path="other",code="404"} 1');
    expect(metrics.body).toContain('rollsafe_http_rejected_total{path="plain-http",code="400"} 1');
  });
});
