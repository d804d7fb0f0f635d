/**
 * Azure: AKS with the Standard Load Balancer (L4), whose backends are the nodes.
 */
import type { ResolvedFacts } from '../facts.js';
import { column, type Columns, type Decision, K8S_SOURCE_IP_LOST, nodeBacked } from '../decision.js';
import { cite, type Cited, SOURCES as S } from '../sources.js';

/** The decision on Azure (AKS). */
export function decideAzure(f: ResolvedFacts): Decision {
  const quota = cite('nodes are the backends in either mode', S.azure);
  const columns: Columns = {
    cluster: column('cluster', 'Cluster', {
      lbQuota: quota,
      sourceIp: K8S_SOURCE_IP_LOST('kube-proxy masquerades what it forwards to another node'),
      crossNodeHop: cite('yes, when the node has no pod of the Service', S.k8sTrafficPolicy),
      interruptionRisk: cite('no node-routing gap; the L4 load balancer has no connection draining (Standard SKU keeps flows when probes fail)', S.azure),
    }),
    local: column('local', 'Local', {
      lbQuota: quota,
      sourceIp: cite('kept', S.k8sTrafficPolicy),
      crossNodeHop: cite('none', S.k8sTrafficPolicy),
      interruptionRisk: cite('a node whose last pod terminates gets traffic until the health probe fails it (2 × 5 s), unless the rollout is in place', S.seedIptables, S.profiles),
    }),
    'pod-direct': column(
      'pod-direct',
      'pod IPs (AGIC)',
      {
        lbQuota: cite('one Application Gateway for many Ingresses', S.agic),
        sourceIp: cite('in X-Forwarded-For (L7 proxy)', S.agic),
        crossNodeHop: cite('none: the gateway sends to pod IPs', S.agic),
        interruptionRisk: cite('removing a pod from the gateway takes "between a second and a few minutes": preStop ≥ 90 s', S.agic),
      },
      cite('the Azure L4 load balancer sends to nodes; pods as backends need the Application Gateway Ingress Controller, which rollsafe has no profile for yet', S.azure, S.agic, S.profiles),
    ),
  };
  const notes: Cited[] = [cite('the Azure L4 load balancer has no connection-drain setting: keep-alive clients reconnect when a backend goes', S.azure)];
  if (f.lbQuotaTight) notes.push(cite('quota tight: the Service mode does not change how many load balancer resources AKS uses; rollsafe has no source for a per-node limit like ACK\'s', S.azure));
  return nodeBacked(f, columns, 'aks', notes, 'the Azure Standard Load Balancer (L4) with node backends');
}
