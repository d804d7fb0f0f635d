/** `check --impact`: the simulated cost of a finding, with and without its fix. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

interface JsonFinding {
  ruleId: string;
  category: string;
  impact?: { failedRequests: number; before: number; after: number; rps: number; workloads: string[] };
}

function findings(argv: string[]): JsonFinding[] {
  const run = runCli(['check', '--format', 'json', '--fail-on', 'none', ...argv]);
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings;
}

describe('check --impact', () => {
  it('a missing preStop costs what the simulator drops without it, and nothing with the fix', () => {
    const list = findings(['--impact', '-p', 'ack-flannel', 'examples/seed/before/old-pod-no-prestop.yaml']);
    expect(list.map((f) => [f.ruleId, f.impact === undefined])).toEqual([
      ['pdb-missing', true], // category disruption: not simulated
      ['prestop-missing', false],
      ['lb-connection-drain-missing', false],
    ]);
    const prestop = list[1]?.impact;
    expect(prestop?.workloads).toEqual(['Deployment/before-prestop/nginx']);
    expect(prestop?.rps).toBe(100);
    expect(prestop?.after).toBe(0);
    expect(prestop?.failedRequests).toBe(prestop?.before);
    expect(prestop?.failedRequests).toBeGreaterThan(300);
    // Cluster mode: the SLB never removes a node during the rollout, so draining saves nothing here.
    expect(list[2]?.impact?.failedRequests).toBe(0);
  });

  it('without --impact the JSON shape has no impact key', () => {
    const list = findings(['-p', 'ack-flannel', 'examples/seed/before/old-pod-no-prestop.yaml']);
    expect(list.every((f) => !('impact' in f))).toBe(true);
  });

  it('the drain setting is worth the connections the SLB cuts when it removes a Local-mode node', () => {
    const list = findings(['--impact', '-p', 'ack-flannel', 'examples/seed/before/local-mode-no-inplace.yaml']);
    const drain = list.find((f) => f.ruleId === 'lb-connection-drain-missing');
    expect(drain?.impact?.failedRequests).toBeGreaterThan(0);
    expect(drain?.impact?.after).toBe(0);
  });

  it('text output states the cost under the finding', () => {
    const run = runCli(['check', '--impact', '-p', 'ack-flannel', '--fail-on', 'none', 'examples/seed/before/old-pod-no-prestop.yaml']);
    const lines = run.stdout.split('\n');
    const at = lines.findIndex((l) => l.includes('prestop-missing'));
    expect(lines[at + 1]).toMatch(/^ {11}≈ \d{3} failed requests per rollout at 100 rps \(simulated: [\d.]+ → 0 with the fix\)$/);
  });
});
