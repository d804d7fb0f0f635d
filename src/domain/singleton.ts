/** Whether the manifest suggests a workload must run as one instance: two pods side by side would break it. */
import { arrayAt, recordAt, stringAt } from '../model/k8s.js';
import type { Workload } from '../model/workload.js';

/** A leader-election flag as controllers spell it (`--leader-elect`, `--leader-election`, `--enable-leader-election`), and its value. */
const LEADER_FLAG = /^--?(?:enable-)?leader-elect(?:ion)?(?:=(\w+))?$/;
/** Names of controllers and operators: programs that act on the cluster and may not be run twice. */
const CONTROLLER_NAME = /controller|operator|manager|scheduler/i;

/** The leader-election flag of any container: `off` when it is set false, `on` when present otherwise. */
function leaderElection(workload: Workload): 'on' | 'off' | undefined {
  let found: 'on' | 'off' | undefined;
  for (const c of workload.containers) {
    // Set through the environment (`CONTROLLER_ELECTION_ID`, `LEADER_ELECT=false`): the program has leader election.
    for (const env of arrayAt(c.container, 'env')) {
      const name = stringAt(env, 'name') ?? '';
      if (!/ELECT/i.test(name)) continue;
      found = stringAt(env, 'value') === 'false' ? 'off' : (found ?? 'on');
    }
    const argv = [...arrayAt(c.container, 'command'), ...arrayAt(c.container, 'args')].filter((a): a is string => typeof a === 'string');
    argv.forEach((arg, i) => {
      const m = LEADER_FLAG.exec(arg);
      if (!m) return;
      const next = argv[i + 1];
      const value = m[1] ?? (next === 'false' || next === 'true' ? next : 'true');
      found = value === 'false' ? 'off' : (found ?? 'on');
    });
  }
  return found;
}

/**
 * Why two pods of the workload must not run side by side, if the manifest suggests it: `volume`
 * (a PersistentVolumeClaim, which a ReadWriteOnce volume attaches to one node) or `election`
 * (leader election off, or a controller with no leader-election flag: both pods would act).
 */
export function singletonReason(workload: Workload): SingletonReason | undefined {
  if (!reasons.has(workload)) reasons.set(workload, findSingletonReason(workload));
  return reasons.get(workload);
}

/** Why a workload must run as one instance. */
interface SingletonReason {
  readonly kind: 'volume' | 'election';
  readonly reason: string;
}

/** Several rules ask whether a workload must run alone: decided once per workload view. */
const reasons = new WeakMap<Workload, SingletonReason | undefined>();

function findSingletonReason(workload: Workload): SingletonReason | undefined {
  const claim = arrayAt(workload.podSpec, 'volumes')
    .map((v) => stringAt(recordAt(v, 'persistentVolumeClaim'), 'claimName'))
    .find((n) => n !== undefined);
  if (claim !== undefined) return { kind: 'volume', reason: `it mounts PersistentVolumeClaim ${claim}: a ReadWriteOnce volume attaches to one node, so a new pod may not start while an old one holds it` };
  const election = leaderElection(workload);
  if (election === 'off') return { kind: 'election', reason: 'it runs with leader election off: two pods side by side would both act' };
  // The workload's own name only: a container called `ingress-controller` beside a proxy (Kong) is
  // one part of an app; "replicationcontroller" in a name names the kind.
  const name = workload.resource.name;
  if (election === undefined && CONTROLLER_NAME.test(name.replace(/replication-?controller/gi, ''))) return { kind: 'election', reason: `\`${name}\` looks like a controller and sets no leader-election flag: two pods side by side may both act` };
  return undefined;
}
