/**
 * kube-proxy's iptables NAT layout, rendered for one node as `iptables-restore` input: the same
 * chains (KUBE-SERVICES → KUBE-SVC-… → KUBE-SEP-…, KUBE-NODEPORTS → KUBE-EXT-… → KUBE-SVL-… for the
 * Local policy, and in `filter` the REJECT and DROP rules), the same chain names (a hash of the service port name and protocol) and the same
 * `statistic --mode random` spread over endpoints, after kubernetes/kubernetes
 * pkg/proxy/iptables/proxier.go and the expectations of its proxier_test.go. Pure.
 */
import { createHash } from 'node:crypto';

/** One endpoint of a service port. */
export interface LabEndpoint {
  readonly ip: string;
  readonly port: number;
  /** The node the pod runs on. */
  readonly node: string;
  /** Ready (serving and not terminating). */
  readonly ready: boolean;
  /** Terminating and still passing its readiness probe (EndpointSlice `serving`); default false. */
  readonly servingTerminating?: boolean;
}

/**
 * The endpoints kube-proxy uses from a set: the ready ones; with ProxyTerminatingEndpoints
 * (Kubernetes ≥ 1.26), when none is ready, the serving terminating ones (KEP-1669, kube-proxy's
 * CategorizeEndpoints).
 */
function usable(endpoints: readonly LabEndpoint[], terminatingFallback: boolean): LabEndpoint[] {
  const ready = endpoints.filter((e) => e.ready);
  if (ready.length > 0 || !terminatingFallback) return ready;
  return endpoints.filter((e) => e.servingTerminating === true);
}

/** One service port, as kube-proxy sees it. */
export interface LabServicePort {
  /** `namespace/name:portName`, kube-proxy's ServicePortName. */
  readonly name: string;
  readonly clusterIP: string;
  readonly port: number;
  readonly nodePort: number | undefined;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  readonly endpoints: readonly LabEndpoint[];
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** kube-proxy's portProtoHash: base32(sha256(text)), the first 16 characters. */
export function chainHash(text: string): string {
  return base32(createHash('sha256').update(text).digest()).slice(0, 16);
}

/** The chain names of a service port (protocol TCP, written lower-case as kube-proxy does). */
export function serviceChains(name: string): { svc: string; svl: string; ext: string } {
  const hash = chainHash(`${name}tcp`);
  return { svc: `KUBE-SVC-${hash}`, svl: `KUBE-SVL-${hash}`, ext: `KUBE-EXT-${hash}` };
}

/** The chain of one endpoint of a service port. */
export function endpointChain(name: string, ip: string, port: number): string {
  return `KUBE-SEP-${chainHash(`${name}tcp${ip}:${port}`)}`;
}

/** kube-proxy's probability for the i-th of n endpoints: 1/(n−i), ten decimals. */
export function probability(remaining: number): string {
  return (1 / remaining).toFixed(10);
}

/** The rules that spread over endpoints: each but the last with `statistic --mode random`. */
function spread(chain: string, name: string, endpoints: readonly LabEndpoint[]): string[] {
  return endpoints.map((e, i) => {
    const left = endpoints.length - i;
    const statistic = left > 1 ? ` -m statistic --mode random --probability ${probability(left)}` : '';
    return `-A ${chain} -m comment --comment "${name} -> ${e.ip}:${e.port}"${statistic} -j ${endpointChain(name, e.ip, e.port)}`;
  });
}

/**
 * The tables kube-proxy writes on `node`, as one `iptables-restore` input: in `nat`, ClusterIP for
 * every service port and the NodePort for those that have one; under the Local policy the NodePort
 * goes only to the node's own endpoints. In `filter`, what kube-proxy rejects or drops there: a
 * service without endpoints (REJECT) and a Local NodePort without a local endpoint (DROP).
 * Endpoints that are not ready are left out, unless `terminatingFallback` (Kubernetes ≥ 1.26)
 * and no endpoint of the set is ready: then the serving terminating ones take their place, for
 * the cluster-wide set and the node's own set separately.
 */
export function renderNat(ports: readonly LabServicePort[], node: string, options: { terminatingFallback?: boolean } = {}): string {
  const fallback = options.terminatingFallback ?? false;
  const chains = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'];
  const rules = [
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
    '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
  ];
  const seps: string[] = [];
  const filter: string[] = [];
  for (const p of ports) {
    const { svc, svl, ext } = serviceChains(p.name);
    const ready = usable(p.endpoints, fallback);
    const local = usable(p.endpoints.filter((e) => e.node === node), fallback);
    if (ready.length === 0) {
      filter.push(`-A KUBE-SERVICES -m comment --comment "${p.name} has no endpoints" -m tcp -p tcp -d ${p.clusterIP} --dport ${p.port} -j REJECT --reject-with icmp-port-unreachable`);
    } else {
      chains.push(svc);
      rules.push(`-A KUBE-SERVICES -m comment --comment "${p.name} cluster IP" -m tcp -p tcp -d ${p.clusterIP} --dport ${p.port} -j ${svc}`);
      rules.push(...spread(svc, p.name, ready));
    }
    if (p.nodePort !== undefined) {
      const localPolicy = p.externalTrafficPolicy === 'Local';
      const targets = localPolicy ? local : ready;
      if (targets.length === 0) {
        const why = localPolicy ? 'has no local endpoints' : 'has no endpoints';
        filter.push(`-A KUBE-EXTERNAL-SERVICES -m comment --comment "${p.name} ${why}" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport ${p.nodePort} -j DROP`);
      } else {
        chains.push(ext);
        rules.push(`-A KUBE-NODEPORTS -m comment --comment ${p.name} -m tcp -p tcp --dport ${p.nodePort} -j ${ext}`);
        if (localPolicy) {
          chains.push(svl);
          rules.push(`-A ${ext} -j ${svl}`);
          rules.push(...spread(svl, p.name, local));
        } else {
          rules.push(`-A ${ext} -m comment --comment "masquerade traffic for ${p.name} external destinations" -j KUBE-MARK-MASQ`);
          rules.push(`-A ${ext} -j ${svc}`);
        }
      }
    }
    for (const e of [...ready, ...local]) {
      const sep = endpointChain(p.name, e.ip, e.port);
      if (chains.includes(sep)) continue;
      chains.push(sep);
      seps.push(`-A ${sep} -m comment --comment ${p.name} -s ${e.ip}/32 -j KUBE-MARK-MASQ`);
      seps.push(`-A ${sep} -m comment --comment ${p.name} -m tcp -p tcp -j DNAT --to-destination ${e.ip}:${e.port}`);
    }
  }
  rules.push('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');
  // Whole tables, built-in chains and their jumps included: the node's namespace belongs to the
  // lab, so each sync replaces both in one atomic restore and no stale chain is left.
  return [
    '*filter',
    ...['INPUT', 'FORWARD', 'OUTPUT'].map((c) => `:${c} ACCEPT [0:0]`),
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-EXTERNAL-SERVICES - [0:0]',
    ...FILTER_HOOKS,
    ...filter,
    'COMMIT',
    '*nat',
    ...NAT_BUILT_IN.map((c) => `:${c} ACCEPT [0:0]`),
    ...chains.map((c) => `:${c} - [0:0]`),
    ...NAT_HOOKS,
    ...rules,
    ...seps,
    'COMMIT',
    '',
  ].join('\n');
}

const NAT_BUILT_IN = ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'] as const;

/** kube-proxy's jumps from the built-in chains into its own (new connections only in filter). */
const FILTER_HOOKS = [
  '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
  '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
] as const;

const NAT_HOOKS = [
  '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
] as const;
