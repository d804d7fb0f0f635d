/** Hand-built simulator inputs for tests: every number under the test's control, no profile. */
import { isNotSimulated, type NotSimulated, type SimInput } from '../../src/sim/params.js';

/** The input `simInput` built; fails the test with the reason when the workload was not simulated. */
export function simulated(input: SimInput | NotSimulated): SimInput {
  if (isNotSimulated(input)) throw new Error(`not simulated: ${input.notSimulated}`);
  return input;
}

export type PodOverrides = Partial<SimInput['pod']>;
export type InputOverrides = Partial<Omit<SimInput, 'pod'>>;

/**
 * 10 replicas at 25 % / 25 % on 3 nodes, ClusterIP traffic off; a pod runs 1 s after creation,
 * listens 3 s later, is Ready at its first readiness check (period 1 s), and when deleted runs a
 * 5 s preStop, drains for 1 s and exits.
 */
export function simInputOf(overrides: InputOverrides = {}, pod: PodOverrides = {}): SimInput {
  const nodes = overrides.nodes ?? 3;
  return {
    resource: 'Deployment/default/web',
    strategy: { kind: 'Deployment', type: 'RollingUpdate', surge: 3, unavailable: 2 },
    replicas: 10,
    minReadySeconds: 0,
    progressDeadlineSeconds: 600,
    pod: {
      containerStartSeconds: 1,
      appStartupSeconds: 3,
      readiness: { ok: true, initialDelay: 0, period: 1, successThreshold: 1, failureThreshold: 3 },
      preStopSeconds: 5,
      graceSeconds: 30,
      sigterm: 'graceful',
      appDrainSeconds: 1,
      lbReadinessGate: false,
      ...pod,
    },
    entry: { kind: 'cluster-ip' },
    proxy: { sync: { p50: 1, p99: 2 }, terminatingEndpoints: true },
    nodes,
    eligibleNodes: nodes,
    traffic: { rps: 0, keepAliveShare: 0, requestSeconds: 0.1 },
    notes: [],
    ...overrides,
  };
}
