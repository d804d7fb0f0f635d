/** The rule catalog: one explicit map, sorted by id. */
import type { Rule } from './types.js';
import { eniBackendRecommended } from './eni-backend-recommended.js';
import { fastShutdownImage } from './fast-shutdown-image.js';
import { gracePeriodTooShort } from './grace-period-too-short.js';
import { hpaReplicasConflict } from './hpa-replicas-conflict.js';
import { invalidManifest } from './invalid-manifest.js';
import { lbConnectionDrainMissing } from './lb-connection-drain-missing.js';
import { lbDrainExceedsGrace } from './lb-drain-exceeds-grace.js';
import { lbReadinessGateMissing } from './lb-readiness-gate-missing.js';
import { livenessProbeKillsSlowStart } from './liveness-probe-kills-slow-start.js';
import { livenessProbeSameAsReadiness } from './liveness-probe-same-as-readiness.js';
import { localTrafficPolicyGap } from './local-traffic-policy-gap.js';
import { pdbMissing } from './pdb-missing.js';
import { prestopExecUnavailable } from './prestop-exec-unavailable.js';
import { prestopMissing } from './prestop-missing.js';
import { prestopTooShort } from './prestop-too-short.js';
import { readinessProbeMissing } from './readiness-probe-missing.js';
import { readinessProbePortMismatch } from './readiness-probe-port-mismatch.js';
import { recreateStrategy } from './recreate-strategy.js';
import { rolloutMaxUnavailable } from './rollout-max-unavailable.js';
import { serviceSelectsNothing } from './service-selects-nothing.js';
import { serviceTargetPortUnserved } from './service-target-port-unserved.js';
import { sigtermNotForwarded } from './sigterm-not-forwarded.js';
import { singleReplica } from './single-replica.js';

export const RULES: ReadonlyMap<string, Rule> = new Map(
  [
    eniBackendRecommended,
    fastShutdownImage,
    gracePeriodTooShort,
    hpaReplicasConflict,
    invalidManifest,
    lbConnectionDrainMissing,
    lbDrainExceedsGrace,
    lbReadinessGateMissing,
    livenessProbeKillsSlowStart,
    livenessProbeSameAsReadiness,
    localTrafficPolicyGap,
    pdbMissing,
    prestopExecUnavailable,
    prestopMissing,
    prestopTooShort,
    readinessProbeMissing,
    readinessProbePortMismatch,
    recreateStrategy,
    rolloutMaxUnavailable,
    serviceSelectsNothing,
    serviceTargetPortUnserved,
    sigtermNotForwarded,
    singleReplica,
  ].map((rule) => [rule.meta.id, rule] as const),
);
