/**
 * A many-workload input for the report's size test: `count` Deployments, each behind its own
 * Service, with replicas 2–6 and a mix of the seed's good and bad settings (no readiness probe, no
 * preStop, Local traffic policy, LoadBalancer without drain), deterministic by index.
 */
export function manyWorkloads(count: number): string {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `app-${i}`;
    const ns = `team-${i % 7}`;
    const replicas = 2 + (i % 5);
    const readiness = i % 10 < 7;
    const prestop = i % 2 === 0;
    const lb = i % 3 === 0;
    const local = lb && i % 2 === 1;
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      terminationGracePeriodSeconds: ${prestop ? 60 : 30}
      containers:
        - name: app
          image: registry.example.com/${name}:1.${i}
          ports:
            - containerPort: 8080${readiness ? `
          readinessProbe:
            tcpSocket:
              port: 8080
            periodSeconds: 5` : ''}${prestop ? `
          lifecycle:
            preStop:
              exec:
                command: ["sleep", "${10 + (i % 20)}"]` : ''}
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  type: ${lb ? 'LoadBalancer' : 'ClusterIP'}${local ? `
  externalTrafficPolicy: Local` : ''}
  selector:
    app: ${name}
  ports:
    - port: 80
      targetPort: 8080
`);
  }
  return docs.join('---\n');
}
