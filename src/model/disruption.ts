/** A PodDisruptionBudget's budget, as the API server accepts it. */
import { validIntOrPercent } from './intstr.js';
import { recordAt, type IntOrString } from './k8s.js';
import type { Resource } from './resource.js';

/** What a PDB bounds: the pods that may be down, or the pods that must stay up. */
export type DisruptionBudget = { readonly maxUnavailable: IntOrString } | { readonly minAvailable: IntOrString };

function percentOver100(value: IntOrString): boolean {
  return typeof value === 'string' && Number(value.slice(0, -1)) > 100;
}

/**
 * The budget of a PDB; undefined when it has none, or when the API server rejects it (both fields
 * set, a value that is no int-or-percent, a percentage over 100: ValidatePodDisruptionBudgetSpec
 * in pkg/apis/policy/validation), so that no rule computes with it.
 */
export function disruptionBudgetOf(pdb: Resource): DisruptionBudget | undefined {
  const spec = recordAt(pdb.object, 'spec');
  const maxUnavailable = spec?.['maxUnavailable'];
  const minAvailable = spec?.['minAvailable'];
  const set = (v: unknown): boolean => v !== undefined && v !== null;
  if (set(maxUnavailable) && set(minAvailable)) return undefined;
  if (set(maxUnavailable)) return validIntOrPercent(maxUnavailable) && !percentOver100(maxUnavailable) ? { maxUnavailable } : undefined;
  if (set(minAvailable)) return validIntOrPercent(minAvailable) && !percentOver100(minAvailable) ? { minAvailable } : undefined;
  return undefined;
}
