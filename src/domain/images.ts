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
