/**
 * `app-check`: does a server survive its part of a rollout? Runs it, drives real load, plays the
 * kubelet's termination and judges what happened.
 */
import { measureApp } from './run.js';
import type { AppCheckResult, AppCheckSettings } from './types.js';
import { judge } from './verdicts.js';

export { freePort, measureApp } from './run.js';
export { formatAppCheckJson, formatAppCheckText, passed } from './format.js';
export { judge } from './verdicts.js';
export type { AppCheckResult, AppCheckSettings, ConnectionRecord, Measurement, RequestRecord, Verdict, VerdictId } from './types.js';

/** Measures the command and judges it; throws a RollsafeError when it cannot be checked. */
export async function checkApp(settings: AppCheckSettings): Promise<AppCheckResult> {
  const measurement = await measureApp(settings);
  return { measurement, verdicts: judge(measurement) };
}
