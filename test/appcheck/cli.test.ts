/** `rollsafe app-check` through the CLI: options, exit codes, errors without stack traces, JSON. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main, run as runCommand } from '../../src/cli/main.js';
import { captureIo, ROOT } from '../helpers.js';

const APPS = `${ROOT}test/fixtures/apps/`;
const ENV = { PATH: process.env['PATH'] ?? '' };

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, out } = captureIo({ env: ENV });
  const code = await runCommand(argv, io);
  return { code, ...out() };
}

describe('app-check usage', () => {
  it.each([
    [['app-check'], 'app-check needs a command after `--` (e.g. rollsafe app-check -- node server.js)'],
    [['app-check', 'node', 'app.js'], 'put the command after `--`: rollsafe app-check [options] -- node app.js'],
    [['app-check', '--rps', '0', '--', 'node'], '--rps needs a number from 1 to 1000, not `0`'],
    [['app-check', '--grace', 'soon', '--', 'node'], '--grace needs a number from 0 to 600, not `soon`'],
    [['app-check', '--format', 'xml', '--', 'node'], 'unknown --format xml; use text or json'],
    [['app-check', '--slow-path', 'slow', '--', 'node'], '--slow-path needs a path starting with /, not `slow`'],
    [['app-check', '--port', '70000', '--', 'node'], '--port needs a whole number from 1 to 65535, not `70000`'],
  ])('%j exits 2: %s', async (argv, message) => {
    expect(await run(argv)).toEqual({ code: 2, stdout: '', stderr: `rollsafe: ${message}\nRun \`rollsafe app-check --help\` for usage.\n` });
  });

  it('prints its help, and the sync main points to run()', async () => {
    const help = await run(['app-check', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: rollsafe app-check [options] -- CMD [ARG...]');
    const { io, out } = captureIo();
    expect(main(['app-check', '--', 'node'], io)).toBe(2);
    expect(out().stderr).toContain('app-check runs processes and takes time; start it with run(), as the rollsafe program does');
  });
});

describe('app-check errors: exit 2, one message, the command\'s last output', () => {
  it('a command that does not exist', async () => {
    expect(await run(['app-check', '--', 'no-such-command-rollsafe'])).toEqual({ code: 2, stdout: '', stderr: 'rollsafe: app-check: command not found: no-such-command-rollsafe\n' });
  });

  it('a command that exits before it listens', async () => {
    const result = await run(['app-check', '--', 'node', '-e', 'console.error("no config"); process.exit(3)']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^rollsafe: app-check: the command exited before it listened on port \d+ \(exit code 3\)\nthe command's last output:\n {2}no config\n$/);
  });

  it('a command that never listens is killed after --listen-timeout', async () => {
    const started = performance.now();
    const result = await run(['app-check', '--listen-timeout', '0.5', '--', 'node', '-e', 'setTimeout(() => {}, 20000)']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^rollsafe: app-check: the command did not listen on 127\.0\.0\.1:\d+ within 0\.5 s \(is it reading PORT\?\)\n$/);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('a port something else listens on', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      expect(await run(['app-check', '--port', String(port), '--', 'node', `${APPS}graceful.js`])).toEqual({ code: 2, stdout: '', stderr: `rollsafe: app-check: something already listens on 127.0.0.1:${port}; pick another --port\n` });
    } finally {
      server.close();
    }
  });
});

describe('app-check runs', () => {
  it('a preStop delay as long as the routing window keeps exit-at-once.js serving; keep-alive clients and slow requests still fail (exit 1, JSON)', async () => {
    const result = await run(['app-check', '--format', 'json', '--warmup', '1', '--sigterm-after', '1.2', '--duration', '1', '--grace', '3', '--slow-path', '/slow', '--', 'node', `${APPS}exit-at-once.js`]);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as { passed: boolean; settings: Record<string, unknown>; times: Record<string, number | null>; verdicts: Array<{ id: string; status: string; cause: string | null }> };
    expect(json.passed).toBe(false);
    expect(json.settings).toMatchObject({ warmupMs: 1000, sigtermAfterMs: 1200, durationMs: 1000, graceMs: 3000, slowPath: '/slow', lbIdleMs: 60_000, rps: 40 });
    expect(json.times).toMatchObject({ terminationMs: 1000, windowEndMs: 2000, deadlineMs: 4000, killedMs: null });
    // SIGTERM when the 1.2 s preStop ends (as sent: a busy machine may send it a little late).
    expect(json.times['sigtermMs']).toBeGreaterThanOrEqual(2200);
    expect(json.times['sigtermMs']).toBeLessThan(2700);
    expect(json.verdicts.map((v) => [v.id, v.status, v.cause])).toEqual([
      ['keeps-serving', 'pass', null],
      ['keep-alive-close', 'fail', 'keep-alive-race'],
      ['finishes-in-flight', 'fail', 'killed-in-flight'],
      ['exits-in-grace', 'pass', null],
      ['signal-reaches-app', 'pass', null],
      ['keep-alive-timeout', 'pass', null],
    ]);
  });

  it.runIf(existsSync(`${ROOT}dist/cli/bin.js`))('the built bin reports a missing command without a stack trace', () => {
    const result = spawnSync(process.execPath, [`${ROOT}dist/cli/bin.js`, 'app-check', '--', 'no-such-command-rollsafe'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('rollsafe: app-check: command not found: no-such-command-rollsafe\n');
  });
});
