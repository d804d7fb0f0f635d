/** The built artifact, run as users run it: a real `node dist/cli/bin.js` process. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const BIN = `${ROOT}dist/cli/bin.js`;

function run(args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.runIf(existsSync(BIN))('dist/cli/bin.js (built by `npm run build`)', () => {
  it('checks the examples like the README says', () => {
    const result = run(['check', '--profile', 'ack-flannel', '--k8s-version', '1.18', '--format', 'json', 'examples/']);
    expect(result.status).toBe(1);
    const json = JSON.parse(result.stdout) as { summary: Record<string, number>; findings: Array<{ ruleId: string }> };
    expect(json.summary).toEqual({ files: 8, objects: 16, errors: 12, warnings: 17, infos: 0 });
    expect(new Set(json.findings.map((f) => f.ruleId))).toEqual(
      new Set(['invalid-manifest', 'lb-connection-drain-missing', 'liveness-probe-same-as-readiness', 'local-traffic-policy-gap', 'pdb-missing', 'prestop-missing', 'readiness-probe-missing', 'readiness-probe-port-mismatch', 'single-replica']),
    );
  });

  it('reads stdin, and exits 2 with one line for a missing file', () => {
    expect(run(['check', '--format', 'json', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n').status).toBe(0);
    const missing = run(['check', 'no/such/file.yaml']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('rollsafe: no/such/file.yaml: no such file or directory\n');
  });
});

/** kubectl finds plugins as executables named `kubectl-NAME` on the PATH (kubectl docs: "Extend kubectl with plugins"). */
const KUBECTL = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
const IN_CI = process.env['CI'] !== undefined && process.env['CI'] !== '';

describe.runIf(existsSync(BIN) && (KUBECTL || IN_CI))('kubectl rollsafe (a real kubectl, the package bin `kubectl-rollsafe` on the PATH)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rollsafe-plugin-'));
  symlinkSync(BIN, join(dir, 'kubectl-rollsafe'));
  const env = { ...process.env, NO_COLOR: '1', PATH: `${dir}:${process.env['PATH'] ?? ''}` };
  const kubectl = (args: readonly string[]) => spawnSync('kubectl', args, { cwd: ROOT, encoding: 'utf8', env });

  it('is listed by `kubectl plugin list`', () => {
    const list = kubectl(['plugin', 'list']);
    expect(list.stdout.split('\n')).toContain(join(dir, 'kubectl-rollsafe'));
  });

  it('checks the examples with the same result as rollsafe itself', () => {
    const viaKubectl = kubectl(['rollsafe', 'check', '--profile', 'ack-flannel', '--k8s-version', '1.18', '--format', 'json', 'examples/']);
    const direct = run(['check', '--profile', 'ack-flannel', '--k8s-version', '1.18', '--format', 'json', 'examples/']);
    expect(viaKubectl.status).toBe(1);
    expect(viaKubectl.stdout).toBe(direct.stdout);
  });

  it('names itself `kubectl rollsafe` in its help', () => {
    const help = kubectl(['rollsafe', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('\n  kubectl rollsafe check [options] PATH...');
    expect(help.stdout).not.toContain('\n  rollsafe check');
  });
});
