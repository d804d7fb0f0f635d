/**
 * `rollsafe advise`: platform facts (flags or a YAML file) → the recommended Service mode, its
 * reasons and trade-offs, and a config that passes `rollsafe check`. Returns an exit code:
 * 0 advised, 2 usage, unreadable input or facts rollsafe cannot advise on.
 */
import { adviceConfig, workloadFacts, type WorkloadInput } from '../advise/config.js';
import { adviceProfile, decide } from '../advise/decide.js';
import { LB_KINDS, PROVIDERS, type AdviseProvider } from '../advise/facts.js';
import { DEFAULT_K8S_VERSION } from '../schema/kinds.js';
import { parseFactsFile, type FactsInput } from '../advise/facts-file.js';
import { configYaml, formatAdviceJson, formatAdviceText, formatAdviceYaml, type AdvisedConfig, type AdviseResult } from '../advise/format.js';
import { workloadsFromManifests } from '../advise/manifests.js';
import { checkSources } from '../engine/run.js';
import { readSources } from '../load/files.js';
import { defineCommand, runCommand, type OptionTable, type Parsed } from './command.js';
import type { Io } from './io.js';
import { fileErrorReason, RollsafeError } from '../errors.js';

function readFacts(path: string, io: Io): { facts: FactsInput; workload: WorkloadInput } {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error: unknown) {
    throw new RollsafeError('unreadable-input', `${path}: cannot read the facts file: ${fileErrorReason(error)}`, { file: path, cause: error });
  }
  const file = parseFactsFile(text, path);
  if (file.problems.length > 0) {
    throw new RollsafeError('invalid-facts', `invalid facts file ${path}:\n${file.problems.map((p) => `  ${path}:${p.line}:${p.column}: ${p.message}`).join('\n')}`);
  }
  return { facts: file.facts, workload: file.workload };
}

const WORKLOAD = 'Workload (the config\'s Deployment; or derive it from manifests with -f)';

/** The options of `advise`. */
const ADVISE_OPTIONS = {
  provider: { type: 'string', value: 'P', group: 'Facts', description: PROVIDERS.join(', ') },
  'network-plugin': {
    type: 'string',
    value: 'N',
    group: 'Facts',
    description: 'e.g. terway, flannel (alibaba); aws-vpc-cni, calico, cilium (aws); gke-dataplane-v2, vpc-native, calico (gcp); azure-cni, azure-cni-overlay, kubenet, cilium, calico (azure); calico, cilium, flannel, ... (bare-metal)',
  },
  lb: { type: 'string', value: 'KIND', group: 'Facts', defaultText: "the provider's first", description: PROVIDERS.map((p) => `${p}: ${LB_KINDS[p].join('|')}`).join('; ') },
  'preserve-source-ip': { type: 'boolean', group: 'Facts', description: "the application must see the client's source IP" },
  'lb-quota-tight': { type: 'boolean', group: 'Facts', description: 'load balancer quota is tight (many LoadBalancer Services, few addresses)' },
  'k8s-version': { type: 'string', value: '1.N', group: 'Facts', defaultText: DEFAULT_K8S_VERSION, description: 'Kubernetes version' },
  file: { type: 'string', value: 'FACTS.yaml', group: 'Facts', description: 'the same facts as YAML (provider, networkPlugin, lbKind, preserveSourceIp, lbQuotaTight, k8sVersion, workload); flags override the file' },
  manifests: { type: 'string', short: 'f', value: 'PATH', repeatable: true, group: WORKLOAD, description: 'advise for every Deployment a Service in PATH selects (- for stdin)' },
  name: { type: 'string', value: 'NAME', group: WORKLOAD, defaultText: 'app', description: 'the Deployment\'s name' },
  namespace: { type: 'string', value: 'NS', group: WORKLOAD, defaultText: 'default', description: 'its namespace' },
  image: { type: 'string', value: 'IMAGE', group: WORKLOAD, defaultText: 'nginx:1.27', description: 'its image' },
  port: { type: 'integer', value: 'N', min: 0, group: WORKLOAD, defaultText: '80', description: 'container port' },
  'service-port': { type: 'integer', value: 'N', min: 0, group: WORKLOAD, defaultText: '--port', description: 'the Service\'s port' },
  replicas: { type: 'integer', value: 'N', min: 0, group: WORKLOAD, defaultText: '3, at least 2', description: 'replicas' },
  'health-path': { type: 'string', value: 'PATH', group: WORKLOAD, defaultText: 'TCP behind an L4 LB, / behind L7', description: 'HTTP readiness/health-check path' },
  format: { type: 'string', value: 'FORMAT', choices: ['text', 'yaml', 'json'], default: 'text', group: 'Output', description: 'text, yaml (the config only) or json' },
} as const satisfies OptionTable;

export const ADVISE = defineCommand({
  name: 'advise',
  summary: 'the Service mode and a complete config for a platform',
  usage: ['--provider P --network-plugin N [options]', '--file FACTS.yaml [options]'],
  description: `From platform facts to the Service mode (Cluster, Local, or pods as LB backends: ACK ENI, AWS IP
targets, GKE NEG), the reasons and trade-offs side by side, and a config that passes \`rollsafe check\`
under the matching profile.`,
  arguments: [],
  argumentsHint: 'pass manifests with -f PATH',
  options: ADVISE_OPTIONS,
  examples: ['rollsafe advise --provider alibaba --network-plugin flannel --preserve-source-ip', 'rollsafe advise --provider aws --network-plugin aws-vpc-cni --lb alb --format yaml > rollout-safe.yaml', 'rollsafe advise --file facts.yaml -f k8s/'],
  footer: 'Exit codes: 0 advised, 2 usage error, unreadable input, or facts rollsafe cannot advise on.',
  readsStdin: ({ values }) => values.manifests.includes('-'),
  run: advise,
});

function advise({ values }: Parsed<typeof ADVISE_OPTIONS>, io: Io): number {
  const format = values.format;

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
    port: values.port,
    servicePort: values['service-port'],
    replicas: values.replicas,
    healthPath: values['health-path'],
  };
  const manifests = values.manifests;
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
  return runCommand(ADVISE, args, io) as number;
}
