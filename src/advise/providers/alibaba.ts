/**
 * Alibaba Cloud ACK: the seed's own procedure.
 */
import type { ResolvedFacts } from '../facts.js';
import { column, type Columns, type Decision, inPlaceReason, labelNodesNote, localVersionReason, mark } from '../decision.js';
import { cite, type Cited, SOURCES as S } from '../sources.js';

/** The decision on Alibaba Cloud ACK. */
export function decideAlibaba(f: ResolvedFacts): Decision {
  const terway = f.networkPlugin === 'terway';
  const columns: Columns = {
    cluster: column('cluster', 'Cluster', {
      lbQuota: cite('every node is an SLB backend: uses the SLB quota fast (an ECS takes at most 50 SLBs by default)', S.seedCluster),
      sourceIp: cite('lost: forwarding to another node is NATed', S.seedCluster),
      crossNodeHop: cite('yes, when the node has no pod of the Service', S.seedCluster),
      interruptionRisk: cite('no node-routing gap: a node without a pod forwards to other nodes', S.seedIptables),
    }),
    local: column('local', 'Local', {
      lbQuota: cite('only nodes that run a pod are SLB backends: uses the quota slowly', S.seedLocal),
      sourceIp: cite('kept', S.seedLocal),
      crossNodeHop: cite('none', S.seedLocal),
      interruptionRisk: cite('a node whose last pod terminates still gets SLB traffic, unless the rollout is in place (maxUnavailable 0, maxSurge, nodeAffinity)', S.seedIptables, S.seedLocal),
    }),
    'pod-direct': column(
      'pod-direct',
      'ENI (pod-direct)',
      {
        lbQuota: cite("the pods' ENIs are the SLB backends; no node is attached", S.seedEni, S.ack),
        sourceIp: cite('kept', S.seedEni),
        crossNodeHop: cite('none: the SLB sends to the pod, bypassing kube-proxy', S.seedEni),
        interruptionRisk: cite('no iptables/ipvs gap; the CLB has no readiness gate for new pods, so minReadySeconds holds old pods while the CLB registers new ones', S.seedEni, S.ack, S.rollout),
      },
      terway ? undefined : cite('Flannel does not support ENI backends (Terway only)', S.ack),
    ),
  };
  const drainNote = cite('connection draining applies to TCP and UDP listeners only and needs the cloud controller manager v2.0.1 or later', S.ack);
  if (terway) {
    const ignored: Cited[] = [];
    if (f.preserveSourceIp || f.lbQuotaTight) ignored.push(cite('the source-IP and quota facts do not change the choice: ENI mode keeps the client source IP and attaches no node to the SLB', S.seedEni));
    return {
      mode: 'pod-direct',
      podDirect: 'eni',
      summary: 'ENI-mode Service (service.beta.kubernetes.io/backend-type: "eni") + graceful termination + readiness probe',
      profile: 'ack-terway',
      exposure: 'service',
      serviceType: 'LoadBalancer',
      needsMinReady: true,
      reasons: [
        cite('Terway → ENI-mode Service + graceful termination + readiness probe (the seed\'s recommended setup)', S.seedConclusion),
        cite('ENI mode attaches the pods to the SLB and bypasses kube-proxy: no iptables/ipvs gap, and the client source IP is kept', S.seedEni),
      ],
      notes: [...ignored, cite('a reused (shared) CLB does not support ENI backends: give this Service its own CLB', S.ack), drainNote],
      comparison: mark(columns, 'pod-direct'),
    };
  }
  const local = f.preserveSourceIp || f.lbQuotaTight;
  const why = [f.lbQuotaTight ? 'many SLBs (quota tight)' : '', f.preserveSourceIp ? 'the client source IP must be kept' : ''].filter(Boolean).join(' and ');
  if (!local) {
    return {
      mode: 'cluster',
      summary: 'Cluster-mode Service + graceful termination + readiness probe',
      profile: 'ack-flannel',
      exposure: 'service',
      serviceType: 'LoadBalancer',
      reasons: [
        cite('Flannel with few SLBs and no need for the client source IP → Cluster mode + graceful termination + readiness probe', S.seedConclusion),
        cite('Cluster mode: a node without a pod forwards to other nodes, so no request reaches a node without endpoints', S.seedIptables),
      ],
      notes: [cite('the price: every node is attached to every SLB (quota) and the client source IP is lost; if either starts to matter, advise again with --lb-quota-tight or --preserve-source-ip', S.seedCluster), drainNote],
      comparison: mark(columns, 'cluster'),
    };
  }
  return {
    mode: 'local',
    summary: 'Local-mode Service + graceful termination + readiness probe + in-place rollout',
    profile: 'ack-flannel',
    exposure: 'service',
    serviceType: 'LoadBalancer',
    reasons: [
      cite(`Flannel and ${why} → Local mode + graceful termination + readiness probe + in-place rollout`, S.seedConclusion),
      cite('Local mode attaches only the nodes that run a pod and keeps the client source IP', S.seedLocal),
      inPlaceReason(),
      localVersionReason(f.k8sVersion),
    ],
    notes: [labelNodesNote(), drainNote],
    comparison: mark(columns, 'local'),
  };
}
