/**
 * deploy/: the manifests pass `rollsafe check` with zero findings, and agree with the server they
 * run (its Service names, the kinds it judges, its paths and health endpoints).
 */
import { readdirSync, readFileSync } from 'node:fs';
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../src/engine/run.js';
import { serviceDnsNames, SERVICE_NAME, SERVICE_NAMESPACE } from '../../src/server/certs.js';
import { JUDGED_KINDS } from '../../src/server/review.js';
import { ROOT } from '../helpers.js';
import { profileNamed } from './helpers.js';

const DEPLOY = `${ROOT}deploy/`;
const kustomization = jsYaml.load(readFileSync(`${DEPLOY}kustomization.yaml`, 'utf8')) as { resources: string[] };
const sources = kustomization.resources.map((file) => ({ path: `deploy/${file}`, text: readFileSync(DEPLOY + file, 'utf8') }));
const objects = sources.flatMap((s) => jsYaml.loadAll(s.text) as Array<Record<string, unknown>>);

function find(kind: string, name = SERVICE_NAME): Record<string, unknown> {
  const object = objects.find((o) => o['kind'] === kind && (o['metadata'] as { name: string }).name === name);
  if (!object) throw new Error(`no ${kind} ${name}`);
  return object;
}

interface Webhook {
  readonly clientConfig: { readonly service: unknown };
  readonly rules: ReadonlyArray<{ readonly apiGroups: string[]; readonly resources: string[]; readonly operations: string[] }>;
}

describe('deploy/', () => {
  it('lists every manifest in kustomization.yaml', () => {
    expect([...kustomization.resources].sort()).toEqual(readdirSync(DEPLOY).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort());
  });

  for (const profile of ['generic', 'ack-flannel', 'eks-alb-ip', 'gke-neg', 'aks']) {
    it(`passes rollsafe check with zero findings under ${profile}`, () => {
      const result = checkSources(sources, { profile: profileNamed(profile) });
      expect(result.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}`)).toEqual([]);
      expect(result.objects).toBe(11);
    });
  }

  // With failurePolicy Fail on /validate (the patch kustomization.yaml offers), every API request
  // depends on the webhook's pods, so the rollout rules judge its Deployment.
  const failClosed = sources.map((s) => (s.path.endsWith('webhooks.yaml') ? { ...s, text: s.text.replace(/(name: validate\.rollsafe\.io[\s\S]*?failurePolicy: )Ignore/, '$1Fail') } : s));

  it('passes rollsafe check with zero findings with the validating webhook failing closed too', () => {
    expect(failClosed.find((s) => s.path.endsWith('webhooks.yaml'))?.text).toContain('failurePolicy: Fail');
    expect(checkSources(failClosed, { profile: profileNamed('generic') }).findings.map((f) => f.ruleId)).toEqual([]);
  });

  it('is judged, not waved through: failing closed and without its preStop, the Deployment has findings', () => {
    const broken = failClosed.map((s) => (s.path.endsWith('deployment.yaml') ? { ...s, text: s.text.replace(/ {10}lifecycle:\n {12}preStop:\n {14}sleep:\n {16}seconds: 15\n/, '') } : s));
    expect(broken.find((s) => s.path.endsWith('deployment.yaml'))?.text).not.toContain('preStop:');
    expect(checkSources(broken, { profile: profileNamed('generic') }).findings.map((f) => f.ruleId)).toEqual(['prestop-missing']);
  });

  it('runs the Deployment as issue 12 asks: 2+ replicas, spread, readiness, preStop, grace, resources, non-root, read-only root', () => {
    expect(find('Deployment')).toMatchObject({
      spec: {
        replicas: 2,
        template: {
          spec: {
            topologySpreadConstraints: [{ topologyKey: 'kubernetes.io/hostname' }, { topologyKey: 'topology.kubernetes.io/zone' }],
            securityContext: { runAsNonRoot: true },
            terminationGracePeriodSeconds: 45,
            containers: [
              {
                args: ['serve', '--tls-cert=/tls/tls.crt', '--tls-key=/tls/tls.key', '--port=8443', '--mode=enforce', '--failure-policy=ignore', '--shutdown-delay=5', '--profile=generic'],
                readinessProbe: { httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' } },
                livenessProbe: { httpGet: { path: '/healthz', port: 'https', scheme: 'HTTPS' } },
                lifecycle: { preStop: { sleep: { seconds: 15 } } },
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
                securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                volumeMounts: [{ name: 'tls', mountPath: '/tls', readOnly: true }],
              },
            ],
            volumes: [{ name: 'tls', secret: { secretName: 'rollsafe-tls' } }],
          },
        },
      },
    });
    expect(find('PodDisruptionBudget')['spec']).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'rollsafe' } } });
  });

  it('names the Service and its certificate as the server and --self-signed do', () => {
    expect(find('Service')).toMatchObject({ metadata: { namespace: SERVICE_NAMESPACE }, spec: { ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }] } });
    expect(find('Certificate', 'rollsafe-serving')).toMatchObject({ spec: { dnsNames: serviceDnsNames(), secretName: 'rollsafe-tls' } });
  });

  it('configures both webhooks as issue 12 asks, for exactly the kinds the server judges', () => {
    const judged = [...JUDGED_KINDS].flatMap(([group, kinds]) => [...kinds].map((k) => `${group}/${k.toLowerCase()}s`)).sort();
    for (const [kind, path, failurePolicy] of [
      ['MutatingWebhookConfiguration', '/mutate', 'Ignore'],
      ['ValidatingWebhookConfiguration', '/validate', 'Ignore'],
    ] as const) {
      const config = find(kind);
      expect(config).toMatchObject({
        metadata: { annotations: { 'cert-manager.io/inject-ca-from': 'rollsafe-system/rollsafe-serving' } },
        webhooks: [
          {
            admissionReviewVersions: ['v1'],
            sideEffects: 'None',
            failurePolicy,
            timeoutSeconds: 3,
            matchPolicy: 'Equivalent',
            namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'rollsafe-system'] }] },
            matchConditions: [{ name: 'not-a-controlled-pod' }, { name: 'not-ignored' }],
          },
        ],
      });
      const [webhook] = config['webhooks'] as Webhook[];
      if (!webhook) throw new Error('no webhook');
      expect(webhook.clientConfig.service).toEqual({ name: SERVICE_NAME, namespace: SERVICE_NAMESPACE, path, port: 443 });
      const resources = webhook.rules.flatMap((r) => {
        expect(r.operations).toEqual(['CREATE', 'UPDATE']);
        return r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}`));
      });
      expect(resources.sort()).toEqual(judged);
    }
    expect(find('MutatingWebhookConfiguration')).toMatchObject({ webhooks: [{ reinvocationPolicy: 'IfNeeded', failurePolicy: 'Ignore' }] });
  });
});
