/**
 * What a container's preStop hook does, as the rules and the simulator both read it: how long the
 * app keeps accepting connections after the pod is deleted, whether that length is known, and
 * whether the hook itself stops the server. Commands rollsafe knows are data ({@link KNOWN_STEPS}),
 * each with its source; any other command is an unknown delay, never 0 s.
 */
import { arrayAt, numberAt, recordAt, stringAt } from '../model/k8s.js';
import type { ContainerView } from '../model/workload.js';
import { likelyShellless } from './images.js';

/** How long a hook lets the app accept connections before it stops, and what it does. */
export interface HookDelay {
  /** Seconds from deletion until the app stops accepting (or SIGTERM): exact when `known`, else a lower bound. */
  readonly seconds: number;
  readonly known: boolean;
  /** The hook itself stops the server gracefully once `seconds` have passed (e.g. `nginx -s quit`). */
  readonly stops: boolean;
  /** The hook ends with a graceful drain (a graceful stop, or Envoy's health-check fail / graceful listener drain). */
  readonly drains: boolean;
  /** The steps whose length rollsafe cannot know, as written (for messages). */
  readonly unknown: readonly string[];
  /** What the known steps do, for messages, e.g. `kong quit: graceful quit (SIGQUIT) after --wait 0 s`. */
  readonly knownSteps: readonly string[];
}

/** What a container's preStop hook is. */
export type PreStop =
  | { readonly kind: 'none' }
  /** Native `sleep` action (PodLifecycleSleepAction). */
  | { readonly kind: 'sleep'; readonly seconds: number; readonly path: string; readonly delay: HookDelay }
  /** `exec` whose command starts with `sleep N` (also through `sh -c`); `delay` covers the whole script. */
  | { readonly kind: 'exec-sleep'; readonly seconds: number; readonly path: string; readonly command: readonly unknown[]; readonly viaShell: boolean; readonly delay: HookDelay }
  /** Any other hook: `delay` says what is known of it. */
  | { readonly kind: 'other'; readonly path: string; readonly action: string; readonly delay: HookDelay };

/** The `sleep` binary as an exec preStop names it. */
export const SLEEP_BINARY = /^(?:\/usr)?(?:\/bin\/)?sleep$/;
/** A shell that runs a preStop script with `-c`. */
export const SHELL = /^(?:\/usr)?(?:\/bin\/)?(?:sh|bash|ash|dash|busybox sh)$/;
/** `-c`, or combined flags that include it (`-lc`, `-ec`, `-xc`). */
const COMMAND_FLAG = /^-[a-z]*c[a-z]*$/;

/** Seconds of a `sleep` argument (`30`, `30s`, `1m`, `0.5`); undefined when not a duration. */
export function sleepSeconds(arg: unknown): number | undefined {
  if (typeof arg === 'number') return Number.isFinite(arg) && arg >= 0 ? arg : undefined;
  if (typeof arg !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)([smh]?)$/.exec(arg.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 'm' ? n * 60 : m[2] === 'h' ? n * 3600 : n;
}

/** A Go duration flag value (`10s`, `1m30s`, `500ms`) in seconds; undefined when not one. */
function goDurationSeconds(value: string): number | undefined {
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (p[2] === 'h' ? 3600 : p[2] === 'm' ? 60 : p[2] === 'ms' ? 0.001 : 1), 0);
}

/** The value of `--name=V` or `--name V` in a command line. */
function flagValue(line: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)--?${name}(?:=|\\s+)(\\S+)`).exec(line);
  return m?.[1];
}

/** What one step of a hook does. */
type Step =
  /** Keeps the app accepting for `seconds` (exact when `known`, else at least). */
  | { readonly effect: 'wait'; readonly seconds: number; readonly known: boolean; readonly drains: boolean; readonly what: string }
  /** Waits `seconds`, then stops the server gracefully (it stops accepting and finishes requests in flight). */
  | { readonly effect: 'stop'; readonly seconds: number; readonly what: string };

/** A command rollsafe knows, with the source of what it does. */
interface KnownStep {
  readonly id: string;
  readonly match: RegExp;
  /** What the step does, read from its command line and the container (for flags set on the container). */
  readonly step: (line: string, container: ContainerView) => Step;
  readonly source: string;
}

/** The container's own command line (command + args), for flags a hook depends on. */
function containerLine(container: ContainerView): string {
  return [...arrayAt(container.container, 'command'), ...arrayAt(container.container, 'args')].map(String).join(' ');
}

/**
 * Commands whose effect on serving is documented. Matching is on one shell command (a script is
 * split at `;`, `&&`, `||`, newlines), with any leading path of the binary.
 */
export const KNOWN_STEPS: readonly KnownStep[] = [
  {
    id: 'no-op',
    match: /^(?:true|:|echo(?:\s.*)?|printf(?:\s.*)?)$/,
    step: (line) => ({ effect: 'wait', seconds: 0, known: true, drains: false, what: `\`${line}\` (no effect on serving)` }),
    source: 'pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html (`:` and `true` do nothing; `echo` and `printf` only write output)',
  },
  {
    id: 'nginx -s quit',
    match: /^(?:\S*\/)?nginx\s+(?:.*\s)?-s\s+quit\b/,
    step: () => ({ effect: 'stop', seconds: 0, what: '`nginx -s quit` stops accepting at once and finishes the requests in flight' }),
    source: 'nginx.org/en/docs/control.html: QUIT is graceful shutdown; `nginx -s quit` sends it (nginx.org/en/docs/beginners_guide.html)',
  },
  {
    id: 'kong quit',
    match: /^(?:\S*\/)?kong\s+quit\b/,
    step: (line) => {
      const wait = sleepSeconds(flagValue(line, '(?:w|wait)') ?? '0') ?? 0;
      return { effect: 'stop', seconds: wait, what: `\`kong quit\` waits --wait ${wait} s, then sends nginx SIGQUIT: it stops accepting and finishes the requests in flight` };
    },
    source: 'Kong/kong kong/cmd/quit.lua: `--wait (default 0) wait time before initiating the shutdown`, then nginx_signals.quit (SIGQUIT)',
  },
  {
    id: 'nodetool drain',
    match: /^(?:\S*\/)?nodetool\s+(?:.*\s)?drain\b/,
    step: () => ({ effect: 'stop', seconds: 0, what: '`nodetool drain` stops listening for client connections at once, then flushes' }),
    source: 'cassandra.apache.org/doc/latest/cassandra/managing/tools/nodetool/drain.html: "Drain the node (stop accepting writes and flush all tables)"',
  },
  {
    id: '/wait-shutdown',
    match: /^\/wait-shutdown$/,
    step: (_line, container) => {
      const raw = flagValue(containerLine(container), 'shutdown-grace-period');
      const grace = raw === undefined ? 0 : sleepSeconds(raw) ?? goDurationSeconds(raw);
      if (grace === undefined) return { effect: 'wait', seconds: 0, known: false, drains: true, what: `/wait-shutdown with --shutdown-grace-period=${raw ?? ''}` };
      return { effect: 'stop', seconds: grace, what: `/wait-shutdown sends the ingress-nginx controller SIGTERM: it fails /healthz, waits --shutdown-grace-period ${grace} s, then runs \`nginx -s quit\`` };
    },
    source: 'kubernetes/ingress-nginx cmd/waitshutdown/main.go (pkill -SIGTERM the controller, wait for nginx to exit), internal/ingress/controller/nginx.go Stop() (sleep ShutdownGracePeriod, then `nginx -s quit`), docs/user-guide/cli-arguments.md (`--shutdown-grace-period`, default 0)',
  },
  {
    id: 'envoy admin drain (graceful)',
    match: /^(?:curl|wget)\b.*\/(?:healthcheck\/fail|drain_listeners\?(?:[^\s'"]*&)?graceful)\b/,
    step: () => ({ effect: 'wait', seconds: 0, known: true, drains: true, what: 'Envoy admin `/healthcheck/fail` or `/drain_listeners?graceful`: Envoy fails its health checks and drains, still accepting' }),
    source: 'envoyproxy.io/docs/envoy/latest/operations/admin: /healthcheck/fail "Fail inbound health checks"; /drain_listeners "?graceful: … enter a graceful drain period prior to closing listeners"',
  },
  {
    id: 'envoy admin drain (immediate)',
    match: /^(?:curl|wget)\b.*\/drain_listeners\b/,
    step: () => ({ effect: 'stop', seconds: 0, what: 'Envoy admin `/drain_listeners` without `graceful` closes the listeners at once' }),
    source: 'envoyproxy.io/docs/envoy/latest/operations/admin: /drain_listeners "Drains all listeners"; only ?graceful keeps them open for the drain period',
  },
  {
    id: 'envoy-gateway envoy shutdown',
    match: /^(?:\S*\/)?envoy-gateway\s+envoy\s+shutdown\b/,
    step: (line) => {
      const min = goDurationSeconds(flagValue(line, 'min-drain-duration') ?? '10s') ?? 10;
      return { effect: 'wait', seconds: min, known: false, drains: true, what: `\`envoy-gateway envoy shutdown\` fails Envoy's health checks and blocks until its connections drain: at least --min-drain-duration ${min} s, at most --drain-timeout` };
    },
    source: 'envoyproxy/gateway internal/cmd/envoy/shutdown_manager.go Shutdown(); internal/cmd/envoy.go (--min-drain-duration 10s, --drain-timeout 60s)',
  },
  {
    id: 'contour envoy shutdown',
    match: /^(?:\S*\/)?contour\s+envoy\s+shutdown\b/,
    step: (line) => {
      const delay = (goDurationSeconds(flagValue(line, 'drain-delay') ?? '0s') ?? 0) + (goDurationSeconds(flagValue(line, 'check-delay') ?? '0s') ?? 0);
      return { effect: 'wait', seconds: delay, known: false, drains: true, what: `\`contour envoy shutdown\` fails Envoy's health checks and blocks until its open connections reach --min-open-connections` };
    },
    source: 'projectcontour/contour cmd/contour/shutdownmanager.go (POST /healthcheck/fail, poll open connections; --check-delay and --drain-delay default 0s)',
  },
];

/** Blocking HTTP drain endpoints of shutdown managers (an httpGet preStop that returns when the proxy has drained). */
const KNOWN_HTTP: readonly { readonly port: number; readonly path: string; readonly what: string; readonly source: string }[] = [
  { port: 19002, path: '/shutdown/ready', what: 'Envoy Gateway shutdown manager `/shutdown/ready`: returns once Envoy has drained (at least --min-drain-duration, 10 s by default)', source: 'envoyproxy/gateway internal/cmd/envoy/shutdown_manager.go shutdownReadyHandler' },
  { port: 8090, path: '/shutdown', what: 'Contour shutdown manager `/shutdown`: returns once Envoy\'s open connections have drained', source: 'projectcontour/contour cmd/contour/shutdownmanager.go shutdownReadyHandler' },
];

/** One shell command as a step. */
function stepOf(command: string, container: ContainerView): Step {
  const line = command.trim().replace(/^exec\s+/, '');
  const words = line.split(/\s+/);
  if (SLEEP_BINARY.test(words[0] ?? '') && words.length === 2) {
    const seconds = sleepSeconds(words[1]);
    if (seconds !== undefined) return { effect: 'wait', seconds, known: true, drains: false, what: `sleep ${seconds}` };
  }
  const known = KNOWN_STEPS.find((k) => k.match.test(line));
  if (known) return known.step(line, container);
  return { effect: 'wait', seconds: 0, known: false, drains: false, what: line };
}

/** Folds the steps of a hook, in order, into its delay. */
function delayOf(steps: readonly Step[]): HookDelay {
  let seconds = 0;
  let known = true;
  let drains = false;
  const unknown: string[] = [];
  const knownSteps: string[] = [];
  for (const step of steps) {
    seconds += step.seconds;
    if (step.effect === 'stop') {
      knownSteps.push(step.what);
      return { seconds, known, stops: true, drains: true, unknown, knownSteps };
    }
    drains ||= step.drains;
    if (step.known) knownSteps.push(step.what);
    else {
      known = false;
      unknown.push(step.what);
    }
  }
  return { seconds, known, stops: false, drains, unknown, knownSteps };
}

/** The shell commands of a script, split at `;`, `&&`, `||` and newlines. */
function scriptCommands(script: string): string[] {
  return script.split(/&&|\|\||;|\n/).map((s) => s.trim()).filter(Boolean);
}

/** The steps of an exec command: a `sh -c` script's commands, else the command itself. */
function execSteps(command: readonly unknown[], container: ContainerView): { steps: Step[]; viaShell: boolean } {
  const [first, second, third] = command;
  if (typeof first === 'string' && SHELL.test(first) && typeof second === 'string' && COMMAND_FLAG.test(second) && typeof third === 'string') {
    return { steps: scriptCommands(third).map((c) => stepOf(c, container)), viaShell: true };
  }
  return { steps: [stepOf(command.map(String).join(' '), container)], viaShell: false };
}

/** Reads a container's preStop hook. */
export function preStopOf(container: ContainerView): PreStop {
  let found = preStops.get(container);
  if (!found) preStops.set(container, (found = readPreStop(container)));
  return found;
}

/** Several rules ask for each container's preStop: read once per container view. */
const preStops = new WeakMap<ContainerView, PreStop>();

function readPreStop(container: ContainerView): PreStop {
  const preStop = recordAt(recordAt(container.container, 'lifecycle'), 'preStop');
  const path = `${container.path}/lifecycle/preStop`;
  if (!preStop) return { kind: 'none' };
  const sleep = recordAt(preStop, 'sleep');
  if (sleep) {
    const seconds = numberAt(sleep, 'seconds');
    if (seconds === undefined) return { kind: 'other', path, action: 'sleep', delay: delayOf([{ effect: 'wait', seconds: 0, known: false, drains: false, what: 'sleep without seconds' }]) };
    return { kind: 'sleep', seconds, path: `${path}/sleep/seconds`, delay: delayOf([{ effect: 'wait', seconds, known: true, drains: false, what: `sleep ${seconds}` }]) };
  }
  const exec = recordAt(preStop, 'exec');
  if (exec) {
    const command = arrayAt(exec, 'command');
    const { steps, viaShell } = execSteps(command, container);
    const delay = delayOf(steps);
    const first = steps[0];
    const startsWithSleep = first?.effect === 'wait' && first.known && first.what.startsWith('sleep ');
    if (startsWithSleep) return { kind: 'exec-sleep', seconds: first.seconds, path: `${path}/exec/command`, command, viaShell, delay };
    return { kind: 'other', path, action: `exec ${JSON.stringify(command)}`, delay };
  }
  const http = recordAt(preStop, 'httpGet');
  if (http) {
    const port = http['port'];
    const httpPath = stringAt(http, 'path') ?? '/';
    const known = KNOWN_HTTP.find((k) => k.path === httpPath && (port === k.port || port === String(k.port)));
    const what = known ? known.what : `httpGet ${httpPath} on port ${String(port)}`;
    return { kind: 'other', path, action: 'httpGet', delay: delayOf([{ effect: 'wait', seconds: 0, known: false, drains: known !== undefined, what }]) };
  }
  const action = Object.keys(preStop).join(',') || 'empty';
  return { kind: 'other', path, action, delay: delayOf([{ effect: 'wait', seconds: 0, known: false, drains: false, what: action }]) };
}

/** The preStop delay in seconds when it is known (a sleep, or a known command), else undefined. */
export function preStopSeconds(p: PreStop): number | undefined {
  if (p.kind === 'none') return undefined;
  return p.delay.known ? p.delay.seconds : undefined;
}

/** How a hook reads in a message: its unknown steps, quoted. */
export function unknownSteps(delay: HookDelay): string {
  return delay.unknown.map((s) => `\`${s}\``).join(', ');
}

/**
 * The exec command of a container's preStop with `seconds` of sleep put first, so that the app
 * keeps accepting that much longer before the hook stops it: a shell script's leading sleep is
 * lengthened, or `sleep N; ` put in front (same shell, same flag); a plain command is run as `/bin/sh -c "sleep N && …"`, unless the
 * image likely has no shell. Undefined for a hook that is not an exec command.
 */
export function sleepFirst(container: ContainerView, seconds: number): { readonly path: string; readonly value: string[] } | undefined {
  const exec = recordAt(recordAt(recordAt(container.container, 'lifecycle'), 'preStop'), 'exec');
  const command = arrayAt(exec, 'command');
  if (!exec || command.length === 0 || !command.every((c) => typeof c === 'string')) return undefined;
  const argv = command as string[];
  const path = `${container.path}/lifecycle/preStop/exec/command`;
  const [first, second, third] = argv;
  if (first !== undefined && SHELL.test(first) && second !== undefined && COMMAND_FLAG.test(second) && third !== undefined && argv.length === 3) {
    // A script that starts with a sleep: lengthen that sleep rather than add another.
    const leading = /^(\s*(?:\/usr)?(?:\/bin\/)?sleep\s+)(\S+)/.exec(third);
    const was = leading ? sleepSeconds(leading[2]) : undefined;
    if (leading && was !== undefined) return { path, value: [first, second, `${leading[1]}${was + seconds}${third.slice(leading[0].length)}`] };
    return { path, value: [first, second, `sleep ${seconds}; ${third}`] };
  }
  if (likelyShellless(container)) return undefined;
  return { path, value: ['/bin/sh', '-c', `sleep ${seconds} && ${argv.join(' ')}`] };
}
