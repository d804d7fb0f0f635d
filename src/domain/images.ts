/** What a container's image tells: its name, and whether it likely has a shell. */
import { stringAt } from '../model/k8s.js';
import type { ContainerView } from '../model/workload.js';

/** The image of a container ('' when unset). */
export function imageOf(container: ContainerView): string {
  return stringAt(container.container, 'image') ?? '';
}

/**
 * Images built without a shell or coreutils: distroless (gcr.io/distroless), Chainguard
 * (cgr.dev/chainguard), and images named for it. An exec `sleep` preStop fails there, the hook
 * error is only an event, and the container gets SIGTERM at once.
 */
export const SHELLLESS: readonly RegExp[] = [/(^|\/)distroless\//, /-distroless\b/, /^cgr\.dev\/chainguard\//, /(^|\/)scratch(:|$)/, /\/static(-debian\d+)?(:|@|$)/];

/** `:debug` (distroless) and `-dev` (Chainguard) tags: variants that ship a shell. */
export const DEBUG_VARIANT = /:(?:[\w.-]*-)?(?:debug|dev)\b/;

/** True when the image likely has no shell and no `sleep` binary. */
export function likelyShellless(container: ContainerView): boolean {
  const image = imageOf(container);
  // `:debug` (distroless) and `-dev` (Chainguard) variants ship a shell.
  return SHELLLESS.some((re) => re.test(image)) && !DEBUG_VARIANT.test(image);
}

/** An image whose process keeps serving for a while after SIGTERM before it shuts down. */
export interface SelfDelayingImage {
  /** The image's repository path (any registry before it); the tag is `v`MAJOR.MINOR.PATCH…. */
  readonly name: string;
  /** The first release with the delay. */
  readonly since: readonly [number, number, number];
  /** The flag that sets the delay, in whole seconds. */
  readonly flag: string;
  readonly defaultSeconds: number;
  readonly source: string;
}

/**
 * Images that delay their own shutdown after SIGTERM while they keep serving: for them the delay
 * does what a preStop sleep does. Gatekeeper: main.go `shutdownDelay = flag.Int("shutdown-delay",
 * 10, "Time in seconds the controller runtime shutdown gets delayed after receiving a pod
 * termination event. Prevents failing webhooks on pod shutdown")`; on SIGTERM it sleeps that long
 * and only then cancels the manager's context (open-policy-agent/gatekeeper#3780, merged after its
 * 2025-05-06 review, so not in v3.19; read at commit 0400d6e). Releases from v3.20.0 on.
 */
export const SELF_DELAYING_IMAGES: readonly SelfDelayingImage[] = [
  { name: 'openpolicyagent/gatekeeper', since: [3, 20, 0], flag: '--shutdown-delay', defaultSeconds: 10, source: 'open-policy-agent/gatekeeper#3780' },
];

function versionAtLeast(tag: string, since: readonly [number, number, number]): boolean {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(tag);
  if (!m) return false;
  const v = [Number(m[1]), Number(m[2]), Number(m[3])];
  for (let i = 0; i < 3; i++) {
    const a = v[i] ?? 0;
    const b = since[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/**
 * How long a container's own process keeps serving after SIGTERM, when its image is a known
 * self-delaying release (SELF_DELAYING_IMAGES): the flag's value in args or command, else its
 * default. Undefined for any other image, an untagged or unparsable tag, or a flag value that is
 * not whole seconds.
 */
export function selfShutdownDelay(container: ContainerView): { seconds: number; flag: string; source: string } | undefined {
  const image = imageOf(container).replace(/@.*$/, '');
  const colon = image.lastIndexOf(':');
  if (colon <= image.lastIndexOf('/')) return undefined;
  const name = image.slice(0, colon);
  const tag = image.slice(colon + 1);
  const known = SELF_DELAYING_IMAGES.find((k) => (name === k.name || name.endsWith(`/${k.name}`)) && versionAtLeast(tag, k.since));
  if (!known) return undefined;
  const words = [...arrayOfStrings(container.container['command']), ...arrayOfStrings(container.container['args'])];
  // `--flag=N` only; the separate-argument form and a value that is not whole seconds are not
  // read (no delay counted); with several, the shortest counts.
  const values: number[] = [];
  for (const w of words) {
    if (w === known.flag) return undefined;
    if (!w.startsWith(`${known.flag}=`)) continue;
    const value = w.slice(known.flag.length + 1);
    if (!/^\d+$/.test(value)) return undefined;
    values.push(Number(value));
  }
  return { seconds: values.length > 0 ? Math.min(...values) : known.defaultSeconds, flag: known.flag, source: known.source };
}

/** A regular expression (no anchors) for the whole numbers ≥ n, written without leading zeros after `0*`. */
export function atLeastPattern(n: number): string {
  const k = Math.max(0, Math.ceil(n));
  const digits = String(k);
  const alternatives = [`[1-9][0-9]{${digits.length},}`];
  // Same length: a prefix of k, then a greater digit, then anything; or k itself.
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    if (d === 9) continue;
    const rest = digits.length - i - 1;
    alternatives.push(`${digits.slice(0, i)}[${d + 1}-9]${rest > 0 ? `[0-9]{${rest}}` : ''}`);
  }
  alternatives.push(digits);
  return `0*(?:${alternatives.join('|')})`;
}

function arrayOfStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
