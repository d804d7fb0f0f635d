/**
 * AWS: the AWS Load Balancer Controller. The Amazon VPC CNI gives pods VPC addresses (the seed's
 * Terway), so pods are IP targets; other CNIs leave instance targets (the seed's Flannel).
 */
import { NETWORK_PLUGINS, type ResolvedFacts } from '../facts.js';
import { column, type Columns, type Decision, inPlaceReason, K8S_SOURCE_IP_LOST, labelNodesNote, localVersionReason, mark } from '../decision.js';
import { cite, type Cited, SOURCES as S } from '../sources.js';

/** The decision on AWS. */
export function decideAws(f: ResolvedFacts): Decision {
  const ipTargets = NETWORK_PLUGINS.aws[f.networkPlugin]?.podIps === true;
  const alb = f.lbKind === 'alb';
  const lbName = alb ? 'ALB' : 'NLB';
  const quota = alb ? cite('one ALB per Ingress (Ingresses can share one through an IngressGroup)', S.lbcIngressGroup) : cite('one NLB per Service, whatever the mode', S.lbcNlb);
  const xff = cite('in the X-Forwarded-For header: the ALB proxies HTTP, so the connection comes from the ALB', S.awsAlbXff);
  const columns: Columns = {
    cluster: column('cluster', 'Cluster (instance targets)', {
      lbQuota: quota,
      sourceIp: alb ? xff : K8S_SOURCE_IP_LOST('kube-proxy masquerades what it forwards to another node'),
      crossNodeHop: cite(`yes: the ${lbName} sends to a NodePort on any node and kube-proxy forwards`, S.lbcNlb, S.aws),
      interruptionRisk: cite('no node-routing gap; the LB health check tests the NodePort, not the pod', S.aws),
    }),
    local: column('local', 'Local (instance targets)', {
      lbQuota: quota,
      sourceIp: alb ? xff : cite('kept: instance targets preserve the client IP and Local does not masquerade', S.awsNlbClientIp, S.k8sTrafficPolicy),
      crossNodeHop: cite('none', S.k8sTrafficPolicy),
      interruptionRisk: cite('a node whose last pod terminates still gets traffic until the health check fails it, unless the rollout is in place', S.seedIptables, S.seedLocal),
    }),
    'pod-direct': column(
      'pod-direct',
      'IP targets (pod-direct)',
      {
        lbQuota: quota,
        sourceIp: alb ? xff : cite('not by default for TCP IP targets; preserve_client_ip.enabled=true keeps it', S.awsNlbClientIp),
        crossNodeHop: cite(`none: the ${lbName} sends to pod IPs`, S.lbcNlb, S.aws),
        interruptionRisk: cite(`the readiness gate closes the registration race; deregistration is slow (${alb ? 'ALB 15–25 s' : 'NLB ip 60–120 s reported'}), so the preStop sleep is long`, S.aws, S.latency),
      },
      ipTargets ? undefined : cite('IP targets need pods with VPC addresses (Amazon VPC CNI)', S.lbcNlb),
    ),
  };
  const notes: Cited[] = [cite(`the AWS Load Balancer Controller creates an internal ${lbName} by default; add ${alb ? 'alb.ingress.kubernetes.io/scheme' : 'service.beta.kubernetes.io/aws-load-balancer-scheme'}: internet-facing for one on the internet`, S.lbcNlb)];
  if (f.lbQuotaTight) {
    notes.push(
      alb
        ? cite('quota tight: give Ingresses the same alb.ingress.kubernetes.io/group.name so one ALB serves them all; the Service mode does not change the count', S.lbcIngressGroup)
        : cite('quota tight: each LoadBalancer Service gets its own NLB whatever the mode; an ALB with an IngressGroup (--lb alb) serves many Services from one load balancer', S.lbcNlb, S.lbcIngressGroup),
    );
  }
  if (alb && f.preserveSourceIp) notes.push(cite('the ALB passes the client address in X-Forwarded-For; for the address on the connection itself use --lb nlb', S.awsAlbXff));
  if (ipTargets) {
    const reasons = [
      cite(`Amazon VPC CNI → ${lbName} with IP targets + readiness gate + graceful termination + readiness probe: pods have VPC addresses, so the ${lbName} sends to them directly (the seed's ENI mode)`, S.aws, S.lbcNlb, S.seedConclusion),
      cite('the namespace label elbv2.k8s.aws/pod-readiness-gate-inject: enabled makes the controller inject the target-health gate, so the rollout waits until the LB sees each new pod healthy (aws-load-balancer-controller#1124)', S.aws),
    ];
    if (!alb && f.preserveSourceIp) reasons.push(cite('preserve_client_ip.enabled=true: NLB IP targets with TCP do not keep the client address by default', S.awsNlbClientIp));
    notes.push(cite('the gate is injected when a pod is created: the config lists the Namespace first; pods created before the label get the gate on their next rollout', S.aws));
    if (!alb) notes.push(cite('NLB IP deregistration was measured at about 2 minutes whatever the deregistration delay (aws-load-balancer-controller#2366), hence the long preStop sleep', S.aws));
    return {
      mode: 'pod-direct',
      podDirect: 'aws-ip',
      summary: `${lbName} with IP targets + pod readiness gate + graceful termination + readiness probe`,
      profile: alb ? 'eks-alb-ip' : 'eks-nlb-ip',
      exposure: alb ? 'ingress' : 'service',
      serviceType: alb ? 'ClusterIP' : 'LoadBalancer',
      readinessGate: { conditionType: 'target-health.elbv2.k8s.aws', how: 'namespace-label' },
      reasons,
      notes,
      comparison: mark(columns, 'pod-direct'),
    };
  }
  notes.push(cite(`with ${f.networkPlugin} the pods have no VPC addresses; if they do (e.g. Cilium in ENI mode), advise with --network-plugin aws-vpc-cni for IP targets`, S.lbcNlb));
  const local = f.preserveSourceIp && !alb;
  if (!local) {
    return {
      mode: 'cluster',
      summary: `${lbName} with instance targets, Cluster mode + graceful termination + readiness probe`,
      profile: 'eks-instance',
      exposure: alb ? 'ingress' : 'service',
      serviceType: alb ? 'NodePort' : 'LoadBalancer',
      reasons: [
        cite(`${f.networkPlugin} gives pods no VPC addresses → instance targets (the seed's Flannel case); ${alb ? 'an ALB proxies HTTP, so the client address travels in X-Forwarded-For in any mode' : 'the client source IP is not needed'} → Cluster mode + graceful termination + readiness probe`, S.seedConclusion, S.lbcNlb, ...(alb ? [S.awsAlbXff] : [])),
        cite('Cluster mode: a node without a pod forwards to other nodes, so no request reaches a node without endpoints', S.seedIptables),
      ],
      notes,
      comparison: mark(columns, 'cluster'),
    };
  }
  return {
    mode: 'local',
    summary: 'NLB with instance targets, Local mode + graceful termination + readiness probe + in-place rollout',
    profile: 'eks-instance',
    exposure: 'service',
    serviceType: 'LoadBalancer',
    reasons: [
      cite(`${f.networkPlugin} gives pods no VPC addresses → instance targets; the client source IP must be kept → Local mode + graceful termination + readiness probe + in-place rollout (the seed's Flannel case)`, S.seedConclusion, S.lbcNlb),
      cite('Local mode keeps the client address: instance targets preserve it and kube-proxy does not masquerade', S.awsNlbClientIp, S.k8sTrafficPolicy),
      inPlaceReason(),
      localVersionReason(f.k8sVersion),
    ],
    notes: [labelNodesNote(), ...notes],
    comparison: mark(columns, 'local'),
  };
}
