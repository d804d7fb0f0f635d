/** Which layers route to a workload's pods, what the cloud LB sends to, and the propagation budget. */
import type { ServiceView } from '../model/graph.js';
import type { Workload } from '../model/workload.js';
import { propagationBudget } from '../profiles/types.js';
import type { DomainContext } from './context.js';

/**
 * Which propagation paths can still send a terminating pod new requests. The cloud LB counts when
 * it exposes the workload and its view of the backends matters: an Ingress (an L7 LB such as the
 * ALB pools connections to its targets; with instance targets reports needed a preStop of the
 * LB's scale, knowledge/cloud-load-balancers.md §2, #2106), or a LoadBalancer Service whose
 * backends change with the pods — pods as backends, or nodes under `externalTrafficPolicy: Local`.
 * A LoadBalancer Service on node backends with the Cluster policy keeps every node as a backend
 * (§1), and each connection goes through to a pod that kube-proxy picks: only kube-proxy counts.
 */
export function exposure(context: DomainContext, workload: Workload): { viaLoadBalancer: boolean; viaIngress: boolean } {
  const services = context.graph.servicesOf(workload);
  if (services.length === 0) {
    // No Service in the input: judge under the profile's full path.
    return { viaLoadBalancer: context.profile.loadBalancer !== undefined, viaIngress: context.profile.ingress !== undefined };
  }
  const viaIngress = services.some((s) => context.graph.ingressesOf(s).length > 0);
  const lb = context.profile.loadBalancer !== undefined;
  const viaLoadBalancer =
    lb &&
    services.some((s) => context.graph.ingressesOf(s).length > 0 || (s.type === 'LoadBalancer' && (lbBackendOf(context, s) === 'pod' || s.externalTrafficPolicy === 'Local')));
  return { viaLoadBalancer, viaIngress: viaIngress && context.profile.ingress !== undefined };
}

/** The propagation budget for a workload under the context's profile. */
export function budgetFor(context: DomainContext, workload: Workload): { seconds: number; path: string } {
  return propagationBudget(context.profile, exposure(context, workload));
}

/**
 * What the cloud LB sends to for a Service: `pod` (ENI, IP targets, NEG) or `node` (kube-proxy
 * forwards). An explicit annotation on the Service (or the ALB Ingress in front of it) wins over
 * the profile; ENI backends exist only on Terway (Flannel does not support them).
 */
export function lbBackendOf(context: DomainContext, service: ServiceView): 'pod' | 'node' | undefined {
  const a = service.resource.annotations;
  if (a['service.beta.kubernetes.io/backend-type'] === 'eni' && context.profile.networkPlugin === 'terway') return 'pod';
  const nlbTarget = a['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'];
  if (nlbTarget === 'ip' || a['service.beta.kubernetes.io/aws-load-balancer-type'] === 'nlb-ip') return 'pod';
  if (nlbTarget === 'instance') return 'node';
  const neg = a['cloud.google.com/neg'];
  if (neg && /"ingress"\s*:\s*true|"exposed_ports"/.test(neg)) return 'pod';
  const ingresses = context.graph.ingressesOf(service);
  const albTargets = ingresses.map((i) => i.annotations['alb.ingress.kubernetes.io/target-type']).filter((t) => t !== undefined);
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
