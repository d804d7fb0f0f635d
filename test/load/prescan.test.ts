import { describe, expect, it } from 'vitest';
import { scanHints } from '../../src/load/prescan.js';

const hints = (text: string): { namespaces: string[]; everyNamespace: boolean; service: boolean; workload: boolean } => {
  const h = scanHints(text);
  return { namespaces: [...h.namespaces].sort(), everyNamespace: h.everyNamespace, service: h.service, workload: h.workload };
};

describe('scanHints', () => {
  it('reads block and flow namespace keys, and `default` for a document without one', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: a
  namespace: team-a
---
apiVersion: v1
kind: Service
metadata: {name: b, "namespace": 'team-b'}
--- # a comment after the separator
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
...
# only a comment: no kind, no namespace
`;
    expect(hints(text)).toEqual({ namespaces: ['default', 'team-a', 'team-b'], everyNamespace: false, service: true, workload: true });
  });

  it('names the namespaces a document refers to, a Namespace object and a ServiceMonitor selects', () => {
    const text = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {team: x}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: guard}
webhooks:
  - name: guard.example.com
    clientConfig:
      service:
        name: guard
        namespace: guard-system
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: m
  namespace: monitoring
spec:
  namespaceSelector:
    matchNames:
      - shop
      - "payments"
  selector: {}
`;
    expect(hints(text)).toEqual({ namespaces: ['default', 'guard-system', 'monitoring', 'payments', 'shop'], everyNamespace: false, service: false, workload: false });
  });

  it('says every namespace for `any: true`, and ignores words that only contain a key', () => {
    const text = `kind: ServiceMonitor
metadata: {name: m, namespace: monitoring}
spec:
  namespaceSelector:
    any: true
  jobLabel: kind
  template:
    env:
      - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
  mynamespace: nope
  kinds: [Service]
`;
    expect(hints(text)).toEqual({ namespaces: ['monitoring'], everyNamespace: true, service: false, workload: false });
  });

  it('reads JSON (keys may share a line) and a List of items', () => {
    expect(hints('{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"s","namespace":"db"}}')).toEqual({ namespaces: ['db', 'default'], everyNamespace: false, service: false, workload: true });
    const list = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: a, namespace: x}
  - kind: DaemonSet
    metadata:
      name: b
`;
    // The DaemonSet without a namespace is in `default`, which this document-level hint misses (the
    // document has a namespace key): the part that loads it finds out (test/engine/partition.test.ts).
    expect(hints(list)).toEqual({ namespaces: ['x'], everyNamespace: false, service: true, workload: true });
  });
});
