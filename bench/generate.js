// Generates a realistic corpus: each file holds one app's objects (Deployment, Service, PDB,
// HPA, ConfigMap, Ingress ...), with a mix of good and bad settings, in the shapes charts render.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Deterministic pseudo-random source (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function app(r, i, j) {
  const name = `svc-${i}-${j}`;
  const ns = `team-${i % 17}`;
  const port = [8080, 3000, 9000, 80][j % 4];
  const probe = r() < 0.7;
  const prestop = r() < 0.5;
  const replicas = 1 + Math.floor(r() * 6);
  const lines = [];
  lines.push(`# Source: ${name}/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  labels:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/instance: release-${i}
    app.kubernetes.io/managed-by: Helm
    helm.sh/chart: ${name}-1.${j}.0
  annotations:
    deployment.kubernetes.io/revision: "${j + 1}"
spec:
  replicas: ${replicas}
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
      app.kubernetes.io/instance: release-${i}
  strategy:
    type: ${r() < 0.1 ? 'Recreate' : 'RollingUpdate'}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
        app.kubernetes.io/instance: release-${i}
      annotations:
        checksum/config: ${(Math.floor(r() * 1e16)).toString(16)}
    spec:
      serviceAccountName: ${name}
      securityContext:
        runAsNonRoot: true
        fsGroup: 2000
      terminationGracePeriodSeconds: ${prestop ? 60 : 30}
      containers:
        - name: app
          image: "registry.example.com/${name}:1.${j}.${i}"
          imagePullPolicy: IfNotPresent
          args: ["--port=${port}", "--log-level=info"]
          env:
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: CONFIG_PATH
              value: /etc/${name}/config.yaml
          ports:
            - name: http
              containerPort: ${port}
              protocol: TCP
            - name: metrics
              containerPort: 9090
              protocol: TCP`);
  if (probe) {
    lines.push(`          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 5
            failureThreshold: 3
          livenessProbe:
            httpGet:
              path: /livez
              port: http
            initialDelaySeconds: 10
            periodSeconds: 10`);
  }
  if (prestop) {
    lines.push(`          lifecycle:
            preStop:
              exec:
                command: ["sleep", "${5 + Math.floor(r() * 30)}"]`);
  }
  lines.push(`          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
          volumeMounts:
            - name: config
              mountPath: /etc/${name}
              readOnly: true
      volumes:
        - name: config
          configMap:
            name: ${name}-config
---
# Source: ${name}/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
  labels:
    app.kubernetes.io/name: ${name}
spec:
  type: ${r() < 0.3 ? 'LoadBalancer' : 'ClusterIP'}
  ports:
    - name: http
      port: 80
      targetPort: http
      protocol: TCP
  selector:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/instance: release-${i}
---
# Source: ${name}/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
  namespace: ${ns}
data:
  config.yaml: |
    server:
      port: ${port}
      shutdownTimeout: 20s
    logging:
      level: info`);
  if (replicas > 1 && r() < 0.5) {
    lines.push(`---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}`);
  }
  if (r() < 0.3) {
    lines.push(`---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${name}
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 80`);
  }
  return lines.join('\n');
}

/**
 * Writes `files` files holding about `objects` objects in all into `dir`.
 * @returns the number of objects written
 */
export function generateCorpus(dir, files = 200, objects = 20000, seed = 1) {
  const r = rng(seed);
  mkdirSync(dir, { recursive: true });
  let count = 0;
  const perFile = objects / files;
  for (let i = 0; i < files; i++) {
    const docs = [];
    let j = 0;
    while (count < ((i + 1) * perFile)) {
      const text = app(r, i, j++);
      count += text.split('\n---\n').length;
      docs.push(text);
    }
    writeFileSync(join(dir, `app-${String(i).padStart(4, '0')}.yaml`), docs.join('\n---\n') + '\n');
  }
  return count;
}
