/**
 * A development CA and a serving certificate for the webhook Service (`rollsafe serve
 * --self-signed DIR`), made with node-forge (pure JavaScript; keys from Node's crypto).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type Forge from 'node-forge';

/** The Service the deploy/ manifests create. */
export const SERVICE_NAME = 'rollsafe';
export const SERVICE_NAMESPACE = 'rollsafe-system';

/** The DNS names the API server may use to reach a Service (it calls `<service>.<namespace>.svc`). */
export function serviceDnsNames(service: string = SERVICE_NAME, namespace: string = SERVICE_NAMESPACE): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

export interface CertificateSet {
  /** The CA certificate (PEM): what the webhook configurations' `caBundle` holds, base64-encoded. */
  readonly caCert: string;
  readonly caKey: string;
  /** The serving certificate (PEM), signed by the CA, for the DNS names and IPs asked for. */
  readonly cert: string;
  readonly key: string;
  /** base64 of caCert: paste into `clientConfig.caBundle`. */
  readonly caBundle: string;
}

export interface CertificateOptions {
  readonly dnsNames: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly days?: number;
  /** When the certificates become valid (tests pass a fixed time). */
  readonly now?: Date;
}

/** node-forge, loaded on first use: only `serve --self-signed` makes certificates, and every run of the CLI would pay its start-up. */
function forgeLib(): typeof Forge {
  return createRequire(import.meta.url)('node-forge') as typeof Forge;
}

function keyPair(forge: typeof Forge): { privateKey: Forge.pki.rsa.PrivateKey; publicKey: Forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const key = forge.pki.privateKeyFromPem(privateKey) as Forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) };
}

function serial(): string {
  // Positive: the high bit clear.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

/** Generates a CA and a serving certificate it signs. */
export function generateCertificates(options: CertificateOptions): CertificateSet {
  const now = options.now ?? new Date();
  const notAfter = new Date(now.getTime() + (options.days ?? 365) * 86_400_000);
  const notBefore = new Date(now.getTime() - 60_000);

  const forge = forgeLib();
  const ca = keyPair(forge);
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.publicKey;
  caCert.serialNumber = serial();
  caCert.validity.notBefore = notBefore;
  caCert.validity.notAfter = notAfter;
  const caName = [{ name: 'commonName', value: 'rollsafe webhook CA' }];
  caCert.setSubject(caName);
  caCert.setIssuer(caName);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());

  const leaf = keyPair(forge);
  const cert = forge.pki.createCertificate();
  cert.publicKey = leaf.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: options.dnsNames[0] ?? 'rollsafe' }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    // Names the signing key, so a client that trusts several CAs of the same name (the old and the
    // new one during a rotation) picks the right one.
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    // Type 2 is dNSName, 7 is iPAddress (RFC 5280 §4.2.1.6).
    { name: 'subjectAltName', altNames: [...options.dnsNames.map((value) => ({ type: 2, value })), ...(options.ipAddresses ?? []).map((ip) => ({ type: 7, ip }))] },
  ]);
  cert.sign(ca.privateKey, forge.md.sha256.create());

  const caPem = forge.pki.certificateToPem(caCert);
  return {
    caCert: caPem,
    caKey: forge.pki.privateKeyToPem(ca.privateKey),
    cert: forge.pki.certificateToPem(cert),
    key: forge.pki.privateKeyToPem(leaf.privateKey),
    caBundle: Buffer.from(caPem).toString('base64'),
  };
}
