import { describe, expect, it } from 'vitest';
import { loadSources } from '../../src/load/objects.js';
import { buildGraph } from '../../src/model/graph.js';
import { resolveFenceposts, scaledValue } from '../../src/model/intstr.js';
import { labelSelectorMatches, mapSelectorMatches } from '../../src/model/selector.js';
import { preStopOf, sleepSeconds } from '../../src/domain/hooks.js';
import { toWorkload } from '../../src/model/workload.js';

describe('rolling-update fenceposts (knowledge/rollout-algorithm.md §1.5 worked examples)', () => {
  it.each([
    [10, '25%', '25%', { surge: 3, unavailable: 2, forced: false }],
    [3, undefined, undefined, { surge: 1, unavailable: 0, forced: false }],
    [1, undefined, undefined, { surge: 1, unavailable: 0, forced: false }],
    [1, '0%', '25%', { surge: 0, unavailable: 1, forced: true }],
    [2, '1%', '25%', { surge: 1, unavailable: 0, forced: false }],
    [2, '0%', '1%', { surge: 0, unavailable: 1, forced: true }],
    [4, '50%', '0%', { surge: 2, unavailable: 0, forced: false }],
    [3, 0, 5, { surge: 0, unavailable: 3, forced: false }],
  ])('%i replicas, maxSurge %s, maxUnavailable %s', (replicas, surge, unavailable, expected) => {
    expect(resolveFenceposts(surge, unavailable, replicas)).toEqual(expected);
  });

  it('rejects malformed values', () => {
    expect(scaledValue('abc', 10, true)).toBeUndefined();
    expect(scaledValue(-1, 10, true)).toBeUndefined();
    expect(scaledValue('7', 10, true)).toBeUndefined();
  });
});

describe('selectors', () => {
  it('a Service selector matches by every key; an empty one selects nothing', () => {
    expect(mapSelectorMatches({ app: 'a', tier: 'web' }, { app: 'a', tier: 'web', x: 'y' })).toBe(true);
    expect(mapSelectorMatches({ app: 'a', tier: 'web' }, { app: 'a' })).toBe(false);
    expect(mapSelectorMatches({}, { app: 'a' })).toBe(false);
  });

  it('LabelSelector with expressions', () => {
    const labels = { app: 'a', env: 'prod' };
    expect(labelSelectorMatches({ matchLabels: { app: 'a' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }] }, labels)).toBe(true);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, labels)).toBe(false);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'env', operator: 'Exists' }] }, labels)).toBe(true);
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'env', operator: 'Bogus' }] }, labels)).toBe(false);
    expect(labelSelectorMatches({}, labels)).toBe(true);
    expect(labelSelectorMatches(undefined, labels)).toBe(false);
  });
});

const manifests = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec: {containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: other}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web, tier: front}, ports: [{port: 80, targetPort: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: manual, namespace: shop}
spec: {ports: [{port: 80}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 2, maxReplicas: 5}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec: {rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]}
`;

describe('graph', () => {
  const loaded = loadSources([{ path: 'm.yaml', text: manifests }]);
  const graph = buildGraph(loaded.resources);
  const [shopWeb, otherWeb] = graph.workloads;
  const [web, manual] = graph.services;
  if (!shopWeb || !otherWeb || !web || !manual) throw new Error('fixture incomplete');

  it('relates objects by namespace and selector only', () => {
    expect(loaded.problems).toEqual([]);
    expect(graph.workloadsOf(web).map((w) => `${w.resource.namespace}/${w.resource.name}`)).toEqual(['shop/web']);
    expect(graph.servicesOf(otherWeb)).toEqual([]);
    expect(graph.workloadsOf(manual)).toEqual([]);
    expect(graph.pdbsOf(shopWeb).map((p) => p.name)).toEqual(['web']);
    expect(graph.pdbsOf(otherWeb)).toEqual([]);
    expect(graph.hpasOf(shopWeb).map((h) => h.name)).toEqual(['web']);
    expect(graph.hpasOf(otherWeb)).toEqual([]);
    expect(graph.ingressesOf(web).map((i) => i.name)).toEqual(['web']);
    expect(graph.ingressesOf(manual)).toEqual([]);
  });

  it('reads service ports with targetPort defaulting to port', () => {
    expect(web.ports).toEqual([{ index: 0, path: '/spec/ports/0', name: undefined, port: 80, targetPort: 'http' }]);
    expect(manual.ports[0]?.targetPort).toBe(80);
    expect(manual.externalTrafficPolicy).toBe('Cluster');
    expect(manual.type).toBe('ClusterIP');
  });
});

describe('preStop reading', () => {
  const container = (lifecycle: unknown) => {
    const [resource] = loadSources([{ path: 'p.yaml', text: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', lifecycle }] } }) }]).resources;
    const c = resource && toWorkload(resource)?.containers[0];
    if (!c) throw new Error('no container');
    return c;
  };
  it.each([
    [{ preStop: { sleep: { seconds: 15 } } }, { kind: 'sleep', seconds: 15 }],
    [{ preStop: { exec: { command: ['sleep', '20'] } } }, { kind: 'exec-sleep', seconds: 20, viaShell: false }],
    [{ preStop: { exec: { command: ['/bin/sh', '-c', 'sleep 5 && nginx -s quit'] } } }, { kind: 'exec-sleep', seconds: 5, viaShell: true }],
    [{ preStop: { exec: { command: ['/usr/bin/sleep', '1m'] } } }, { kind: 'exec-sleep', seconds: 60 }],
    [{ preStop: { httpGet: { path: '/drain', port: 8080 } } }, { kind: 'other', action: 'httpGet' }],
    [{ preStop: { exec: { command: ['/app/drain'] } } }, { kind: 'other' }],
    [undefined, { kind: 'none' }],
  ])('%j', (lifecycle, expected) => {
    expect(preStopOf(container(lifecycle))).toMatchObject(expected);
  });

  it('sleep durations', () => {
    expect([sleepSeconds('30'), sleepSeconds('30s'), sleepSeconds('2m'), sleepSeconds('0.5'), sleepSeconds(30), sleepSeconds('x'), sleepSeconds(-1)]).toEqual([30, 30, 120, 0.5, 30, undefined, undefined]);
  });
});
