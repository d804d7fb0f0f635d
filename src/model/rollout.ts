/**
 * How a workload rolls out, as the API server stores it: the strategy the manifest writes, with the
 * defaults of its API version filled in, so that rules, the simulator and fixes read one answer.
 *
 * Defaults (Kubernetes source, `SetDefaults_*` in pkg/apis/<group>/<version>/defaults.go):
 * - Deployment: RollingUpdate. extensions/v1beta1: maxUnavailable 1, maxSurge 1, no progress
 *   deadline (stored as MaxInt32, "the same meaning as unset"); apps/v1beta1, apps/v1beta2 and
 *   apps/v1: 25 % / 25 %, progressDeadlineSeconds 600.
 * - DaemonSet: extensions/v1beta1 OnDelete; apps/v1beta2 and apps/v1 RollingUpdate with
 *   maxUnavailable 1 (and maxSurge 0, pkg/apis/apps/v1/defaults.go).
 * - StatefulSet: apps/v1beta1 OnDelete; apps/v1beta2 and apps/v1 RollingUpdate, partition 0.
 * - ReplicaSet, ReplicationController and bare Pods have no controller that replaces pods when the
 *   template changes: no rollout.
 */
import { validIntOrPercent } from './intstr.js';
import { numberAt, recordAt, type IntOrString } from './k8s.js';
import type { Workload } from './workload.js';

/** What the progress deadline of an extensions/v1beta1 Deployment is stored as: none. */
const NO_PROGRESS_DEADLINE_SECONDS = 2_147_483_647;
/** Deployment progressDeadlineSeconds default of apps/v1beta1, v1beta2 and v1. */
const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

/** A workload's update strategy after defaulting. */
export type UpdateStrategy =
  | {
      readonly type: 'RollingUpdate';
      /** True when the manifest does not write the type (it is the API version's default). */
      readonly defaulted: boolean;
      /** As written, else the API version's default; undefined when written but not a valid int-or-percent. */
      readonly maxSurge: IntOrString | undefined;
      readonly maxUnavailable: IntOrString | undefined;
      /** StatefulSet: pods with an ordinal below it are not updated. */
      readonly partition: number;
    }
  | { readonly type: 'Recreate' }
  /** The controller replaces no pod by itself: only deleted pods come back with the new template. */
  | { readonly type: 'OnDelete'; readonly defaulted: boolean }
  /** ReplicaSet, ReplicationController, Pod: a template change rolls nothing out. */
  | { readonly type: 'None' }
  /** A type the API server rejects (reported by invalid-manifest): nothing is judged. */
  | { readonly type: 'Invalid'; readonly value: unknown };

const DEPLOYMENT_LEGACY_DEFAULTS: ReadonlySet<string> = new Set(['extensions/v1beta1']);
const DAEMONSET_ON_DELETE: ReadonlySet<string> = new Set(['extensions/v1beta1']);
const STATEFULSET_ON_DELETE: ReadonlySet<string> = new Set(['apps/v1beta1']);

/**
 * The written int-or-percent when valid, the default when unset, undefined when the API server
 * rejects it (maxUnavailable over 100 % included: IsNotMoreThan100Percent).
 */
function intOrPercent(rolling: Record<string, unknown> | undefined, key: string, fallback: IntOrString): IntOrString | undefined {
  const value = rolling?.[key];
  if (value === undefined || value === null) return fallback;
  if (!validIntOrPercent(value)) return undefined;
  return key === 'maxUnavailable' && typeof value === 'string' && Number(value.slice(0, -1)) > 100 ? undefined : value;
}

/** The update strategy of a workload, defaulted by its API version. */
export function updateStrategyOf(workload: Workload): UpdateStrategy {
  const spec = recordAt(workload.resource.object, 'spec');
  const apiVersion = workload.resource.apiVersion;
  switch (workload.kind) {
    case 'Deployment': {
      const strategy = recordAt(spec, 'strategy');
      const type = strategy?.['type'];
      if (type === 'Recreate') return { type: 'Recreate' };
      if (type !== undefined && type !== null && type !== '' && type !== 'RollingUpdate') return { type: 'Invalid', value: type };
      const legacy = DEPLOYMENT_LEGACY_DEFAULTS.has(apiVersion);
      const rolling = recordAt(strategy, 'rollingUpdate');
      const fallback = legacy ? 1 : '25%';
      return { type: 'RollingUpdate', defaulted: type === undefined || type === null || type === '', maxSurge: intOrPercent(rolling, 'maxSurge', fallback), maxUnavailable: intOrPercent(rolling, 'maxUnavailable', fallback), partition: 0 };
    }
    case 'DaemonSet':
    case 'StatefulSet': {
      const strategy = recordAt(spec, 'updateStrategy');
      const type = strategy?.['type'];
      const unset = type === undefined || type === null || type === '';
      const onDeleteByDefault = (workload.kind === 'DaemonSet' ? DAEMONSET_ON_DELETE : STATEFULSET_ON_DELETE).has(apiVersion);
      if (type === 'OnDelete' || (unset && onDeleteByDefault)) return { type: 'OnDelete', defaulted: unset };
      if (!unset && type !== 'RollingUpdate') return { type: 'Invalid', value: type };
      const rolling = recordAt(strategy, 'rollingUpdate');
      const partition = numberAt(rolling, 'partition');
      return {
        type: 'RollingUpdate',
        defaulted: unset,
        // A StatefulSet replaces one pod at a time (maxUnavailable is alpha, MaxUnavailableStatefulSet).
        maxSurge: workload.kind === 'DaemonSet' ? intOrPercent(rolling, 'maxSurge', 0) : 0,
        maxUnavailable: intOrPercent(rolling, 'maxUnavailable', 1),
        partition: partition !== undefined && Number.isInteger(partition) && partition >= 0 ? partition : 0,
      };
    }
    default:
      return { type: 'None' };
  }
}

/** A Deployment's progressDeadlineSeconds as stored: written, else 600 (none for extensions/v1beta1). */
export function progressDeadlineSecondsOf(workload: Workload): number {
  const written = numberAt(recordAt(workload.resource.object, 'spec'), 'progressDeadlineSeconds');
  if (written !== undefined && Number.isInteger(written) && written > 0) return written;
  return DEPLOYMENT_LEGACY_DEFAULTS.has(workload.resource.apiVersion) ? NO_PROGRESS_DEADLINE_SECONDS : DEFAULT_PROGRESS_DEADLINE_SECONDS;
}

/** minReadySeconds as stored: written, else 0; a negative value (rejected) is read as unset. */
export function minReadySecondsOf(workload: Workload): number {
  const written = numberAt(recordAt(workload.resource.object, 'spec'), 'minReadySeconds');
  return written !== undefined && Number.isInteger(written) && written >= 0 ? written : 0;
}

/** Why a workload's pods do not follow a template change by themselves, if they do not. */
export function noAutomaticRollout(strategy: UpdateStrategy): string | undefined {
  if (strategy.type === 'OnDelete') return `updateStrategy OnDelete${strategy.defaulted ? ' (the default of its API version)' : ''}: pods change only when someone deletes them`;
  if (strategy.type === 'None') return 'no controller replaces its pods when the template changes';
  if (strategy.type === 'Invalid') return `its strategy type ${JSON.stringify(strategy.value)} is one the API server rejects`;
  return undefined;
}

