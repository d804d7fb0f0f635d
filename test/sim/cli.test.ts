/** `rollsafe simulate`: output shapes, options, exit codes and errors. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';

const PRESTOP = 'examples/seed/before/old-pod-no-prestop.yaml';

describe('rollsafe simulate', () => {
  it('--format json has the documented shape, with exact keys per workload', () => {
    const run = runCli(['simulate', '-p', 'ack-flannel', '--runs', '10', '--format', 'json', PRESTOP]);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout) as { workloads: Record<string, unknown>[]; skipped: unknown[] };
    expect(json.skipped).toEqual([]);
    expect(json.workloads).toHaveLength(1);
    const w = json.workloads[0] as Record<string, unknown>;
    expect(Object.keys(w)).toEqual(['resource', 'runs', 'requests', 'failed', 'pAnyFailure', 'byCause', 'rolloutSeconds', 'incomplete', 'failureWindows', 'notes']);
    expect(w['resource']).toBe('Deployment/before-prestop/nginx');
    expect(w['runs']).toBe(10);
    expect(w['pAnyFailure']).toBe(1);
    expect(Object.keys(w['failed'] as object)).toEqual(['mean', 'p50', 'p95', 'max']);
    expect(Object.keys(w['byCause'] as object)).toEqual(['refused-before-ready', 'refused-after-stop', 'no-local-endpoint', 'no-endpoint', 'cut-by-lb', 'killed-in-flight', 'keep-alive-race']);
    const byCause = w['byCause'] as Record<string, number>;
    expect(byCause['refused-after-stop']).toBe((w['failed'] as { mean: number }).mean);
    // Three steps of 11 s (container start 1 s, nginx listens 10 s later) plus each new pod's
    // readiness phase in [0, 10) s: its probe ticks from its own admission.
    const rollout = w['rolloutSeconds'] as { p50: number; p95: number };
    expect(Object.keys(rollout)).toEqual(['p50', 'p95']);
    expect(rollout.p50).toBeGreaterThanOrEqual(33);
    expect(rollout.p95).toBeLessThan(63);
    expect(rollout.p95).toBeGreaterThan(rollout.p50);
    // One window per old pod: each is refused after SIGTERM until kube-proxy stops sending to it.
    const windows = w['failureWindows'] as { cause: string; pod: string; layer: string }[];
    // (Which old pod goes first is the ReplicaSet's pseudo-random UID tie-break.)
    expect(windows.map((x) => [x.cause, x.pod, x.layer]).sort()).toEqual([
      ['refused-after-stop', 'nginx-a01', 'app'],
      ['refused-after-stop', 'nginx-a02', 'app'],
      ['refused-after-stop', 'nginx-a03', 'app'],
    ]);
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = runCli(['simulate', '-p', 'ack-flannel', '--runs', '5', '--seed', '42', '--format', 'json', PRESTOP]);
    const b = runCli(['simulate', '-p', 'ack-flannel', '--runs', '5', '--seed', '42', '--format', 'json', PRESTOP]);
    const c = runCli(['simulate', '-p', 'ack-flannel', '--runs', '5', '--seed', '43', '--format', 'json', PRESTOP]);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toBe(c.stdout);
  });

  it('text output names the profile, the numbers and the windows; exit 0 when nothing drops', () => {
    const bad = runCli(['simulate', '-p', 'ack-flannel', '--runs', '5', PRESTOP]);
    expect(bad.stdout.split('\n').slice(0, 8)).toEqual([
      'Simulated rollouts: profile ack-flannel, Kubernetes 1.30, 5 runs per workload, seed 1',
      '',
      'Deployment/before-prestop/nginx',
      expect.stringMatching(/^ {2}requests per rollout {2}[\d,.]+$/),
      expect.stringMatching(/^ {2}failed requests {7}mean [\d,.]+, p50 \d+, p95 \d+, max \d+; a failure in 100 % of runs$/),
      expect.stringMatching(/^ {2}by cause \(mean\) {7}refused-after-stop [\d,.]+$/),
      expect.stringMatching(/^ {2}rollout {15}p50 \d+(\.\d)? s, p95 \d+(\.\d)? s$/),
      '  failure windows (first run):',
    ]);
    const good = runCli(['simulate', '-p', 'ack-flannel', '--runs', '5', 'test/fixtures/fix/golden/old-pod-no-prestop.yaml']);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('mean 0, p50 0, p95 0, max 0; a failure in 0 % of runs');
    expect(runCli(['simulate', '-p', 'ack-flannel', '--runs', '5', '--fail-on', 'none', PRESTOP]).code).toBe(0);
  });

  it('--workload picks one workload; not-simulated workloads say why', () => {
    const one = runCli(['simulate', '-p', 'ack-flannel', '--runs', '3', '--format', 'json', '--workload', 'Deployment/before-local/nginx', 'examples/']);
    const json = JSON.parse(one.stdout) as { workloads: { resource: string }[]; skipped: unknown[] };
    expect(json.workloads.map((w) => w.resource)).toEqual(['Deployment/before-local/nginx']);
    const all = runCli(['simulate', '-p', 'ack-flannel', '--runs', '2', '--format', 'json', 'examples/']);
    const allJson = JSON.parse(all.stdout) as { workloads: { resource: string }[]; skipped: { resource: string; reason: string }[] };
    expect(allJson.workloads.map((w) => w.resource)).toEqual([
      'Deployment/before-drain/nginx',
      'Deployment/before-local/nginx',
      'Deployment/before-readiness/nginx',
      'Deployment/before-prestop/nginx',
    ]);
    expect(allJson.skipped.map((s) => s.resource)).toEqual(['Deployment/after-cluster/nginx', 'Deployment/after-eni/nginx', 'Deployment/after-local/nginx', 'Pod/seed-article/nginx']);
    expect(allJson.skipped[3]?.reason).toBe('a Pod is not rolled out by a controller');
  });

  it('flags override the profile: more rps, more failed requests', () => {
    const base = JSON.parse(runCli(['simulate', '-p', 'ack-flannel', '--runs', '20', '--format', 'json', PRESTOP]).stdout) as { workloads: { failed: { mean: number }; requests: number }[] };
    const more = JSON.parse(runCli(['simulate', '-p', 'ack-flannel', '--runs', '20', '--rps', '1000', '--format', 'json', PRESTOP]).stdout) as { workloads: { failed: { mean: number }; requests: number }[] };
    expect((more.workloads[0]?.requests ?? 0) / (base.workloads[0]?.requests ?? 1)).toBeCloseTo(10, 0);
    expect(more.workloads[0]?.failed.mean ?? 0).toBeGreaterThan(8 * (base.workloads[0]?.failed.mean ?? 0));
    const ignore = JSON.parse(runCli(['simulate', '-p', 'ack-flannel', '--runs', '20', '--sigterm', 'ignore', '--format', 'json', PRESTOP]).stdout) as { workloads: { byCause: Record<string, number> }[] };
    // An app that ignores SIGTERM keeps serving until SIGKILL at 30 s, long after kube-proxy moved
    // on: nothing is refused, but SIGKILL kills what its keep-alive clients still send it.
    const byCause = ignore.workloads[0]?.byCause ?? {};
    expect(byCause['refused-after-stop']).toBe(0);
    expect(byCause['killed-in-flight']).toBeGreaterThan(0);
  });

  it('usage errors and bad input: exit 2 with a clear message, never a stack', () => {
    const cases: [string[], string][] = [
      [['simulate'], 'rollsafe: simulate needs at least one PATH (a file, a folder, or - for stdin)\n'],
      [['simulate', '--runs', '0', PRESTOP], 'rollsafe: --runs needs a whole number from 1 to 100000, not `0`\n'],
      [['simulate', '--rps=-1', PRESTOP], 'rollsafe: --rps needs a number ≥ 0, not `-1`\n'],
      [['simulate', '--sigterm', 'maybe', PRESTOP], 'rollsafe: unknown --sigterm maybe; use graceful, graceful-close-idle, exit or ignore\n'],
      [['simulate', '--format', 'sarif', PRESTOP], 'rollsafe: unknown --format sarif; use text or json\n'],
      [['simulate', '--workload', 'Deployment/x/y', PRESTOP], 'rollsafe: no workload Deployment/x/y in the input\n'],
    ];
    for (const [argv, message] of cases) {
      const run = runCli(argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr).toBe(`${message}Run \`rollsafe simulate --help\` for usage.\n`);
    }
    const broken = runCli(['simulate', '-'], { stdin: 'kind: Deployment\nspec: [\n' });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^<stdin>:2:7: yaml-syntax: /);
    expect(broken.stderr).not.toMatch(/\n\s+at /);
  });

  it('hostile numbers end in a clear answer: too many replicas or nodes, a preStop of years', () => {
    const manifest = (replicas: number, grace: number, sleep: number): string =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      terminationGracePeriodSeconds: ${grace}\n      containers:\n      - name: web\n        image: nginx\n        ports: [{containerPort: 80}]\n        lifecycle: {preStop: {sleep: {seconds: ${sleep}}}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n`;
    const many = runCli(['simulate', '--format', 'json', '-'], { stdin: manifest(100_000, 30, 5) });
    expect(many.code).toBe(0);
    expect(JSON.parse(many.stdout).skipped).toEqual([{ resource: 'Deployment/default/web', reason: 'it has 100000 replicas, more than the 1,000 one run simulates' }]);
    const nodes = runCli(['simulate', '--nodes', '5000', '--format', 'json', '-'], { stdin: manifest(3, 30, 5) });
    expect(JSON.parse(nodes.stdout).skipped[0].reason).toBe('the cluster has 5000 nodes, more than the 1,000 one run simulates');
    // Old pods that sleep 10⁸ s before SIGTERM: the run stops after a simulated day.
    const slow = runCli(['simulate', '--runs', '2', '--format', 'json', '-'], { stdin: manifest(3, 1e9, 1e8) });
    const w = JSON.parse(slow.stdout).workloads[0] as { requests: number; rolloutSeconds: { p50: number } };
    expect(w.rolloutSeconds.p50).toBeLessThan(60);
    expect(w.requests).toBeLessThan(100 * 86_400 * 1.01);
  });

  it('--help', () => {
    const run = runCli(['simulate', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: rollsafe simulate \[options\] PATH\.\.\./);
  });
});
