/** Which layers route to a workload's pods, what the cloud LB sends to, and the propagation budget. */
import type { GraphMemo, ServiceView } from '../model/graph.js';
import { recordAt, stringAt } from '../model/k8s.js';
import type { Workload } from '../model/workload.js';
import { awsLoadBalancer, genericNodeLoadBalancer } from '../profiles/builtin.js';
import { propagationBudget, type Budget, type LbBackend, type LoadBalancerProfile, type Profile } from '../profiles/types.js';
import type { DomainContext } from './context.js';

/**
 * The load balancer in front of a Service, when one is: the profile's, with the backends the
 * Service's own annotations select (they win over the profile); or, under a profile that names
 * none, a generic L4 LB on node backends when the Service is `type: LoadBalancer` with
 * `externalTrafficPolicy: Local` — its healthCheckNodePort exists for an LB to check the nodes
 * (`genericNodeLoadBalancer`, src/profiles/builtin.ts).
 */
export function loadBalancerFor(context: DomainContext, service: ServiceView): LoadBalancerProfile | undefined {
  const lb = context.profile.loadBalancer;
  if (!lb) {
    return service.type === 'LoadBalancer' && service.externalTrafficPolicy === 'Local' ? genericNodeLoadBalancer(context.profile.proxySync) : undefined;
  }
  const backend = lbBackendOf(context, service) ?? lb.backend;
  // On AWS the annotations also say which LB it is: an NLB for a LoadBalancer Service that asks
  // for one, an ALB for a Service only an Ingress exposes; its numbers follow (awsLoadBalancer).
  const kind = context.profile.provider === 'aws' ? awsKind(context, service) : undefined;
  if (kind !== undefined && (kind !== lb.kind || backend !== lb.backend)) return awsLoadBalancer(kind, backend, context.profile.proxySync);
  return backend === lb.backend ? lb : { ...lb, backend };
}

/**
 * The AWS LB a Service's own objects ask for: `nlb` for every LoadBalancer Service (annotated for
 * an NLB, or plain: the AWS Load Balancer Controller the AWS profiles model makes itself the
 * default controller of LoadBalancer Services from v2.5 and provisions an NLB for each — its
 * mutating webhook sets `loadBalancerClass: service.k8s.aws/nlb` on create, LBC docs
 * deploy/installation.md "When using AWS Load Balancer Controller v2.5+"; without the controller,
 * or with `enableServiceMutatorWebhook=false`, the in-tree provider makes a Classic LB, which no
 * profile models), `alb` for a Service only an Ingress exposes.
 */
function awsKind(context: DomainContext, service: ServiceView): 'alb' | 'nlb' | undefined {
  if (service.type === 'LoadBalancer') return 'nlb';
  return context.graph.ingressesOf(service).length > 0 ? 'alb' : undefined;
}

/** Whether a Service is exposed through a load balancer at all: a LoadBalancer Service or an Ingress's backend. */
function exposedByLoadBalancer(context: DomainContext, service: ServiceView): boolean {
  return service.type === 'LoadBalancer' || context.graph.ingressesOf(service).length > 0;
}

/**
 * Whether the LB's view of the backends changes with the pods, so that its propagation counts:
 * pods as backends (ENI, IP targets, NEG), or nodes under `externalTrafficPolicy: Local` (a node
 * leaves when its health check of kube-proxy fails). Nodes under the Cluster policy stay backends
 * through a rollout (every node is a backend, cloud-provider-alibaba-cloud docs/usage.md), and each
 * new connection goes to a pod kube-proxy picks: only kube-proxy counts. That holds for an L7 LB
 * with node targets too (an ALB Ingress with `target-type: instance`), see `exposure`.
 */
export function lbFollowsPods(context: DomainContext, service: ServiceView): LoadBalancerProfile | undefined {
  if (!exposedByLoadBalancer(context, service)) return undefined;
  const lb = loadBalancerFor(context, service);
  if (!lb) return undefined;
  return lb.backend === 'pod' || service.externalTrafficPolicy === 'Local' ? lb : undefined;
}

/**
 * Which propagation paths can still send a terminating pod new requests, and the LB that counts.
 * An ALB with instance targets keeps its pooled keep-alive connections to a node, and conntrack
 * pins each to the pod it first reached (kubernetes#101607), so requests on them reach a
 * terminating pod until the app closes the connection: aws-load-balancer-controller#2106 saw rare
 * 502s with a 40 s preStop. A preStop does not shorten that; the app's keep-alive handling does
 * (sigterm-not-forwarded, fast-shutdown-image): the LB's propagation is not counted for it.
 */
function exposure(context: DomainContext, workload: Workload): { viaLoadBalancer: boolean; viaIngress: boolean; loadBalancer?: LoadBalancerProfile } {
  const services = context.graph.servicesOf(workload);
  if (services.length === 0) {
    // No Service in the input: judge under the profile's full path.
    const lb = context.profile.loadBalancer;
    return { viaLoadBalancer: lb !== undefined, viaIngress: context.profile.ingress !== undefined, ...(lb ? { loadBalancer: lb } : {}) };
  }
  const viaIngress = services.some((s) => context.graph.ingressesOf(s).length > 0) && context.profile.ingress !== undefined;
  // The slowest LB among the Services whose LB follows the pods.
  let loadBalancer: LoadBalancerProfile | undefined;
  for (const service of services) {
    const lb = lbFollowsPods(context, service);
    if (lb && (!loadBalancer || lb.deregister.p99 > loadBalancer.deregister.p99)) loadBalancer = lb;
  }
  return { viaLoadBalancer: loadBalancer !== undefined, viaIngress, ...(loadBalancer ? { loadBalancer } : {}) };
}

/** The propagation budget for a workload under the context's profile. */
export function budgetFor(context: DomainContext, workload: Workload): Budget {
  const byProfile = context.graph.memo(BUDGETS);
  let byWorkload = byProfile.get(context.profile);
  if (!byWorkload) byProfile.set(context.profile, (byWorkload = new Map()));
  let budget = byWorkload.get(workload);
  if (!budget) {
    const e = exposure(context, workload);
    byWorkload.set(workload, (budget = propagationBudget(context.profile, e, e.loadBalancer)));
  }
  return budget;
}

/** Several rules ask for each workload's budget: computed once per graph and profile. */
const BUDGETS: GraphMemo<Map<Profile, Map<Workload, Budget>>> = { create: () => new Map() };

const AWS_LB_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-type';
const AWS_NLB_TARGET_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type';
const ALB_TARGET_TYPE = 'alb.ingress.kubernetes.io/target-type';

/**
 * The target type of an AWS NLB Service, from its own annotations, or undefined when they do not
 * ask for an NLB. The in-tree cloud provider's `aws-load-balancer-type: nlb` registers instances
 * (cloud-provider-aws, pkg/providers/v1); the AWS Load Balancer Controller takes Services with
 * `aws-load-balancer-type: external` or `loadBalancerClass: service.k8s.aws/nlb`, whose
 * `aws-load-balancer-nlb-target-type` is `ip` or `instance` ("default instance in case of
 * LoadBalancerClass", LBC docs, guide/service/annotations.md), and the legacy `nlb-ip` means IP
 * targets (LBC guide/service/nlb.md).
 */
function awsNlbTargets(service: ServiceView): LbBackend | undefined {
  const a = service.resource.annotations;
  const type = a[AWS_LB_TYPE];
  const target = a[AWS_NLB_TARGET_TYPE];
  const lbcClass = stringAt(recordAt(service.resource.object, 'spec'), 'loadBalancerClass') === 'service.k8s.aws/nlb';
  if (type === 'nlb-ip') return 'pod';
  if (type === 'nlb') return 'node';
  if (type === 'external' || lbcClass) return target === 'ip' ? 'pod' : 'node';
  if (target === 'ip') return 'pod';
  if (target === 'instance') return 'node';
  return undefined;
}

/**
 * What the cloud LB sends to for a Service: `pod` (ENI, IP targets, NEG) or `node` (kube-proxy
 * forwards). The Service's own annotations win over the profile, then those of the ALB Ingress in
 * front of it; ENI backends exist only on Terway (Flannel does not support them); undefined means
 * the profile's.
 */
function lbBackendOf(context: DomainContext, service: ServiceView): LbBackend | undefined {
  const a = service.resource.annotations;
  if (a['service.beta.kubernetes.io/backend-type'] === 'eni' && context.profile.networkPlugin === 'terway') return 'pod';
  const ingresses = context.graph.ingressesOf(service);
  if (service.type === 'LoadBalancer') {
    const nlb = awsNlbTargets(service);
    if (nlb) return nlb;
    // A plain LoadBalancer Service on AWS: the LBC's NLB, whose target type defaults to instance
    // "in case of LoadBalancerClass" (LBC docs guide/service/annotations.md), see awsKind.
    if (context.profile.provider === 'aws') return 'node';
  }
  const neg = a['cloud.google.com/neg'];
  if (neg && /"ingress"\s*:\s*true|"exposed_ports"/.test(neg)) return 'pod';
  // The ALB's target type: on the Service (it overrides the Ingress, LBC ingress annotations doc), else on its Ingresses.
  const albTargets = a[ALB_TARGET_TYPE] !== undefined && ingresses.length > 0 ? [a[ALB_TARGET_TYPE]] : ingresses.map((i) => i.annotations[ALB_TARGET_TYPE]).filter((t) => t !== undefined);
  if (albTargets.includes('ip')) return 'pod';
  if (albTargets.length > 0 && albTargets.every((t) => t === 'instance')) return 'node';
  // On GKE only Ingress backends are NEGs; a LoadBalancer Service is a passthrough LB to nodes.
  if (context.profile.provider === 'gcp' && ingresses.length === 0) return 'node';
  return context.profile.loadBalancer?.backend;
}

/**
 * Whether the cloud LB's connection draining applies to a Service: a LoadBalancer Service where
 * the provider drains on the Service (ACK, AWS NLB/CLB), or a Service behind an Ingress where the
 * LB drains per Ingress or BackendConfig (AWS ALB, GKE NEG).
 */
export function drainApplies(context: DomainContext, service: ServiceView): boolean {
  const drain = context.profile.loadBalancer?.drain;
  if (!drain) return false;
  const viaIngress = context.graph.ingressesOf(service).length > 0;
  if (drain.on === 'backendconfig') return viaIngress;
  return service.type === 'LoadBalancer' || (drain.on === 'ingress' && viaIngress);
}
