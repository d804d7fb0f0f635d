/** The rule contract: declarative metadata plus one pure function that reports by message id. */
import type { LoadProblem } from '../load/types.js';
import type { Graph } from '../model/graph.js';
import type { Workload } from '../model/workload.js';
import type { Resource, ResourceRef } from '../model/resource.js';
import type { Profile } from '../profiles/types.js';

export type Severity = 'error' | 'warning' | 'info';

/** Where requests fail (README: the four causes), or `config` for broken configuration. */
export type Category = 'config' | 'startup' | 'termination' | 'capacity' | 'disruption' | 'node-routing' | 'lb-drain';

/** One JSON Patch (RFC 6902) operation; `path` is a JSON Pointer inside the document. */
export type PatchOperation =
  | { readonly op: 'add' | 'replace'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string };

/** A fix as data: operations on the finding's document, or a new document to add beside it. */
export type Fix =
  | { readonly kind: 'patch'; readonly description: string; readonly operations: readonly PatchOperation[] }
  | { readonly kind: 'document'; readonly description: string; readonly document: Readonly<Record<string, unknown>> };

export interface RuleMeta {
  /** Names the hazard; also the file name under rules/ and docs/rules/. */
  readonly id: string;
  readonly category: Category;
  /** Severity when the rule's condition holds (docs/rules/README.md). */
  readonly severity: Severity;
  /** One line: what the rule catches. */
  readonly description: string;
  /** True when the rule can offer a fix for (some of) its findings. */
  readonly fixable: boolean;
  /**
   * True for rules that matter only when requests reach the pods. The engine applies the scope
   * (domain/service-role.ts `servedBy`) to every finding on a workload: dropped when nothing
   * carries requests to it (no selecting Service while the input has Services, or only metrics,
   * admin and failurePolicy-Ignore webhook Services); at most `warning` when the input has no
   * Service, when only headless Services or the API server (a failing webhook, an aggregated API)
   * reach it — then the message says why; the rule's own severity when a user Service selects it.
   */
  readonly serviceDependent: boolean;
  /**
   * Kinds of other objects the rule must see to judge an object soundly: without them it would
   * miss all its findings or report false ones (a PodDisruptionBudget, an HPA, the Services that
   * route to a workload). Absent when the object and the profile are enough. `rollsafe serve`
   * judges one object per admission review and skips the rules that name any kind here.
   */
  readonly needs?: readonly string[];
  /** Message templates by id; `{{name}}` is replaced by the report's data. */
  readonly messages: Readonly<Record<string, string>>;
  /**
   * For findings without an automatic fix: the advice `check --impact` simulates in its place.
   * Read only for rules of the categories whose findings cost requests (impact/impact.ts).
   */
  readonly impact?: WhatIf;
}

/**
 * What following a rule's advice changes in a simulated rollout, as data: each field set replaces
 * that part of the simulator's input for the workloads the finding concerns.
 */
export interface SimulatedChange {
  /** What the app does on SIGTERM: finishes in-flight work, exits at once, or never sees it. */
  readonly sigterm?: Profile['app']['sigterm'];
  /** The pods carry the load balancer's readiness gate. */
  readonly lbReadinessGate?: boolean;
  /** The externalTrafficPolicy of a load balancer that targets nodes (nothing changes where it targets pods or none). */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
}

/** Advice the simulator can follow: the rollout as the rule reads it (`before`) and with the advice taken (`after`). */
export interface WhatIf {
  /** The advice as `check --impact` names it: "simulated: 753 → 0 with <advice>". */
  readonly advice: string;
  /** The input as the rule reads it where the profile's default says otherwise (e.g. an app that never sees SIGTERM). */
  readonly before?: SimulatedChange;
  readonly after: SimulatedChange;
}

/** What a rule reports. Paths are JSON Pointers relative to the object. */
export interface Report {
  readonly resource: Resource;
  readonly path: string;
  readonly messageId: string;
  readonly data?: Readonly<Record<string, string | number>>;
  /** Overrides the rule's severity for this finding (e.g. a condition that is only a risk). */
  readonly severity?: Severity;
  readonly fix?: Fix;
  /** The workload a finding on another object is about (an HPA's floor), for the served scope. */
  readonly workload?: Workload;
}

export interface RuleContext {
  readonly graph: Graph;
  readonly profile: Profile;
  /** Problems found while loading (only `invalid-manifest` reads them). */
  readonly problems: readonly LoadProblem[];
  report(report: Report): void;
  /** Reports at a position already known (load problems, which may have no object). */
  reportAt(location: { readonly file: string; readonly line: number; readonly column: number; readonly path: string; readonly resource: ResourceRef }, messageId: string, data?: Readonly<Record<string, string | number>>): void;
}

export interface Rule {
  readonly meta: RuleMeta;
  check(context: RuleContext): void;
}

/** One finding, as every output format shows it. */
export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly category: Category;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly resource: ResourceRef;
  /** JSON Pointer of the offending field inside its document. */
  readonly path: string;
  readonly fixable: boolean;
  /** The fix as data (paths inside the document); not part of the JSON output's stable shape. */
  readonly fix?: Fix;
  /** 0-based index of the finding's YAML document in its file (where its fix applies). */
  readonly document?: number;
  /** The simulated cost of leaving it unfixed (`check --impact`). */
  readonly impact?: FindingImpact;
}

/**
 * Simulated failed requests per rollout that a finding's fix saves (`check --impact`), measured
 * leave-one-out: with every other fix of the workloads it concerns applied.
 */
export interface FindingImpact {
  /** Mean failed requests per rollout without this fix minus with it (negative: the fix makes things worse). */
  readonly failedRequests: number;
  /** Mean failed requests per rollout with every other fix applied, this one left out. */
  readonly before: number;
  /** Mean failed requests per rollout with every fix applied. */
  readonly after: number;
  /** How many other fixes (or followed advice) of the same workloads were applied on both sides. */
  readonly otherFixes: number;
  /** `saves` ≥ 0.5 requests, `nothing` within ±0.5, `worse` ≤ −0.5. */
  readonly verdict: 'saves' | 'nothing' | 'worse';
  /** The request rate simulated. */
  readonly rps: number;
  /** The workloads simulated (Kind/namespace/name). */
  readonly workloads: readonly string[];
  /** For a finding without an automatic fix: the advice simulated in its place. */
  readonly advice?: string;
}

/** Ranks severities: error 3, warning 2, info 1. */
export function severityRank(severity: Severity): number {
  return severity === 'error' ? 3 : severity === 'warning' ? 2 : 1;
}
