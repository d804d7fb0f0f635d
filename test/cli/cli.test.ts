import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/rules/index.js';
import { VERSION } from '../../src/version.js';
import { ROOT, runCli } from '../helpers.js';

describe('rollsafe check', () => {
  it('exit 1 with findings at or above --fail-on, 0 below', () => {
    expect(runCli(['check', '--profile', 'ack-flannel', 'examples/seed/before/lb-no-drain.yaml']).code).toBe(0);
    expect(runCli(['check', '--profile', 'ack-flannel', '--fail-on', 'warning', 'examples/seed/before/lb-no-drain.yaml']).code).toBe(1);
    expect(runCli(['check', '--profile', 'ack-flannel', 'examples/seed/before/old-pod-no-prestop.yaml']).code).toBe(1);
    expect(runCli(['check', '--profile', 'ack-flannel', '--fail-on', 'none', 'examples/seed/before/old-pod-no-prestop.yaml']).code).toBe(0);
  });

  it('reads stdin with -', () => {
    const text = readFileSync(`${ROOT}examples/seed/before/old-pod-no-prestop.yaml`, 'utf8');
    const run = runCli(['check', '--format', 'json', '-'], { stdin: text });
    const json = JSON.parse(run.stdout) as { findings: Array<{ file: string; ruleId: string; line: number }> };
    expect(json.findings.map((f) => [f.file, f.ruleId, f.line])).toEqual([
      ['<stdin>', 'pdb-missing', 9],
      ['<stdin>', 'prestop-missing', 30],
    ]);
  });

  it('--rule turns a rule off or changes its severity', () => {
    const base = ['check', '--format', 'json', '--profile', 'ack-flannel', 'examples/seed/before/old-pod-no-prestop.yaml'];
    const ids = (argv: string[]): string[] => (JSON.parse(runCli(argv).stdout) as { findings: Array<{ ruleId: string; severity: string }> }).findings.map((f) => `${f.ruleId}:${f.severity}`);
    expect(ids(base)).toEqual(['pdb-missing:warning', 'prestop-missing:error', 'lb-connection-drain-missing:warning']);
    expect(ids([...base, '--rule', 'pdb-missing=off', '--rule', 'prestop-missing=info'])).toEqual(['prestop-missing:info', 'lb-connection-drain-missing:warning']);
  });

  it('--k8s-version changes the judgement (ProxyTerminatingEndpoints)', () => {
    const run = (v: string): string[] => (JSON.parse(runCli(['check', '--format', 'json', '--profile', 'ack-flannel', '--k8s-version', v, 'examples/seed/before/local-mode-no-inplace.yaml']).stdout) as { findings: Array<{ ruleId: string }> }).findings.map((f) => f.ruleId);
    expect(run('1.22')).toContain('local-traffic-policy-gap');
    expect(run('1.30')).not.toContain('local-traffic-policy-gap');
  });

  it('colour only on a terminal without NO_COLOR', () => {
    const argv = ['check', '--profile', 'ack-flannel', 'examples/seed/before/old-pod-no-prestop.yaml'];
    expect(runCli(argv, { isTTY: true }).stdout).toContain('\u001b[');
    expect(runCli(argv, { isTTY: true, env: { NO_COLOR: '1' } }).stdout).not.toContain('\u001b[');
    expect(runCli([...argv, '--no-color'], { isTTY: true }).stdout).not.toContain('\u001b[');
    expect(runCli(argv).stdout).not.toContain('\u001b[');
  });

  it('a config file sets profile, version, failOn and rule levels', () => {
    const run = runCli(['check', '--format', 'json', '--config', `${ROOT}test/fixtures/cli/rollsafe.yaml`, 'examples/seed/before/local-mode-no-inplace.yaml']);
    const json = JSON.parse(run.stdout) as { profile: string; findings: Array<{ ruleId: string; severity: string }> };
    expect(json.profile).toBe('ack-flannel');
    expect(json.findings.map((f) => `${f.ruleId}:${f.severity}`)).toEqual(['lb-connection-drain-missing:info', 'local-traffic-policy-gap:error']);
    expect(run.code).toBe(1);
  });

  it('usage errors exit 2 with a message and no stack', () => {
    for (const argv of [['check'], ['check', '--format', 'xml', 'x'], ['frobnicate'], ['check', '--bogus', 'x'], ['check', '--rule', 'nope=off', 'x'], ['check', '--profile', 'nope', 'x'], ['check', '--k8s-version', '2', 'x'], ['check', 'does/not/exist.yaml']]) {
      const run = runCli(argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^rollsafe: /);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('rollsafe rules / explain / --version', () => {
  it('lists every rule in each format', () => {
    const json = JSON.parse(runCli(['rules', '--format', 'json']).stdout) as Array<{ id: string }>;
    expect(json.map((r) => r.id)).toEqual([...RULES.keys()]);
    expect(runCli(['rules']).stdout.split('\n').filter(Boolean)).toHaveLength(RULES.size + 1);
    expect(runCli(['rules', '--format', 'markdown']).stdout.split('\n').filter((l) => l.startsWith('| [`'))).toHaveLength(RULES.size);
  });

  it('explains a rule with its docs page', () => {
    const run = runCli(['explain', 'prestop-missing']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('prestop-missing — a serving container has no preStop delay, so it stops before every layer stopped routing to it');
    expect(run.stdout).toContain('# prestop-missing');
    expect(runCli(['explain', 'nope']).code).toBe(2);
  });

  it('prints the package version', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(runCli(['--version']).stdout).toBe(`${pkg.version}\n`);
  });
});
