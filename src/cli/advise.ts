/**
 * `rollsafe advise`: platform facts (flags or a YAML file) → the recommended Service mode, its
 * reasons and trade-offs, and a config that passes `rollsafe check`. Returns an exit code:
 * 0 advised, 2 usage, unreadable input or facts rollsafe cannot advise on.
 */
import { parseArgs } from 'node:util';
import { adviceConfig, workloadFacts, type WorkloadInput } from '../advise/config.js';
import { adviceProfile, decide } from '../advise/decide.js';
import { LB_KINDS, PROVIDERS, type AdviseProvider } from '../advise/facts.js';
import { DEFAULT_K8S_VERSION } from '../schema/kinds.js';
import { parseFactsFile, type FactsInput } from '../advise/facts-file.js';
import { configYaml, formatAdviceJson, formatAdviceText, formatAdviceYaml, type AdvisedConfig, type AdviseResult } from '../advise/format.js';
import { workloadsFromManifests } from '../advise/manifests.js';
import { checkSources } from '../engine/run.js';
import { readSources } from '../load/files.js';
import type { Io } from './io.js';
import { reportError } from './report-error.js';
import { RollsafeError } from '../errors.js';

const ADVISE_HELP = `Usage:
  rollsafe advise --provider P --network-plugin N [options]
  rollsafe advise --file FACTS.yaml [options]

The seed's decision procedure: from platform facts to the Service mode (Cluster, Local, or
pods as LB backends: ACK ENI, AWS IP targets, GKE NEG), the reasons and trade-offs side by side,
and a config that passes \`rollsafe check\` under the matching profile.

Facts:
      --provider P            ${PROVIDERS.join(', ')}
      --network-plugin N      e.g. terway, flannel (alibaba); aws-vpc-cni, calico, cilium (aws);
                              gke-dataplane-v2, vpc-native, calico (gcp); azure-cni, azure-cni-overlay,
                              kubenet, cilium, calico (azure); calico, cilium, flannel, ... (bare-metal)
      --lb KIND               ${PROVIDERS.map((p) => `${p}: ${LB_KINDS[p].join('|')}`).join('; ')} (default: the first)
      --preserve-source-ip    the application must see the client's source IP
      --lb-quota-tight        load balancer quota is tight (many LoadBalancer Services, few addresses)
      --k8s-version 1.N       Kubernetes version (default ${DEFAULT_K8S_VERSION})
      --file FACTS.yaml       the same facts as YAML (provider, networkPlugin, lbKind, preserveSourceIp,
                              lbQuotaTight, k8sVersion, workload); flags override the file

Workload (the config's Deployment; or derive it from manifests with -f):
  -f, --manifests PATH        advise for every Deployment a Service in PATH selects (repeatable)
      --name NAME             (default app)        --namespace NS   (default default)
      --image IMAGE           (default nginx:1.27) --port N         container port (default 80)
      --service-port N        (default: --port)    --replicas N     (default 3, at least 2)
      --health-path PATH      HTTP readiness/health-check path (default: TCP behind an L4 LB, / behind L7)

Output:
      --format FORMAT         text (default), yaml (the config only), json

Exit codes: 0 advised, 2 usage error, unreadable input, or facts rollsafe cannot advise on.
`;

const FORMATS = new Set(['text', 'yaml', 'json']);

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new RollsafeError('usage', `--${flag} expects a whole number, got "${value}"`);
  return Number(value);
}

function readFacts(path: string, io: Io): { facts: FactsInput; workload: WorkloadInput } {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error: unknown) {
    const code = (error as { code?: unknown }).code;
    throw new RollsafeError('unreadable-input', `${path}: cannot read the facts file${code === 'ENOENT' ? ': no such file' : ''}`);
  }
  const file = parseFactsFile(text, path);
  if (file.problems.length > 0) {
    throw new RollsafeError('invalid-facts', `invalid facts file ${path}:\n${file.problems.map((p) => `  ${path}:${p.line}:${p.column}: ${p.message}`).join('\n')}`);
  }
  return { facts: file.facts, workload: file.workload };
}

/** The options of `advise` (parseArgs table). */
export const ADVISE_OPTIONS = {
  provider: { type: 'string' },
  'network-plugin': { type: 'string' },
  lb: { type: 'string' },
  'preserve-source-ip': { type: 'boolean' },
  'lb-quota-tight': { type: 'boolean' },
  'k8s-version': { type: 'string' },
  file: { type: 'string' },
  manifests: { type: 'string', short: 'f', multiple: true },
  name: { type: 'string' },
  namespace: { type: 'string' },
  image: { type: 'string' },
  port: { type: 'string' },
  'service-port': { type: 'string' },
  replicas: { type: 'string' },
  'health-path': { type: 'string' },
  format: { type: 'string', default: 'text' },
  help: { type: 'boolean', short: 'h' },
} as const;

function advise(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: ADVISE_OPTIONS,
  });
  if (values.help) {
    io.stdout(ADVISE_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new RollsafeError('usage', `advise takes no PATH (got ${positionals.join(' ')}); pass manifests with -f PATH`);
  const format = values.format ?? 'text';
  if (!FORMATS.has(format)) throw new RollsafeError('usage', `unknown --format ${format}; use text, yaml or json`);

  const file = values.file === undefined ? { facts: {}, workload: {} } : readFacts(values.file, io);
  const provider = values.provider ?? file.facts.provider;
  const networkPlugin = values['network-plugin'] ?? file.facts.networkPlugin;
  if (provider === undefined || networkPlugin === undefined) {
    throw new RollsafeError('usage', `advise needs --provider (${PROVIDERS.join(', ')}) and --network-plugin, or a --file with provider and networkPlugin`);
  }
  const lbKind = values.lb ?? file.facts.lbKind;
  const advice = decide({
    provider: provider as AdviseProvider,
    networkPlugin,
    ...(lbKind === undefined ? {} : { lbKind }),
    preserveSourceIp: values['preserve-source-ip'] ?? file.facts.preserveSourceIp ?? false,
    lbQuotaTight: values['lb-quota-tight'] ?? file.facts.lbQuotaTight ?? false,
    k8sVersion: values['k8s-version'] ?? file.facts.k8sVersion ?? DEFAULT_K8S_VERSION,
  });

  const workloadFlags: WorkloadInput = {
    name: values.name,
    namespace: values.namespace,
    image: values.image,
    port: integer('port', values.port),
    servicePort: integer('service-port', values['service-port']),
    replicas: integer('replicas', values.replicas),
    healthPath: values['health-path'],
  };
  const manifests = values.manifests ?? [];
  let configs: AdvisedConfig[];
  let skipped: readonly string[] = [];
  if (manifests.length > 0) {
    const given = Object.entries(workloadFlags).filter(([, v]) => v !== undefined).map(([k]) => k);
    if (given.length > 0 || Object.keys(file.workload).length > 0) {
      throw new RollsafeError('usage', '-f derives the workloads from the manifests; drop the workload flags (--name, --image, ...) or the file\'s workload section');
    }
    const scan = workloadsFromManifests(readSources(manifests, io.stdin));
    for (const p of scan.problems) io.stderr(`rollsafe: note: ${p.file}:${p.line}:${p.column}: ${p.message}\n`);
    skipped = scan.skipped;
    const namespaces = new Set<string>();
    configs = scan.workloads.map((w) => {
      const first = !namespaces.has(w.facts.namespace);
      namespaces.add(w.facts.namespace);
      return { workload: w.facts, from: w.from, notes: w.notes, objects: adviceConfig(advice, w.facts, { withNamespace: first }) };
    });
  } else {
    const merged: WorkloadInput = { ...file.workload };
    for (const [key, value] of Object.entries(workloadFlags)) if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
    const workload = workloadFacts(merged);
    configs = [{ workload, notes: [], objects: adviceConfig(advice, workload) }];
  }
  // Prove the config: `rollsafe check` of it under the advice's profile and version.
  const text = configYaml(configs);
  const findings = checkSources([{ path: 'advised.yaml', text }], { profile: adviceProfile(advice) }).findings;
  const result: AdviseResult = { advice, configs, skipped, findings };
  io.stdout(format === 'json' ? formatAdviceJson(result) : format === 'yaml' ? formatAdviceYaml(result) : formatAdviceText(result));
  return 0;
}

/** Runs `rollsafe advise ARGS`; returns the exit code. Errors are reported on stderr, never thrown. */
export function runAdvise(args: string[], io: Io): number {
  try {
    return advise(args, io);
  } catch (error: unknown) {
    return reportError(error, io, 'advise');
  }
}
