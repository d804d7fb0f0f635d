/**
 * `rollsafe app-check [options] -- CMD…`: runs a server, drives load, plays a pod's termination
 * and says whether the server survives it. Exit codes: 0 every verdict passed (or was skipped),
 * 1 a verdict failed, 2 usage error, command not found, or the command never listened.
 */
import { parseArgs } from 'node:util';
import { checkApp, formatAppCheckJson, formatAppCheckText, freePort, passed, type AppCheckSettings } from '../appcheck/index.js';
import type { Io } from './io.js';
import { reportError } from './report-error.js';
import { RollsafeError } from '../errors.js';

const APP_CHECK_HELP = `Usage: rollsafe app-check [options] -- CMD [ARG...]

Starts CMD with PORT set (and \`$PORT\` in an argument replaced), waits until it listens on
127.0.0.1:PORT, sends requests on new and on keep-alive connections, then plays a pod's
termination: SIGTERM to CMD after the preStop delay, new requests for --duration, SIGKILL to every
process left at the grace deadline. Verdicts, each with counts and timings: does it keep serving
while the endpoints still route to it, close keep-alive connections with \`Connection: close\`,
finish the requests in flight, exit within the grace period, does SIGTERM reach the server (not
only a shell or npm above it), and does its keep-alive timeout outlast the load balancer's.

Options:
      --sigterm-after SEC   preStop delay: seconds from termination to SIGTERM (default 0)
      --duration SEC        seconds new requests keep arriving after termination begins: how long
                            the platform takes to stop routing (default 10, kube-proxy's p99 in
                            the generic profile)
      --grace SEC           terminationGracePeriodSeconds: SIGKILL this long after termination
                            begins (default 30)
      --rps R               requests per second, half on new connections (default 40)
      --warmup SEC          seconds of load before termination begins (default 3)
      --slow-path PATH      a path the app answers slowly: 3 requests to it are in flight at SIGTERM
      --lb-idle SEC         the load balancer's idle timeout the app's keep-alive timeout must
                            outlast (default 60, AWS ALB); 0 = not judged
      --port N              the port to give the app (default: a free one)
      --listen-timeout SEC  how long to wait for the app to listen (default 10)
  -f, --format FORMAT       text (default) or json

Exit codes: 0 every verdict passed or was skipped, 1 a verdict failed, 2 usage error, command not
found, or the command exited or never listened.
`;

function seconds(value: string | undefined, flag: string, fallback: number, range: { min: number; max: number }): number {
  if (value === undefined) return fallback * 1000;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < range.min || n > range.max) {
    throw new RollsafeError('usage', `--${flag} needs a number from ${range.min} to ${range.max}, not \`${value}\``);
  }
  return Math.round(n * 1000);
}

/** Parses the options (before `--`) and the command (after it). */
async function parseAppCheckArgs(args: readonly string[], env: Io['env']): Promise<{ settings: AppCheckSettings; format: 'text' | 'json' } | 'help'> {
  const split = args.indexOf('--');
  const optionArgs = split < 0 ? [...args] : args.slice(0, split);
  const command = split < 0 ? [] : args.slice(split + 1);
  const { values, positionals } = parseArgs({
    args: optionArgs,
    allowPositionals: true,
    options: {
      'sigterm-after': { type: 'string' },
      duration: { type: 'string' },
      grace: { type: 'string' },
      rps: { type: 'string' },
      warmup: { type: 'string' },
      'slow-path': { type: 'string' },
      'lb-idle': { type: 'string' },
      port: { type: 'string' },
      'listen-timeout': { type: 'string' },
      format: { type: 'string', short: 'f', default: 'text' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new RollsafeError('usage', `put the command after \`--\`: rollsafe app-check [options] -- ${positionals.join(' ')}`);
  if (command.length === 0) throw new RollsafeError('usage', 'app-check needs a command after `--` (e.g. rollsafe app-check -- node server.js)');
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new RollsafeError('usage', `unknown --format ${format}; use text or json`);
  const rps = Number(values.rps ?? 40);
  if (!Number.isFinite(rps) || rps < 1 || rps > 1000) throw new RollsafeError('usage', `--rps needs a number from 1 to 1000, not \`${values.rps}\``);
  const slowPath = values['slow-path'];
  if (slowPath !== undefined && !slowPath.startsWith('/')) throw new RollsafeError('usage', `--slow-path needs a path starting with /, not \`${slowPath}\``);
  let port: number;
  if (values.port === undefined) {
    port = await freePort();
  } else {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RollsafeError('usage', `--port needs a port number from 1 to 65535, not \`${values.port}\``);
  }
  const settings: AppCheckSettings = {
    command,
    port,
    warmupMs: seconds(values.warmup, 'warmup', 3, { min: 0.5, max: 600 }),
    sigtermAfterMs: seconds(values['sigterm-after'], 'sigterm-after', 0, { min: 0, max: 600 }),
    durationMs: seconds(values.duration, 'duration', 10, { min: 0, max: 600 }),
    graceMs: seconds(values.grace, 'grace', 30, { min: 0, max: 600 }),
    rps,
    keepAliveClients: 4,
    slowPath,
    lbIdleMs: seconds(values['lb-idle'], 'lb-idle', 60, { min: 0, max: 4000 }),
    listenTimeoutMs: seconds(values['listen-timeout'], 'listen-timeout', 10, { min: 0.1, max: 600 }),
    env,
  };
  return { settings, format };
}

/** Runs `app-check`; resolves to the exit code. */
export async function runAppCheck(args: readonly string[], io: Io): Promise<number> {
  try {
    const parsed = await parseAppCheckArgs(args, io.env);
    if (parsed === 'help') {
      io.stdout(APP_CHECK_HELP);
      return 0;
    }
    const result = await checkApp(parsed.settings);
    io.stdout(parsed.format === 'json' ? formatAppCheckJson(result) : formatAppCheckText(result));
    return passed(result) ? 0 : 1;
  } catch (error: unknown) {
    return reportError(error, io);
  }
}
