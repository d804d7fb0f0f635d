/**
 * `rollsafe policy`: writes the admission policy (YAML) that enforces the single-object rules in
 * the cluster; stderr lists what compiled and what did not. Exit codes: 0 written, 2 usage or
 * unwritable output.
 */
import { yamlLib } from '../fix/yaml-lib.js';
import { MAX_PATCHED_CONTAINERS, MUTATED_RULES, MUTATING_POLICY_SINCE } from '../policy/mutation.js';
import { ASSUMPTIONS, compilePolicy, POLICY_MODES, VALIDATING_POLICY_SINCE, type CompiledPolicy, type PolicyMode } from '../policy/policy.js';
import { VERSION } from '../version.js';
import { writeAtomically } from './write-file.js';
import { defineCommand, type OptionTable, type Parsed } from './command.js';
import type { Io } from './io.js';
import { ANALYSIS_OPTIONS, resolveAnalysis } from './options.js';

/** The YAML: a header comment (profile, assumptions, what did not compile), then the documents. */
function formatPolicy(compiled: CompiledPolicy, profile: { name: string; k8sVersion: string }, mode: PolicyMode): string {
  const n = compiled.numbers;
  const header = [
    `rollsafe ${VERSION} policy for profile ${profile.name}, Kubernetes ${profile.k8sVersion}, mode ${mode}.`,
    `Compiled rules (${compiled.rules.length}): ${compiled.rules.map((r) => r.ruleId).join(', ')}.`,
    ...(compiled.off.length > 0 ? [`Turned off (config or --rule): ${compiled.off.join(', ')}.`] : []),
    `Numbers: propagation budget ${n.budgetSeconds} s (${n.budgetPath}), app drain ${n.drainSeconds} s, app startup ${n.startupSeconds} s, ${n.nodes} nodes.`,
    'A single object does not show whether a Service selects it; the policy assumes that',
    ...ASSUMPTIONS.map((a) => `  - ${a}`),
    'Not compiled (they need other objects; run rollsafe check on the whole input in CI):',
    ...Object.entries(compiled.notCompiled).map(([id, why]) => `  - ${id}: ${why}`),
    compiled.documents.some((d) => d['kind'] === 'MutatingAdmissionPolicy')
      ? `The MutatingAdmissionPolicy applies the fixes of ${MUTATED_RULES.join(', ')} (the values rollsafe fix writes) to the first ${MAX_PATCHED_CONTAINERS} containers.`
      : `No MutatingAdmissionPolicy: Kubernetes serves it as admissionregistration.k8s.io/v1 from ${MUTATING_POLICY_SINCE}; the cluster has ${profile.k8sVersion}.`,
    'Opt an object out with the annotation rollsafe.io/ignore: rule-id[,rule-id] (or all).',
  ];
  const comment = header.map((line) => `# ${line}`.trimEnd()).join('\n');
  const docs = compiled.documents.map((d) => yamlLib().stringify(d, { lineWidth: 0 }));
  return `${comment}\n${docs.map((d) => `---\n${d}`).join('')}`;
}

/** The stderr summary: what compiled and what did not. */
function summary(compiled: CompiledPolicy, output: string): string {
  const lines = [`rollsafe policy: ${compiled.rules.length} rules compiled into ${compiled.documents.map((d) => d['kind']).join(', ')}${output === '' ? '' : ` (${output})`}`];
  lines.push(`not compiled (${Object.keys(compiled.notCompiled).length}), they need other objects:`);
  for (const [id, why] of Object.entries(compiled.notCompiled)) lines.push(`  ${id}: ${why}`);
  return lines.join('\n') + '\n';
}

/** The options of `policy`. */
const POLICY_OPTIONS = {
  profile: ANALYSIS_OPTIONS.profile,
  'k8s-version': ANALYSIS_OPTIONS['k8s-version'],
  rule: { ...ANALYSIS_OPTIONS.rule, value: 'ID=off', description: 'leave a rule out (validation and fix)' },
  config: { ...ANALYSIS_OPTIONS.config, description: 'config file: profile, k8sVersion, and rules set to off' },
  mode: {
    type: 'string',
    value: 'MODE',
    choices: POLICY_MODES,
    default: 'warn',
    description: 'what a violation does: warn (a warning to the client), deny (the request is rejected), audit (an audit annotation)',
  },
  output: { type: 'string', short: 'o', value: 'FILE', defaultText: 'stdout', description: 'write the YAML to FILE' },
} as const satisfies OptionTable;

export const POLICY = defineCommand({
  name: 'policy',
  summary: 'an admission policy (CEL) that enforces the single-object rules',
  usage: ['[options]'],
  description: `Compiles the rules that can be judged from one object and the profile into a
ValidatingAdmissionPolicy and its binding (admissionregistration.k8s.io/v1, Kubernetes ${VALIDATING_POLICY_SINCE}+),
and from Kubernetes ${MUTATING_POLICY_SINCE} a MutatingAdmissionPolicy that applies the fixes CEL can express.
Rules that need other objects (Services, PDBs, HPAs) are listed on stderr and in the YAML.`,
  arguments: [],
  argumentsHint: 'it compiles the rules, not manifests',
  options: POLICY_OPTIONS,
  examples: ['rollsafe policy --profile eks-alb-ip --mode deny -o rollsafe-policy.yaml'],
  footer: 'Exit codes: 0 written, 2 usage error or unwritable output.',
  run: policy,
});

function policy({ values }: Parsed<typeof POLICY_OPTIONS>, io: Io): number {
  const mode = values.mode;
  const { profile, ruleSeverities } = resolveAnalysis(values, io);
  const off = new Set(Object.entries(ruleSeverities).filter(([, level]) => level === 'off').map(([id]) => id));
  // A cluster too old for admission policies ends here with an `unsupported-version` error.
  const compiled = compilePolicy({ profile, mode, off });
  const text = formatPolicy(compiled, profile, mode);
  const output = values.output;
  if (output === undefined || output === '-') io.stdout(text);
  else writeAtomically(output, text);
  io.stderr(summary(compiled, output === undefined || output === '-' ? '' : output));
  return 0;
}
