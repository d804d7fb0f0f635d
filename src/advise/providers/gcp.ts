/**
 * GCP: GKE. VPC-native clusters give pods alias IPs; an Ingress sends to them through NEGs
 * (container-native load balancing); a LoadBalancer Service is a passthrough LB to nodes.
 */
import type { ResolvedFacts } from '../facts.js';
import { column, type Columns, type Decision, K8S_SOURCE_IP_LOST, mark, nodeBacked } from '../decision.js';
import { cite, type Cited, SOURCES as S } from '../sources.js';

/** The decision on GCP (GKE). */
export function decideGcp(f: ResolvedFacts): Decision {
  const ingress = f.lbKind === 'ingress';
  const xff = cite('in the X-Forwarded-For header: the HTTP(S) load balancer proxies, so the connection comes from Google\'s front ends', S.gcpXff);
  const quota = ingress ? cite('one load balancer per Ingress; one Ingress can route to many Services', S.gke) : cite('one passthrough load balancer per LoadBalancer Service', S.gke);
  const columns: Columns = {
    cluster: column('cluster', ingress ? 'Cluster (instance groups)' : 'Cluster', {
      lbQuota: quota,
      sourceIp: ingress ? xff : K8S_SOURCE_IP_LOST('kube-proxy masquerades what it forwards to another node'),
      crossNodeHop: cite('yes: the load balancer sends to nodes and kube-proxy forwards', S.gke, S.k8sTrafficPolicy),
      interruptionRisk: cite('no node-routing gap: a node without a pod forwards to other nodes', S.seedIptables),
    }),
    local: column('local', ingress ? 'Local (instance groups)' : 'Local', {
      lbQuota: quota,
      sourceIp: ingress ? xff : cite('kept: the passthrough load balancer delivers the client packet and Local does not masquerade', S.k8sTrafficPolicy, S.metallbUsage),
      crossNodeHop: cite('none', S.k8sTrafficPolicy),
      interruptionRisk: cite('a node whose last pod terminates still gets traffic until the health check fails it, unless the rollout is in place', S.seedIptables, S.seedLocal),
    }),
    'pod-direct': column(
      'pod-direct',
      'NEG (pod-direct)',
      {
        lbQuota: quota,
        sourceIp: xff,
        crossNodeHop: cite('none: NEG endpoints are pod IPs', S.gke),
        interruptionRisk: cite('GKE injects the NEG readiness gate; NEG detach takes 20–40 s, so the preStop sleep covers it', S.gke, S.latency),
      },
      ingress ? undefined : cite('NEGs (pods as backends) come with an Ingress; a LoadBalancer Service is a passthrough load balancer to nodes: use --lb ingress', S.gke),
    ),
  };
  const notes: Cited[] = [];
  if (f.networkPlugin === 'calico') notes.push(cite('NEGs need a VPC-native cluster and are not on by default with GKE network policy: the config sets the NEG annotation explicitly', S.gke));
  if (ingress) {
    if (f.preserveSourceIp) notes.push(cite('the client address reaches the app in X-Forwarded-For; for the address on the connection itself use --lb l4 (Local mode)', S.gcpXff));
    return {
      mode: 'pod-direct',
      podDirect: 'gke-neg',
      summary: 'Ingress with container-native load balancing (NEG) + BackendConfig connection draining + graceful termination + readiness probe',
      profile: 'gke-neg',
      exposure: 'ingress',
      serviceType: 'ClusterIP',
      readinessGate: { conditionType: 'cloud.google.com/load-balancer-neg-ready', how: 'injected' },
      reasons: [
        cite('VPC-native GKE → Ingress with NEGs: the load balancer sends to pod IPs directly, bypassing kube-proxy (the seed\'s ENI mode)', S.gke, S.seedConclusion),
        cite('GKE injects the readiness gate cloud.google.com/load-balancer-neg-ready into NEG-backed pods, so the rollout waits until the load balancer sees each new pod healthy', S.gke),
      ],
      notes: [...notes, ...(f.lbQuotaTight ? [cite('quota tight: one Ingress can route to many Services through one load balancer', S.gke)] : [])],
      comparison: mark(columns, 'pod-direct'),
    };
  }
  notes.push(cite('no built-in profile models the passthrough L4 load balancer: the config is checked under gke-neg, whose NEG deregistration (p99 40 s) is slower than the kube-proxy path, so the preStop sleep is conservative', S.profiles));
  if (f.lbQuotaTight) notes.push(cite('quota tight: each LoadBalancer Service gets its own load balancer whatever the mode; an Ingress (--lb ingress) routes many Services through one', S.gke));
  return nodeBacked(f, columns, 'gke-neg', notes, 'a passthrough load balancer to nodes');
}
