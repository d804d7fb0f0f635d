import { describe, expect, test } from 'vitest';
import { classifyService, servedBy } from '../../src/domain/service-role.js';
import { servingContainers } from '../../src/domain/serving.js';
import { checkSources } from '../../src/engine/run.js';
import type { Rule } from '../../src/rules/types.js';
import { loadSources } from '../../src/load/objects.js';
import { buildGraph } from '../../src/model/graph.js';
import { checkAll, conventionViolations, findingAt, fixOf, fixturePath, fixtureText, loadProblems, profileOf, rows, run } from './helpers.js';
import { assertInvalid, assertValid } from './rule-tester.js';

const FIXTURE = 'readiness-probe-missing.service-roles';
const C0 = '/spec/template/spec/containers/0';

function graphOf(fixture: string): { graph: ReturnType<typeof buildGraph>; profile: ReturnType<typeof profileOf> } {
  const loaded = loadSources([{ path: fixturePath(fixture), text: fixtureText(fixture) }], '1.30');
  return { graph: buildGraph(loaded.resources), profile: profileOf('generic') };
}

describe('what a Service carries (domain/service-role.ts), applied by the engine', () => {
  test('the fixture is valid', () => {
    expect(loadProblems(FIXTURE)).toEqual([]);
  });

  test('each Service is classified from the objects that refer to it and its port names', () => {
    const context = graphOf(FIXTURE);
    const classes = Object.fromEntries(context.graph.services.map((s) => [s.resource.name, classifyService(context, s)]));
    expect(classes).toEqual({
      shop: { role: 'user', headless: false, evidence: '' },
      'shop-exporter': { role: 'metrics', headless: false, evidence: 'ports named for metrics' },
      'redis-exporter': { role: 'metrics', headless: false, evidence: 'metrics ports that Prometheus scrapes' },
      'kube-state-metrics': { role: 'metrics', headless: false, evidence: 'metrics ports that Prometheus scrapes' },
      orders: { role: 'user', headless: false, evidence: '' },
      'policy-webhook': { role: 'webhook', headless: false, failurePolicy: 'Fail', evidence: 'ValidatingWebhookConfiguration policy-webhook, failurePolicy Fail' },
      'label-injector': { role: 'webhook', headless: false, failurePolicy: 'Ignore', evidence: 'MutatingWebhookConfiguration label-injector, failurePolicy Ignore' },
      'metrics-server': { role: 'webhook', headless: false, failurePolicy: 'Fail', evidence: 'APIService v1beta1.metrics.k8s.io' },
      queue: { role: 'user', headless: true, evidence: '' },
      'envoy-admin': { role: 'admin', headless: false, evidence: 'ports named for admin and health endpoints' },
    });
  });

  test('each workload is served at the level of its strongest Service', () => {
    const context = graphOf(FIXTURE);
    const levels = Object.fromEntries(context.graph.workloads.map((w) => [w.resource.name, servedBy(context, w).level]));
    expect(levels).toEqual({
      'fire-user': 'user',
      'dont-fire-metrics-only': 'none',
      'dont-fire-scraped-metrics-service': 'none',
      'fire-scraped-user': 'user',
      'fire-webhook-fail': 'api-server',
      'dont-fire-webhook-ignore': 'none',
      'fire-aggregated-api': 'api-server',
      'fire-headless': 'peer',
      'dont-fire-admin-only': 'none',
    });
    // The exporter sidecar is reached only through its metrics Service: not a serving container.
    const shop = context.graph.workloads.find((w) => w.resource.name === 'fire-user');
    expect(shop && servingContainers(context, shop).map((c) => c.name)).toEqual(['app']);
  });

  test('error through a user Service, warning through a headless Service or the API server, nothing otherwise', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-aggregated-api', C0, 'warning'],
      ['fire-headless', C0, 'warning'],
      ['fire-scraped-user', C0, 'error'],
      ['fire-user', C0, 'error'],
      ['fire-webhook-fail', C0, 'warning'],
    ]);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
  });

  test('the message says why the severity is lower; the fix is unchanged', () => {
    const findings = run(FIXTURE);
    expect(findingAt(findings, 'fire-webhook-fail', C0).message).toBe(
      'container `webhook` of Deployment roles/fire-webhook-fail has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens — only the API server calls it (Service policy-webhook; ValidatingWebhookConfiguration policy-webhook, failurePolicy Fail), so what fails is the API requests it handles in that window',
    );
    expect(findingAt(findings, 'fire-headless', C0).message).toBe(
      'container `rabbitmq` of StatefulSet roles/fire-headless has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens — only headless Service queue selects it: clients connect to the pod IPs they resolved by DNS, so what fails depends on their DNS cache and retries',
    );
    expect(findingAt(findings, 'fire-user', C0).message).toBe('container `app` of Deployment roles/fire-user has no readinessProbe: it joins the endpoints as soon as it starts, before the app listens');
    expect(fixOf(findings, 'fire-headless', C0)).toEqual({ kind: 'patch', operations: [{ op: 'add', path: `${C0}/readinessProbe`, value: { tcpSocket: { port: 'amqp' } } }] });
  });

  test('every Service-dependent rule gets the same scope; the others do not', () => {
    const byRule = (name: string): string[] => [...new Set(checkAll(FIXTURE).filter((f) => f.resource.name === name).map((f) => `${f.ruleId} ${f.severity}`))].sort();
    expect(byRule('dont-fire-metrics-only')).toEqual([]);
    expect(byRule('dont-fire-admin-only')).toEqual(['fast-shutdown-image warning']);
    expect(byRule('fire-headless')).toEqual(['pdb-missing warning', 'prestop-missing warning', 'readiness-probe-missing warning']);
  });

  test('a severity set by configuration still wins', () => {
    const findings = checkSources([{ path: fixturePath(FIXTURE), text: fixtureText(FIXTURE) }], { profile: profileOf('generic'), ruleSeverities: { 'readiness-probe-missing': 'error' } }).findings;
    expect(rows(findings.filter((f) => f.ruleId === 'readiness-probe-missing')).map((r) => r[2])).toEqual(['error', 'error', 'error', 'error', 'error']);
  });
});

/** A rule that reports every Deployment as an error, Service-dependent or not. */
function everyDeployment(serviceDependent: boolean): Rule {
  return {
    meta: { id: 'every-deployment', category: 'termination', severity: 'error', description: 'every Deployment', fixable: false, serviceDependent, messages: { found: 'Deployment {{name}}' } },
    check(context) {
      for (const w of context.graph.workloads) context.report({ resource: w.resource, path: '/spec', messageId: 'found', data: { name: w.resource.name } });
    },
  };
}

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          ports: [{name: http, containerPort: 8080}]
`;

function service(spec: string): string {
  return `---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n${spec}`;
}

const AT_SPEC = { path: '/spec', line: 4, column: 1 } as const;

describe('meta.serviceDependent: the engine applies the served scope, and only to rules that set it (through the rule tester)', () => {
  const scoped = everyDeployment(true);
  const unscoped = everyDeployment(false);

  test('a user Service: the rule\'s own severity', () => {
    const yaml = WEB + service('  ports: [{name: http, port: 80, targetPort: http}]\n');
    assertInvalid('every-deployment', scoped, { yaml, findings: [{ message: 'Deployment web', ...AT_SPEC, severity: 'error' }] });
  });

  test('only a headless Service: at most a warning, and the message says why', () => {
    const yaml = WEB + service('  clusterIP: None\n  ports: [{name: http, port: 80, targetPort: http}]\n');
    const why = 'only headless Service web selects it: clients connect to the pod IPs they resolved by DNS, so what fails depends on their DNS cache and retries';
    assertInvalid('every-deployment', scoped, { yaml, findings: [{ message: `Deployment web — ${why}`, ...AT_SPEC, severity: 'warning' }] });
    assertInvalid('every-deployment', unscoped, { yaml, findings: [{ message: 'Deployment web', ...AT_SPEC, severity: 'error' }] });
  });

  test('no Service in the input: at most a warning', () => {
    assertInvalid('every-deployment', scoped, { yaml: WEB, findings: [{ message: 'Deployment web', ...AT_SPEC, severity: 'warning' }] });
  });

  test('only a metrics Service, or a Service that selects other pods: skipped', () => {
    const metrics = WEB + service('  ports: [{name: metrics, port: 9090, targetPort: http}]\n');
    const other = WEB + service('  ports: [{name: http, port: 80, targetPort: http}]\n').replace('selector: {app: web}', 'selector: {app: api}');
    assertValid('every-deployment', scoped, { yaml: metrics });
    assertValid('every-deployment', scoped, { yaml: other });
    assertInvalid('every-deployment', unscoped, { yaml: metrics, findings: [{ message: 'Deployment web', ...AT_SPEC, severity: 'error' }] });
  });
});
