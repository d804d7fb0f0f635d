/** The built artifact, run as users run it: a real `node dist/cli/bin.js` process. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const BIN = `${ROOT}dist/cli/bin.js`;
const PRESTOP = 'examples/seed/before/old-pod-no-prestop.yaml';

function run(args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * `PRODUCER | node dist/cli/bin.js ARGS` through a real shell pipe: the producer is a separate
 * process that may write nothing for a while, as `helm template` does while it renders.
 */
function piped(producer: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('sh', ['-c', `${producer} | "$NODE" "$BIN" "$@"`, 'sh', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', NODE: process.execPath, BIN },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const SLOW = `(sleep 1; cat ${PRESTOP})`;

/** `node dist/cli/bin.js ARGS | READER` in bash: the command's exit status, its stderr, and what the reader printed. */
function intoReader(args: readonly string[], reader: string): { status: number; stderr: string; read: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rollsafe-pipe-'));
  const script = `"$NODE" "$BIN" "$@" 2>"$DIR/err" | ${reader} >"$DIR/read"; echo "\${PIPESTATUS[0]}"`;
  const result = spawnSync('bash', ['-c', script, 'bash', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', NODE: process.execPath, BIN, DIR: dir } });
  return { status: Number(result.stdout.trim()), stderr: readFileSync(join(dir, 'err'), 'utf8'), read: readFileSync(join(dir, 'read'), 'utf8') };
}

describe.runIf(existsSync(BIN))('dist/cli/bin.js (built by `npm run build`)', () => {
  it('a reader that leaves early (| head) ends the output quietly: no EPIPE stack trace, the exit code of the findings', () => {
    for (const format of ['json', 'text']) {
      const result = intoReader(['check', '-f', format, 'test/fixtures'], 'head -c 100');
      expect(result.stderr).toBe('');
      expect(result.status).toBe(1);
      expect(result.read.length).toBe(100);
    }
  });

  it('a slow reader gets the whole JSON report, written as the pipe takes it', () => {
    const whole = run(['check', '-f', 'json', 'test/fixtures']);
    const slow = intoReader(['check', '-f', 'json', 'test/fixtures'], '(sleep 1; cat)');
    expect(slow.status).toBe(1);
    expect(slow.stderr).toBe('');
    expect(slow.read).toBe(whole.stdout);
    expect(whole.stdout.length).toBeGreaterThan(64 * 1024 * 4);
  });

  it('checks the examples like the README says', () => {
    const result = run(['check', '--profile', 'ack-flannel', '--k8s-version', '1.18', '--format', 'json', 'examples/']);
    expect(result.status).toBe(1);
    const json = JSON.parse(result.stdout) as { summary: Record<string, number>; findings: Array<{ ruleId: string }> };
    expect(json.summary).toEqual({ files: 8, objects: 16, errors: 8, warnings: 17, infos: 4 }); // the seed's probe on 5084: info (readiness-probe-port-mismatch)
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

describe.runIf(existsSync(BIN))('stdin from a producer slower than start-up (sleep 1, then the manifest)', () => {
  it('check - waits for the input and reports it as <stdin>', () => {
    const result = piped(SLOW, ['check', '--format', 'json', '-']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    const json = JSON.parse(result.stdout) as { summary: { files: number; objects: number }; findings: Array<{ file: string; ruleId: string; line: number; column: number }> };
    expect(json.summary.files).toBe(1);
    expect(json.summary.objects).toBe(2);
    expect(json.findings.map((f) => [f.file, f.ruleId, f.line, f.column])).toEqual([
      ['<stdin>', 'pdb-missing', 9, 1],
      ['<stdin>', 'prestop-missing', 30, 9],
    ]);
  });

  it('fix - writes the same fixed YAML as for the file itself', () => {
    const result = piped(SLOW, ['fix', '-']);
    expect(result.status).toBe(0);
    const direct = run(['fix', '-'], readFileSync(`${ROOT}${PRESTOP}`, 'utf8'));
    expect(direct.status).toBe(0);
    expect(result.stdout).toBe(direct.stdout);
    expect(result.stdout).toContain('preStop:');
    expect(result.stderr).toBe('rollsafe: applied 2 fixes to 1 file in 1 pass\n');
  });

  it('simulate - simulates the same rollout as for the file itself', () => {
    const args = ['simulate', '--runs', '2', '--seed', '7', '--format', 'json'];
    const result = piped(SLOW, [...args, '-']);
    const direct = run([...args, PRESTOP]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(direct.status);
    expect(result.stdout).toBe(direct.stdout);
    const json = JSON.parse(result.stdout) as { workloads: Array<{ resource: string; runs: number }> };
    expect(json.workloads.map((w) => [w.resource, w.runs])).toEqual([['Deployment/before-prestop/nginx', 2]]);
  });

  it('report - -o - writes the page', () => {
    const result = piped(SLOW, ['report', '--runs', '1', '-', '-o', '-']);
    expect(result.status).toBe(0);
    expect(result.stdout.startsWith('<!doctype html>')).toBe(true);
    expect(result.stdout).toContain('before-prestop');
  });

  it('advise -f - derives the workload from the piped manifest', () => {
    const result = piped(SLOW, ['advise', '--provider', 'aws', '--network-plugin', 'aws-vpc-cni', '--lb', 'alb', '-f', '-', '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout) as { configs: Array<{ from: string }> };
    expect(json.configs.map((c) => c.from)).toEqual(['Deployment before-prestop/nginx (<stdin>)']);
  });

  it('does not read stdin when no input is `-` (report -o - while stdin stays open)', async () => {
    // stdin is a pipe nobody writes to or closes: reading it would wait for ever.
    const child = spawn(process.execPath, [BIN, 'report', '--runs', '1', PRESTOP, '-o', '-'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve(null);
      }, 20_000);
      child.on('exit', (status) => {
        clearTimeout(timer);
        resolve(status);
      });
    });
    child.stdin.end();
    expect(code).toBe(0);
    expect(bytes).toBeGreaterThan(100_000);
  });

  it('refuses more than 64 MiB on stdin with one line and exit code 2', () => {
    const result = piped(`head -c ${64 * 1024 * 1024 + 1} /dev/zero | tr '\\0' '#'`, ['check', '-']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('rollsafe: <stdin>: more than 64 MiB, the limit per file; split the input or check it is a manifest\n');
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
