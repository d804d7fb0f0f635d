import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { BUILTIN_PROFILES, DRAIN_SETTINGS, findBuiltinProfile, genericNodeLoadBalancer, withIngressNginx } from '../../src/profiles/builtin.js';
import { isProfilePath, parseProfileFile, resolveProfile, withK8sVersion } from '../../src/profiles/load.js';
import { propagationBudget, type Profile } from '../../src/profiles/types.js';
import { isRollsafeError, type RollsafeError } from '../../src/errors.js';

function builtin(name: string): Profile {
  const profile = findBuiltinProfile(name);
  if (profile === undefined) throw new Error(`no built-in profile ${name}`);
  return profile;
}

function parsed(text: string, path = 'profile.yaml'): Profile {
  const { profile, problems } = parseProfileFile(text, path);
  expect(problems).toEqual([]);
  if (profile === undefined) throw new Error('no profile');
  return profile;
}

/** Line and column of every problem, in order. */
function positions(text: string): Array<[number, number]> {
  const result = parseProfileFile(text, 'profile.yaml');
  expect(result.profile).toBeUndefined();
  return result.problems.map((p) => [p.line, p.column]);
}

function thrown(run: () => unknown): RollsafeError {
  try {
    run();
  } catch (error) {
    if (isRollsafeError(error, 'unknown-profile', 'unreadable-profile', 'invalid-profile', 'invalid-version')) return error;
    throw error;
  }
  throw new Error('expected a profile error');
}

const withLb = { viaLoadBalancer: true, viaIngress: false } as const;
const withoutLb = { viaLoadBalancer: false, viaIngress: false } as const;

describe('built-in profiles', () => {
  test('are the nine named in DESIGN §5, sorted by name', () => {
    expect([...BUILTIN_PROFILES.keys()]).toEqual([
      'ack-flannel',
      'ack-terway',
      'aks',
      'eks-alb-ip',
      'eks-instance',
      'eks-nlb-ip',
      'generic',
      'gke-neg',
      'ingress-nginx',
    ]);
    for (const [name, profile] of BUILTIN_PROFILES) expect(profile.name).toBe(name);
  });

  test('share the version, kube-proxy, app and traffic defaults; GKE\'s kube-proxy syncs at most every 10 s', () => {
    for (const profile of BUILTIN_PROFILES.values()) {
      expect(profile.k8sVersion).toBe('1.30');
      expect(profile.kubeProxyMode).toBe('iptables');
      // Upstream minSyncPeriod 1 s (kubernetes#92836); GCE/GKE kube-up: --iptables-min-sync-period=10s.
      expect(profile.proxySync).toEqual(profile.name === 'gke-neg' ? { p50: 5, p99: 10 } : { p50: 1, p99: 3 });
      expect(profile.app).toEqual({ startupSeconds: 10, drainSeconds: 30, sigterm: 'graceful' });
      expect(profile.traffic).toEqual({ rps: 100, keepAliveShare: 0.5, requestSeconds: 0.05 });
    }
  });

  test.each([
    ['ack-terway', 'alibaba', 'terway', 'clb', 'node', [20, 30], [24, 34], [2, 3, 3]],
    ['ack-flannel', 'alibaba', 'flannel', 'clb', 'node', [20, 30], [24, 34], [2, 3, 3]],
    // `register` is the time to registration; the simulator adds the last check on the LB's clock.
    // A new ALB target passes one check, not the healthy threshold (2 × 15 s): registered at the
    // controller path's 20 s / 25 s. ACK: 3 checks, 2 of them in `register`.
    ['eks-alb-ip', 'aws', 'amazon-vpc-cni', 'alb', 'pod', [20, 25], [20, 25], [15, 2, 2, 1]],
    ['eks-nlb-ip', 'aws', 'amazon-vpc-cni', 'nlb', 'pod', [90, 120], [120, 150], [10, 3, 3]],
    // Node targets leave and return by the ALB's health check after kube-proxy: 1 + 1.5 × 15, 3 + 2 × 15.
    ['eks-instance', 'aws', 'amazon-vpc-cni', 'alb', 'node', [23.5, 33], [23.5, 33], [15, 2, 2, 1]],
    ['gke-neg', 'gcp', 'vpc-native', 'neg', 'pod', [30, 40], [30, 40], [5, 1, 2]],
    // kube-proxy (1 s / 3 s), then 2 failed probes 5 s apart (1 + 1.5 × 5, 3 + 2 × 5) or 1 good one.
    ['aks', 'azure', 'azure-cni', 'slb', 'node', [8.5, 13], [3.5, 8], [5, 1, 2]],
  ] as const)('%s: %s / %s, %s with %s backends', (name, provider, plugin, kind, backend, deregister, register, health) => {
    const profile = builtin(name);
    expect(profile.provider).toBe(provider);
    expect(profile.networkPlugin).toBe(plugin);
    expect(profile.ingress).toBeUndefined();
    const lb = profile.loadBalancer;
    expect(lb?.kind).toBe(kind);
    expect(lb?.backend).toBe(backend);
    expect(lb?.deregister).toEqual({ p50: deregister[0], p99: deregister[1] });
    expect(lb?.register).toEqual({ p50: register[0], p99: register[1] });
    expect(lb?.healthCheck).toEqual({ intervalSeconds: health[0], healthyThreshold: health[1], unhealthyThreshold: health[2], ...(health[3] === undefined ? {} : { registrationChecks: health[3] }) });
  });

  test('drain settings and readiness gates', () => {
    const drain = (name: string): unknown => builtin(name).loadBalancer?.drain;
    const gate = (name: string): unknown => builtin(name).loadBalancer?.readinessGate;
    expect(drain('ack-terway')).toEqual({
      on: 'service',
      annotations: [
        'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain',
        'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout',
      ],
      timeoutRange: [10, 900],
      recommendedTimeoutSeconds: 30,
    });
    expect(drain('ack-flannel')).toEqual(drain('ack-terway'));
    expect(drain('eks-alb-ip')).toEqual({
      on: 'ingress',
      annotations: ['alb.ingress.kubernetes.io/target-group-attributes'],
      timeoutRange: [0, 3600],
      recommendedTimeoutSeconds: 30,
      defaultTimeoutSeconds: 300,
    });
    expect(drain('eks-instance')).toEqual(drain('eks-alb-ip'));
    expect(drain('eks-nlb-ip')).toEqual({
      on: 'service',
      annotations: ['service.beta.kubernetes.io/aws-load-balancer-target-group-attributes'],
      timeoutRange: [0, 3600],
      recommendedTimeoutSeconds: 30,
      defaultTimeoutSeconds: 300,
    });
    expect(drain('gke-neg')).toEqual({
      on: 'backendconfig',
      annotations: ['cloud.google.com/backend-config'],
      timeoutRange: [0, 3600],
      recommendedTimeoutSeconds: 30,
    });
    expect(drain('aks')).toBeUndefined();
    expect(gate('eks-alb-ip')).toBe('target-health.elbv2.k8s.aws');
    expect(gate('eks-nlb-ip')).toBe('target-health.elbv2.k8s.aws');
    expect(gate('gke-neg')).toBe('cloud.google.com/load-balancer-neg-ready');
    for (const name of ['ack-terway', 'ack-flannel', 'eks-instance', 'aks']) expect(gate(name)).toBeUndefined();
  });

  test('the in-tree AWS CLB drain pair is known though no profile uses it', () => {
    expect(DRAIN_SETTINGS['aws-clb-in-tree']).toEqual({
      on: 'service',
      annotations: [
        'service.beta.kubernetes.io/aws-load-balancer-connection-draining-enabled',
        'service.beta.kubernetes.io/aws-load-balancer-connection-draining-timeout',
      ],
      timeoutRange: [1, 3600],
      recommendedTimeoutSeconds: 30,
      enabledTimeoutSeconds: 300,
    });
  });

  test('generic and ingress-nginx have no cloud load balancer', () => {
    expect(builtin('generic').loadBalancer).toBeUndefined();
    expect(builtin('generic').ingress).toBeUndefined();
    expect(builtin('ingress-nginx').loadBalancer).toBeUndefined();
    // --sync-rate-limit 0.3 (one sync per 3.3 s) + BACKENDS_SYNC_INTERVAL 1 s.
    expect(builtin('ingress-nginx').ingress).toEqual({ name: 'ingress-nginx', sync: { p50: 2.5, p99: 5 } });
  });

  // cloud-provider-gcp providers/gce/gce.go: interval 8 s, healthy 1, unhealthy 3 ("3 * 8 = 24
  // seconds before the LB will steer traffic away"), after kube-proxy has synced (p50 1 s, p99 3 s).
  test('the generic L4 LB a Local LoadBalancer Service proves: GCE\'s node health check after kube-proxy', () => {
    expect(genericNodeLoadBalancer(builtin('generic').proxySync)).toEqual({
      kind: 'l4',
      backend: 'node',
      healthCheck: { intervalSeconds: 8, healthyThreshold: 1, unhealthyThreshold: 3 },
      deregister: { p50: 21, p99: 27 },
      register: { p50: 5, p99: 11 },
    });
  });

  // Only ACK's CCM takes a Local Service's node without pods out of the backends
  // (cloud-provider-alibaba-cloud docs/usage.md); the others only health-check it.
  test('node removal: the ACK controller; every other LB by its health check', () => {
    const removal = [...BUILTIN_PROFILES.values()].filter((p) => p.loadBalancer).map((p) => [p.name, p.loadBalancer?.nodeRemoval]);
    expect(removal).toEqual([
      ['ack-flannel', 'controller'],
      ['ack-terway', 'controller'],
      ['aks', undefined],
      ['eks-alb-ip', undefined],
      ['eks-instance', undefined],
      ['eks-nlb-ip', undefined],
      ['gke-neg', undefined],
    ]);
    expect(parsed('extends: aks\nloadBalancer:\n  nodeRemoval: controller\n  healthCheck: { registrationChecks: 2 }\n').loadBalancer).toMatchObject({ nodeRemoval: 'controller', healthCheck: { intervalSeconds: 5, healthyThreshold: 1, unhealthyThreshold: 2, registrationChecks: 2 } });
  });

  test('are frozen', () => {
    const profile = builtin('eks-alb-ip');
    expect(Object.isFrozen(profile)).toBe(true);
    expect(Object.isFrozen(profile.loadBalancer?.deregister)).toBe(true);
    expect(Object.isFrozen(profile.loadBalancer?.drain?.annotations)).toBe(true);
    expect(Object.isFrozen(DRAIN_SETTINGS['aws-clb-in-tree'])).toBe(true);
  });
});

describe('propagationBudget', () => {
  test.each([
    ['generic', 3, 'endpoint → kube-proxy', [1, 3]],
    ['ack-terway', 30, 'endpoint → CLB deregistration', [20, 30]],
    ['ack-flannel', 30, 'endpoint → CLB deregistration', [20, 30]],
    ['eks-alb-ip', 25, 'endpoint → ALB deregistration', [20, 25]],
    ['eks-nlb-ip', 120, 'endpoint → NLB deregistration', [90, 120]],
    ['eks-instance', 33, 'endpoint → ALB deregistration', [23.5, 33]],
    ['gke-neg', 40, 'endpoint → NEG deregistration', [30, 40]],
    ['aks', 13, 'endpoint → SLB deregistration', [8.5, 13]],
    ['ingress-nginx', 3, 'endpoint → kube-proxy', [1, 3]],
  ] as const)('%s via its load balancer: %d s, %s', (name, seconds, path, latency) => {
    expect(propagationBudget(builtin(name), withLb)).toEqual({ seconds, path, latency: { p50: latency[0], p99: latency[1] } });
  });

  test('eks-alb-ip without the load balancer is the kube-proxy path', () => {
    expect(propagationBudget(builtin('eks-alb-ip'), withoutLb)).toEqual({ seconds: 3, path: 'endpoint → kube-proxy', latency: { p50: 1, p99: 3 } });
  });

  test('a slower ingress layer becomes the slowest path', () => {
    const profile = parsed('extends: eks-alb-ip+ingress-nginx\ningress:\n  sync: { p50: 8, p99: 12 }\n');
    expect(propagationBudget(profile, { viaLoadBalancer: false, viaIngress: true })).toEqual({
      seconds: 12,
      path: 'endpoint → ingress-nginx',
      latency: { p50: 8, p99: 12 },
    });
    expect(propagationBudget(profile, { viaLoadBalancer: true, viaIngress: true })).toEqual({
      seconds: 25,
      path: 'endpoint → ALB deregistration',
      latency: { p50: 20, p99: 25 },
    });
  });
});

describe('+ingress-nginx', () => {
  test('adds the ingress layer and keeps the load balancer', () => {
    const profile = builtin('eks-instance+ingress-nginx');
    expect(profile.name).toBe('eks-instance+ingress-nginx');
    expect(profile.ingress).toEqual({ name: 'ingress-nginx', sync: { p50: 2.5, p99: 5 } });
    expect(profile.loadBalancer).toEqual(builtin('eks-instance').loadBalancer);
    expect(propagationBudget(profile, withLb)).toEqual({ seconds: 33, path: 'endpoint → ALB deregistration', latency: { p50: 23.5, p99: 33 } });
  });

  test('is idempotent', () => {
    const profile = builtin('ingress-nginx');
    expect(withIngressNginx(profile)).toBe(profile);
    expect(builtin('ingress-nginx+ingress-nginx')).toBe(profile);
  });

  test('needs a built-in base', () => {
    expect(findBuiltinProfile('nope+ingress-nginx')).toBeUndefined();
  });
});

describe('parseProfileFile', () => {
  test('extends a built-in profile and deep-merges overrides', () => {
    const profile = parsed('extends: eks-alb-ip\napp:\n  drainSeconds: 45\nloadBalancer:\n  deregister: { p50: 20, p99: 40 }\n', 'my.yaml');
    const base = builtin('eks-alb-ip');
    expect(profile.name).toBe('my.yaml');
    expect(profile.provider).toBe('aws');
    expect(profile.app).toEqual({ startupSeconds: 10, drainSeconds: 45, sigterm: 'graceful' });
    expect(profile.loadBalancer?.deregister).toEqual({ p50: 20, p99: 40 });
    expect(profile.loadBalancer?.drain).toEqual(base.loadBalancer?.drain);
    expect(propagationBudget(profile, withLb)).toEqual({ seconds: 40, path: 'endpoint → ALB deregistration', latency: { p50: 20, p99: 40 } });
    expect(base.app.drainSeconds).toBe(30);
  });

  test('extends generic by default', () => {
    const profile = parsed('name: mine\nnodes: 12\n');
    expect(profile).toEqual({ ...builtin('generic'), name: 'mine', description: 'Profile file profile.yaml, based on generic.', nodes: 12 });
  });

  test('null removes an optional part', () => {
    const profile = parsed('extends: gke-neg\nloadBalancer:\n  drain: null\n  readinessGate: null\n');
    expect(profile.loadBalancer?.drain).toBeUndefined();
    expect(profile.loadBalancer?.readinessGate).toBeUndefined();
    expect(parsed('extends: gke-neg\nloadBalancer: null\n').loadBalancer).toBeUndefined();
  });

  test('the example profile file', () => {
    const path = 'docs/examples/custom-profile.yaml';
    const profile = parsed(readFileSync(new URL('../../docs/examples/custom-profile.yaml', import.meta.url), 'utf8'), path);
    expect(profile.name).toBe('shop-eks');
    expect(profile.k8sVersion).toBe('1.31');
    expect(profile.app.drainSeconds).toBe(45);
    expect(profile.loadBalancer).toEqual(builtin('eks-alb-ip').loadBalancer);
  });

  test('an unknown key and a wrong type, with line and column', () => {
    const text = 'extends: eks-alb-ip\napp:\n  drainSecs: 45\ntraffic:\n  rps: fast\n';
    expect(positions(text)).toEqual([
      [3, 3],
      [5, 8],
    ]);
    expect(parseProfileFile(text, 'p.yaml').problems.map((p) => p.message.split(':')[0])).toEqual([
      'unknown key "drainSecs" in app; expected one of',
      'traffic.rps',
    ]);
  });

  test.each([
    ['a negative duration', 'app:\n  startupSeconds: -1\n', [[2, 19]]],
    ['p50 greater than p99 after the merge', 'proxySync:\n  p99: 0.5\n', [[2, 8]]],
    ['keepAliveShare above 1', 'traffic:\n  keepAliveShare: 1.5\n', [[2, 19]]],
    ['keepAliveShare below 0', 'traffic:\n  keepAliveShare: -0.1\n', [[2, 19]]],
    ['an unknown provider', 'provider: mars\n', [[1, 11]]],
    ['an unknown base profile', 'extends: eks\n', [[1, 10]]],
    ['an unquoted version (a YAML number)', 'k8sVersion: 1.30\n', [[1, 13]]],
    ['a fractional node count', 'nodes: 2.5\n', [[1, 8]]],
    ['an enum value', 'app:\n  sigterm: maybe\n', [[2, 12]]],
    ['a string list that is not one', 'extends: aks\nloadBalancer:\n  drain:\n    on: service\n    annotations: x\n    timeoutRange: [1, 2]\n    recommendedTimeoutSeconds: 1\n', [[5, 18]]],
    ['a reversed range', 'extends: gke-neg\nloadBalancer:\n  drain:\n    timeoutRange: [10, 1]\n', [[4, 19]]],
    ['a recommendation outside the range', 'extends: gke-neg\nloadBalancer:\n  drain:\n    recommendedTimeoutSeconds: 4000\n', [[4, 32]]],
    ['an incomplete load balancer', 'loadBalancer:\n  kind: elb\n  backend: node\n  deregister: { p50: 1, p99: 2 }\n  register: { p50: 1, p99: 2 }\n', [[2, 3]]],
    ['a list at the top', '- 1\n', [[1, 1]]],
    ['an empty file', '', [[1, 1]]],
    ['a YAML syntax error', 'app: [\n', [[1, 6]]],
    ['a duplicate key', 'nodes: 1\nnodes: 2\n', [[2, 1]]],
    ['two documents', 'nodes: 1\n---\nnodes: 2\n', [[3, 1]]],
  ])('rejects %s', (_what, text, expected) => {
    expect(positions(text)).toEqual(expected);
  });

  test('never throws on hostile keys', () => {
    expect(positions('__proto__: { nodes: 1 }\nconstructor: 1\n')).toEqual([
      [1, 1],
      [2, 1],
    ]);
    expect(({} as Record<string, unknown>)['nodes']).toBeUndefined();
    expect(Object.getPrototypeOf(parsed('nodes: 2\n'))).toBe(Object.prototype);
  });
});

describe('resolveProfile', () => {
  const files: Record<string, string> = {
    'profiles/ok.yaml': 'extends: aks\nnodes: 7\n',
    'bad.yml': 'extends: aks\nnodes: many\n',
  };
  const readFile = (path: string): string => {
    const text = files[path];
    if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
    return text;
  };

  test('names and paths', () => {
    expect(isProfilePath('gke-neg')).toBe(false);
    expect(isProfilePath('eks-instance+ingress-nginx')).toBe(false);
    expect(isProfilePath('profiles/ok.yaml')).toBe(true);
    expect(isProfilePath('bad.yml')).toBe(true);
    expect(isProfilePath('./custom')).toBe(true);
  });

  test('a built-in name, with or without +ingress-nginx', () => {
    expect(resolveProfile('gke-neg', readFile)).toBe(builtin('gke-neg'));
    expect(resolveProfile('aks+ingress-nginx', readFile).ingress?.name).toBe('ingress-nginx');
  });

  test('a profile file', () => {
    const profile = resolveProfile('profiles/ok.yaml', readFile);
    expect(profile.name).toBe('profiles/ok.yaml');
    expect(profile.nodes).toBe(7);
    expect(profile.provider).toBe('azure');
  });

  test('an unknown name lists the valid names', () => {
    const error = thrown(() => resolveProfile('eks', readFile));
    expect(error.code).toBe('unknown-profile');
    for (const name of BUILTIN_PROFILES.keys()) expect(error.message).toContain(name);
  });

  test('an unreadable file', () => {
    const error = thrown(() => resolveProfile('missing.yaml', readFile));
    expect(error.code).toBe('unreadable-profile');
    expect(error.cause).toBeInstanceOf(Error);
  });

  test('an invalid file lists file:line:col', () => {
    const error = thrown(() => resolveProfile('bad.yml', readFile));
    expect(error.code).toBe('invalid-profile');
    expect(error.message).toContain('bad.yml:2:8:');
  });
});

describe('withK8sVersion', () => {
  test('sets a 1.<minor> version without changing the input', () => {
    const base = builtin('generic');
    expect(withK8sVersion(base, '1.28').k8sVersion).toBe('1.28');
    expect(withK8sVersion(base, '1.34').k8sVersion).toBe('1.34');
    expect(base.k8sVersion).toBe('1.30');
  });

  test.each(['1.30.2', 'v1.30', '2.0', '1.', '1', ''])('rejects %j', (version) => {
    // The same code as advise's --k8s-version: the version is wrong, not the profile.
    expect(thrown(() => withK8sVersion(builtin('generic'), version)).code).toBe('invalid-version');
  });
});
