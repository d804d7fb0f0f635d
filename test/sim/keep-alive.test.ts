/**
 * The keep-alive race as its own SIGTERM behaviour: a server that closes its idle keep-alive
 * connections at once on SIGTERM (Go's http.Server.Shutdown: "first closing all open listeners,
 * then closing all idle connections"; Node's server.close(), which closes idle connections from
 * Node 19) resets the request a client sends on a connection as it closes. One that answers with
 * `Connection: close` instead drops none.
 */
import { describe, expect, it } from 'vitest';
import { simulateRun } from '../../src/sim/index.js';
import { KEEPALIVE_CONNECTION_RPS, KEEPALIVE_RACE_SECONDS, type SigtermBehaviour, type SimInput } from '../../src/sim/params.js';
import { simInputOf } from './inputs.js';

/** One replica replaced (surge 1), 100 rps all on keep-alive: 10 connections, all to the old pod. */
function input(sigterm: SigtermBehaviour): SimInput {
  return simInputOf(
    { replicas: 1, nodes: 1, strategy: { kind: 'Deployment', type: 'RollingUpdate', surge: 1, unavailable: 0 }, traffic: { rps: 100, keepAliveShare: 1, requestSeconds: 0.1 } },
    { sigterm, preStopSeconds: 5, appDrainSeconds: 1 },
  );
}

describe('keep-alive race (--sigterm graceful-close-idle)', () => {
  it('each connection open at SIGTERM loses its next request with the chance it is sent within the race window', () => {
    const { result } = simulateRun(input('graceful-close-idle'), 1, { expected: true });
    // 10 connections × (1 − e^(−10 rps × 2 ms)).
    const connections = 100 / KEEPALIVE_CONNECTION_RPS;
    expect(result.byCause['keep-alive-race']).toBeCloseTo(connections * (1 - Math.exp(-KEEPALIVE_CONNECTION_RPS * KEEPALIVE_RACE_SECONDS)), 9);
    // In-flight requests finish: nothing is killed.
    expect(result.byCause['killed-in-flight']).toBe(0);
    expect(result.failed).toBeCloseTo(result.byCause['keep-alive-race'], 9);
  });

  it('Connection: close on the next response (graceful) drops none; exiting at once kills and races', () => {
    expect(simulateRun(input('graceful'), 1, { expected: true }).result.failed).toBe(0);
    const exit = simulateRun(input('exit'), 1, { expected: true }).result;
    expect(exit.byCause['keep-alive-race']).toBeGreaterThan(0);
    expect(exit.byCause['killed-in-flight']).toBeGreaterThan(0);
  });

  it('sampled over many runs, the race shows up in about 2 % of connection closes', () => {
    let races = 0;
    const runs = 400;
    for (let seed = 1; seed <= runs; seed++) races += simulateRun(input('graceful-close-idle'), seed).result.byCause['keep-alive-race'];
    // 4,000 closes × 1.98 % ≈ 79; a Poisson count of that mean lies within ±4 sd (35) of it.
    expect(races).toBeGreaterThan(79 - 35);
    expect(races).toBeLessThan(79 + 35);
  });
});
