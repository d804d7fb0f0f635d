/**
 * The ready-to-apply config of an {@link Advice}: Service (and Ingress, BackendConfig, Namespace
 * where the provider needs them), Deployment and PodDisruptionBudget. Pure. The numbers come from
 * the advice's timing, which the rules compute the same way, so the config passes
 * `rollsafe check` under the advice's profile.
 */
import { preStopHook } from '../domain/prestop.js';
import type { Advice } from './decide.js';
import { RollsafeError } from '../errors.js';

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
  /** The container port's name (default `http`): a named targetPort of the user's Service must keep resolving. */
  readonly portName?: string;
  /** The serving container's other declared ports (`advise -f`), kept so that the Service's other ports still resolve. */
  readonly otherPorts?: readonly KubeObject[];
  /** The user's own Service (`advise -f`): its annotations and ports are kept, rollsafe's settings merged in. */
  readonly service?: ExistingService;
  /** The user's own Ingress to the Service (`advise -f`): adapted in place, never replaced by a second one. */
  readonly ingress?: KubeObject;
}

/** What `advise -f` keeps of a user's Service. */
interface ExistingService {
  readonly annotations: Readonly<Record<string, string>>;
  /** `spec.ports` as written (names, ports, targetPorts, nodePorts, protocols). */
  readonly ports: readonly KubeObject[];
}

/** What a caller may set; everything else has a default. */
export type WorkloadInput = { -readonly [K in keyof WorkloadFacts]?: WorkloadFacts[K] | undefined };

/** nginx serves port 80 and answers `/`, so the default config runs as it is. */
const DEFAULT_WORKLOAD = {
  name: 'app',
  namespace: 'default',
  image: 'nginx:1.27',
  port: 80,
  replicas: 3,
} as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function checkName(what: string, value: string): void {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw new RollsafeError('invalid-facts', `${what} "${value}" is not a valid Kubernetes name (lower-case letters, digits and "-", at most 63 characters)`);
  }
}

function checkPort(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new RollsafeError('invalid-facts', `${what} ${value} is not a port number (1–65535)`);
}

/**
 * Fills defaults and validates. @throws {RollsafeError} `invalid-facts` for a bad name, port,
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
  if (!Number.isInteger(replicas) || replicas < 2) throw new RollsafeError('invalid-facts', `replicas ${replicas}: use at least 2 (one replica is an outage on every restart or node drain)`);
  if (image.trim() === '' || /\s/.test(image)) throw new RollsafeError('invalid-facts', `image "${image}" is not an image reference`);
  if (input.healthPath !== undefined && !input.healthPath.startsWith('/')) throw new RollsafeError('invalid-facts', `health path "${input.healthPath}" must start with /`);
  const labels = input.labels ?? { app: name };
  const serviceName = input.serviceName ?? name;
  checkName('Service name', serviceName);
  const selector = input.selector ?? labels;
  const serviceSelector = input.serviceSelector ?? selector;
  for (const [what, map] of [['selector', selector], ['Service selector', serviceSelector]] as const) {
    const missing = Object.entries(map).filter(([k, v]) => labels[k] !== v);
    if (Object.keys(map).length === 0 || missing.length > 0) {
      throw new RollsafeError('invalid-facts', `the ${what} ${JSON.stringify(map)} must be non-empty and match the pod labels ${JSON.stringify(labels)}`);
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
    ...(input.portName === undefined ? {} : { portName: input.portName }),
    ...(input.otherPorts === undefined ? {} : { otherPorts: input.otherPorts }),
    ...(input.service === undefined ? {} : { service: input.service }),
    ...(input.ingress === undefined ? {} : { ingress: input.ingress }),
  };
}

/** A Kubernetes object as plain data. */
export type KubeObject = Record<string, unknown>;

const PORT_NAME = 'http';

/** Label that makes the AWS Load Balancer Controller inject its readiness gate (pod_readiness_gate.md). */
const AWS_READINESS_GATE_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';

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

/** ELBv2 target-group attributes: rollsafe's, then the user's other ones (`k1=v1,k2=v2`). */
function targetGroupAttributes(ours: readonly string[], theirs: string | undefined): string {
  const keys = new Set(ours.map((a) => a.split('=')[0]));
  const kept = (theirs ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '' && !keys.has(a.split('=')[0]?.trim()));
  return [...ours, ...kept].join(',');
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
    const key = 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes';
    a[key] = targetGroupAttributes(attributes, workload.service?.annotations[key]);
  } else if (f.provider === 'gcp' && advice.podDirect === 'gke-neg') {
    a['cloud.google.com/neg'] = '{"ingress": true}';
    a['cloud.google.com/backend-config'] = JSON.stringify({ default: workload.serviceName });
  } else if (f.provider === 'bare-metal' && f.lbQuotaTight && advice.externalTrafficPolicy === 'Cluster') {
    a['metallb.io/allow-shared-ip'] = 'rollsafe-shared';
  }
  return a;
}

/**
 * The Service: the user's own (`advise -f`) keeps its name, annotations and ports — a changed
 * name or a dropped port would replace what clients and the load balancer know — with rollsafe's
 * settings merged over them.
 */
function service(advice: Advice, workload: WorkloadFacts): KubeObject {
  const annotations = { ...workload.service?.annotations, ...serviceAnnotations(advice, workload) };
  const spec: KubeObject = { type: advice.serviceType };
  if (advice.externalTrafficPolicy && advice.serviceType !== 'ClusterIP') spec['externalTrafficPolicy'] = advice.externalTrafficPolicy;
  spec['selector'] = { ...workload.serviceSelector };
  // A ClusterIP Service has no node ports: drop them from the user's ports when advice changes the type.
  const ports = workload.service?.ports.map((p) => (advice.serviceType === 'ClusterIP' ? Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'nodePort')) : { ...p }));
  spec['ports'] = ports ?? [{ name: PORT_NAME, port: workload.servicePort, targetPort: PORT_NAME, protocol: 'TCP' }];
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(workload.serviceName, workload.namespace, Object.keys(annotations).length > 0 ? { annotations } : {}),
    spec,
  };
}

/**
 * The user's Ingress, adapted: its name, class, rules, TLS and annotations (the ALB's scheme,
 * group, certificates) stay, so the same load balancer serves on; rollsafe sets only what the
 * advice needs (target type, deregistration delay) and a health-check path where none is set.
 * A new Ingress under another name would create a second load balancer.
 */
function adaptIngress(advice: Advice, workload: WorkloadFacts, user: KubeObject): KubeObject {
  const meta = (user['metadata'] ?? {}) as Record<string, unknown>;
  const theirs = (meta['annotations'] ?? {}) as Record<string, string>;
  const annotations: Record<string, string> = { ...theirs };
  if (advice.facts.provider === 'aws') {
    annotations['alb.ingress.kubernetes.io/target-type'] = advice.podDirect === 'aws-ip' ? 'ip' : 'instance';
    const key = 'alb.ingress.kubernetes.io/target-group-attributes';
    annotations[key] = targetGroupAttributes([deregistrationDelay(advice)], theirs[key]);
    annotations['alb.ingress.kubernetes.io/healthcheck-path'] ??= healthPathOf(advice, workload) ?? '/';
  }
  const { uid: _uid, resourceVersion: _rv, creationTimestamp: _ct, generation: _g, managedFields: _mf, ...keep } = meta;
  return { apiVersion: user['apiVersion'] ?? 'networking.k8s.io/v1', kind: 'Ingress', metadata: { ...keep, namespace: workload.namespace, annotations }, spec: user['spec'] ?? {} };
}

function ingress(advice: Advice, workload: WorkloadFacts): KubeObject {
  if (workload.ingress) return adaptIngress(advice, workload, workload.ingress);
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
  const port = workload.portName ?? PORT_NAME;
  const readinessAction = path === undefined ? { tcpSocket: { port } } : { httpGet: { path, port } };
  return {
    name: workload.containerName,
    image: workload.image,
    ports: [{ name: workload.portName ?? PORT_NAME, containerPort: workload.port, protocol: 'TCP' }, ...(workload.otherPorts ?? [])],
    // Readiness fails fast (15 s) to take a broken pod out of rotation; liveness waits twice as
    // long (30 s) so a slow pod is not restarted for what readiness already handles.
    readinessProbe: { ...readinessAction, periodSeconds: 5, failureThreshold: 3 },
    livenessProbe: { tcpSocket: { port }, periodSeconds: 10, failureThreshold: 3 },
    lifecycle: { preStop: preStopHook(advice.facts.k8sVersion, advice.timing.preStopSeconds) },
  };
}

function deployment(advice: Advice, workload: WorkloadFacts): KubeObject {
  const podSpec: KubeObject = {};
  if (advice.inPlaceRollout) {
    // The seed's in-place rollout keeps the pods on the labelled nodes. Required, not preferred: a
    // preferred term only adds to a node's score (NodeAffinity weight 2 among the default score
    // plugins, pkg/scheduler/apis/config/v1/default_plugins.go), and PodTopologySpread (weight 2)
    // scores the other nodes up when the new ReplicaSet's pods are uneven there, so a surge pod can
    // still land on an unlabelled node and empty a labelled one. Label the nodes first: until
    // then new pods stay Pending, and with maxUnavailable 0 the old ones keep serving.
    podSpec['affinity'] = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'deploy', operator: 'In', values: [workload.name] }] }] },
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
function readinessGateNamespace(namespace: string): KubeObject {
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
