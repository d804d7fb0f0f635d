import type { Rule } from './types.js';
import { arrayAt } from '../model/k8s.js';

const SHELL = /^(?:\/usr)?(?:\/bin\/)?(?:sh|bash|ash|dash)$/;
const PACKAGE_MANAGER = /^(?:\/usr\/(?:local\/)?bin\/)?(?:npm|yarn|pnpm)$/;
const PACKAGE_START = /^(?:exec\s+)?(?:\/usr\/(?:local\/)?bin\/)?(npm|yarn|pnpm)\s+(start|run|run-script|dev|serve)\b/;
/** `-c`, or combined flags that include it (`-lc`, `-ec`, `-xc`). */
const COMMAND_FLAG = /^-[a-z]*c[a-z]*$/;

/**
 * What a `sh -c` script leaves as PID 1's child: `package-manager` when the last command runs
 * npm/yarn/pnpm (exec'd or not: then the package manager is PID 1 or its child), `shell` when
 * there are several commands and the last is not exec'd, undefined when the app gets SIGTERM (a
 * single simple command, which many shells exec, or a script that traps TERM and forwards it).
 */
function scriptHazard(script: string): { kind: 'shell' } | { kind: 'package-manager'; tool: string; verb: string } | undefined {
  if (/\btrap\b[^\n]*\b(?:TERM|SIGTERM|15)\b/.test(script)) return undefined;
  const commands = script.split(/&&|\|\||;|\n|\|/).map((s) => s.trim()).filter(Boolean);
  const last = commands[commands.length - 1] ?? '';
  const start = PACKAGE_START.exec(last);
  if (start) return { kind: 'package-manager', tool: start[1] ?? 'npm', verb: start[2] ?? 'start' };
  if (commands.length < 2) return undefined;
  return /^exec\s/.test(last) ? undefined : { kind: 'shell' };
}

/**
 * The kubelet sends SIGTERM to PID 1 of the container. When PID 1 is a shell or a package
 * manager, the app never sees it, keeps serving until SIGKILL, and in-flight requests are cut
 * (Docker build check JSONArgsRecommended; Docker docs, shell and exec form of ENTRYPOINT).
 */
export const sigtermNotForwarded: Rule = {
  meta: {
    id: 'sigterm-not-forwarded',
    category: 'termination',
    severity: 'warning',
    description: 'the container command runs the app under a shell or a package manager, so the app never sees SIGTERM',
    fixable: false,
    serviceDependent: false,
    messages: {
      shell: 'container `{{container}}` runs its app under `{{shell}} -c` without `exec`: the shell is PID 1 and does not pass SIGTERM on, so the app is killed at the end of the grace period; start the last command with `exec`',
      packageManager: 'container `{{container}}` starts its app with `{{tool}} {{verb}}`: {{tool}} is PID 1 and does not reliably pass SIGTERM to the app; run the app directly (e.g. `node server.js`)',
    },
    impact: { advice: 'SIGTERM reaching the app', before: { sigterm: 'ignore' }, after: { sigterm: 'graceful' } },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      for (const c of workload.containers) {
        const command = arrayAt(c.container, 'command');
        const argv = command.length > 0 ? [...command, ...arrayAt(c.container, 'args')] : [];
        const [first, second, third] = argv;
        if (typeof first !== 'string') continue;
        const hazard = SHELL.test(first) && typeof second === 'string' && COMMAND_FLAG.test(second) && typeof third === 'string' ? scriptHazard(third) : undefined;
        if (hazard?.kind === 'shell') {
          context.report({ resource: workload.resource, path: `${c.path}/command`, messageId: 'shell', data: { container: c.name, shell: first } });
        } else if (hazard?.kind === 'package-manager') {
          context.report({ resource: workload.resource, path: `${c.path}/command`, messageId: 'packageManager', data: { container: c.name, tool: hazard.tool, verb: hazard.verb } });
        } else if (PACKAGE_MANAGER.test(first) && typeof second === 'string' && /^(?:start|run|run-script|dev|serve)$/.test(second)) {
          context.report({ resource: workload.resource, path: `${c.path}/command`, messageId: 'packageManager', data: { container: c.name, tool: first.split('/').pop() ?? first, verb: second } });
        }
      }
    }
  },
};
