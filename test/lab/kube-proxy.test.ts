/** kube-proxy's NAT layout as the lab renders it, against kube-proxy's own test expectations. */
import { describe, expect, it } from 'vitest';
import { endpointChain, probability, renderNat, serviceChains, type LabServicePort } from '../../src/lab/index.js';

describe('chain names and probabilities', () => {
  it('hash like kube-proxy (literals from kubernetes pkg/proxy/iptables/proxier_test.go)', () => {
    expect(serviceChains('ns1/svc1:p80')).toEqual({ svc: 'KUBE-SVC-XPGD46QRK7WJZT7O', svl: 'KUBE-SVL-XPGD46QRK7WJZT7O', ext: 'KUBE-EXT-XPGD46QRK7WJZT7O' });
    expect(endpointChain('ns1/svc1:p80', '10.180.0.1', 80)).toBe('KUBE-SEP-SXIVWICOYRO3J4NJ');
  });

  it('spread 1/(n−i) with ten decimals', () => {
    expect([3, 2, 1].map(probability)).toEqual(['0.3333333333', '0.5000000000', '1.0000000000']);
  });
});

const port = (policy: 'Cluster' | 'Local', endpoints: LabServicePort['endpoints']): LabServicePort => ({ name: 'shop/web:http', clusterIP: '10.96.0.10', port: 80, nodePort: 30080, externalTrafficPolicy: policy, endpoints });
const A = { ip: '10.250.1.1', port: 8080, node: 'node-1', ready: true };
const B = { ip: '10.250.2.1', port: 8080, node: 'node-2', ready: true };
const C = { ip: '10.250.2.2', port: 8080, node: 'node-2', ready: true };

function rulesOf(table: string, chain: string): string[] {
  return table.split('\n').filter((l) => l.startsWith(`-A ${chain} `));
}

describe('renderNat', () => {
  it('Cluster: ClusterIP and NodePort spread over every ready endpoint', () => {
    const { svc, ext } = serviceChains('shop/web:http');
    const table = renderNat([port('Cluster', [A, B, { ...C, ready: false }])], 'node-1');
    expect(rulesOf(table, 'KUBE-SERVICES')).toEqual([
      `-A KUBE-SERVICES -m comment --comment "shop/web:http cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j ${svc}`,
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    ]);
    expect(rulesOf(table, svc)).toEqual([
      `-A ${svc} -m comment --comment "shop/web:http -> 10.250.1.1:8080" -m statistic --mode random --probability 0.5000000000 -j ${endpointChain('shop/web:http', A.ip, 8080)}`,
      `-A ${svc} -m comment --comment "shop/web:http -> 10.250.2.1:8080" -j ${endpointChain('shop/web:http', B.ip, 8080)}`,
    ]);
    expect(rulesOf(table, ext)).toEqual([`-A ${ext} -m comment --comment "masquerade traffic for shop/web:http external destinations" -j KUBE-MARK-MASQ`, `-A ${ext} -j ${svc}`]);
    expect(rulesOf(table, endpointChain('shop/web:http', A.ip, 8080))).toEqual([
      `-A ${endpointChain('shop/web:http', A.ip, 8080)} -m comment --comment shop/web:http -s 10.250.1.1/32 -j KUBE-MARK-MASQ`,
      `-A ${endpointChain('shop/web:http', A.ip, 8080)} -m comment --comment shop/web:http -m tcp -p tcp -j DNAT --to-destination 10.250.1.1:8080`,
    ]);
    expect(table).not.toContain(C.ip);
    expect(table.startsWith('*filter\n:INPUT ACCEPT [0:0]\n')).toBe(true);
    expect(table).toContain('COMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n');
    expect(table.endsWith('COMMIT\n')).toBe(true);
  });

  it('Local: the NodePort goes to the node\'s own endpoints only, and is dropped without one', () => {
    const { svl } = serviceChains('shop/web:http');
    expect(rulesOf(renderNat([port('Local', [A, B, C])], 'node-2'), svl)).toEqual([
      `-A ${svl} -m comment --comment "shop/web:http -> 10.250.2.1:8080" -m statistic --mode random --probability 0.5000000000 -j ${endpointChain('shop/web:http', B.ip, 8080)}`,
      `-A ${svl} -m comment --comment "shop/web:http -> 10.250.2.2:8080" -j ${endpointChain('shop/web:http', C.ip, 8080)}`,
    ]);
    const none = renderNat([port('Local', [A, { ...B, ready: false }])], 'node-2');
    expect(rulesOf(none, svl)).toEqual([]);
    expect(rulesOf(none, 'KUBE-EXTERNAL-SERVICES')).toEqual(['-A KUBE-EXTERNAL-SERVICES -m comment --comment "shop/web:http has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j DROP']);
  });

  it('falls back to serving terminating endpoints when none is ready (Kubernetes ≥ 1.26), per set', () => {
    const { svc, svl } = serviceChains('shop/web:http');
    const terminatingA = { ...A, ready: false, servingTerminating: true };
    const endpoints = [terminatingA, { ...B, ready: false, servingTerminating: false }, C];
    // Cluster-wide C is ready: the terminating A is not used there; node-1 has no ready local one: A is.
    const table = renderNat([port('Local', endpoints)], 'node-1', { terminatingFallback: true });
    expect(rulesOf(table, svc)).toEqual([`-A ${svc} -m comment --comment "shop/web:http -> 10.250.2.2:8080" -j ${endpointChain('shop/web:http', C.ip, 8080)}`]);
    expect(rulesOf(table, svl)).toEqual([`-A ${svl} -m comment --comment "shop/web:http -> 10.250.1.1:8080" -j ${endpointChain('shop/web:http', A.ip, 8080)}`]);
    expect(rulesOf(table, endpointChain('shop/web:http', A.ip, 8080))).toHaveLength(2);
    // Without the fallback (before 1.26) node-1's NodePort drops.
    const before = renderNat([port('Local', endpoints)], 'node-1');
    expect(rulesOf(before, svl)).toEqual([]);
    expect(rulesOf(before, 'KUBE-EXTERNAL-SERVICES')).toHaveLength(1);
    // No endpoint ready anywhere: the ClusterIP falls back too; a terminating one that no longer serves never.
    expect(rulesOf(renderNat([port('Cluster', [terminatingA, { ...B, ready: false }])], 'node-2', { terminatingFallback: true }), svc)).toEqual([
      `-A ${svc} -m comment --comment "shop/web:http -> 10.250.1.1:8080" -j ${endpointChain('shop/web:http', A.ip, 8080)}`,
    ]);
  });

  it('rejects a ClusterIP without endpoints', () => {
    expect(rulesOf(renderNat([port('Cluster', [])], 'node-1'), 'KUBE-SERVICES')[0]).toBe('-A KUBE-SERVICES -m comment --comment "shop/web:http has no endpoints" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j REJECT --reject-with icmp-port-unreachable');
  });
});
