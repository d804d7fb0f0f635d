/**
 * Bare metal: MetalLB announces Service IPs from nodes (L2 leader or BGP); kube-proxy forwards.
 */
import type { ResolvedFacts } from '../facts.js';
import { column, type Columns, type Decision, nodeBacked } from '../decision.js';
import { cite, type Cited, SOURCES as S } from '../sources.js';

/** The decision on bare metal (MetalLB). */
export function decideBareMetal(f: ResolvedFacts): Decision {
  const columns: Columns = {
    cluster: column('cluster', 'Cluster', {
      lbQuota: cite('Services can share one IP address (metallb.io/allow-shared-ip) when they use Cluster', S.metallbUsage),
      sourceIp: cite('lost: kube-proxy obscures it when it load-balances', S.metallbUsage),
      crossNodeHop: cite('yes: the L2 leader (or any BGP node) forwards to pods on other nodes', S.metallbUsage),
      interruptionRisk: cite('no node-routing gap: every node (BGP) or the leader (L2) attracts traffic and forwards to any pod', S.metallbUsage),
    }),
    local: column('local', 'Local', {
      lbQuota: cite('IP sharing only between Services that select exactly the same pods', S.metallbUsage),
      sourceIp: cite('kept', S.metallbUsage),
      crossNodeHop: cite('none', S.metallbUsage),
      interruptionRisk: cite('only nodes with a ready pod announce the IP: when a rollout empties a node, BGP rehashes (most connections to the IP break) or L2 leadership moves, unless the rollout is in place', S.metallbBgp, S.metallbL2, S.seedLocal),
    }),
    'pod-direct': column(
      'pod-direct',
      'pod-direct',
      { lbQuota: cite('—'), sourceIp: cite('—'), crossNodeHop: cite('—'), interruptionRisk: cite('—') },
      cite('MetalLB announces Service IPs from nodes; kube-proxy forwards to the pods', S.metallbBgp, S.metallbL2),
    ),
  };
  const notes: Cited[] = [cite('the config is checked under the generic profile (kube-proxy only): MetalLB follows the same endpoint changes and has no connection-drain setting', S.profiles, S.metallbUsage)];
  if (f.lbQuotaTight && !f.preserveSourceIp) notes.push(cite('quota tight: metallb.io/allow-shared-ip lets Services with the same key and different ports share one address (older MetalLB: metallb.universe.tf/allow-shared-ip); change the key to group them as you like', S.metallbUsage));
  if (f.lbQuotaTight && f.preserveSourceIp) notes.push(cite('quota tight with Local: MetalLB shares an address only between Services that select exactly the same pods', S.metallbUsage));
  return nodeBacked(f, columns, 'generic', notes, 'MetalLB, which announces Service IPs from nodes');
}
