import type { Rule } from '../engine/types.js';
import { arrayAt } from '../model/k8s.js';

const SHELL = /^(?:\/usr)?(?:\/bin\/)?(?:sh|bash|ash|dash)$/;
const PACKAGE_MANAGER = /^(?:\/usr\/(?:local\/)?bin\/)?(?:npm|yarn|pnpm)$/;
const PACKAGE_START = /^(?:exec\s+)?(?:\/usr\/(?:local\/)?bin\/)?(?:npm|yarn|pnpm)\s+(?:start|run|run-script|dev|serve)\b/;
/** `-c`, or combined flags that include it (`-lc`, `-ec`, `-xc`). */
const COMMAND_FLAG = /^-[a-z]*c[a-z]*$/;

/**
 * Whether a `sh -c` script leaves the app as a child of the shell: more than one command, and the
 * last is not `exec`'d. (A single simple command is exec'd by many shells, so it is not flagged.)
 */
function shellKeepsChild(script: string): boolean {
  // A script that traps TERM forwards it itself.
  if (/\btrap\b[^\n]*\b(?:TERM|SIGTERM|15)\b/.test(script)) return false;
  const commands = script.split(/&&|\|\||;|\n|\|/).map((s) => s.trim()).filter(Boolean);
  // `sh -c "npm start"`: the shell execs npm, and npm is PID 1.
  if (commands.length === 1 && PACKAGE_START.test(commands[0] ?? '')) return true;
  if (commands.length < 2) return false;
  const last = commands[commands.length - 1] ?? '';
  return !/^exec\s/.test(last) && !/\bexec\s/.test(script.slice(script.lastIndexOf(last)));
}

/**
 * The kubelet sends SIGTERM to PID 1 of the container. When PID 1 is a shell or a package
 * manager, the app never sees it, keeps serving until SIGKILL, and in-flight requests are cut
 * (Docker build check JSONArgsRecommended; knowledge/cloud-load-balancers.md §6).
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
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      for (const c of workload.containers) {
        const command = arrayAt(c.container, 'command');
        const argv = command.length > 0 ? [...command, ...arrayAt(c.container, 'args')] : [];
        const [first, second, third] = argv;
        if (typeof first !== 'string') continue;
        if (SHELL.test(first) && typeof second === 'string' && COMMAND_FLAG.test(second) && typeof third === 'string' && shellKeepsChild(third)) {
          context.report({ resource: workload.resource, path: `${c.path}/command`, messageId: 'shell', data: { container: c.name, shell: first } });
        } else if (PACKAGE_MANAGER.test(first) && typeof second === 'string' && /^(?:start|run|run-script|dev|serve)$/.test(second)) {
          context.report({ resource: workload.resource, path: `${c.path}/command`, messageId: 'packageManager', data: { container: c.name, tool: first.split('/').pop() ?? first, verb: second } });
        }
      }
    }
  },
};
