import type { Rule } from './types.js';
import { arrayAt, recordAt } from '../model/k8s.js';
import type { ContainerView } from '../model/workload.js';
import { imageOf } from '../domain/images.js';
import { preStopOf } from '../domain/hooks.js';

/**
 * Images whose server stops abruptly on SIGTERM: nginx treats TERM as fast shutdown (QUIT is the
 * graceful one); the official image switched to STOPSIGNAL SIGQUIT in 1.19.5, and images that
 * kept SIGTERM (bitnami/nginx, openresty) or envoy (drains only via its admin API) cut in-flight
 * requests unless a preStop drains them (nginx docs, "Controlling nginx": TERM is a fast shutdown; the official image stops with SIGQUIT since nginx/docker-nginx#457, 2020).
 */
function fastShutdownReason(image: string): string | undefined {
  const [ref = ''] = image.split('@');
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const name = colon > slash ? ref.slice(0, colon) : ref;
  const tag = colon > slash ? ref.slice(colon + 1) : '';
  if (/(^|\/)bitnami\/nginx$/.test(name)) return 'bitnami/nginx stops on SIGTERM with a fast shutdown';
  if (/(^|\/)openresty\/openresty$/.test(name)) return 'openresty stops on SIGTERM with a fast shutdown';
  if (/(^|\/)envoyproxy\/envoy(-[a-z]+)?$/.test(name)) return 'envoy exits on SIGTERM without draining';
  if (/^(?:docker\.io\/)?(?:library\/)?nginx$/.test(name)) {
    const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(tag);
    if (!m) return undefined;
    // A tag without a patch version (`1.19`) floats to the newest patch of that minor.
    const [major, minor, patch] = [Number(m[1]), Number(m[2]), m[3] === undefined ? Number.POSITIVE_INFINITY : Number(m[3])];
    const old = major < 1 || (major === 1 && (minor < 19 || (minor === 19 && patch < 5)));
    return old ? `nginx ${tag} (before 1.19.5) stops on SIGTERM with a fast shutdown` : undefined;
  }
  return undefined;
}

/** A preStop that drains gracefully (nginx -s quit, kong quit, Envoy's admin drain, a shutdown manager) or sends QUIT. */
function hasGracefulPreStop(container: ContainerView): boolean {
  const preStop = preStopOf(container);
  if (preStop.kind === 'none') return false;
  if (preStop.delay.drains) return true;
  const exec = recordAt(recordAt(recordAt(container.container, 'lifecycle'), 'preStop'), 'exec');
  return /kill\s+-(?:s\s+)?(?:QUIT|SIGQUIT|3)\b/.test(arrayAt(exec, 'command').map(String).join(' '));
}

export const fastShutdownImage: Rule = {
  meta: {
    id: 'fast-shutdown-image',
    category: 'termination',
    severity: 'warning',
    description: 'an image known to stop abruptly on SIGTERM, without a graceful preStop',
    fixable: false,
    serviceDependent: false,
    messages: {
      fast: 'container `{{container}}`: {{reason}}, cutting requests in flight; add a preStop that drains gracefully (e.g. `sleep N && nginx -s quit`)',
    },
    impact: { advice: 'a graceful shutdown', before: { sigterm: 'exit' }, after: { sigterm: 'graceful' } },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      for (const c of workload.containers) {
        const reason = fastShutdownReason(imageOf(c));
        if (!reason || hasGracefulPreStop(c)) continue;
        context.report({ resource: workload.resource, path: `${c.path}/image`, messageId: 'fast', data: { container: c.name, reason } });
      }
    }
  },
};
