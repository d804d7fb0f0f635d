/** IntOrString arithmetic, as k8s.io/apimachinery/pkg/util/intstr does it. */

/**
 * Resolves an int-or-percent against a total. Percentages round up or down as the Deployment
 * controller asks (knowledge/rollout-algorithm.md §1.5: maxSurge rounds up, maxUnavailable down).
 * Returns undefined for a malformed value.
 */
export function scaledValue(value: unknown, total: number, roundUp: boolean): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return /^\d+$/.test(value) ? undefined : undefined;
  const percent = Number(m[1]);
  const raw = (percent * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

/** The rolling-update fenceposts of a Deployment (ResolveFenceposts, rollout-algorithm.md §1.5). */
export interface Fenceposts {
  readonly surge: number;
  readonly unavailable: number;
  /** True when both resolved to 0 and maxUnavailable was forced to 1. */
  readonly forced: boolean;
}

/** Default maxSurge and maxUnavailable of a Deployment: 25 % each (deployment.md, §1.8). */
export const DEFAULT_MAX_SURGE = '25%';
export const DEFAULT_MAX_UNAVAILABLE = '25%';

export function resolveFenceposts(maxSurge: unknown, maxUnavailable: unknown, desired: number): Fenceposts | undefined {
  const surge = scaledValue(maxSurge ?? DEFAULT_MAX_SURGE, desired, true);
  const unavailableRaw = scaledValue(maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE, desired, false);
  if (surge === undefined || unavailableRaw === undefined) return undefined;
  if (surge === 0 && unavailableRaw === 0) return { surge, unavailable: 1, forced: true };
  // MaxUnavailable is clamped to the replica count.
  return { surge, unavailable: Math.min(unavailableRaw, desired), forced: false };
}
