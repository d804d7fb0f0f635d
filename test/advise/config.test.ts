/**
 * The advised config of every branch: its key fields, and `rollsafe check` of it under the
 * matching profile and Kubernetes version has no finding at all. Mutations of the same config
 * show that the check is not vacuous: each safeguard, removed, brings back its rule.
 */
import { describe, expect, it } from 'vitest';
import { adviceConfig, workloadFacts, type KubeObject } from '../../src/advise/config.js';
import { decide } from '../../src/advise/decide.js';
import { checkSources } from '../../src/engine/run.js';
import type { Finding } from '../../src/rules/types.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { withK8sVersion } from '../../src/profiles/load.js';
import { at, BRANCHES, factsOf, objectOf, toYaml, VERSIONS, type Branch } from './branches.js';

/** `rollsafe check --profile PROFILE --k8s-version VERSION` of the objects. */
function check(objects: readonly KubeObject[], profile: string, version: string): Finding[] {
  const p = findBuiltinProfile(profile);
  if (!p) throw new Error(`no profile ${profile}`);
  return checkSources([{ path: 'advised.yaml', text: toYaml(objects) }], { profile: withK8sVersion(p, version) }).findings;
}

function ids(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.ruleId}:${f.severity}`);
}

function configOf(branch: Branch, version: string): { objects: KubeObject[]; profile: string } {
  const advice = decide(factsOf(branch, version));
  return { objects: adviceConfig(advice), profile: advice.profile };
}

const ACK_DRAIN = { 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain': 'on', 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout': '30' };
const NLB = (target: string, attributes: string): Record<string, string> => ({
  'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
  'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': target,
  'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': attributes,
});
const NEG = { 'cloud.google.com/neg': '{"ingress": true}', 'cloud.google.com/backend-config': '{"default":"app"}' };

/** Per branch: the kinds in apply order and the Service's annotations. */
const EXPECTED: Readonly<Record<string, { kinds: readonly string[]; annotations: Record<string, string> | undefined }>> = {
  'alibaba terway → ENI': { kinds: ['Service', 'Deployment', 'PodDisruptionBudget'], annotations: { 'service.beta.kubernetes.io/backend-type': 'eni', ...ACK_DRAIN } },
  'alibaba terway, source IP + quota tight → still ENI': { kinds: ['Service', 'Deployment', 'PodDisruptionBudget'], annotations: { 'service.beta.kubernetes.io/backend-type': 'eni', ...ACK_DRAIN } },
  'alibaba flannel, few LBs, no source IP → Cluster': { kinds: ['Service', 'Deployment', 'PodDisruptionBudget'], annotations: ACK_DRAIN },
  'alibaba flannel, source IP → Local + in-place': { kinds: ['Service', 'Deployment', 'PodDisruptionBudget'], annotations: ACK_DRAIN },
  'alibaba flannel, quota tight → Local + in-place': { kinds: ['Service', 'Deployment', 'PodDisruptionBudget'], annotations: ACK_DRAIN },
  'alibaba flannel, source IP + quota tight → Local + in-place': { kinds: ['Service', 'Deployment', 'PodDisruptionBudget'], annotations: ACK_DRAIN },
  // The NLB removes an IP target 61.4–120 s after the pod starts terminating (p0.1–p99) and the
  // pod serves for its 132 s preStop: a 71 s drain lets the pod close its connections first.
  'aws vpc-cni, NLB → IP targets + gate': { kinds: ['Namespace', 'Service', 'Deployment', 'PodDisruptionBudget'], annotations: NLB('ip', 'deregistration_delay.timeout_seconds=71') },
  'aws vpc-cni, NLB, source IP → IP targets + client IP preservation': { kinds: ['Namespace', 'Service', 'Deployment', 'PodDisruptionBudget'], annotations: NLB('ip', 'deregistration_delay.timeout_seconds=71,preserve_client_ip.enabled=true') },
  'aws vpc-cni, ALB → IP targets + gate': { kinds: ['Namespace', 'Service', 'Ingress', 'Deployment', 'PodDisruptionBudget'], annotations: undefined },
  'aws calico, NLB → instance targets, Cluster': { kinds: ['Service', 'Deployment', 'PodDisruptionBudget'], annotations: NLB('instance', 'deregistration_delay.timeout_seconds=30') },
  'aws calico, NLB, source IP → instance targets, Local + in-place': { kinds: ['Service', 'Deployment', 'PodDisruptionBudget'], annotations: NLB('instance', 'deregistration_delay.timeout_seconds=30') },
  'aws cilium, ALB, source IP → instance targets, Cluster (X-Forwarded-For)': { kinds: ['Service', 'Ingress', 'Deployment', 'PodDisruptionBudget'], annotations: undefined },
  'gcp dataplane v2, Ingress → NEG': { kinds: ['BackendConfig', 'Service', 'Ingress', 'Deployment', 'PodDisruptionBudget'], annotations: NEG },
  'gcp calico, Ingress, source IP → NEG (X-Forwarded-For)': { kinds: ['BackendConfig', 'Service', 'Ingress', 'Deployment', 'PodDisruptionBudget'], annotations: NEG },
  'gcp vpc-native, L4 → Cluster': { kinds: ['Service', 'Deployment', 'PodDisruptionBudget'], annotations: undefined },
  'gcp vpc-native, L4, source IP → Local + in-place': { kinds: ['Service', 'Deployment', 'PodDisruptionBudget'], annotations: undefined },
  'azure azure-cni → Cluster': { kinds: ['Service', 'Deployment', 'PodDisruptionBudget'], annotations: undefined },
  'azure kubenet, source IP → Local + in-place': { kinds: ['Service', 'Deployment', 'PodDisruptionBudget'], annotations: undefined },
  'bare-metal calico → Cluster': { kinds: ['Service', 'Deployment', 'PodDisruptionBudget'], annotations: undefined },
  'bare-metal flannel, quota tight → Cluster + shared IP': { kinds: ['Service', 'Deployment', 'PodDisruptionBudget'], annotations: { 'metallb.io/allow-shared-ip': 'rollsafe-shared' } },
  'bare-metal cilium, source IP → Local + in-place': { kinds: ['Service', 'Deployment', 'PodDisruptionBudget'], annotations: undefined },
};

const POD = ['spec', 'template', 'spec'] as const;
const CONTAINER = [...POD, 'containers', 0] as const;

describe('advised config of every branch', () => {
  it('covers every branch', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(BRANCHES.map((b) => b.id).sort());
  });

  for (const branch of BRANCHES) {
    describe(branch.id, () => {
      it('passes rollsafe check under the matching profile with no finding, at every version', () => {
        for (const version of VERSIONS) {
          const { objects, profile } = configOf(branch, version);
          expect(check(objects, profile, version), `${profile} ${version}`).toEqual([]);
        }
      });

      it('has the key fields', () => {
        const e = branch.expect;
        const expected = EXPECTED[branch.id];
        if (!expected) throw new Error(`no expectation for ${branch.id}`);
        for (const version of ['1.25', '1.30']) {
          const { objects } = configOf(branch, version);
          expect(objects.map((o) => o['kind'])).toEqual(expected.kinds);
          const service = objectOf(objects, 'Service');
          expect(at(service, 'metadata', 'annotations')).toEqual(expected.annotations);
          expect(at(service, 'spec', 'type')).toBe(e.serviceType);
          expect(at(service, 'spec', 'externalTrafficPolicy')).toBe(e.externalTrafficPolicy);
          expect(at(service, 'spec', 'ports')).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
          const deployment = objectOf(objects, 'Deployment');
          expect(at(deployment, 'spec', 'strategy')).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: e.inPlaceRollout ? '50%' : '25%', maxUnavailable: 0 } });
          expect(at(deployment, ...POD, 'affinity')).toEqual(
            e.inPlaceRollout ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'deploy', operator: 'In', values: ['app'] }] }] } } } : undefined,
          );
          const [preStop, grace, , minReady] = e.timing;
          expect(at(deployment, 'spec', 'minReadySeconds')).toBe(minReady);
          expect(at(deployment, ...POD, 'terminationGracePeriodSeconds')).toBe(grace);
          expect(at(deployment, ...CONTAINER, 'lifecycle', 'preStop')).toEqual(version === '1.30' ? { sleep: { seconds: preStop } } : { exec: { command: ['sleep', String(preStop)] } });
          const l7 = e.lbKind === 'alb' || e.lbKind === 'ingress';
          expect(at(deployment, ...CONTAINER, 'readinessProbe')).toEqual({ ...(l7 ? { httpGet: { path: '/', port: 'http' } } : { tcpSocket: { port: 'http' } }), periodSeconds: 5, failureThreshold: 3 });
          expect(at(deployment, ...CONTAINER, 'ports')).toEqual([{ name: 'http', containerPort: 80, protocol: 'TCP' }]);
          expect(objectOf(objects, 'PodDisruptionBudget')['spec']).toEqual({ maxUnavailable: 1, selector: { matchLabels: { app: 'app' } } });
        }
      });
    });
  }

  it('AWS: the namespace carries the readiness-gate label; ALB Ingresses set target type and deregistration delay', () => {
    const vpc = decide({ provider: 'aws', networkPlugin: 'aws-vpc-cni', lbKind: 'alb', preserveSourceIp: false, lbQuotaTight: false, k8sVersion: '1.30' });
    const objects = adviceConfig(vpc);
    expect(objectOf(objects, 'Namespace')['metadata']).toEqual({ name: 'default', labels: { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } });
    expect(at(objectOf(objects, 'Ingress'), 'metadata', 'annotations')).toEqual({
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
      'alb.ingress.kubernetes.io/healthcheck-path': '/',
    });
    expect(at(objectOf(objects, 'Ingress'), 'spec', 'ingressClassName')).toBe('alb');
    const instance = adviceConfig(decide({ provider: 'aws', networkPlugin: 'cilium', lbKind: 'alb', preserveSourceIp: false, lbQuotaTight: false, k8sVersion: '1.30' }));
    expect(at(objectOf(instance, 'Ingress'), 'metadata', 'annotations', 'alb.ingress.kubernetes.io/target-type')).toBe('instance');
  });

  it('GCP: the BackendConfig drains and health-checks the serving port', () => {
    const objects = adviceConfig(decide({ provider: 'gcp', networkPlugin: 'gke-dataplane-v2', preserveSourceIp: false, lbQuotaTight: false, k8sVersion: '1.30' }), workloadFacts({ port: 8080, healthPath: '/healthz' }));
    expect(objectOf(objects, 'BackendConfig')['spec']).toEqual({ connectionDraining: { drainingTimeoutSec: 30 }, healthCheck: { type: 'HTTP', requestPath: '/healthz', port: 8080 } });
    expect(at(objectOf(objects, 'Ingress'), 'metadata', 'annotations')).toEqual({ 'kubernetes.io/ingress.class': 'gce' });
    expect(at(objectOf(objects, 'Ingress'), 'spec')).toEqual({ defaultBackend: { service: { name: 'app', port: { number: 8080 } } } });
  });

  it('a given workload is written as given, and still passes check', () => {
    const advice = decide({ provider: 'alibaba', networkPlugin: 'flannel', preserveSourceIp: true, lbQuotaTight: false, k8sVersion: '1.28' });
    const workload = workloadFacts({ name: 'web', namespace: 'shop', image: 'registry.example.com/web:1.4.2', port: 8080, servicePort: 443, replicas: 4, healthPath: '/healthz', labels: { app: 'web', tier: 'front' }, selector: { app: 'web' } });
    const objects = adviceConfig(advice, workload);
    const deployment = objectOf(objects, 'Deployment');
    expect(at(deployment, 'metadata')).toEqual({ name: 'web', namespace: 'shop', labels: { app: 'web', tier: 'front' } });
    expect(at(deployment, 'spec', 'replicas')).toBe(4);
    expect(at(deployment, 'spec', 'selector')).toEqual({ matchLabels: { app: 'web' } });
    expect(at(deployment, ...CONTAINER, 'image')).toBe('registry.example.com/web:1.4.2');
    expect(at(deployment, ...CONTAINER, 'readinessProbe', 'httpGet')).toEqual({ path: '/healthz', port: 'http' });
    expect(at(deployment, ...POD, 'affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms', 0, 'matchExpressions', 0, 'values')).toEqual(['web']);
    expect(at(objectOf(objects, 'Service'), 'spec', 'ports')).toEqual([{ name: 'http', port: 443, targetPort: 'http', protocol: 'TCP' }]);
    expect(check(objects, advice.profile, '1.28')).toEqual([]);
  });

  it('rejects a workload it cannot write safely', () => {
    for (const input of [{ replicas: 1 }, { name: 'Web_1' }, { port: 70000 }, { image: 'two words' }, { healthPath: 'healthz' }, { labels: { app: 'a' }, selector: { app: 'b' } }]) {
      expect(() => workloadFacts(input), JSON.stringify(input)).toThrow(expect.objectContaining({ name: 'RollsafeError', code: 'invalid-facts' }));
    }
  });
});

/** Removes what `path` points at (a key of an object or an item of a list). */
function without(objects: readonly KubeObject[], kind: string, path: ReadonlyArray<string | number>): KubeObject[] {
  const copy = structuredClone(objects) as KubeObject[];
  if (path.length === 0) return copy.filter((o) => o['kind'] !== kind);
  const parent = at(objectOf(copy, kind), ...path.slice(0, -1)) as Record<string | number, unknown>;
  delete parent[path[path.length - 1] as string | number];
  return copy;
}

describe('the check is not vacuous: removing a safeguard brings its rule back', () => {
  const byId = (id: string): Branch => {
    const branch = BRANCHES.find((b) => b.id === id);
    if (!branch) throw new Error(id);
    return branch;
  };
  const cases: Array<[string, string, string, string, ReadonlyArray<string | number>, string[]]> = [
    ['ENI without the preStop hook', 'alibaba terway → ENI', '1.30', 'Deployment', [...CONTAINER, 'lifecycle'], ['prestop-missing:error']],
    ['Cluster without the readiness probe', 'alibaba flannel, few LBs, no source IP → Cluster', '1.30', 'Deployment', [...CONTAINER, 'readinessProbe'], ['readiness-probe-missing:error']],
    ['Cluster without the grace period', 'alibaba flannel, few LBs, no source IP → Cluster', '1.30', 'Deployment', [...POD, 'terminationGracePeriodSeconds'], ['grace-period-too-short:warning']], // only the assumed app drain time makes it fail
    ['Cluster without connection draining', 'alibaba flannel, few LBs, no source IP → Cluster', '1.30', 'Service', ['metadata', 'annotations'], ['lb-connection-drain-missing:warning']],
    ['Local without the in-place affinity, before ProxyTerminatingEndpoints', 'alibaba flannel, source IP → Local + in-place', '1.25', 'Deployment', [...POD, 'affinity'], ['local-traffic-policy-gap:error']],
    ['NLB IP targets without the labelled namespace', 'aws vpc-cni, NLB → IP targets + gate', '1.30', 'Namespace', [], ['lb-readiness-gate-missing:error']],
    ['NEG without the BackendConfig', 'gcp dataplane v2, Ingress → NEG', '1.30', 'BackendConfig', [], ['lb-connection-drain-missing:warning']],
    ['MetalLB without the PDB', 'bare-metal calico → Cluster', '1.30', 'PodDisruptionBudget', [], ['pdb-missing:warning']],
    ['AKS Local without the in-place affinity, before ProxyTerminatingEndpoints', 'azure kubenet, source IP → Local + in-place', '1.21', 'Deployment', [...POD, 'affinity'], ['local-traffic-policy-gap:error']],
  ];
  for (const [name, id, version, kind, path, expected] of cases) {
    it(name, () => {
      const { objects, profile } = configOf(byId(id), version);
      expect(check(objects, profile, version)).toEqual([]);
      expect(ids(check(without(objects, kind, path), profile, version))).toEqual(expected);
    });
  }
});
