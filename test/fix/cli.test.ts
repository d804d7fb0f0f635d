/** `rollsafe fix` (runFix): output modes, atomic writes, --only, exit codes. */
import { chmodSync, copyFileSync, lstatSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pid } from 'node:process';
import { applyPatch } from 'diff';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NODE_FILES, type FileWriter } from '../../src/cli/write-file.js';
import { runFix } from '../../src/cli/fix.js';
import { captureIo, ROOT } from '../helpers.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: string[], options: { stdin?: string; files?: FileWriter } = {}): Run {
  const { io, out } = captureIo(options.stdin === undefined ? {} : { stdin: options.stdin });
  const code = runFix(args, io, options.files ?? NODE_FILES);
  return { code, ...out() };
}

const BEFORE = `${ROOT}examples/seed/before/`;
const GOLDEN = `${ROOT}test/fixtures/fix/golden/`;
const read = (path: string): string => readFileSync(path, 'utf8');

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollsafe-fix-'));
});
afterEach(() => {
  dir = '';
});

/** Copies a seed "before" file into the temporary folder. */
function copy(name: string, as = `${name}.yaml`): string {
  const path = join(dir, as);
  copyFileSync(`${BEFORE}${name}.yaml`, path);
  return path;
}

describe('rollsafe fix: output modes', () => {
  it('by default prints a unified diff and changes nothing', () => {
    const path = copy('new-pod-no-readiness');
    const before = read(path);
    const result = run(['--profile', 'ack-flannel', path]);
    expect(result.code).toBe(0);
    expect(read(path)).toBe(before);
    expect(result.stdout.startsWith(`--- ${path}\n+++ ${path}\n@@ -31,13 +31,35 @@\n`)).toBe(true);
    expect(applyPatch(before, result.stdout)).toBe(read(`${GOLDEN}new-pod-no-readiness.yaml`));
    expect(result.stderr).toBe('rollsafe: would apply 4 fixes to 1 file in 1 pass; run with --write to apply them\n');
  });

  it('prints nothing on stdout when there is nothing to fix', () => {
    const path = join(dir, 'fixed.yaml');
    copyFileSync(`${GOLDEN}lb-no-drain.yaml`, path);
    const result = run(['--profile', 'ack-flannel', path]);
    expect([result.code, result.stdout, result.stderr]).toEqual([0, '', 'rollsafe: nothing to fix\n']);
  });

  it('--write rewrites every changed file in place, with no temporary file left', () => {
    const a = copy('lb-no-drain');
    const b = copy('old-pod-no-prestop');
    chmodSync(a, 0o640);
    const result = run(['--profile', 'ack-flannel', '--write', dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(read(a)).toBe(read(`${GOLDEN}lb-no-drain.yaml`));
    expect(read(b)).toBe(read(`${GOLDEN}old-pod-no-prestop.yaml`));
    expect(statSync(a).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).sort()).toEqual(['lb-no-drain.yaml', 'old-pod-no-prestop.yaml']);
    expect(result.stderr).toBe('rollsafe: applied 5 fixes to 2 files in 1 pass\n');
  });

  it('--write keeps group- and other-writable modes that the umask would strip at creation (664, 666)', () => {
    const a = copy('lb-no-drain');
    const b = copy('old-pod-no-prestop');
    // The umask in force (022 for root and most users) strips group/other write from a mode given at creation.
    writeFileSync(join(dir, 'probe'), '', { mode: 0o666 });
    expect(statSync(join(dir, 'probe')).mode & 0o022).toBe(0);
    unlinkSync(join(dir, 'probe'));
    chmodSync(a, 0o664);
    chmodSync(b, 0o666);
    expect(run(['--profile', 'ack-flannel', '--write', dir]).code).toBe(0);
    expect(read(a)).toBe(read(`${GOLDEN}lb-no-drain.yaml`));
    expect([statSync(a).mode & 0o777, statSync(b).mode & 0o777]).toEqual([0o664, 0o666]);
  });

  it('--write goes through a temporary file beside the target, then a rename over it; a symlink stays a symlink', () => {
    const target = copy('lb-no-drain');
    const link = join(dir, 'link.yaml');
    symlinkSync(target, link);
    const calls: string[] = [];
    const files: FileWriter = {
      ...NODE_FILES,
      writeFile: (path, text, mode) => {
        calls.push(`write ${path} ${mode?.toString(8) ?? ''}`);
        NODE_FILES.writeFile(path, text, mode);
      },
      rename: (from, to) => {
        calls.push(`rename ${from} ${to}`);
        NODE_FILES.rename(from, to);
      },
    };
    expect(run(['--profile', 'ack-flannel', '--write', link], { files }).code).toBe(0);
    const temp = `${target}.rollsafe-tmp-${pid}`;
    expect(calls).toEqual([`write ${temp} ${(statSync(target).mode & 0o7777).toString(8)}`, `rename ${temp} ${target}`]);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(read(target)).toBe(read(`${GOLDEN}lb-no-drain.yaml`));
  });

  it('a failed rename leaves the original untouched and no temporary file; exit 2', () => {
    const path = copy('lb-no-drain');
    const before = read(path);
    const files: FileWriter = {
      ...NODE_FILES,
      rename: () => {
        throw Object.assign(new Error('EXDEV'), { code: 'EXDEV' });
      },
    };
    const result = run(['--profile', 'ack-flannel', '--write', path], { files });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`rollsafe: ${path}: cannot replace the file (EXDEV)\n`);
    expect(read(path)).toBe(before);
    expect(readdirSync(dir)).toEqual(['lb-no-drain.yaml']);
  });

  it('-o FILE writes the fixed YAML there and leaves the input as it was', () => {
    const path = copy('old-pod-no-prestop');
    const out = join(dir, 'out.yaml');
    const result = run(['-p', 'ack-flannel', '-o', out, path]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(read(out)).toBe(read(`${GOLDEN}old-pod-no-prestop.yaml`));
    expect(read(path)).toBe(read(`${BEFORE}old-pod-no-prestop.yaml`));
  });

  it('- reads stdin and writes the fixed YAML to stdout', () => {
    const result = run(['--profile', 'ack-flannel', '--k8s-version', '1.18', '-'], { stdin: read(`${BEFORE}new-pod-no-readiness.yaml`) });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(read(`${GOLDEN}new-pod-no-readiness.k8s-1.18.yaml`));
  });

  it('- with -o writes stdin\'s fixed YAML to the file', () => {
    const out = join(dir, 'safe.yaml');
    expect(run(['-p', 'ack-flannel', '-o', out, '-'], { stdin: read(`${BEFORE}lb-no-drain.yaml`) }).code).toBe(0);
    expect(read(out)).toBe(read(`${GOLDEN}lb-no-drain.yaml`));
  });
});

describe('rollsafe fix: which fixes, and exit codes', () => {
  it('--only ID (or --rule ID without a level) applies only that rule\'s fixes', () => {
    const path = copy('old-pod-no-prestop');
    for (const flag of ['--only', '--rule']) {
      const result = run(['-p', 'ack-flannel', flag, 'lb-connection-drain-missing', '-'], { stdin: read(path) });
      expect(result.code, flag).toBe(0);
      const added = result.stdout.split('\n').filter((line) => !read(path).split('\n').includes(line));
      expect(added, flag).toEqual([
        '  annotations:',
        '    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain: "on"',
        '    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout: "30"',
      ]);
    }
  });

  it('--rule ID=off keeps a rule\'s fixes out', () => {
    const result = run(['-p', 'ack-flannel', '--rule', 'pdb-missing=off', '-'], { stdin: read(`${BEFORE}lb-no-drain.yaml`) });
    expect(result.stdout).not.toContain('PodDisruptionBudget');
    expect(result.stdout).toContain('connection-drain: "on"');
  });

  it('exit 0 when only findings without an automatic fix remain; they are listed with a hint', () => {
    const oneReplica = read(`${BEFORE}old-pod-no-prestop.yaml`).replace('replicas: 3', 'replicas: 1');
    const result = run(['-p', 'ack-flannel', '-'], { stdin: oneReplica });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'rollsafe: applied 2 fixes to 1 file in 1 pass\n\n1 finding without an automatic fix:\n' +
        '<stdin>:18:3: warning single-replica: Deployment before-prestop/nginx runs 1 replica: any restart, eviction or node drain leaves nothing serving\n' +
        '  fix by hand: see `rollsafe explain single-replica`\n',
    );
  });

  it('lists remaining findings at their lines in the fixed text', () => {
    const result = run(['-p', 'ack-flannel', '--k8s-version', '1.18', '--only', 'pdb-missing', '--only', 'prestop-missing', '-'], { stdin: read(`${BEFORE}local-mode-no-inplace.yaml`) });
    expect(result.code).toBe(0);
    // Only the --only rules are reported; the PodDisruptionBudget came in above the Service.
    expect(result.stderr).toBe('rollsafe: applied 1 fix to 1 file in 1 pass\n');
    const all = run(['-p', 'ack-flannel', '--k8s-version', '1.18', '-'], { stdin: read(`${BEFORE}local-mode-no-inplace.yaml`) });
    expect(all.stderr).toMatch(/\n<stdin>:74:3: error local-traffic-policy-gap: /);
  });

  it('exit 1 when a fixable finding remains; stderr says why it was not fixed', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  initContainers:\n  - &main\n    name: web\n    image: nginx:1.25\n    ports:\n    - containerPort: 80\n  containers:\n  - *main\n';
    const result = run(['--only', 'readiness-probe-missing', '-'], { stdin: text });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(text);
    expect(result.stderr).toBe(
      'rollsafe: nothing to fix\n\n1 fixable finding not fixed:\n<stdin>:13:5: warning readiness-probe-missing: container `web` of Pod web has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens\n  not fixed: /spec/containers/0 is a YAML alias: editing it would change every place that uses it\n',
    );
  });

  it('wraps the stderr list at the terminal width when stderr is a terminal, and never when it is not', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  initContainers:\n  - &main\n    name: web\n    image: nginx:1.25\n    ports:\n    - containerPort: 80\n  containers:\n  - *main\n';
    const { io, out } = captureIo({ stdin: text, env: { COLUMNS: '60' } });
    expect(runFix(['--only', 'readiness-probe-missing', '-'], { ...io, stderrIsTTY: true }, NODE_FILES)).toBe(1);
    expect(out().stderr).toBe(
      [
        'rollsafe: nothing to fix',
        '',
        '1 fixable finding not fixed:',
        '<stdin>:13:5: warning readiness-probe-missing: container',
        '    `web` of Pod web has no readinessProbe: it joins the',
        '    endpoints as soon as it starts, before the app listens',
        '  not fixed: /spec/containers/0 is a YAML alias: editing it',
        '    would change every place that uses it',
        '',
      ].join('\n'),
    );
    const piped = captureIo({ stdin: text, env: { COLUMNS: '60' } });
    runFix(['--only', 'readiness-probe-missing', '-'], piped.io, NODE_FILES);
    expect(piped.out().stderr.split('\n').filter((l) => l.startsWith('<stdin>')).length).toBe(1);
    expect(piped.out().stderr).toContain('before the app listens\n  not fixed:');
  });

  it('--help prints the usage of fix', () => {
    const result = run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: rollsafe fix \[options\] PATH\.\.\./);
  });

  it('usage and I/O errors exit 2 with one line and no stack', () => {
    const path = copy('lb-no-drain');
    const other = copy('old-pod-no-prestop');
    const cases: Array<[string[], string]> = [
      [[], 'fix needs at least one PATH'],
      [['-', path], '- (stdin) cannot be combined with other paths'],
      [['--write', '-'], '--write cannot rewrite stdin'],
      [['--write', '-o', join(dir, 'o.yaml'), path], '--write and -o exclude each other'],
      [['-o', join(dir, 'o.yaml'), dir, path], '-o needs exactly one input file; ' + `${dir} ${path} names 2`],
      [['--only', 'nope', path], '--only nope: unknown rule'],
      [['--only', 'single-replica', path], '--only single-replica: this rule has no automatic fix'],
      [['--rule', 'pdb-missing=loud', path], '--rule pdb-missing=loud: unknown severity'],
      [['--profile', 'nope', path], 'unknown profile'],
      [[join(dir, 'missing.yaml')], 'no such file or directory'],
      [['-o', join(dir, 'no', 'such', 'dir.yaml'), path], 'cannot write (no such directory)'],
      [['--bogus', path], 'unknown option --bogus for fix'],
    ];
    for (const [args, message] of cases) {
      const result = run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/^rollsafe: /);
      expect(result.stderr, args.join(' ')).toContain(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(read(path)).toBe(read(`${BEFORE}lb-no-drain.yaml`));
    expect(read(other)).toBe(read(`${BEFORE}old-pod-no-prestop.yaml`));
    expect(readdirSync(dir).sort()).toEqual(['lb-no-drain.yaml', 'old-pod-no-prestop.yaml']);
  });
});
