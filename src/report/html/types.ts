/**
 * The data the HTML report is drawn from: findings with their fixes as diffs, and per workload the
 * simulation of one rollout before and after the fixes. `renderReport` is a pure function of it.
 */
import type { Finding } from '../../rules/types.js';
import type { SimulationSummary, Timeline } from '../../sim/types.js';
import type { LabReport } from './lab.js';

/** A finding as the page shows it. */
export interface ReportFinding extends Pick<Finding, 'ruleId' | 'severity' | 'category' | 'message' | 'file' | 'line' | 'column' | 'resource'> {
  /** What the fix does (the rule's description of it), when the rule offers one. */
  readonly fixDescription?: string;
  /** The finding's own fix applied alone, as a unified diff of its file ('' when it cannot apply). */
  readonly diff?: string;
  /** Whether the finding is gone after `rollsafe fix` (false: it must be fixed by hand). */
  readonly fixed: boolean;
}

/** One simulated rollout: the Monte Carlo summary and the timeline of one run. */
export interface SimulatedRollout {
  readonly summary: SimulationSummary;
  readonly timeline: Timeline;
  /** What the simulator assumed or could not model. */
  readonly notes: readonly string[];
}

/** A workload the simulator rolled out, with its findings. */
export interface ReportWorkload {
  /** `Kind/namespace/name`, as the simulator names it. */
  readonly resource: string;
  /** The manifests as given. */
  readonly before: SimulatedRollout | undefined;
  /** The manifests after `rollsafe fix`. */
  readonly after: SimulatedRollout | undefined;
  /** Why the simulator left a side out (e.g. probes that can never pass). */
  readonly skipped: { readonly before?: string; readonly after?: string };
  /** Findings on the workload and on the Services that select it. */
  readonly findings: readonly ReportFinding[];
}

/** A JavaScript library inlined into the page. */
export interface InlineLibrary {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly source: string;
}

export interface ReportData {
  readonly version: string;
  /** Profile name and the Kubernetes version it was resolved at. */
  readonly profile: string;
  readonly k8sVersion: string;
  /** The input files, as given. */
  readonly files: readonly string[];
  readonly objects: number;
  readonly findings: readonly ReportFinding[];
  readonly workloads: readonly ReportWorkload[];
  /** Findings not on a simulated workload or its Services (config, PDBs, bare Pods …). */
  readonly otherFindings: readonly ReportFinding[];
  /** Notes of the loader (kinds not modelled …). */
  readonly notes: readonly { readonly file: string; readonly line: number; readonly message: string }[];
  /** Fixes `rollsafe fix` would apply, and the findings left after it. */
  readonly fixesApplied: number;
  /** Why the simulation is missing, when it is (e.g. the simulator is not available). */
  readonly simulationNote?: string;
  /** URL of the rule docs folder, ending in `/` (a rule's page is `<docsBase><id>.md`). */
  readonly docsBase: string;
  /** Lab files (`report --lab`), each shown in a "Measured in the lab" section; absent without --lab. */
  readonly labs?: readonly LabReport[];
}
