/**
 * The HTTPS adapter over real TLS: reviews in and out (both checked against the AdmissionReview
 * v1 schema), metrics, certificate rotation without dropping a connection, the graceful shutdown,
 * internal errors per the failure policy, and `rollsafe serve` itself.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { generateCertificates, serviceDnsNames } from '../../src/server/certs.js';
import type { RunningServer } from '../../src/server/https.js';
import { WEBHOOK_LATENCY_BUCKETS } from '../../src/server/metrics.js';
import { captureIo } from '../helpers.js';
import { apiServerDeployment, decodePatch, postReview, reviewFor, safeDeployment, schemaErrors, send, startTestServer, testCertificates, writeCertificates } from './helpers.js';

async function stop(server: RunningServer): Promise<void> {
  server.server.closeAllConnections();
  server.server.close();
  await server.closed;
}

describe('reviews over TLS', () => {
  let server: RunningServer;
  beforeAll(async () => {
    ({ server } = await startTestServer());
  });
  afterAll(() => stop(server));

  it('/validate denies an error-level finding with the uid echoed, as a schema-valid AdmissionReview', async () => {
    const review = reviewFor(apiServerDeployment('web', 'shop', { readinessProbe: { tcpSocket: { port: 'admin' } } }));
    const { status, review: answer, response } = await postReview(server.port, '/validate', review);
    expect(status).toBe(200);
    expect(schemaErrors(answer)).toEqual([]);
    expect(answer).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
    expect(response['uid']).toBe((review['request'] as { uid: string }).uid);
    expect(response['allowed']).toBe(false);
    expect(response['status']).toMatchObject({ code: 403, reason: 'Forbidden' });
  });

  it('/mutate returns a JSON Patch that makes the object pass /validate', async () => {
    const object = apiServerDeployment();
    const { review: answer, response } = await postReview(server.port, '/mutate', reviewFor(object));
    expect(schemaErrors(answer)).toEqual([]);
    expect(response['patchType']).toBe('JSONPatch');
    const patch = decodePatch(response);
    expect(patch).toHaveLength(3);
    const { default: jsonPatch } = await import('fast-json-patch');
    const patched = jsonPatch.applyPatch(structuredClone(object), patch as Parameters<typeof jsonPatch.applyPatch>[1], true, false).newDocument;
    const again = await postReview(server.port, '/validate', reviewFor(patched));
    expect(again.response['allowed']).toBe(true);
    expect(again.response['warnings']).toBeUndefined();
    expect((await postReview(server.port, '/mutate', reviewFor(patched))).response['patch']).toBeUndefined();
  });

  it('/healthz and /readyz answer 200 while serving', async () => {
    expect((await send(server.port, '/healthz')).status).toBe(200);
    expect((await send(server.port, '/readyz')).body).toBe('ok\n');
  });

  it('/metrics counts reviews by kind, operation and decision, latency in the API server buckets, findings by rule', async () => {
    await postReview(server.port, '/validate', reviewFor(safeDeployment()));
    await postReview(server.port, '/validate', reviewFor(apiServerDeployment(), { operation: 'UPDATE' }));
    const res = await send(server.port, '/metrics');
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toContain('rollsafe_admission_reviews_total{webhook="validate",kind="Deployment",operation="CREATE",decision="denied"} 1');
    expect(text).toContain('rollsafe_admission_reviews_total{webhook="validate",kind="Deployment",operation="UPDATE",decision="allowed"} 1');
    expect(text).toContain('rollsafe_admission_reviews_total{webhook="mutate",kind="Deployment",operation="CREATE",decision="patched"} 1');
    const buckets = [...text.matchAll(/rollsafe_admission_review_duration_seconds_bucket\{le="([^"]+)",webhook="validate",decision="denied"\}/g)].map((m) => m[1]);
    expect(buckets).toEqual([...WEBHOOK_LATENCY_BUCKETS.map(String), '+Inf']);
    expect(text).toContain('rollsafe_admission_findings_total{rule="readiness-probe-port-mismatch",severity="error"} 1');
    expect(text).toContain('rollsafe_admission_findings_total{rule="prestop-missing",severity="warning"} 2');
    expect(text).toMatch(/^rollsafe_process_resident_memory_bytes \d+/m);
  });
});

describe('certificate rotation', () => {
  it('serves the new certificate on new connections once the files change, and keeps open connections', async () => {
    const first = testCertificates();
    const second = generateCertificates({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const files = writeCertificates(first);
    const { server, logs } = await startTestServer({ certFile: files.certFile, keyFile: files.keyFile, certPollMs: 60_000 });
    const ca = first.caCert + second.caCert;
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca });
    const firstSerial = new X509Certificate(first.cert).serialNumber;
    const secondSerial = new X509Certificate(second.cert).serialNumber;
    try {
      const before = await send(server.port, '/healthz', { agent, ca });
      expect(before.serial).toBe(firstSerial);
      // Half a rotation (a new certificate beside the old key) is not taken.
      writeFileSync(join(files.dir, 'tls.crt.new'), second.cert);
      renameSync(join(files.dir, 'tls.crt.new'), files.certFile);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(logs.some((l) => l.startsWith('certificate reload skipped'))).toBe(true);
      expect((await send(server.port, '/healthz', { ca })).serial).toBe(firstSerial);
      writeFileSync(join(files.dir, 'tls.key.new'), second.key);
      renameSync(join(files.dir, 'tls.key.new'), files.keyFile);
      for (let i = 0; i < 40 && !logs.includes('certificate reloaded'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(logs).toContain('certificate reloaded');
      // The keep-alive connection opened before the rotation still works, on the old certificate.
      const kept = await send(server.port, '/healthz', { agent, ca });
      expect(kept.status).toBe(200);
      expect(kept.serial).toBe(firstSerial);
      const fresh = await send(server.port, '/healthz', { ca });
      expect(fresh.serial).toBe(secondSerial);
      expect(readFileSync(files.certFile, 'utf8')).toBe(second.cert);
    } finally {
      agent.destroy();
      await stop(server);
    }
  });
});

describe('graceful shutdown', () => {
  it('fails /readyz at once, keeps serving through the delay, then closes keep-alive connections and stops', async () => {
    const { server } = await startTestServer({ shutdownDelayMs: 400 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await send(server.port, '/readyz', { agent })).status).toBe(200);
    const start = performance.now();
    const done = server.shutdown();
    expect(server.ready()).toBe(false);
    const readyz = await send(server.port, '/readyz', { agent });
    expect(readyz.status).toBe(503);
    expect(readyz.headers['connection']).toBe('close');
    const during = await postReview(server.port, '/validate', reviewFor(safeDeployment()), agent);
    expect(during.response['allowed']).toBe(true);
    await done;
    const elapsed = performance.now() - start;
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(2_000);
    await expect(send(server.port, '/healthz')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    agent.destroy();
  });

  it('rollsafe serve stops on SIGTERM with exit code 0', async () => {
    const files = writeCertificates(testCertificates());
    const handlers = new Map<string, () => void>();
    const { io, out } = captureIo();
    const exit = run(['serve', '--tls-cert', files.certFile, '--tls-key', files.keyFile, '--port', '0', '--host', '127.0.0.1', '--shutdown-delay', '0.2', '--mode', 'warn'], {
      ...io,
      onSignal: (signal, handler) => handlers.set(signal, handler),
    });
    expect(typeof exit).not.toBe('number');
    for (let i = 0; i < 100 && !handlers.has('SIGTERM'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const port = Number(/listening on :(\d+)/.exec(out().stderr)?.[1]);
    const { response } = await postReview(port, '/validate', reviewFor(apiServerDeployment('web', 'shop', { readinessProbe: { tcpSocket: { port: 'admin' } } })));
    expect(response['allowed']).toBe(true);
    handlers.get('SIGTERM')?.();
    expect(await exit).toBe(0);
    expect(out().stderr).toContain('mode warn, profile generic, Kubernetes 1.30');
    expect(out().stderr).toContain('rollsafe serve: shut down');
  });
});

describe('internal errors', () => {
  for (const failurePolicy of ['ignore', 'fail'] as const) {
    it(`answer with the uid echoed and allowed ${String(failurePolicy === 'ignore')} under --failure-policy ${failurePolicy}, and the server stays up`, async () => {
      const { server, logs } = await startTestServer({
        failurePolicy,
        review: () => {
          throw new Error('rule engine exploded');
        },
      });
      try {
        const review = reviewFor(safeDeployment());
        const { status, review: answer, response } = await postReview(server.port, '/validate', review);
        expect(status).toBe(200);
        expect(schemaErrors(answer)).toEqual([]);
        expect(response['uid']).toBe((review['request'] as { uid: string }).uid);
        expect(response['allowed']).toBe(failurePolicy === 'ignore');
        expect(JSON.stringify(response)).toContain('rollsafe could not review this object: rule engine exploded');
        expect(logs.some((l) => l.includes('rule engine exploded'))).toBe(true);
        expect((await send(server.port, '/healthz')).status).toBe(200);
        expect((await send(server.port, '/metrics')).body).toContain('decision="error"} 1');
      } finally {
        await stop(server);
      }
    });
  }
});

describe('rollsafe serve --self-signed', () => {
  it('writes a CA and a serving certificate for the Service names and prints the caBundle', () => {
    const dir = writeCertificates(testCertificates()).dir;
    const { io, out } = captureIo();
    expect(run(['serve', '--self-signed', join(dir, 'out')], io)).toBe(0);
    const caBundle = out().stdout.trim();
    const ca = readFileSync(join(dir, 'out', 'ca.crt'), 'utf8');
    expect(Buffer.from(caBundle, 'base64').toString('utf8')).toBe(ca);
    const cert = new X509Certificate(readFileSync(join(dir, 'out', 'tls.crt'), 'utf8'));
    expect(cert.subjectAltName).toBe(serviceDnsNames().map((n) => `DNS:${n}`).join(', '));
    expect(serviceDnsNames()).toContain('rollsafe.rollsafe-system.svc');
    expect(cert.verify(new X509Certificate(ca).publicKey)).toBe(true);
    expect(new X509Certificate(ca).ca).toBe(true);
    expect(cert.ca).toBe(false);
  });

  it('reports a folder it cannot write as an unwritable output, not as an internal error', () => {
    const dir = writeCertificates(testCertificates()).dir;
    // A file where the folder should be: mkdir fails whoever runs the test (root included).
    const blocked = join(dir, 'tls.crt', 'out');
    const { io, out } = captureIo();
    expect(run(['serve', '--self-signed', blocked], io)).toBe(2);
    expect(out().stderr).toBe(`rollsafe: ${blocked}: cannot write the certificates (ENOTDIR: not a directory, mkdir '${blocked}')\n`);
  });

  it('refuses to start without certificates, with a usage error', () => {
    const { io, out } = captureIo();
    expect(run(['serve'], io)).toBe(2);
    expect(out().stderr).toContain('serve needs --tls-cert FILE and --tls-key FILE');
    expect(run(['serve', '--tls-cert', 'a', '--tls-key', 'b', '--mode', 'audit'], io)).toBe(2);
    expect(out().stderr).toContain('unknown --mode audit');
  });
});
