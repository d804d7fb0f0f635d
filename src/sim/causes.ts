/**
 * Which `check` rules report each cause the simulator counts: the table the cross-check between
 * `check` and `simulate` (test/sim/check-simulate.test.ts) reads. A workload whose simulated
 * rollouts fail for a cause should have a finding of one of these rules (on the workload, or on a
 * Service, Ingress or BackendConfig in front of it).
 */
import type { Cause } from './types.js';

/**
 * Rules that say a rollout leaves nothing serving (src/domain/replacement.ts): there every failure
 * — refused before the new pod listens or after the old one stopped, or no endpoint at all — is
 * that outage, which a preStop or a probe only moves.
 */
const OUTAGE = ['single-replica', 'recreate-strategy', 'rollout-max-unavailable'];

export const RULES_OF_CAUSE: Readonly<Record<Cause, readonly string[]>> = {
  // A pod in the endpoints before its app listens.
  'refused-before-ready': ['readiness-probe-missing', 'readiness-probe-port-mismatch', 'lb-readiness-gate-missing', 'liveness-probe-kills-slow-start', 'liveness-probe-same-as-readiness', ...OUTAGE],
  // The app stops accepting while a layer still routes to it.
  'refused-after-stop': ['prestop-missing', 'prestop-too-short', 'prestop-exec-unavailable', 'grace-period-too-short', 'fast-shutdown-image', 'local-traffic-policy-gap', 'eni-backend-recommended', ...OUTAGE],
  // The LB sends to a node without a local endpoint (externalTrafficPolicy: Local).
  'no-local-endpoint': ['local-traffic-policy-gap', 'eni-backend-recommended'],
  // No pod serves at all: every pod is replaced at once, the only one is, or a liveness probe
  // restarts each new pod before its app listens (a crash loop).
  'no-endpoint': ['lb-readiness-gate-missing', 'liveness-probe-kills-slow-start', ...OUTAGE],
  // The LB cuts open connections when it removes a backend.
  'cut-by-lb': ['lb-connection-drain-missing', 'lb-drain-exceeds-grace', 'local-traffic-policy-gap'],
  // In flight when the app exits at once, is killed at the grace deadline, or restarted.
  'killed-in-flight': ['grace-period-too-short', 'sigterm-not-forwarded', 'fast-shutdown-image', 'prestop-missing', 'prestop-too-short', 'liveness-probe-kills-slow-start', 'liveness-probe-same-as-readiness'],
  // A keep-alive request sent as the server closes the connection.
  'keep-alive-race': ['prestop-missing', 'prestop-too-short', 'sigterm-not-forwarded', 'fast-shutdown-image', 'grace-period-too-short'],
};
