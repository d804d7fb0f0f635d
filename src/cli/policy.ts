/**
 * `rollsafe policy`: prints a ValidatingAdmissionPolicy and its binding for the rules CEL can
 * express (src/policy), and lists the rules it leaves out, in the YAML and on stderr.
 */
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { compilePolicies, uncompiledRules } from '../policy/compile.js';
import { compareVersions } from '../schema/kinds.js';
import type { Io } from './main.js';
import { ANALYSIS_OPTIONS, reportError, resolveAnalysis, UsageError } from './options.js';

export const POLICY_HELP = `Usage: rollsafe policy [options] > rollsafe-policy.yaml

Writes ValidatingAdmissionPolicies and their bindings (admissionregistration.k8s.io/v1, GA in
Kubernetes 1.30) with one CEL validation per rule that CEL expresses; the rules it cannot express
are listed in a comment and on stderr. No webhook server is needed. See docs/serve.md.

Options:
      --mode MODE              enforce (default: error-level rules are bound with Deny) or warn
  -p, --profile NAME|FILE      cluster profile (default generic)
      --k8s-version 1.N        Kubernetes version of the cluster (1.30 or later)
      --rule ID=LEVEL          set a rule's severity or turn it off; repeatable
  -c, --config FILE            config file (default: ./.rollsafe.yaml when present)
`;

/** Runs `rollsafe policy` with the arguments after `policy`; returns the exit code. */
export function runPolicy(args: string[], io: Io): number {
  try {
    const { values } = parseArgs({ args, options: { ...ANALYSIS_OPTIONS, mode: { type: 'string', default: 'enforce' }, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      io.stdout(POLICY_HELP);
      return 0;
    }
    const mode = values.mode;
    if (mode !== 'enforce' && mode !== 'warn') throw new UsageError(`unknown --mode ${mode}; use enforce or warn`);
    const { profile, ruleSeverities } = resolveAnalysis(values, io);
    if (compareVersions(profile.k8sVersion, '1.30') < 0) throw new UsageError(`ValidatingAdmissionPolicy is GA (admissionregistration.k8s.io/v1) from Kubernetes 1.30; the cluster is ${profile.k8sVersion}: use rollsafe serve`);
    const left = uncompiledRules();
    const comment = [`# rollsafe policy (profile ${profile.name}, Kubernetes ${profile.k8sVersion}, mode ${mode})`, '# Not compiled to CEL (use rollsafe serve or rollsafe check for them):', ...left.map((r) => `#   ${r.ruleId}: ${r.reason}`)].join('\n');
    const documents = compilePolicies({ profile, ruleSeverities, mode });
    io.stdout(`${comment}\n${documents.map((d) => stringify(d, { lineWidth: 0 })).join('---\n')}`);
    io.stderr(`rollsafe: ${left.length} rules not compiled to CEL: ${left.map((r) => r.ruleId).join(', ')}\n`);
    return 0;
  } catch (error: unknown) {
    return reportError(error, io);
  }
}
