/** How preStop hooks are read: known commands by what their source says they do, the rest unknown. */
import { describe, expect, it } from 'vitest';
import { KNOWN_STEPS, preStopOf, preStopSeconds } from '../../src/domain/hooks.js';
import { loadSources } from '../../src/load/objects.js';
import { buildGraph } from '../../src/model/graph.js';
import { toWorkload } from '../../src/model/workload.js';
import { findBuiltinProfile } from '../../src/profiles/builtin.js';
import { simInput } from '../../src/sim/params.js';
import { simulated } from '../sim/inputs.js';

function container(preStop: unknown, extra: Record<string, unknown> = {}) {
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', ...extra, lifecycle: { preStop } }] } });
  const [resource] = loadSources([{ path: 'p.yaml', text }]).resources;
  const c = resource && toWorkload(resource)?.containers[0];
  if (!c) throw new Error('no container');
  return c;
}

/** [seconds, known, stops, drains, unknown steps] of a hook. */
function delay(preStop: unknown, extra?: Record<string, unknown>): [number, boolean, boolean, boolean, readonly string[]] {
  const p = preStopOf(container(preStop, extra));
  if (p.kind === 'none') throw new Error('no hook');
  return [p.delay.seconds, p.delay.known, p.delay.stops, p.delay.drains, p.delay.unknown];
}

const exec = (...command: string[]) => ({ exec: { command } });

describe('preStop delays', () => {
  it('sleeps, plain and at the end of a script, count', () => {
    expect(delay({ sleep: { seconds: 15 } })).toEqual([15, true, false, false, []]);
    expect(delay(exec('sleep', '60'))).toEqual([60, true, false, false, []]); // bank-of-anthos frontend
    expect(delay(exec('/bin/sh', '-c', 'echo draining; sleep 20 || true'))).toEqual([20, true, false, false, []]);
    expect(delay(exec('/bin/sh', '-c', '/app/flush; sleep 20'))).toEqual([20, false, false, false, ['/app/flush']]);
    expect(delay(exec('/bin/sh', '-c', 'sleep 5; sleep 10'))).toEqual([15, true, false, false, []]);
  });

  it('corpus hooks: kong quit, nodetool drain (stop at once, graceful), calico (unknown)', () => {
    // Kong/kubernetes-ingress-controller all-in-one-postgres.yaml v2.12.0
    expect(delay(exec('/bin/bash', '-c', 'kong quit'))).toEqual([0, true, true, true, []]);
    // kubernetes/examples cassandra-statefulset.yaml
    expect(delay(exec('/bin/sh', '-c', 'nodetool drain'))).toEqual([0, true, true, true, []]);
    // projectcalico/calico manifests/calico-typha.yaml, calico-node
    expect(delay(exec('calico', 'component', 'node', 'shutdown'))).toEqual([0, false, false, false, ['calico component node shutdown']]);
  });

  it('kong quit --wait and ingress-nginx /wait-shutdown with the controller\'s --shutdown-grace-period', () => {
    expect(delay(exec('kong', 'quit', '--wait', '15'))).toEqual([15, true, true, true, []]);
    expect(delay(exec('kong', 'quit', '-w', '5'))).toEqual([5, true, true, true, []]);
    expect(delay(exec('/wait-shutdown'))).toEqual([0, true, true, true, []]);
    expect(delay(exec('/wait-shutdown'), { args: ['/nginx-ingress-controller', '--shutdown-grace-period=20'] })).toEqual([20, true, true, true, []]);
    expect(delay(exec('/wait-shutdown'), { args: ['/nginx-ingress-controller', '--shutdown-grace-period', '7'] })).toEqual([7, true, true, true, []]);
  });

  it('nginx -s quit stops at once; a sleep before it counts, one after it does not', () => {
    expect(delay(exec('nginx', '-s', 'quit'))).toEqual([0, true, true, true, []]);
    expect(delay(exec('/bin/sh', '-c', 'sleep 10 && /usr/sbin/nginx -s quit'))).toEqual([10, true, true, true, []]);
    expect(delay(exec('/bin/sh', '-c', 'nginx -s quit; sleep 30'))).toEqual([0, true, true, true, []]);
  });

  it('Envoy admin: a graceful drain or a failed health check keeps accepting, a plain /drain_listeners stops', () => {
    expect(delay(exec('/bin/sh', '-c', 'curl -X POST http://localhost:9901/healthcheck/fail && sleep 15'))).toEqual([15, true, false, true, []]);
    expect(delay(exec('/bin/sh', '-c', 'curl -X POST "http://localhost:9901/drain_listeners?graceful&inboundonly"; sleep 15'))).toEqual([15, true, false, true, []]);
    expect(delay(exec('/bin/sh', '-c', 'curl -X POST http://localhost:9901/drain_listeners; sleep 15'))).toEqual([0, true, true, true, []]);
  });

  it('shutdown managers block until the proxy drained: unknown, with their minimum as the lower bound', () => {
    expect(delay(exec('envoy-gateway', 'envoy', 'shutdown'))).toEqual([10, false, false, true, ['`envoy-gateway envoy shutdown` fails Envoy\'s health checks and blocks until its connections drain: at least --min-drain-duration 10 s, at most --drain-timeout']]);
    expect(delay(exec('envoy-gateway', 'envoy', 'shutdown', '--min-drain-duration=30s'))[0]).toBe(30);
    expect(delay(exec('/bin/contour', 'envoy', 'shutdown'))[0]).toBe(0);
    expect(delay({ httpGet: { path: '/shutdown/ready', port: 19002 } })).toEqual([0, false, false, true, ['Envoy Gateway shutdown manager `/shutdown/ready`: returns once Envoy has drained (at least --min-drain-duration, 10 s by default)']]);
    expect(delay({ httpGet: { path: '/drain', port: 8080 } })).toEqual([0, false, false, false, ['httpGet /drain on port 8080']]);
  });

  it('an unknown delay has no seconds: preStopSeconds is undefined, never 0', () => {
    expect(preStopSeconds(preStopOf(container(exec('/app/drain'))))).toBeUndefined();
    expect(preStopSeconds(preStopOf(container(exec('nginx', '-s', 'quit'))))).toBe(0);
    expect(preStopSeconds(preStopOf(container({ sleep: { seconds: 7 } })))).toBe(7);
  });

  it('every known command names its source', () => {
    expect(KNOWN_STEPS.map((k) => k.id)).toEqual(['no-op', 'nginx -s quit', 'kong quit', 'nodetool drain', '/wait-shutdown', 'envoy admin drain (graceful)', 'envoy admin drain (immediate)', 'envoy-gateway envoy shutdown', 'contour envoy shutdown']);
    expect(KNOWN_STEPS.filter((k) => !/^[\w.-]+\/[\w.-]+ \S+\.(?:go|lua)\b|^[\w.]+\.(?:org|io)\//.test(k.source)).map((k) => k.id)).toEqual([]);
  });
});

describe('the simulator reads the same hooks', () => {
  const manifest = (preStop: unknown, args?: string[]) => [
    JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'gw', namespace: 'n' }, spec: { replicas: 2, selector: { matchLabels: { app: 'gw' } }, template: { metadata: { labels: { app: 'gw' } }, spec: { terminationGracePeriodSeconds: 60, containers: [{ name: 'proxy', image: 'kong:3.7', ...(args ? { args } : {}), ports: [{ containerPort: 8000 }], lifecycle: { preStop } }] } } } }),
    JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'gw', namespace: 'n' }, spec: { selector: { app: 'gw' }, ports: [{ port: 80, targetPort: 8000 }] } }),
  ].join('\n---\n');
  const input = (preStop: unknown, args?: string[]) => {
    const graph = buildGraph(loadSources([{ path: 'm.yaml', text: manifest(preStop, args) }]).resources);
    const workload = graph.workloads[0];
    const profile = findBuiltinProfile('generic');
    if (!workload || !profile) throw new Error('no workload');
    return () => simInput(graph, profile, workload);
  };

  it('a graceful stop after its known delay: kong quit --wait 12 is 12 s, then a graceful drain', () => {
    expect(simulated(input(exec('/bin/bash', '-c', 'kong quit --wait 12'))()).pod).toMatchObject({ preStopSeconds: 12, sigterm: 'graceful' });
    expect(simulated(input(exec('sleep', '20'))()).pod).toMatchObject({ preStopSeconds: 20 });
  });

  it('an unknown delay is not simulated, and says why', () => {
    expect(input(exec('/app/drain'))()).toEqual({ notSimulated: 'the preStop hook of container `proxy` runs `/app/drain`, whose length rollsafe cannot know' });
  });
});
