/**
 * What the served scope and the container rules do where a preStop or a probe cannot change the
 * outcome, as found on real applications (test/apps/judgments.ts): node agents, containers that
 * serve only a webhook, clients that look the pods up through the API, sibling readiness probes,
 * rollouts that delete before they replace, and workloads nothing shows serving.
 */
import { describe, expect, test } from 'vitest';
import { classifyService } from '../../src/domain/service-role.js';
import { checkSources } from '../../src/engine/run.js';
import { fixSources } from '../../src/fix/driver.js';
import type { Finding } from '../../src/rules/types.js';
import { loadSources } from '../../src/load/objects.js';
import { buildGraph } from '../../src/model/graph.js';
import { profileOf } from './helpers.js';

function check(text: string, profile = 'generic'): Finding[] {
  return checkSources([{ path: 'in.yaml', text }], { profile: profileOf(profile) }).findings;
}

/** rule, resource name, path, severity, fixable: what the tests compare. */
function rowsOf(findings: readonly Finding[]): [string, string, string, string, boolean][] {
  return findings.map((f) => [f.ruleId, f.resource.name, f.path, f.severity, f.fixable]);
}

const C0 = '/spec/template/spec/containers/0';
const C1 = '/spec/template/spec/containers/1';

const LOG_SHIPPER = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: shipper, namespace: logging}
spec:
  selector: {matchLabels: {app: shipper}}
  template:
    metadata: {labels: {app: shipper}}
    spec:
      terminationGracePeriodSeconds: 10
      containers:
      - name: shipper
        image: example/shipper:1.0
        ports: [{containerPort: 2020}]
`;

describe('a DaemonSet with no hostPort and no Service in the input is a node agent', () => {
  test('nothing routes to it: no Service-dependent finding', () => {
    expect(rowsOf(check(LOG_SHIPPER))).toEqual([]);
  });

  test('with a hostPort, or under hostNetwork, clients reach it on the node: warnings as before', () => {
    const hostPort = LOG_SHIPPER.replace('ports: [{containerPort: 2020}]', 'ports: [{containerPort: 2020, hostPort: 2020}]');
    const hostNetwork = LOG_SHIPPER.replace('terminationGracePeriodSeconds: 10', 'terminationGracePeriodSeconds: 10\n      hostNetwork: true');
    const expected = [
      ['grace-period-too-short', 'shipper', '/spec/template/spec/terminationGracePeriodSeconds', 'warning', true],
      ['prestop-missing', 'shipper', C0, 'warning', true],
      ['readiness-probe-missing', 'shipper', C0, 'warning', true],
    ];
    expect(rowsOf(check(hostPort))).toEqual(expected);
    expect(rowsOf(check(hostNetwork))).toEqual(expected);
  });
});

const WEBHOOK_SIDECAR = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: gateway}
spec:
  replicas: 2
  selector: {matchLabels: {app: gateway}}
  template:
    metadata: {labels: {app: gateway}}
    spec:
      terminationGracePeriodSeconds: 60
      containers:
      - name: proxy
        image: example/proxy:1.0
        ports: [{name: proxy, containerPort: 8000}]
        readinessProbe: {tcpSocket: {port: proxy}}
        lifecycle: {preStop: {sleep: {seconds: 15}}}
      - name: controller
        image: example/controller:1.0
        ports: [{name: webhook, containerPort: 8080}]
        readinessProbe: {tcpSocket: {port: webhook}}
---
apiVersion: v1
kind: Service
metadata: {name: gateway-proxy}
spec:
  selector: {app: gateway}
  ports: [{name: proxy, port: 80, targetPort: 8000}]
---
apiVersion: v1
kind: Service
metadata: {name: gateway-validation-webhook}
spec:
  selector: {app: gateway}
  ports: [{name: webhook, port: 443, targetPort: 8080}]
`;

describe('the served scope per container', () => {
  test('a container that serves only a webhook, beside one behind a user Service, is judged at the webhook\'s level', () => {
    const findings = check(WEBHOOK_SIDECAR).filter((f) => f.ruleId === 'prestop-missing');
    expect(rowsOf(findings)).toEqual([['prestop-missing', 'gateway', C1, 'warning', true]]);
    expect(findings[0]?.message).toBe(
      'container `controller` of Deployment gateway has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s (profile generic: endpoint → kube-proxy, p99) — only the API server calls it (Service gateway-validation-webhook; ports named for a webhook whose configuration is not in the input: the API fails its requests while it is unavailable if that configuration keeps the default failurePolicy Fail), so what fails is the API requests it handles in that window',
    );
  });

  test('the same container behind the user Service too keeps the error', () => {
    const both = WEBHOOK_SIDECAR.replace('ports: [{name: proxy, port: 80, targetPort: 8000}]', 'ports: [{name: proxy, port: 80, targetPort: 8000}, {name: api, port: 8080, targetPort: 8080}]');
    expect(rowsOf(check(both).filter((f) => f.ruleId === 'prestop-missing'))).toEqual([['prestop-missing', 'gateway', C1, 'error', true]]);
  });
});

const TYPHA = `
apiVersion: v1
kind: ConfigMap
metadata: {name: net-config, namespace: kube-system}
data: {typha_service_name: typha}
---
apiVersion: v1
kind: Service
metadata: {name: typha, namespace: kube-system}
spec:
  selector: {app: typha}
  ports: [{name: typha, port: 5473, targetPort: typha}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: typha, namespace: kube-system}
spec:
  replicas: 3
  selector: {matchLabels: {app: typha}}
  template:
    metadata: {labels: {app: typha}}
    spec:
      terminationGracePeriodSeconds: 300
      containers:
      - name: typha
        image: example/typha:1.0
        ports: [{name: typha, containerPort: 5473}]
        readinessProbe: {httpGet: {path: /readiness, port: 9098}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      containers:
      - name: agent
        image: example/agent:1.0
        env:
        - name: FELIX_TYPHAK8SSERVICENAME
          valueFrom: {configMapKeyRef: {name: net-config, key: typha_service_name}}
        readinessProbe: {exec: {command: [agent, ready]}}
        lifecycle: {preStop: {exec: {command: [agent, shutdown]}}}
`;

describe('clients that look the pods up through the API', () => {
  test('a client that names the Service as a Kubernetes Service to look up (from a ConfigMap) marks it', () => {
    const loaded = loadSources([{ path: 'in.yaml', text: TYPHA }], '1.30');
    const context = { graph: buildGraph(loaded.resources), profile: profileOf('generic') };
    const typha = context.graph.services.find((s) => s.resource.name === 'typha');
    expect(typha && classifyService(context, typha)).toEqual({
      role: 'user',
      headless: false,
      evidence: '',
      discoveredBy: 'container `agent` of DaemonSet agent looks its pods up through the API (FELIX_TYPHAK8SSERVICENAME)',
    });
  });

  test('no proxy lags behind for them: no preStop finding; without the client it is an error', () => {
    expect(rowsOf(check(TYPHA).filter((f) => f.ruleId === 'prestop-missing'))).toEqual([]);
    const withoutClient = TYPHA.replace('name: FELIX_TYPHAK8SSERVICENAME', 'name: FELIX_TYPHAADDR');
    expect(rowsOf(check(withoutClient).filter((f) => f.ruleId === 'prestop-missing'))).toEqual([['prestop-missing', 'typha', C0, 'error', true]]);
  });

  test('a workload naming the Service that selects its own pods (members discovering each other) does not', () => {
    const self = TYPHA.replace('name: FELIX_TYPHAK8SSERVICENAME', 'name: HZ_NETWORK_JOIN_KUBERNETES_SERVICENAME').replace('metadata: {labels: {app: agent}}', 'metadata: {labels: {app: typha}}').replace('selector: {matchLabels: {app: agent}}', 'selector: {matchLabels: {app: typha}}');
    expect(rowsOf(check(self).filter((f) => f.ruleId === 'prestop-missing' && f.resource.kind === 'Deployment'))).toEqual([['prestop-missing', 'typha', C0, 'error', true]]);
  });
});

describe('readiness-probe-missing where a probe cannot help, or a sibling\'s already gates the pod', () => {
  const ONE_REPLICA = `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 1
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: example/db:1.0
        ports: [{containerPort: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  selector: {app: db}
  ports: [{port: 5432}]
`;

  test('a one-replica StatefulSet: info, no fix, and the message says why', () => {
    const findings = check(ONE_REPLICA).filter((f) => f.ruleId === 'readiness-probe-missing');
    expect(rowsOf(findings)).toEqual([['readiness-probe-missing', 'db', C0, 'info', false]]);
    expect(findings[0]?.fix).toBeUndefined();
    expect(findings[0]?.message).toBe(
      'container `db` of StatefulSet db has no readinessProbe, but every rollout deletes its pod before a replacement exists (a StatefulSet with one replica creates the new pod only after the old one is gone): no other pod serves meanwhile, so a probe cannot keep requests off a pod that does not listen yet (no automatic fix; a probe still makes readiness and `kubectl rollout status` honest)',
    );
  });

  test('`rollsafe fix` leaves the one-replica StatefulSet as it is; with two replicas it adds the probe', () => {
    const fixed = (text: string): string | undefined => fixSources([{ path: 'in.yaml', text }], { profile: profileOf('generic') }).files[0]?.after;
    expect(fixed(ONE_REPLICA)).toBe(ONE_REPLICA);
    expect(fixed(ONE_REPLICA.replace('replicas: 1', 'replicas: 2'))).toContain('readinessProbe');
  });

  test('with two replicas the error and its fix are back', () => {
    expect(rowsOf(check(ONE_REPLICA.replace('replicas: 1', 'replicas: 2')).filter((f) => f.ruleId === 'readiness-probe-missing'))).toEqual([['readiness-probe-missing', 'db', C0, 'error', true]]);
  });

  test('a startupProbe on the port the container serves holds Ready until the app answers: info, the fix kept', () => {
    const started = ONE_REPLICA.replace('replicas: 1', 'replicas: 2').replace('        ports: [{containerPort: 5432}]\n', '        ports: [{containerPort: 5432}]\n        startupProbe: {tcpSocket: {port: 5432}, failureThreshold: 30}\n');
    const findings = check(started).filter((f) => f.ruleId === 'readiness-probe-missing');
    expect(rowsOf(findings)).toEqual([['readiness-probe-missing', 'db', C0, 'info', true]]);
    expect(findings[0]?.message).toBe(
      'container `db` of StatefulSet db has no readinessProbe; its startupProbe (tcpSocket 5432) keeps it out of the endpoints until the app answers on the port it serves, but once started nothing takes it out of rotation when it stops answering',
    );
    // On another port (an admin port) it proves nothing about the served one: the error stays.
    const elsewhere = started.replace('startupProbe: {tcpSocket: {port: 5432}', 'startupProbe: {tcpSocket: {port: 9187}');
    expect(rowsOf(check(elsewhere).filter((f) => f.ruleId === 'readiness-probe-missing'))).toEqual([['readiness-probe-missing', 'db', C0, 'error', true]]);
  });

  test('a container whose sibling has a readiness probe: info that names the sibling, the fix kept', () => {
    const pod = WEBHOOK_SIDECAR.replace('        readinessProbe: {tcpSocket: {port: proxy}}\n', '');
    const findings = check(pod).filter((f) => f.ruleId === 'readiness-probe-missing');
    expect(rowsOf(findings)).toEqual([['readiness-probe-missing', 'gateway', C0, 'info', true]]);
    expect(findings[0]?.message).toBe(
      'container `proxy` of Deployment gateway has no readinessProbe of its own; the pod is Ready only when all its containers are, so the readinessProbe of container `controller` gates it, and keeps this container out of the endpoints before it listens only if it checks this container too',
    );
  });
});

describe('single-replica on a workload nothing shows serving', () => {
  const EXPORTER = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: exporter}
spec:
  replicas: 1
  selector: {matchLabels: {app: exporter}}
  template:
    metadata: {labels: {app: exporter}}
    spec:
      containers:
      - name: exporter
        image: example/exporter:1.0
        args: [--port=8080]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: exporter}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: exporter}
  minReplicas: 1
  maxReplicas: 5
`;

  test('no Service in the input and no declared port: not judged', () => {
    expect(rowsOf(check(EXPORTER).filter((f) => f.ruleId === 'single-replica'))).toEqual([]);
  });

  test('a declared port is evidence enough: a warning on the HPA', () => {
    const declared = EXPORTER.replace('args: [--port=8080]', 'ports: [{containerPort: 8080}]');
    expect(rowsOf(check(declared).filter((f) => f.ruleId === 'single-replica'))).toEqual([['single-replica', 'exporter', '/spec/minReplicas', 'warning', false]]);
  });
});
