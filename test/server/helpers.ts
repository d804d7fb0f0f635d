/**
 * Shared pieces of the server tests: AdmissionReview v1 bodies shaped as the API server sends them
 * (checked against the documented schema), certificates, a server on a free port, and a real
 * node:https client.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest, type Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import type { Profile } from '../../src/profiles/types.js';
import { generateCertificates, type CertificateSet } from '../../src/server/certs.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/https.js';
import { ROOT } from '../helpers.js';

export function profileNamed(name: string): Profile {
  const profile = findBuiltinProfile(name);
  if (!profile) throw new Error(`no profile ${name}`);
  return profile;
}

type Validator = ((data: unknown) => boolean) & { errors?: unknown[] | null };
const AjvClass = (Ajv as unknown as { default?: typeof Ajv }).default ?? Ajv;
const ajv = new (AjvClass as unknown as new (options: Record<string, unknown>) => { compile: (schema: unknown) => Validator })({ allErrors: true, strict: false });
const validateSchema = ajv.compile(JSON.parse(readFileSync(`${ROOT}test/server/admission-review-v1.schema.json`, 'utf8')) as unknown);

/** The schema's errors for a review body (empty when it is valid). */
export function schemaErrors(review: unknown): unknown[] {
  return validateSchema(review) ? [] : (validateSchema.errors ?? ['invalid']);
}

let uidCounter = 0;

/** A fresh request uid, as the API server makes them. */
function nextUid(): string {
  uidCounter++;
  return `0f3c5a7e-8d2b-4c1e-9a6f-${uidCounter.toString(16).padStart(12, '0')}`;
}

const RESOURCES: Record<string, string> = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets', ReplicaSet: 'replicasets', Pod: 'pods', ReplicationController: 'replicationcontrollers', Secret: 'secrets', Service: 'services' };

/** An AdmissionReview v1 request for an object, as the API server sends it; throws when the body breaks the schema. */
export function reviewFor(object: Record<string, unknown>, options: { operation?: string; dryRun?: boolean; uid?: string; subResource?: string; oldObject?: Record<string, unknown> } = {}): Record<string, unknown> {
  const apiVersion = String(object['apiVersion']);
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  const kind = String(object['kind']);
  const metadata = (object['metadata'] ?? {}) as Record<string, unknown>;
  const gvk = { group, version, kind };
  const gvr = { group, version, resource: RESOURCES[kind] ?? `${kind.toLowerCase()}s` };
  const operation = options.operation ?? 'CREATE';
  const review = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? nextUid(),
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      ...(options.subResource ? { subResource: options.subResource, requestSubResource: options.subResource } : {}),
      name: String(metadata['name'] ?? ''),
      namespace: String(metadata['namespace'] ?? ''),
      operation,
      userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
      object: operation === 'DELETE' ? null : object,
      oldObject: operation === 'UPDATE' || operation === 'DELETE' ? (options.oldObject ?? object) : null,
      dryRun: options.dryRun ?? false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: operation === 'DELETE' ? 'DeleteOptions' : operation === 'UPDATE' ? 'UpdateOptions' : 'CreateOptions', fieldManager: 'kubectl-client-side-apply' },
    },
  };
  const errors = schemaErrors(review);
  if (errors.length > 0) throw new Error(`test review breaks the AdmissionReview v1 schema: ${JSON.stringify(errors)}`);
  return review;
}

/**
 * A Deployment as the API server holds it at admission: its defaults filled in (strategy 25 %,
 * grace 30 s, probes' and ports' defaults), managedFields, and an empty status.
 */
export function apiServerDeployment(name = 'web', namespace = 'shop', container: Record<string, unknown> = {}, spec: Record<string, unknown> = {}, annotations?: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace,
      ...(annotations ? { annotations } : {}),
      labels: { app: name },
      managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', time: '2026-12-04T23:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }],
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name,
              image: 'registry.example.com/shop/web:2.4.1',
              ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
              resources: {},
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              imagePullPolicy: 'IfNotPresent',
              ...container,
            },
          ],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          securityContext: {},
          schedulerName: 'default-scheduler',
        },
      },
      ...spec,
    },
    status: {},
  };
}

/** A Deployment that every rule judged by serve passes under the generic profile. */
export function safeDeployment(name = 'safe', namespace = 'shop'): Record<string, unknown> {
  const deployment = apiServerDeployment(
    name,
    namespace,
    {
      readinessProbe: { httpGet: { path: '/ready', port: 'http', scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
      lifecycle: { preStop: { sleep: { seconds: 15 } } },
    },
    { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } },
  );
  // preStop 15 s + the generic profile's 30 s app drain.
  ((deployment['spec'] as { template: { spec: Record<string, unknown> } }).template.spec)['terminationGracePeriodSeconds'] = 45;
  return deployment;
}

let certificates: CertificateSet | undefined;

/** One CA and serving certificate for localhost, made once per test file. */
export function testCertificates(): CertificateSet {
  certificates ??= generateCertificates({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  return certificates;
}

/** Writes a certificate pair into a new temporary folder; returns the file paths. */
export function writeCertificates(set: CertificateSet): { dir: string; certFile: string; keyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rollsafe-serve-'));
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  writeFileSync(certFile, set.cert);
  writeFileSync(keyFile, set.key);
  return { dir, certFile, keyFile };
}

/** Starts a server on a free loopback port with test certificates. */
export async function startTestServer(overrides: Partial<ServerOptions> = {}): Promise<{ server: RunningServer; logs: string[]; dir: string }> {
  const logs: string[] = [];
  const files = overrides.certFile ? { dir: '', certFile: overrides.certFile, keyFile: overrides.keyFile ?? '' } : writeCertificates(testCertificates());
  const server = await startServer({
    certFile: files.certFile,
    keyFile: files.keyFile,
    port: 0,
    host: '127.0.0.1',
    mode: 'enforce',
    failurePolicy: 'ignore',
    shutdownDelayMs: 200,
    profile: profileNamed('generic'),
    ruleSeverities: {},
    log: (line) => logs.push(line),
    ...overrides,
  });
  return { server, logs, dir: files.dir };
}

export interface HttpsResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The serving certificate's serial number (hex), as the client saw it. */
  readonly serial: string;
}

/** One real HTTPS request that trusts the test CA. */
export function send(port: number, path: string, options: { method?: string; body?: string | Buffer; headers?: Record<string, string>; agent?: Agent; ca?: string } = {}): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port,
        path,
        method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
        ca: options.ca ?? testCertificates().caCert,
        // An empty header value means: send no such header.
        headers: Object.fromEntries(Object.entries({ ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...options.headers }).filter(([, v]) => v !== '')),
        ...(options.agent ? { agent: options.agent } : { agent: false }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        const socket = res.socket as import('node:tls').TLSSocket;
        const serial = socket.getPeerCertificate().serialNumber ?? '';
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), serial }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** POSTs a review and returns the parsed AdmissionReview response (schema-checked). */
export async function postReview(port: number, path: '/validate' | '/mutate', review: unknown, agent?: Agent): Promise<{ status: number; review: Record<string, unknown>; response: Record<string, unknown> }> {
  const res = await send(port, path, { body: JSON.stringify(review), ...(agent ? { agent } : {}) });
  const parsed = JSON.parse(res.body) as Record<string, unknown>;
  return { status: res.status, review: parsed, response: (parsed['response'] ?? {}) as Record<string, unknown> };
}

/** Decodes a response's base64 JSON Patch. */
export function decodePatch(response: Record<string, unknown>): unknown[] {
  const patch = response['patch'];
  return typeof patch === 'string' ? (JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as unknown[]) : [];
}
