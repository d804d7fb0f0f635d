/** Workload views: the pod template, strategy and replicas of each workload kind, in one shape. */
import { arrayAt, isRecord, numberAt, recordAt, stringAt, stringMapAt, type Container, type PodSpec } from './k8s.js';
import type { Resource } from './resource.js';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Pod' | 'ReplicationController';

const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod', 'ReplicationController']);

/** A container of a workload with the pointer to it (relative to the object). */
export interface ContainerView {
  readonly index: number;
  readonly path: string;
  readonly name: string;
  readonly container: Container & Record<string, unknown>;
}

/** A workload seen through its pod template. */
export interface Workload {
  readonly resource: Resource;
  readonly kind: WorkloadKind;
  /** Pointer of the pod spec, relative to the object. */
  readonly podSpecPath: string;
  readonly podSpec: PodSpec & Record<string, unknown>;
  /** Labels of the pods it creates. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** `spec.replicas` as written (undefined when unset or for DaemonSet/Pod). */
  readonly replicas: number | undefined;
  readonly containers: readonly ContainerView[];
}

/** True when the kind is one rollsafe treats as a workload. */
export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return WORKLOAD_KINDS.has(kind);
}

/** Builds the workload view of a resource of a workload kind. */
export function toWorkload(resource: Resource): Workload | undefined {
  const kind = resource.kind;
  if (!isWorkloadKind(kind)) return undefined;
  const object = resource.object;
  let podSpecPath: string;
  let podSpec: Record<string, unknown> | undefined;
  let podLabels: Record<string, string>;
  let replicas: number | undefined;
  if (kind === 'Pod') {
    podSpecPath = '/spec';
    podSpec = recordAt(object, 'spec');
    podLabels = stringMapAt(recordAt(object, 'metadata'), 'labels');
  } else {
    const spec = recordAt(object, 'spec');
    const template = recordAt(spec, 'template');
    podSpecPath = '/spec/template/spec';
    podSpec = recordAt(template, 'spec');
    podLabels = stringMapAt(recordAt(template, 'metadata'), 'labels');
    // A negative or fractional count is rejected by the API server (ValidateNonnegativeField in
    // pkg/apis/apps/validation and pkg/apis/core/validation): read as unset, never computed with.
    const written = numberAt(spec, 'replicas');
    replicas = kind === 'DaemonSet' || written === undefined || !Number.isInteger(written) || written < 0 ? undefined : written;
  }
  const spec = podSpec ?? {};
  const containers: ContainerView[] = [];
  arrayAt(spec, 'containers').forEach((c, index) => {
    if (isRecord(c)) {
      containers.push({ index, path: `${podSpecPath}/containers/${index}`, name: stringAt(c, 'name') ?? `#${index}`, container: c });
    }
  });
  return { resource, kind, podSpecPath, podSpec: spec, podLabels, replicas, containers };
}

/**
 * True when `spec.replicas` is written but the API server rejects it (negative or fractional:
 * ValidateNonnegativeField): the count is unknown, so rules that judge it skip the workload.
 */
export function replicasRejected(workload: Workload): boolean {
  if (workload.kind === 'DaemonSet' || workload.kind === 'Pod') return false;
  const written = recordAt(workload.resource.object, 'spec')?.['replicas'];
  return written !== undefined && written !== null && workload.replicas === undefined;
}

/** The replica count Kubernetes uses: `spec.replicas`, default 1 (deployment.md). */
export function effectiveReplicas(workload: Workload): number {
  return workload.replicas ?? 1;
}

/**
 * terminationGracePeriodSeconds, default 30 (SetDefaults_PodSpec, pkg/apis/core/v1/defaults.go).
 * A negative value is not rejected: the API server stores a Pod's as 1 and warns about it in a
 * template (kubernetes#115606), so it is 1 here too.
 */
export function gracePeriodSeconds(workload: Workload): { seconds: number; explicit: boolean } {
  const value = numberAt(workload.podSpec, 'terminationGracePeriodSeconds');
  if (value === undefined) return { seconds: DEFAULT_GRACE_SECONDS, explicit: false };
  return { seconds: value < 0 ? 1 : value, explicit: true };
}

/** Default terminationGracePeriodSeconds (pod-lifecycle.md). */
export const DEFAULT_GRACE_SECONDS = 30;
