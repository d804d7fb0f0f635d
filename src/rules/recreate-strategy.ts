import { servedBy } from '../domain/service-role.js';
import type { Rule } from '../engine/types.js';
import { arrayAt, recordAt, stringAt } from '../model/k8s.js';
import type { Workload } from '../model/workload.js';
import { nameOf } from './util.js';

/** A leader-election flag as controllers spell it (`--leader-elect`, `--leader-election`, `--enable-leader-election`), and its value. */
const LEADER_FLAG = /^--?(?:enable-)?leader-elect(?:ion)?(?:=(\w+))?$/;
/** Names of controllers and operators: programs that act on the cluster and may not be run twice. */
const CONTROLLER_NAME = /controller|operator|manager|scheduler/i;

/** The leader-election flag of any container: `off` when it is set false, `on` when present otherwise. */
function leaderElection(workload: Workload): 'on' | 'off' | undefined {
  let found: 'on' | 'off' | undefined;
  for (const c of workload.containers) {
    const argv = [...arrayAt(c.container, 'command'), ...arrayAt(c.container, 'args')].filter((a): a is string => typeof a === 'string');
    argv.forEach((arg, i) => {
      const m = LEADER_FLAG.exec(arg);
      if (!m) return;
      const value = m[1] ?? (argv[i + 1] === 'false' || argv[i + 1] === 'true' ? argv[i + 1] : 'true');
      found = value === 'false' ? 'off' : (found ?? 'on');
    });
  }
  return found;
}

/**
 * Why a rolling update could break the workload, if anything in the manifest suggests it must run
 * alone: two pods of it would run side by side during every RollingUpdate.
 */
function singletonReason(workload: Workload): string | undefined {
  const claim = arrayAt(workload.podSpec, 'volumes').map((v) => stringAt(recordAt(v, 'persistentVolumeClaim'), 'claimName')).find((n) => n !== undefined);
  if (claim !== undefined) return `it mounts PersistentVolumeClaim ${claim}: a ReadWriteOnce volume attaches to one node, so a new pod may not start while an old one holds it`;
  const election = leaderElection(workload);
  if (election === 'off') return 'it runs with leader election off: two pods side by side would both act';
  const named = [workload.resource.name, ...workload.containers.map((c) => c.name)].find((n) => CONTROLLER_NAME.test(n));
  if (election === undefined && named !== undefined) return `\`${named}\` looks like a controller and sets no leader-election flag: two pods side by side may both act`;
  return undefined;
}

/** Why a workload that no user Service selects gets no fix. */
const NOT_USER: Readonly<Record<'peer' | 'api-server' | 'unknown' | 'none', string>> = {
  peer: 'no user Service selects it',
  'api-server': 'no user Service selects it',
  unknown: 'no Service in the input shows that clients pay for the outage',
  none: 'nothing in the input sends it requests',
};

/**
 * Recreate kills every old pod and waits for them to be gone before creating new ones
 * (knowledge/rollout-algorithm.md §1.9): every rollout is a full outage of old termination
 * time + new startup time.
 */
export const recreateStrategy: Rule = {
  meta: {
    id: 'recreate-strategy',
    category: 'capacity',
    severity: 'error',
    description: 'strategy Recreate on a served workload: every rollout is a full outage',
    fixable: true,
    serviceDependent: true,
    messages: {
      recreate: '{{workload}} uses strategy Recreate: every rollout stops all old pods before any new pod starts, a full outage (the fix assumes two of its pods may run side by side: no volume claim, no sign of a controller without leader election)',
      recreateNoFix: '{{workload}} uses strategy Recreate: every rollout stops all old pods before any new pod starts, a full outage (no automatic fix: {{reason}})',
    },
  },
  check(context) {
    for (const workload of context.graph.workloads) {
      if (workload.kind !== 'Deployment') continue;
      const strategy = recordAt(recordAt(workload.resource.object, 'spec'), 'strategy');
      if (stringAt(strategy, 'type') !== 'Recreate') continue;
      const base = { resource: workload.resource, path: '/spec/strategy/type', data: { workload: nameOf(workload) } };
      // The fix trades the outage for two pods side by side: only where clients are known to pay
      // for the outage and nothing says the workload must run alone.
      const level = servedBy(context, workload).level;
      const reason = level === 'user' ? singletonReason(workload) : `${NOT_USER[level]}, and Recreate may be deliberate`;
      if (reason !== undefined) {
        context.report({ ...base, messageId: 'recreateNoFix', data: { ...base.data, reason } });
        continue;
      }
      context.report({
        ...base,
        messageId: 'recreate',
        fix: { kind: 'patch', description: 'roll out with maxUnavailable 0 and maxSurge 1', operations: [{ op: 'replace', path: '/spec/strategy', value: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }] },
      });
    }
  },
};
