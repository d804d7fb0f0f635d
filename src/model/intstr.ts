/** IntOrString arithmetic, as k8s.io/apimachinery/pkg/util/intstr does it. */
import type { IntOrString } from './k8s.js';

/**
 * True for an int-or-percent the API server accepts for maxSurge, maxUnavailable and a PDB's
 * minAvailable/maxUnavailable: a non-negative integer or a string of digits followed by `%`
 * (ValidatePositiveIntOrPercent in pkg/apis/apps/validation and pkg/apis/policy/validation, with
 * apimachinery's IsValidPercent, `^[0-9]+%$`). `"25"` is neither: a string must be a percentage.
 */
export function validIntOrPercent(value: unknown): value is IntOrString {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0;
  return typeof value === 'string' && /^[0-9]+%$/.test(value);
}

/**
 * Resolves an int-or-percent against a total. Percentages round up or down as the Deployment
 * controller asks (maxSurge rounds up, maxUnavailable down: GetScaledValueFromIntOrPercent in
 * apimachinery's intstr, called by ResolveFenceposts in pkg/controller/deployment/util).
 * Returns undefined for a value the API server rejects.
 */
export function scaledValue(value: unknown, total: number, roundUp: boolean): number | undefined {
  if (!validIntOrPercent(value)) return undefined;
  if (typeof value === 'number') return value;
  const raw = (Number(value.slice(0, -1)) * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

/** The rolling-update fenceposts of a Deployment (ResolveFenceposts). */
export interface Fenceposts {
  readonly surge: number;
  readonly unavailable: number;
  /** True when both resolved to 0 and maxUnavailable was forced to 1. */
  readonly forced: boolean;
}

/** Default maxSurge and maxUnavailable of an apps/v1 Deployment: 25 % each (pkg/apis/apps/v1/defaults.go). */
export const DEFAULT_MAX_SURGE = '25%';
export const DEFAULT_MAX_UNAVAILABLE = '25%';

/**
 * ResolveFenceposts. Callers pass the values after defaulting (`updateStrategyOf` in
 * model/rollout.ts); an unset value falls back to the apps/v1 default. Undefined when a value is
 * invalid: nothing is computed from a value the API server rejects.
 */
export function resolveFenceposts(maxSurge: unknown, maxUnavailable: unknown, desired: number): Fenceposts | undefined {
  const surge = scaledValue(maxSurge ?? DEFAULT_MAX_SURGE, desired, true);
  const unavailableRaw = scaledValue(maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE, desired, false);
  if (surge === undefined || unavailableRaw === undefined) return undefined;
  if (surge === 0 && unavailableRaw === 0) return { surge, unavailable: 1, forced: true };
  // MaxUnavailable is clamped to the replica count.
  return { surge, unavailable: Math.min(unavailableRaw, desired), forced: false };
}
