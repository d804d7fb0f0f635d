/**
 * The ready-to-apply config of an {@link Advice}: Service (and Ingress, BackendConfig, Namespace
 * where the provider needs them), Deployment and PodDisruptionBudget. Pure. The numbers come from
 * the advice's timing, which the rules compute the same way, so the config passes
 * `rollsafe check` under the advice's profile.
 */
import { preStopHook } from '../domain/prestop.js';
import { AdviseError, type Advice } from './decide.js';

/** The workload the config is written for. */
export interface WorkloadFacts {
  readonly name: string;
  readonly namespace: string;
  readonly image: string;
  /** The port the container serves (named `http` in the config). */
  readonly port: number;
  /** The port the Service (or Ingress backend) exposes. */
  readonly servicePort: number;
  readonly replicas: number;
  /** Pod labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** Deployment selector (it cannot change after creation); also the PodDisruptionBudget's. */
  readonly selector: Readonly<Record<string, string>>;
  /** Service selector (default: the Deployment selector). */
  readonly serviceSelector: Readonly<Record<string, string>>;
  readonly containerName: string;
  readonly serviceName: string;
  /** HTTP path for probes and LB health checks; unset means a TCP readiness probe behind an L4 LB. */
  readonly healthPath?: string;
}

/** What a caller may set; everything else has a default. */
export type WorkloadInput = { -readonly [K in keyof WorkloadFacts]?: WorkloadFacts[K] | undefined };

/** nginx serves port 80 and answers `/`, so the default config runs as it is. */
export const DEFAULT_WORKLOAD = {
  name: 'app',
  namespace: 'default',
  image: 'nginx:1.27',
  port: 80,
  replicas: 3,
} as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function checkName(what: string, value: string): void {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw new AdviseError('invalid-facts', `${what} "${value}" is not a valid Kubernetes name (lower-case letters, digits and "-", at most 63 characters)`);
  }
}

function checkPort(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new AdviseError('invalid-facts', `${what} ${value} is not a port number (1–65535)`);
}

/**
 * Fills defaults and validates. @throws {AdviseError} `invalid-facts` for a bad name, port,
 * image, path or a replica count below 2 (one replica is an outage on every restart).
 */
export function workloadFacts(input: WorkloadInput = {}): WorkloadFacts {
  const name = input.name ?? DEFAULT_WORKLOAD.name;
  const namespace = input.namespace ?? DEFAULT_WORKLOAD.namespace;
  const port = input.port ?? DEFAULT_WORKLOAD.port;
  const servicePort = input.servicePort ?? port;
  const replicas = input.replicas ?? DEFAULT_WORKLOAD.replicas;
  const image = input.image ?? DEFAULT_WORKLOAD.image;
  checkName('name', name);
  checkName('namespace', namespace);
  checkPort('port', port);
  checkPort('service port', servicePort);
  if (!Number.isInteger(replicas) || replicas < 2) throw new AdviseError('invalid-facts', `replicas ${replicas}: use at least 2 (one replica is an outage on every restart or node drain)`);
  if (image.trim() === '' || /\s/.test(image)) throw new AdviseError('invalid-facts', `image "${image}" is not an image reference`);
  if (input.healthPath !== undefined && !input.healthPath.startsWith('/')) throw new AdviseError('invalid-facts', `health path "${input.healthPath}" must start with /`);
  const labels = input.labels ?? { app: name };
  const serviceName = input.serviceName ?? name;
  checkName('Service name', serviceName);
  const selector = input.selector ?? labels;
  const serviceSelector = input.serviceSelector ?? selector;
  for (const [what, map] of [['selector', selector], ['Service selector', serviceSelector]] as const) {
    const missing = Object.entries(map).filter(([k, v]) => labels[k] !== v);
    if (Object.keys(map).length === 0 || missing.length > 0) {
      throw new AdviseError('invalid-facts', `the ${what} ${JSON.stringify(map)} must be non-empty and match the pod labels ${JSON.stringify(labels)}`);
    }
  }
  return {
    name,
    namespace,
    image,
    port,
    servicePort,
    replicas,
    labels,
    selector,
    serviceSelector,
    containerName: input.containerName ?? name,
    serviceName,
    ...(input.healthPath === undefined ? {} : { healthPath: input.healthPath }),
  };
}

/** A Kubernetes object as plain data. */
export type KubeObject = Record<string, unknown>;

const PORT_NAME = 'http';

/** Label that makes the AWS Load Balancer Controller inject its readiness gate (pod_readiness_gate.md). */
export const AWS_READINESS_GATE_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';

const ACK_DRAIN = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain';
const ACK_DRAIN_TIMEOUT = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout';

function metadata(name: string, namespace: string, extra: KubeObject = {}): KubeObject {
  return { name, namespace, ...extra };
}

/** An L7 load balancer health-checks over HTTP; so do the probes when a path is known. */
function healthPathOf(advice: Advice, workload: WorkloadFacts): string | undefined {
  return workload.healthPath ?? (advice.exposure === 'ingress' ? '/' : undefined);
}

function deregistrationDelay(advice: Advice): string {
  return `deregistration_delay.timeout_seconds=${advice.timing.lbDrainSeconds ?? 0}`;
}

function serviceAnnotations(advice: Advice, workload: WorkloadFacts): Record<string, string> {
  const f = advice.facts;
  const a: Record<string, string> = {};
  if (f.provider === 'alibaba') {
    // The seed's ENI annotation, then ACK's connection draining (all values are strings).
    if (advice.podDirect === 'eni') a['service.beta.kubernetes.io/backend-type'] = 'eni';
    a[ACK_DRAIN] = 'on';
    a[ACK_DRAIN_TIMEOUT] = String(advice.timing.lbDrainSeconds ?? 30);
  } else if (f.provider === 'aws' && advice.exposure === 'service') {
    a['service.beta.kubernetes.io/aws-load-balancer-type'] = 'external';
    a['service.beta.kubernetes.io/aws-load-balancer-nlb-target-type'] = advice.podDirect === 'aws-ip' ? 'ip' : 'instance';
    const attributes = [deregistrationDelay(advice)];
    if (advice.podDirect === 'aws-ip' && f.preserveSourceIp) attributes.push('preserve_client_ip.enabled=true');
    a['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes'] = attributes.join(',');
  } else if (f.provider === 'gcp' && advice.podDirect === 'gke-neg') {
    a['cloud.google.com/neg'] = '{"ingress": true}';
    a['cloud.google.com/backend-config'] = JSON.stringify({ default: workload.serviceName });
  } else if (f.provider === 'bare-metal' && f.lbQuotaTight && advice.externalTrafficPolicy === 'Cluster') {
    a['metallb.io/allow-shared-ip'] = 'rollsafe-shared';
  }
  return a;
}

function service(advice: Advice, workload: WorkloadFacts): KubeObject {
  const annotations = serviceAnnotations(advice, workload);
  const spec: KubeObject = { type: advice.serviceType };
  if (advice.externalTrafficPolicy && advice.serviceType !== 'ClusterIP') spec['externalTrafficPolicy'] = advice.externalTrafficPolicy;
  spec['selector'] = { ...workload.serviceSelector };
  spec['ports'] = [{ name: PORT_NAME, port: workload.servicePort, targetPort: PORT_NAME, protocol: 'TCP' }];
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(workload.serviceName, workload.namespace, Object.keys(annotations).length > 0 ? { annotations } : {}),
    spec,
  };
}

function ingress(advice: Advice, workload: WorkloadFacts): KubeObject {
  const backend = { service: { name: workload.serviceName, port: { number: workload.servicePort } } };
  if (advice.facts.provider === 'gcp') {
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: metadata(workload.serviceName, workload.namespace, { annotations: { 'kubernetes.io/ingress.class': 'gce' } }),
      spec: { defaultBackend: backend },
    };
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: metadata(workload.serviceName, workload.namespace, {
      annotations: {
        'alb.ingress.kubernetes.io/target-type': advice.podDirect === 'aws-ip' ? 'ip' : 'instance',
        'alb.ingress.kubernetes.io/target-group-attributes': deregistrationDelay(advice),
        'alb.ingress.kubernetes.io/healthcheck-path': healthPathOf(advice, workload) ?? '/',
      },
    }),
    spec: { ingressClassName: 'alb', rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }] },
  };
}

function backendConfig(advice: Advice, workload: WorkloadFacts): KubeObject {
  return {
    apiVersion: 'cloud.google.com/v1',
    kind: 'BackendConfig',
    metadata: metadata(workload.serviceName, workload.namespace),
    spec: {
      connectionDraining: { drainingTimeoutSec: advice.timing.lbDrainSeconds ?? 30 },
      healthCheck: { type: 'HTTP', requestPath: healthPathOf(advice, workload) ?? '/', port: workload.port },
    },
  };
}

function container(advice: Advice, workload: WorkloadFacts): KubeObject {
  const path = healthPathOf(advice, workload);
  const readinessAction = path === undefined ? { tcpSocket: { port: PORT_NAME } } : { httpGet: { path, port: PORT_NAME } };
  return {
    name: workload.containerName,
    image: workload.image,
    ports: [{ name: PORT_NAME, containerPort: workload.port, protocol: 'TCP' }],
    // Readiness fails fast (15 s) to take a broken pod out of rotation; liveness waits twice as
    // long (30 s) so a slow pod is not restarted for what readiness already handles.
    readinessProbe: { ...readinessAction, periodSeconds: 5, failureThreshold: 3 },
    livenessProbe: { tcpSocket: { port: PORT_NAME }, periodSeconds: 10, failureThreshold: 3 },
    lifecycle: { preStop: preStopHook(advice.facts.k8sVersion, advice.timing.preStopSeconds) },
  };
}

function deployment(advice: Advice, workload: WorkloadFacts): KubeObject {
  const podSpec: KubeObject = {};
  if (advice.inPlaceRollout) {
    // The seed's in-place rollout: prefer the labelled nodes, so new pods start where old ones run.
    podSpec['affinity'] = {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'deploy', operator: 'In', values: [workload.name] }] } }],
      },
    };
  }
  podSpec['terminationGracePeriodSeconds'] = advice.timing.gracePeriodSeconds;
  podSpec['containers'] = [container(advice, workload)];
  const spec: KubeObject = {
    replicas: workload.replicas,
    selector: { matchLabels: { ...workload.selector } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: advice.inPlaceRollout ? '50%' : '25%', maxUnavailable: 0 } },
  };
  if (advice.timing.minReadySeconds !== undefined) spec['minReadySeconds'] = advice.timing.minReadySeconds;
  spec['template'] = { metadata: { labels: { ...workload.labels } }, spec: podSpec };
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: metadata(workload.name, workload.namespace, { labels: { ...workload.labels } }), spec };
}

function podDisruptionBudget(workload: WorkloadFacts): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadata(workload.name, workload.namespace),
    spec: { maxUnavailable: 1, selector: { matchLabels: { ...workload.selector } } },
  };
}

/** The Namespace with the AWS readiness-gate label: it must exist before the pods do. */
export function readinessGateNamespace(namespace: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { [AWS_READINESS_GATE_LABEL]: 'enabled' } } };
}

/**
 * The config for one workload, in apply order: the labelled Namespace (AWS readiness gate), the
 * BackendConfig (GKE), the Service, the Ingress, the Deployment and its PodDisruptionBudget.
 * Pass `withNamespace: false` when several workloads share a namespace already emitted.
 */
export function adviceConfig(advice: Advice, workload: WorkloadFacts = workloadFacts(), options: { readonly withNamespace?: boolean } = {}): KubeObject[] {
  const objects: KubeObject[] = [];
  if (advice.readinessGate?.how === 'namespace-label' && options.withNamespace !== false) objects.push(readinessGateNamespace(workload.namespace));
  if (advice.podDirect === 'gke-neg') objects.push(backendConfig(advice, workload));
  objects.push(service(advice, workload));
  if (advice.exposure === 'ingress') objects.push(ingress(advice, workload));
  objects.push(deployment(advice, workload), podDisruptionBudget(workload));
  return objects;
}
