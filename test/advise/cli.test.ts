import { readFileSync } from 'node:fs';
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseFactsFile } from '../../src/advise/facts-file.js';
import { wrap } from '../../src/advise/format.js';
import { workloadsFromManifests } from '../../src/advise/manifests.js';
import { runAdvise } from '../../src/cli/advise.js';
import { checkSources } from '../../src/engine/run.js';
import type { Finding } from '../../src/rules/types.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { withK8sVersion } from '../../src/profiles/load.js';
import { captureIo, ROOT } from '../helpers.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `rollsafe advise ARGS` in-process; relative paths resolve against the project root. */
function advise(args: string[], options: { stdin?: string; files?: Record<string, string> } = {}): Run {
  const { io, out } = captureIo({
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    readFile: (p) => options.files?.[p] ?? readFileSync(p.startsWith('/') ? p : ROOT + p, 'utf8'),
  });
  const argv = args.map((a) => (/^(examples|test)\//.test(a) ? ROOT + a : a));
  const code = runAdvise(argv, io);
  const { stdout, stderr } = out();
  return { code, stdout: stdout.split(ROOT).join(''), stderr: stderr.split(ROOT).join('') };
}

function check(text: string, profile: string, version: string): Finding[] {
  const p = findBuiltinProfile(profile);
  if (!p) throw new Error(profile);
  return checkSources([{ path: 'advised.yaml', text }], { profile: withK8sVersion(p, version) }).findings;
}

function kinds(yamlText: string): string[] {
  return jsYaml.loadAll(yamlText).map((d) => String((d as { kind?: unknown }).kind));
}

describe('rollsafe advise: formats', () => {
  const flags = ['--provider', 'alibaba', '--network-plugin', 'flannel', '--preserve-source-ip', '--k8s-version', '1.24'];

  it('yaml: the config only, under a header comment, and it passes check', () => {
    const run = advise([...flags, '--format', 'yaml']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout.split('\n').slice(0, 3).every((l) => l.startsWith('# '))).toBe(true);
    expect(run.stdout).toContain('# mode: Local; passes: rollsafe check --profile ack-flannel --k8s-version 1.24 FILE');
    expect(kinds(run.stdout)).toEqual(['Service', 'Deployment', 'PodDisruptionBudget']);
    expect(check(run.stdout, 'ack-flannel', '1.24')).toEqual([]);
  });

  it('json: the advice, the check command and the config objects', () => {
    const run = advise([...flags, '--format', 'json']);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { mode: string; profile: string; check: string; inPlaceRollout: boolean; facts: Record<string, unknown>; comparison: Array<{ mode: string; recommended: boolean }>; configs: Array<{ objects: Array<{ kind: string }> }>; reasons: Array<{ text: string; sources: string[] }> };
    expect([json.mode, json.profile, json.check, json.inPlaceRollout]).toEqual(['local', 'ack-flannel', 'rollsafe check --profile ack-flannel --k8s-version 1.24 FILE', true]);
    expect(json.facts).toEqual({ provider: 'alibaba', networkPlugin: 'flannel', lbKind: 'clb', preserveSourceIp: true, lbQuotaTight: false, k8sVersion: '1.24' });
    expect(json.comparison.map((c) => [c.mode, c.recommended])).toEqual([['cluster', false], ['local', true], ['pod-direct', false]]);
    expect(json.configs.map((c) => c.objects.map((o) => o.kind))).toEqual([['Service', 'Deployment', 'PodDisruptionBudget']]);
    expect(json.reasons.every((r) => r.sources.length > 0)).toBe(true);
  });

  it('text: the comparison side by side, the reasons, the sources and the same config as yaml', () => {
    const run = advise(flags);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    const header = lines.find((l) => l.includes('Cluster') && l.includes('Local') && l.includes('ENI (pod-direct)')) ?? '';
    expect(header.indexOf('Cluster')).toBeLessThan(header.indexOf('Local ← RECOMMENDED'));
    expect(header.indexOf('Local ← RECOMMENDED')).toBeLessThan(header.indexOf('ENI (pod-direct)'));
    for (const row of ['available', 'LB quota', 'source IP', 'cross-node hop', 'interruption risk']) expect(lines.some((l) => l.startsWith(row)), row).toBe(true);
    expect(lines).toContain('Why:');
    expect(lines).toContain('Sources:');
    const yaml = advise([...flags, '--format', 'yaml']).stdout;
    const configText = run.stdout.slice(run.stdout.indexOf('\n---\n') + 1);
    expect(jsYaml.loadAll(configText)).toEqual(jsYaml.loadAll(yaml));
  });

  it('checks its own config and says so when a rule still fires (a shell-less image before the native sleep action)', () => {
    const base = ['--provider', 'azure', '--network-plugin', 'azure-cni', '--image', 'gcr.io/distroless/static-debian12:nonroot', '--format', 'json'];
    const findings = (version: string): string[] => (JSON.parse(advise([...base, '--k8s-version', version]).stdout) as { checkFindings: Array<{ ruleId: string; severity: string }> }).checkFindings.map((f) => `${f.ruleId}:${f.severity}`);
    expect(findings('1.29')).toEqual(['prestop-exec-unavailable:warning']);
    expect(findings('1.30')).toEqual([]);
    const text = advise([...base.slice(0, -2), '--k8s-version', '1.29']).stdout;
    expect(text).toContain('Config (`rollsafe check --profile aks --k8s-version 1.29 FILE` still reports 1');
    expect(text).toContain('  - warning prestop-exec-unavailable (Deployment default/app)');
  });

  it('the same facts from a file give the same output; flags override the file', () => {
    const facts = 'provider: alibaba\nnetworkPlugin: flannel\npreserveSourceIp: true\nk8sVersion: "1.24"\n';
    const fromFile = advise(['--file', 'facts.yaml', '--format', 'json'], { files: { 'facts.yaml': facts } });
    expect(fromFile.stdout).toBe(advise([...flags, '--format', 'json']).stdout);
    const overridden = JSON.parse(advise(['--file', 'facts.yaml', '--network-plugin', 'terway', '--format', 'json'], { files: { 'facts.yaml': facts } }).stdout) as { mode: string; profile: string };
    expect([overridden.mode, overridden.profile]).toEqual(['pod-direct', 'ack-terway']);
  });

  it('a workload section or workload flags shape the Deployment', () => {
    const facts = 'provider: aws\nnetworkPlugin: aws-vpc-cni\nlbKind: alb\nworkload:\n  name: web\n  namespace: shop\n  image: registry.example.com/web:2.0.1\n  port: 8080\n  healthPath: /healthz\n';
    const run = advise(['--file', 'facts.yaml', '--replicas', '5', '--format', 'yaml'], { files: { 'facts.yaml': facts } });
    expect(run.code).toBe(0);
    const docs = jsYaml.loadAll(run.stdout) as Array<{ kind: string; metadata: { name: string; namespace?: string }; spec?: { replicas?: number } }>;
    expect(docs.map((d) => `${d.kind} ${d.metadata.namespace ?? ''}/${d.metadata.name}`)).toEqual(['Namespace /shop', 'Service shop/web', 'Ingress shop/web', 'Deployment shop/web', 'PodDisruptionBudget shop/web']);
    expect(docs.find((d) => d.kind === 'Deployment')?.spec?.replicas).toBe(5);
    expect(check(run.stdout, 'eks-alb-ip', '1.30')).toEqual([]);
  });
});

describe('rollsafe advise -f: advise for the workloads of manifests', () => {
  it('writes one config per served Deployment, the namespace once each, and the result passes check', () => {
    const run = advise(['--provider', 'aws', '--network-plugin', 'aws-vpc-cni', '--format', 'yaml', '-f', 'examples/seed/after/']);
    expect(run.code).toBe(0);
    // The seed's own mistakes (a number in the preStop command) are reported, not fatal.
    expect(run.stderr.split('\n').filter(Boolean).map((l) => l.replace(/:\d+:\d+:.*/, ''))).toEqual([
      'rollsafe: note: examples/seed/after/cluster-mode.yaml',
      'rollsafe: note: examples/seed/after/eni-mode.yaml',
      'rollsafe: note: examples/seed/after/local-inplace.yaml',
    ]);
    const docs = jsYaml.loadAll(run.stdout) as Array<{ kind: string; metadata: { name: string; namespace?: string } }>;
    expect(docs.map((d) => `${d.kind} ${d.metadata.namespace ?? d.metadata.name}`)).toEqual([
      'Namespace after-cluster', 'Service after-cluster', 'Deployment after-cluster', 'PodDisruptionBudget after-cluster',
      'Namespace after-eni', 'Service after-eni', 'Deployment after-eni', 'PodDisruptionBudget after-eni',
      'Namespace after-local', 'Service after-local', 'Deployment after-local', 'PodDisruptionBudget after-local',
    ]);
    expect(check(run.stdout, 'eks-nlb-ip', '1.30')).toEqual([]);
  });

  it('derives name, namespace, selector, Service selector, image, ports and health path; raises one replica to two', () => {
    const manifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, namespace: prod}
spec:
  replicas: 1
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop, tier: web}}
    spec:
      containers:
      - name: main
        image: registry.example.com/shop:3.1.0
        ports: [{name: web, containerPort: 8080}, {name: metrics, containerPort: 9090}]
        readinessProbe: {httpGet: {path: /ready, port: web}}
      - name: sidecar
        image: envoyproxy/envoy:v1.30.0
---
apiVersion: v1
kind: Service
metadata: {name: storefront, namespace: prod}
spec:
  type: LoadBalancer
  selector: {tier: web}
  ports: [{port: 443, targetPort: web}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: prod}
spec:
  selector: {matchLabels: {tier: web, app: db}}
  serviceName: db
  template:
    metadata: {labels: {tier: web, app: db}}
    spec:
      containers: [{name: db, image: postgres:16, ports: [{name: web, containerPort: 5432}]}]
`;
    const scan = workloadsFromManifests([{ path: 'shop.yaml', text: manifests }]);
    expect(scan.workloads.map((w) => w.facts)).toEqual([
      {
        name: 'shop',
        namespace: 'prod',
        image: 'registry.example.com/shop:3.1.0',
        port: 8080,
        servicePort: 443,
        replicas: 2,
        labels: { app: 'shop', tier: 'web' },
        selector: { app: 'shop' },
        serviceSelector: { tier: 'web' },
        containerName: 'main',
        serviceName: 'storefront',
        healthPath: '/ready',
        // The Service's named targetPort keeps resolving, and its ports are kept as written.
        portName: 'web',
        otherPorts: [{ name: 'metrics', containerPort: 9090 }],
        service: { annotations: {}, ports: [{ port: 443, targetPort: 'web' }] },
      },
    ]);
    expect(scan.workloads[0]?.notes.length).toBe(2);
    expect(scan.skipped).toEqual(['StatefulSet prod/db (shop.yaml): advise writes Deployments; a StatefulSet rolls out differently']);
    const run = advise(['--provider', 'bare-metal', '--network-plugin', 'calico', '--preserve-source-ip', '--format', 'yaml', '-f', '-'], { stdin: manifests });
    expect(run.code).toBe(0);
    expect(check(run.stdout, 'generic', '1.30')).toEqual([]);
    expect(run.stdout).toContain('# skipped: StatefulSet prod/db (<stdin>)');
  });

  // advise -f adapts the user's objects: a new Ingress under another name would make the AWS Load
  // Balancer Controller create a second ALB, and a renamed Service or dropped port breaks clients.
  it('keeps the user\'s Ingress (name, class, scheme, group, certificate, other attributes) and Service (name, ports)', () => {
    const manifests = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop-public
  namespace: prod
  annotations:
    alb.ingress.kubernetes.io/scheme: internet-facing
    alb.ingress.kubernetes.io/group.name: shop
    alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:eu-west-1:123456789012:certificate/abc
    alb.ingress.kubernetes.io/target-type: instance
    alb.ingress.kubernetes.io/target-group-attributes: stickiness.enabled=true,deregistration_delay.timeout_seconds=300
spec:
  ingressClassName: alb
  tls: [{hosts: [shop.example.com]}]
  rules:
  - host: shop.example.com
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: storefront, port: {name: http}}}}]
---
apiVersion: v1
kind: Service
metadata: {name: storefront, namespace: prod, annotations: {team: web}}
spec:
  type: NodePort
  selector: {app: shop}
  ports: [{name: http, port: 80, targetPort: web, nodePort: 30080}, {name: admin, port: 9000, targetPort: 9000}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, namespace: prod}
spec:
  replicas: 3
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers:
      - name: main
        image: registry.example.com/shop:3.1.0
        ports: [{name: web, containerPort: 8080}, {name: admin, containerPort: 9000}]
        readinessProbe: {httpGet: {path: /ready, port: web}}
`;
    const run = advise(['--provider', 'aws', '--network-plugin', 'aws-vpc-cni', '--lb', 'alb', '--format', 'yaml', '-f', '-'], { stdin: manifests });
    expect(run.code).toBe(0);
    type Doc = { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec: Record<string, any> };
    const docs = jsYaml.loadAll(run.stdout) as Doc[];
    expect(docs.map((d) => `${d.kind} ${d.metadata.name}`)).toEqual(['Namespace prod', 'Service storefront', 'Ingress shop-public', 'Deployment shop', 'PodDisruptionBudget shop']);
    const ingress = docs.find((d) => d.kind === 'Ingress') as Doc;
    expect(ingress.metadata.annotations).toEqual({
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/group.name': 'shop',
      'alb.ingress.kubernetes.io/certificate-arn': 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30,stickiness.enabled=true',
      'alb.ingress.kubernetes.io/healthcheck-path': '/ready',
    });
    expect(ingress.spec).toEqual({
      ingressClassName: 'alb',
      tls: [{ hosts: ['shop.example.com'] }],
      rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'storefront', port: { name: 'http' } } } }] } }],
    });
    const service = docs.find((d) => d.kind === 'Service') as Doc;
    expect(service.metadata.annotations).toEqual({ team: 'web' });
    // IP targets: a ClusterIP Service, so the node ports go; names, ports and targetPorts stay.
    expect(service.spec['type']).toBe('ClusterIP');
    expect(service.spec['ports']).toEqual([{ name: 'http', port: 80, targetPort: 'web' }, { name: 'admin', port: 9000, targetPort: 9000 }]);
    const deployment = docs.find((d) => d.kind === 'Deployment') as Doc;
    expect(deployment.spec['template'].spec.containers[0].ports).toEqual([{ name: 'web', containerPort: 8080, protocol: 'TCP' }, { name: 'admin', containerPort: 9000 }]);
    expect(check(run.stdout, 'eks-alb-ip', '1.30')).toEqual([]);
  });

  it('a folder with no served Deployment is an error', () => {
    const run = advise(['--provider', 'azure', '--network-plugin', 'azure-cni', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^rollsafe: no Deployment to advise for in <stdin>/);
  });
});

describe('rollsafe advise: errors exit 2 with a message and no stack', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no facts', [], /needs --provider/],
    ['terway on aws', ['--provider', 'aws', '--network-plugin', 'terway'], /network plugin "terway" does not run on aws/],
    ['unknown provider', ['--provider', 'oracle', '--network-plugin', 'calico'], /unknown provider "oracle"/],
    ['AGIC', ['--provider', 'azure', '--network-plugin', 'azure-cni', '--lb', 'agic'], /no profile for the Application Gateway/],
    ['old version', ['--provider', 'gcp', '--network-plugin', 'vpc-native', '--k8s-version', '1.18'], /older than 1\.21/],
    ['bad format', ['--provider', 'gcp', '--network-plugin', 'vpc-native', '--format', 'xml'], /unknown --format xml/],
    ['unknown flag', ['--provider', 'gcp', '--network-plugin', 'vpc-native', '--bogus'], /--bogus/],
    ['a path without -f', ['--provider', 'gcp', '--network-plugin', 'vpc-native', 'app.yaml'], /pass manifests with -f PATH/],
    ['a port that is not a number', ['--provider', 'gcp', '--network-plugin', 'vpc-native', '--port', 'http'], /--port needs a whole number ≥ 0, not `http`/],
    ['one replica', ['--provider', 'gcp', '--network-plugin', 'vpc-native', '--replicas', '1'], /replicas 1: use at least 2/],
    ['workload flags with -f', ['--provider', 'gcp', '--network-plugin', 'vpc-native', '--name', 'x', '-f', 'examples/seed/after/'], /-f derives the workloads/],
    ['missing facts file', ['--file', 'test/advise/nope.yaml'], /cannot read the facts file: no such file/],
    ['missing manifests', ['--provider', 'gcp', '--network-plugin', 'vpc-native', '-f', 'test/advise/nope/'], /no such file or directory/],
  ];
  for (const [name, args, message] of cases) {
    it(name, () => {
      const run = advise(args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^rollsafe: /);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('--help prints the usage and exits 0', () => {
    const run = advise(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage:\n {2}rollsafe advise/);
  });
});

describe('facts file', () => {
  it('reads the facts and the workload section', () => {
    const file = parseFactsFile('provider: gcp\nnetworkPlugin: vpc-native\nlbKind: l4\npreserveSourceIp: true\nlbQuotaTight: false\nk8sVersion: "1.29"\nworkload:\n  name: web\n  port: 8080\n  replicas: 4\n', 'f.yaml');
    expect(file).toEqual({
      facts: { provider: 'gcp', networkPlugin: 'vpc-native', lbKind: 'l4', preserveSourceIp: true, lbQuotaTight: false, k8sVersion: '1.29' },
      workload: { name: 'web', port: 8080, replicas: 4 },
      problems: [],
    });
  });

  it('reports every problem with its line and column', () => {
    const text = 'provider: aws\nnetworkPlugn: calico\npreserveSourceIp: "yes"\nk8sVersion: 1.30\nworkload:\n  port: http\n  colour: blue\n';
    expect(parseFactsFile(text, 'f.yaml').problems.map((p) => `${p.line}:${p.column}`)).toEqual(['2:1', '3:19', '4:13', '6:9', '7:3']);
    const run = advise(['--file', 'f.yaml'], { files: { 'f.yaml': text } });
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe('rollsafe: invalid facts file f.yaml:');
    expect(run.stderr).toContain('f.yaml:4:13: k8sVersion: expected a quoted version such as "1.30"');
  });

  it('a YAML error, a second document, or a list is a problem, not an exception', () => {
    expect(parseFactsFile('provider: [aws\n', 'f.yaml').problems.length).toBe(1);
    expect(parseFactsFile('provider: aws\n---\nprovider: gcp\n', 'f.yaml').problems.map((p) => p.line)).toEqual([3]);
    expect(parseFactsFile('- aws\n', 'f.yaml').problems.map((p) => p.message)).toEqual(['expected a mapping of facts, got a list']);
    expect(parseFactsFile('', 'f.yaml').problems.map((p) => p.message)).toEqual(['the facts file is empty']);
  });
});

describe('text layout', () => {
  it('wraps words to the width and cuts words longer than it', () => {
    expect(wrap('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrap('abcdefghijk xy', 4)).toEqual(['abcd', 'efgh', 'ijk', 'xy']);
    expect(wrap('', 5)).toEqual(['']);
  });
});
