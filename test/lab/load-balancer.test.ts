/** The load balancer's pure parts: HAProxy's configuration and the runtime API's server states. */
import { describe, expect, it } from 'vitest';
import { haproxyConfig, serverStates } from '../../src/lab/index.js';

describe('haproxyConfig', () => {
  it('checks each backend on its health-check port with the given interval and thresholds', () => {
    const config = haproxyConfig({ port: 80, checkPath: '/healthz', intervalMs: 2000, rise: 3, fall: 2, backends: [{ name: 'node-1', ip: '10.250.0.1', port: 30080, checkPort: 32000 }, { name: 'pod-b', ip: '10.250.2.1', port: 8080 }] }, '10.250.0.250', '/tmp/x/haproxy.sock');
    expect(config.split('\n').filter((l) => /^\s+(bind|server|option|stats)/.test(l))).toEqual([
      '  stats socket /tmp/x/haproxy.sock mode 600 level admin',
      '  bind 10.250.0.250:80',
      '  option httpchk GET /healthz',
      '  server node-1 10.250.0.1:30080 check port 32000 inter 2000 rise 3 fall 2',
      '  server pod-b 10.250.2.1:8080 check port 8080 inter 2000 rise 3 fall 2',
    ]);
  });
});

describe('serverStates', () => {
  it('reads up, down, drain and maintenance from `show servers state`', () => {
    const answer = [
      '1',
      '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight',
      '3 nodes 1 node-1 10.250.0.1 2 0 1',
      '3 nodes 2 node-2 10.250.0.2 0 0 1',
      '3 nodes 3 node-3 10.250.0.3 2 8 1',
      '3 nodes 4 node-4 10.250.0.4 0 1 1',
      '',
    ].join('\n');
    expect(serverStates(answer)).toEqual({ 'node-1': 'up', 'node-2': 'down', 'node-3': 'drain', 'node-4': 'maint' });
  });
});
