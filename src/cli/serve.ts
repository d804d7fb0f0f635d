/**
 * `rollsafe serve`: the admission webhook (src/server). Runs until SIGTERM or SIGINT, then shuts
 * down gracefully; `--self-signed DIR` writes development certificates instead and exits.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCertificates, serviceDnsNames } from '../server/certs.js';
import { startServer } from '../server/https.js';
import type { Mode } from '../server/review.js';
import { defineCommand, type OptionTable, type Parsed } from './command.js';
import type { Io } from './io.js';
import { ANALYSIS_OPTIONS, resolveAnalysis } from './options.js';
import { reportError } from './report-error.js';
import { RollsafeError } from '../errors.js';

/** The options of `serve`. */
const SERVE_OPTIONS = {
  'tls-cert': { type: 'string', value: 'FILE', description: 'serving certificate (PEM)' },
  'tls-key': { type: 'string', value: 'FILE', description: 'its private key (PEM)' },
  mode: { type: 'string', value: 'MODE', choices: ['enforce', 'warn'], default: 'enforce', description: 'enforce denies on error-level findings; warn never denies' },
  port: { type: 'integer', value: 'N', min: 0, max: 65535, default: 8443, description: 'port to listen on' },
  host: { type: 'string', value: 'ADDRESS', defaultText: 'all', description: 'address to listen on' },
  'failure-policy': { type: 'string', value: 'P', choices: ['ignore', 'fail'], default: 'ignore', description: 'answer of a review that fails inside the server: ignore (allowed) or fail (denied)' },
  'shutdown-delay': { type: 'number', value: 'S', min: 0, default: 5, description: 'seconds /readyz fails and the server keeps serving after SIGTERM before it closes' },
  profile: ANALYSIS_OPTIONS.profile,
  'k8s-version': ANALYSIS_OPTIONS['k8s-version'],
  rule: ANALYSIS_OPTIONS.rule,
  config: ANALYSIS_OPTIONS.config,
  'self-signed': { type: 'string', value: 'DIR', description: 'write ca.crt, ca.key, tls.crt and tls.key for the Service rollsafe.rollsafe-system.svc into DIR, print the caBundle, exit' },
  'dns-name': { type: 'string', value: 'NAME', repeatable: true, description: 'another name for the serving certificate' },
} as const satisfies OptionTable;

export const SERVE = defineCommand({
  name: 'serve',
  summary: 'an admission webhook: /validate, /mutate (the fixes), /metrics',
  usage: ['--tls-cert FILE --tls-key FILE [options]', '--self-signed DIR [--dns-name NAME]...'],
  description: `An admission webhook (AdmissionReview admission.k8s.io/v1) over HTTPS (TLS 1.2+): POST /validate
judges Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers and bare Pods with
the rules that need no other object; POST /mutate returns the fixes of \`rollsafe fix\` as a JSON
Patch; GET /healthz, /readyz and /metrics (Prometheus). The certificate files are re-read when they
change. It runs until SIGTERM or SIGINT, then shuts down gracefully. See docs/serve.md.`,
  arguments: [],
  options: SERVE_OPTIONS,
  examples: ['rollsafe serve --self-signed certs/', 'rollsafe serve --tls-cert certs/tls.crt --tls-key certs/tls.key --profile eks-alb-ip'],
  asyncOnly: 'serve runs until it is stopped; start it with run(), as the rollsafe program does',
  run: serve,
});

function writeSelfSigned(dir: string, extraNames: readonly string[], io: Io): number {
  const certs = generateCertificates({ dnsNames: [...serviceDnsNames(), ...extraNames] });
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ca.crt'), certs.caCert);
    writeFileSync(join(dir, 'ca.key'), certs.caKey, { mode: 0o600 });
    writeFileSync(join(dir, 'tls.crt'), certs.cert);
    writeFileSync(join(dir, 'tls.key'), certs.key, { mode: 0o600 });
  } catch (error: unknown) {
    throw new RollsafeError('unwritable-output', `${dir}: cannot write the certificates (${error instanceof Error ? error.message : String(error)})`, { file: dir });
  }
  io.stderr(`rollsafe: wrote ca.crt, ca.key, tls.crt and tls.key to ${dir} for ${[...serviceDnsNames(), ...extraNames].join(', ')}\ncaBundle (for clientConfig.caBundle):\n`);
  io.stdout(`${certs.caBundle}\n`);
  return 0;
}

/** Starts the server: a promise of the exit code, settled once it has shut down (or a number for `--self-signed`). */
function serve({ values }: Parsed<typeof SERVE_OPTIONS>, io: Io): number | Promise<number> {
  if (values['self-signed'] !== undefined) return writeSelfSigned(values['self-signed'], values['dns-name'], io);
  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  if (certFile === undefined || keyFile === undefined) throw new RollsafeError('usage', 'serve needs --tls-cert FILE and --tls-key FILE (or --self-signed DIR to make them)');
  const { mode, port } = values;
  const failurePolicy = values['failure-policy'];
  const shutdownDelayMs = Math.round(values['shutdown-delay'] * 1000);
  const { profile, ruleSeverities } = resolveAnalysis(values, io);
  const log = (line: string): void => io.stderr(`rollsafe serve: ${line}\n`);
  return startServer({
    certFile,
    keyFile,
    port,
    ...(values.host === undefined ? {} : { host: values.host }),
    mode: mode satisfies Mode,
    failurePolicy,
    shutdownDelayMs,
    profile,
    ruleSeverities,
    log,
  }).then(
    async (running) => {
      log(`listening on :${running.port} (mode ${mode}, profile ${profile.name}, Kubernetes ${profile.k8sVersion})`);
      io.onSignal?.('SIGTERM', () => void running.shutdown());
      io.onSignal?.('SIGINT', () => void running.shutdown());
      await running.closed;
      return 0;
    },
    (error: unknown) => reportError(error, io),
  );
}
