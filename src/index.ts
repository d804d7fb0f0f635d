/** rollsafe's public API: the same functions the CLI uses. */
export { checkSources, formatMessage, IGNORE_ANNOTATION, type CheckOptions, type CheckResult } from './engine/run.js';
export type { Category, Finding, Fix, PatchOperation, Report, Rule, RuleContext, RuleMeta, Severity } from './engine/types.js';
export { parseConfig, parseRuleSetting, ConfigError, type Config, type FailOn } from './engine/config.js';
export { parseSource, locate, type ParsedDocument, type ParseResult } from './load/parse.js';
export { loadSources, type LoadResult } from './load/objects.js';
export type { LoadNote, LoadProblem, Position, ProblemCode, SourceText } from './load/types.js';
export { buildGraph, type Graph, type ServiceView } from './model/graph.js';
export type { Resource, ResourceRef } from './model/resource.js';
export type { Workload, ContainerView } from './model/workload.js';
export { RULES } from './rules/index.js';
export { BUILTIN_PROFILES, withIngressNginx } from './profiles/builtin.js';
export { parseProfileFile, resolveProfile, withK8sVersion, ProfileError } from './profiles/load.js';
export { propagationBudget, type Profile, type Latency, type LoadBalancerProfile } from './profiles/types.js';
export { formatJson } from './report/json.js';
export { formatSarif } from './report/sarif.js';
export { formatGithub } from './report/github.js';
export { formatText, type TextOptions } from './report/text.js';
export { VERSION } from './version.js';
