/**
 * The thin HTTPS adapter around the pure review (review.ts): TLS 1.2+, body limits, timeouts,
 * health and readiness, metrics, certificates re-read when their files change, and the graceful
 * shutdown rollsafe asks of every served workload.
 */
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { dirname } from 'node:path';
import { createSecureContext } from 'node:tls';
import { createMetrics, type ServerMetrics, type Webhook } from './metrics.js';
import { failureResponse, JUDGED_KINDS, mutateReview, parseReview, reviewOf, validateReview, type AdmissionRequest, type ReviewOptions, type ReviewResult } from './review.js';
import { isRollsafeError, RollsafeError } from '../errors.js';

/**
 * The largest review body read. The API server accepts write requests up to 3 MiB
 * (`MaxRequestBodyBytes: int64(3 * 1024 * 1024)`, kubernetes/apiserver pkg/server/config.go), and
 * an UPDATE review carries the object and the old object: two of those, plus the envelope.
 */
const MAX_BODY_BYTES = 7 * 1024 * 1024;

export interface ServerOptions extends ReviewOptions {
  readonly certFile: string;
  readonly keyFile: string;
  readonly port: number;
  /** Address to listen on; all interfaces when absent. */
  readonly host?: string;
  /** `allowed` of a review that fails inside the server: false for `fail`, true for `ignore`. */
  readonly failurePolicy: 'fail' | 'ignore';
  /** How long `/readyz` fails and the server keeps serving after SIGTERM, before it closes. */
  readonly shutdownDelayMs: number;
  /** After the delay, how long open requests may take before their connections are cut. */
  readonly shutdownTimeoutMs?: number;
  readonly maxBodyBytes?: number;
  /** Whole-request limit (headers and body) against slow clients. */
  readonly requestTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
  /** TLS handshake limit. */
  readonly handshakeTimeoutMs?: number;
  /** How often the certificate files are compared even without a watch event. */
  readonly certPollMs?: number;
  readonly log: (line: string) => void;
  /** Replaces the review (tests: an internal error). */
  readonly review?: (webhook: Webhook, request: AdmissionRequest, options: ReviewOptions) => ReviewResult;
}

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  readonly metrics: ServerMetrics;
  /** True until shutdown starts. */
  ready(): boolean;
  /** Re-reads the certificate files now (also done on file changes); true when they changed. */
  reloadCertificates(): boolean;
  /** Starts the graceful shutdown (as on SIGTERM); resolves when the server has closed. */
  shutdown(): Promise<void>;
  /** Resolves when the server has closed. */
  readonly closed: Promise<void>;
}

interface KeyPair {
  readonly cert: string;
  readonly key: string;
  readonly digest: string;
}

function readKeyPair(certFile: string, keyFile: string): KeyPair {
  const cert = readFileSync(certFile, 'utf8');
  const key = readFileSync(keyFile, 'utf8');
  // Throws when the pair is unreadable or does not match: then the old pair stays in use.
  createSecureContext({ cert, key });
  return { cert, key, digest: createHash('sha256').update(cert).update('\0').update(key).digest('hex') };
}

/** JSON is UTF-8 (RFC 8259 §8.1); a body that is not is refused rather than read with U+FFFD. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const JSON_TYPE = /^application\/json\s*(?:;|$)/i;
const KNOWN_PATHS = new Set(['/validate', '/mutate', '/healthz', '/readyz', '/metrics']);

function send(res: ServerResponse, code: number, body: string, type = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** A metav1.Status body for a request that is not a review the server can answer. */
function sendStatus(res: ServerResponse, code: number, reason: string, message: string, headers: Record<string, string> = {}): void {
  send(res, code, JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code }) + '\n', 'application/json', headers);
}

/** Ends the connection once the response is out, without reading the rest of an oversized body. */
function closeAfterResponse(req: IncomingMessage, res: ServerResponse): void {
  if (res.writableFinished) req.socket.destroy();
  else res.once('finish', () => req.socket.destroy());
}

/** Reads a body up to `limit` bytes; resolves undefined (after answering 413) when it is larger. */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        sendStatus(res, 413, 'RequestEntityTooLarge', `the body is larger than ${limit} bytes`, { Connection: 'close' });
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/** Starts the server; resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const metrics = createMetrics();
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const review = options.review ?? ((webhook, request, reviewOptions) => (webhook === 'validate' ? validateReview(request, reviewOptions) : mutateReview(request, reviewOptions)));
  let pair: KeyPair;
  try {
    pair = readKeyPair(options.certFile, options.keyFile);
  } catch (error: unknown) {
    throw new RollsafeError('invalid-certificate', `${options.certFile}, ${options.keyFile}: cannot use the certificate (${error instanceof Error ? error.message : String(error)})`);
  }
  let shuttingDown = false;

  const server = createServer({
    cert: pair.cert,
    key: pair.key,
    minVersion: 'TLSv1.2',
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    headersTimeout: options.headersTimeoutMs ?? 5_000,
    handshakeTimeout: options.handshakeTimeoutMs ?? 5_000,
    // How often the request and header timeouts are checked (Node's default is 30 s).
    connectionsCheckingInterval: Math.min(1_000, options.headersTimeoutMs ?? 5_000),
    keepAliveTimeout: 30_000,
  });

  async function handleReview(webhook: Webhook, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const type = req.headers['content-type'] ?? '';
    if (!JSON_TYPE.test(type)) {
      metrics.observeRejected(path, 415);
      sendStatus(res, 415, 'UnsupportedMediaType', `expected Content-Type application/json, got ${type === '' ? 'none' : JSON.stringify(type)}`);
      return;
    }
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      metrics.observeRejected(path, 413);
      sendStatus(res, 413, 'RequestEntityTooLarge', `the body is larger than ${limit} bytes`, { Connection: 'close' });
      closeAfterResponse(req, res);
      return;
    }
    const body = await readBody(req, res, limit);
    if (body === undefined) {
      metrics.observeRejected(path, 413);
      closeAfterResponse(req, res);
      return;
    }
    const start = performance.now();
    let parsed: unknown;
    let text: string;
    try {
      text = UTF8.decode(body);
    } catch {
      metrics.observeRejected(path, 400);
      sendStatus(res, 400, 'BadRequest', 'the body is not UTF-8');
      return;
    }
    try {
      parsed = JSON.parse(text);
    } catch (error: unknown) {
      metrics.observeRejected(path, 400);
      sendStatus(res, 400, 'BadRequest', `the body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    let request: AdmissionRequest;
    try {
      request = parseReview(parsed);
    } catch (error: unknown) {
      if (!(isRollsafeError(error, 'bad-review'))) throw error;
      metrics.observeRejected(path, 400);
      sendStatus(res, 400, 'BadRequest', `not an AdmissionReview request: ${error.message}`);
      return;
    }
    const kind = JUDGED_KINDS.get(request.kind.group)?.has(request.kind.kind) ? request.kind.kind : 'other';
    let result: ReviewResult;
    try {
      result = review(webhook, request, options);
    } catch (error: unknown) {
      if (isRollsafeError(error, 'bad-review')) {
        metrics.observeRejected(path, 400);
        sendStatus(res, 400, 'BadRequest', `not an AdmissionReview request: ${error.message}`);
        return;
      }
      const reason = error instanceof Error ? error.message : String(error);
      options.log(`review ${request.uid} (${webhook} ${request.kind.kind} ${request.namespace}/${request.name}) failed: ${reason}`);
      result = { response: failureResponse(request.uid, options.failurePolicy, reason), decision: 'error', findings: [] };
    }
    const seconds = (performance.now() - start) / 1000;
    metrics.observeReview(webhook, kind, request.operation, result.decision, seconds, result.findings);
    send(res, 200, JSON.stringify(reviewOf(result.response)), 'application/json');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const label = KNOWN_PATHS.has(path) ? path : 'other';
    const webhook: Webhook | undefined = path === '/validate' ? 'validate' : path === '/mutate' ? 'mutate' : undefined;
    if (webhook) {
      if (req.method !== 'POST') {
        metrics.observeRejected(label, 405);
        sendStatus(res, 405, 'MethodNotAllowed', `${path} takes POST`, { Allow: 'POST' });
        return;
      }
      await handleReview(webhook, req, res, label);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      metrics.observeRejected(label, 405);
      sendStatus(res, 405, 'MethodNotAllowed', `${path} takes GET`, { Allow: 'GET, HEAD' });
      return;
    }
    if (path === '/healthz') send(res, 200, 'ok\n');
    else if (path === '/readyz') send(res, shuttingDown ? 503 : 200, shuttingDown ? 'shutting down\n' : 'ok\n');
    else if (path === '/metrics') send(res, 200, await metrics.registry.metrics(), metrics.registry.contentType);
    else {
      metrics.observeRejected(label, 404);
      sendStatus(res, 404, 'NotFound', `no ${path}; the server answers /validate, /mutate, /healthz, /readyz and /metrics`);
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // From the start of the shutdown, every response ends its keep-alive connection.
    if (shuttingDown) res.setHeader('Connection', 'close');
    handle(req, res).catch((error: unknown) => {
      // A defect of the adapter itself: answer 500 and keep serving.
      options.log(`request ${req.method ?? ''} ${req.url ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
      sendStatus(res, 500, 'InternalError', 'internal error');
    });
  });
  // Errors before a request is read: TLS (plain HTTP to this port, a handshake that fails or
  // times out) and HTTP (a timeout, a request line or header Node cannot parse).
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
    const code = error.code ?? '';
    if (code === 'ERR_SSL_HTTP_REQUEST') {
      // Plain HTTP to the TLS port: answer as Go's servers do, in plain text on the raw socket
      // (Node keeps it as the TLS socket's `_parent`).
      const raw = (socket as unknown as { _parent?: unknown })._parent;
      metrics.observeRejected('plain-http', 400);
      if (raw instanceof Socket && raw.writable) {
        raw.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
        return;
      }
    }
    if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  // Every raw connection, so that a shutdown past its deadline can end even half-open ones.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  function reloadCertificates(): boolean {
    let next: KeyPair;
    try {
      next = readKeyPair(options.certFile, options.keyFile);
    } catch (error: unknown) {
      // A rotator may be halfway through writing: keep the pair in use and try on the next change.
      options.log(`certificate reload skipped: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
    if (next.digest === pair.digest) return false;
    server.setSecureContext({ cert: next.cert, key: next.key, minVersion: 'TLSv1.2' });
    pair = next;
    options.log('certificate reloaded');
    return true;
  }

  // Rotators replace the files in place or swap a symlinked directory (Secret volumes): watch the
  // folders, and compare the contents now and then in case an event is missed.
  const watchers: FSWatcher[] = [];
  let debounce: NodeJS.Timeout | undefined;
  for (const dir of new Set([dirname(options.certFile), dirname(options.keyFile)])) {
    try {
      const watcher = watch(dir, () => {
        if (debounce) clearTimeout(debounce);
        debounce = setTimeout(reloadCertificates, 50);
      });
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    } catch (error: unknown) {
      options.log(`cannot watch ${dir} (${error instanceof Error ? error.message : String(error)}); polling only`);
    }
  }
  const poll = setInterval(reloadCertificates, options.certPollMs ?? 60_000);
  poll.unref();

  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  server.on('close', () => {
    for (const w of watchers) w.close();
    clearInterval(poll);
    if (debounce) clearTimeout(debounce);
    resolveClosed();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: Error) => {
      server.close();
      reject(new RollsafeError('cannot-listen', `cannot listen on port ${options.port}: ${error.message}`));
    });
    server.listen(options.port, options.host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;

  let shutdownPromise: Promise<void> | undefined;
  function shutdown(): Promise<void> {
    if (shutdownPromise) return shutdownPromise;
    shuttingDown = true;
    options.log(`shutting down: /readyz fails now; serving for ${options.shutdownDelayMs} ms more`);
    shutdownPromise = new Promise<void>((resolve) => {
      setTimeout(() => {
        // Stop accepting, close idle keep-alive connections; busy ones close after their response.
        server.close();
        server.closeIdleConnections();
        const hard = setTimeout(() => {
          server.closeAllConnections();
          for (const socket of sockets) socket.destroy();
        }, options.shutdownTimeoutMs ?? 5_000);
        hard.unref();
        void closed.then(() => {
          clearTimeout(hard);
          options.log('shut down');
          resolve();
        });
      }, options.shutdownDelayMs);
    });
    return shutdownPromise;
  }

  return { server, port, metrics, ready: () => !shuttingDown, reloadCertificates, shutdown, closed };
}
