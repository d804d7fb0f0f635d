/**
 * `rollsafe serve`: the admission webhook (src/server). Runs until SIGTERM or SIGINT, then shuts
 * down gracefully; `--self-signed DIR` writes development certificates instead and exits.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateCertificates, serviceDnsNames } from '../server/certs.js';
import { startServer } from '../server/https.js';
import type { Mode } from '../server/review.js';
import type { Io } from './io.js';
import { ANALYSIS_OPTIONS, resolveAnalysis } from './options.js';
import { reportError } from './report-error.js';
import { RollsafeError } from '../errors.js';

export const SERVE_HELP = `Usage: rollsafe serve --tls-cert FILE --tls-key FILE [options]
       rollsafe serve --self-signed DIR [--dns-name NAME]...

An admission webhook (AdmissionReview admission.k8s.io/v1) over HTTPS (TLS 1.2+):
  POST /validate   judges Deployments, StatefulSets, DaemonSets, ReplicaSets,
                   ReplicationControllers and bare Pods with the rules that need no other object
  POST /mutate     the fixes of \`rollsafe fix\` as a JSON Patch
  GET  /healthz, /readyz, /metrics (Prometheus)
The certificate files are re-read when they change. See docs/serve.md.

Options:
      --tls-cert FILE          serving certificate (PEM)
      --tls-key FILE           its private key (PEM)
      --mode MODE              enforce (default: deny on error-level findings) or warn (never deny)
      --port N                 port to listen on (default 8443)
      --host ADDRESS           address to listen on (default: all)
      --failure-policy P       answer of a review that fails inside the server: ignore (default,
                               allowed) or fail (denied)
      --shutdown-delay S       seconds /readyz fails and the server keeps serving after SIGTERM
                               before it closes (default 5)
  -p, --profile NAME|FILE      cluster profile (default generic)
      --k8s-version 1.N        Kubernetes version of the cluster (default: the profile's)
      --rule ID=LEVEL          set a rule's severity or turn it off; repeatable
  -c, --config FILE            config file (default: ./.rollsafe.yaml when present)
      --self-signed DIR        write ca.crt, ca.key, tls.crt and tls.key for the Service
                               rollsafe.rollsafe-system.svc into DIR, print the caBundle, exit
      --dns-name NAME          another name for the serving certificate; repeatable
`;

const SERVE_OPTIONS = {
  ...ANALYSIS_OPTIONS,
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  mode: { type: 'string', default: 'enforce' },
  port: { type: 'string', default: '8443' },
  host: { type: 'string' },
  'failure-policy': { type: 'string', default: 'ignore' },
  'shutdown-delay': { type: 'string', default: '5' },
  'self-signed': { type: 'string' },
  'dns-name': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

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

function seconds(value: string, option: string): number {
  if (!/^\d+(?:\.\d+)?$/.test(value)) throw new RollsafeError('usage', `${option} takes seconds, got \`${value}\``);
  return Math.round(Number(value) * 1000);
}

/**
 * Runs `rollsafe serve` with the arguments after `serve`: a number for help, usage errors and
 * `--self-signed`; otherwise a promise of the exit code, settled once the server has shut down.
 */
export function runServe(args: string[], io: Io): number | Promise<number> {
  try {
    const { values } = parseArgs({ args, options: SERVE_OPTIONS });
    if (values.help) {
      io.stdout(SERVE_HELP);
      return 0;
    }
    if (values['self-signed'] !== undefined) return writeSelfSigned(values['self-signed'], values['dns-name'] ?? [], io);
    const certFile = values['tls-cert'];
    const keyFile = values['tls-key'];
    if (certFile === undefined || keyFile === undefined) throw new RollsafeError('usage', 'serve needs --tls-cert FILE and --tls-key FILE (or --self-signed DIR to make them)');
    const mode = values.mode;
    if (mode !== 'enforce' && mode !== 'warn') throw new RollsafeError('usage', `unknown --mode ${mode}; use enforce or warn`);
    const failurePolicy = values['failure-policy'];
    if (failurePolicy !== 'fail' && failurePolicy !== 'ignore') throw new RollsafeError('usage', `unknown --failure-policy ${failurePolicy}; use fail or ignore`);
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RollsafeError('usage', `--port takes a port number, got \`${values.port}\``);
    const shutdownDelayMs = seconds(values['shutdown-delay'], '--shutdown-delay');
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
  } catch (error: unknown) {
    return reportError(error, io);
  }
}
