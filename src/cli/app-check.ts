/**
 * `rollsafe app-check [options] -- CMD…`: runs a server, drives load, plays a pod's termination
 * and says whether the server survives it. Exit codes: 0 every verdict passed (or was skipped),
 * 1 a verdict failed, 2 usage error, command not found, or the command never listened.
 */
import { checkApp, formatAppCheckJson, formatAppCheckText, freePort, passed, type AppCheckSettings } from '../appcheck/index.js';
import { defineCommand, type OptionTable, type Parsed } from './command.js';
import type { Io } from './io.js';
import { RollsafeError } from '../errors.js';

const seconds = (description: string, min: number, max: number, fallback: number) => ({ type: 'number', value: 'SEC', min, max, default: fallback, description }) as const;

/** The options of `app-check`. */
const APP_CHECK_OPTIONS = {
  'sigterm-after': seconds('preStop delay: seconds from termination to SIGTERM', 0, 600, 0),
  duration: seconds("seconds new requests keep arriving after termination begins: how long the platform takes to stop routing (10 s is kube-proxy's p99 in the generic profile)", 0, 600, 10),
  grace: seconds('terminationGracePeriodSeconds: SIGKILL this long after termination begins', 0, 600, 30),
  rps: { type: 'number', value: 'R', min: 1, max: 1000, default: 40, description: 'requests per second, half on new connections' },
  warmup: seconds('seconds of load before termination begins', 0.5, 600, 3),
  'slow-path': { type: 'string', value: 'PATH', description: 'a path the app answers slowly: 3 requests to it are in flight at SIGTERM' },
  'lb-idle': seconds("the load balancer's idle timeout the app's keep-alive timeout must outlast (60 s: AWS ALB); 0 = not judged", 0, 4000, 60),
  port: { type: 'integer', value: 'N', min: 1, max: 65535, defaultText: 'a free one', description: 'the port to give the app' },
  'listen-timeout': seconds('how long to wait for the app to listen', 0.1, 600, 10),
  format: { type: 'string', short: 'f', value: 'FORMAT', choices: ['text', 'json'], default: 'text', description: 'output format' },
} as const satisfies OptionTable;

export const APP_CHECK = defineCommand({
  name: 'app-check',
  summary: "play a pod's termination against your server under load",
  usage: ['[options] -- CMD [ARG...]'],
  description: `Starts CMD with PORT set (and \`$PORT\` in an argument replaced), waits until it listens on
127.0.0.1:PORT, sends requests on new and on keep-alive connections, then plays a pod's
termination: SIGTERM to CMD after the preStop delay, new requests for --duration, SIGKILL to every
process left at the grace deadline.

Verdicts, each with counts and timings: does it keep serving while the endpoints still route to it,
close keep-alive connections with \`Connection: close\`, finish the requests in flight, exit within
the grace period, does SIGTERM reach the server (not only a shell or npm above it), and does its
keep-alive timeout outlast the load balancer's.`,
  arguments: [{ name: 'CMD', variadic: true, description: 'the server to run and its arguments, after `--`' }],
  passthrough: true,
  options: APP_CHECK_OPTIONS,
  examples: ['rollsafe app-check -- node server.js', 'rollsafe app-check --sigterm-after 5 --grace 30 --slow-path /slow -- ./my-server --port $PORT'],
  footer: `Exit codes: 0 every verdict passed or was skipped, 1 a verdict failed, 2 usage error, command not
found, or the command exited or never listened.`,
  asyncOnly: 'app-check runs processes and takes time; start it with run(), as the rollsafe program does',
  run: appCheck,
});

/** The settings of a run from its parsed command line. */
async function appCheckSettings({ values, positionals, rest }: Parsed<typeof APP_CHECK_OPTIONS>, env: Io['env']): Promise<AppCheckSettings> {
  if (positionals.length > 0) throw new RollsafeError('usage', `put the command after \`--\`: rollsafe app-check [options] -- ${positionals.join(' ')}`);
  if (rest.length === 0) throw new RollsafeError('usage', 'app-check needs a command after `--` (e.g. rollsafe app-check -- node server.js)');
  const slowPath = values['slow-path'];
  if (slowPath !== undefined && !slowPath.startsWith('/')) throw new RollsafeError('usage', `--slow-path needs a path starting with /, not \`${slowPath}\``);
  const ms = (s: number): number => Math.round(s * 1000);
  return {
    command: rest,
    port: values.port ?? (await freePort()),
    warmupMs: ms(values.warmup),
    sigtermAfterMs: ms(values['sigterm-after']),
    durationMs: ms(values.duration),
    graceMs: ms(values.grace),
    rps: values.rps,
    keepAliveClients: 4,
    slowPath,
    lbIdleMs: ms(values['lb-idle']),
    listenTimeoutMs: ms(values['listen-timeout']),
    env,
  };
}

async function appCheck(parsed: Parsed<typeof APP_CHECK_OPTIONS>, io: Io): Promise<number> {
  const result = await checkApp(await appCheckSettings(parsed, io.env));
  io.stdout(parsed.values.format === 'json' ? formatAppCheckJson(result) : formatAppCheckText(result));
  return passed(result) ? 0 : 1;
}
