/** Behaviours settled in review, one object each (fixture: test/fixtures/rules/review.yaml). */
import { describe, expect, it } from 'vitest';
import { checkSources } from '../../src/engine/run.js';
import type { Finding } from '../../src/rules/types.js';
import { fixturePath, fixtureText, profileOf } from './helpers.js';

function run(profile: string, rule: string): Finding[] {
  const { findings } = checkSources([{ path: fixturePath('review'), text: fixtureText('review') }], { profile: profileOf(profile) });
  return findings.filter((f) => f.ruleId === rule);
}

const summary = (findings: readonly Finding[]): string[] => findings.map((f) => `${f.resource.name} ${f.path} ${f.message.split(':')[0] ?? ''}`);

describe('review cases', () => {
  it('sigterm-not-forwarded: npm as the last command of a shell script, exec or not, is the package-manager hazard', () => {
    expect(run('generic', 'sigterm-not-forwarded').map((f) => [f.resource.name, f.path, f.message])).toEqual([
      ['fire-exec-npm', '/spec/template/spec/containers/0/command', 'container `app` starts its app with `npm start`: npm is PID 1 and does not reliably pass SIGTERM to the app; run the app directly (e.g. `node server.js`)'],
      ['fire-then-npm', '/spec/template/spec/containers/0/command', 'container `app` starts its app with `yarn start`: yarn is PID 1 and does not reliably pass SIGTERM to the app; run the app directly (e.g. `node server.js`)'],
    ]);
  });

  it('rollout-max-unavailable: a DaemonSet that stops every node at once, not an OnDelete one', () => {
    const findings = run('generic', 'rollout-max-unavailable');
    expect(findings.map((f) => [f.resource.name, f.path, f.severity])).toEqual([['fire-all-nodes', '/spec/updateStrategy/rollingUpdate/maxUnavailable', 'error']]);
    expect(findings[0]?.message).toBe('rolling update of DaemonSet ds-b/fire-all-nodes may stop its pod on 3 of 3 nodes at once (maxUnavailable 3, maxSurge 0; 3 nodes in profile generic): no node serves during the rollout');
  });

  it('lb-connection-drain-missing: a flag turned off is "disabled", a timeout in other units is not seconds', () => {
    expect(summary(run('ack-flannel', 'lb-connection-drain-missing'))).toEqual([
      'fire-drain-off /metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain Service fire-drain-off turns connection draining off (service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain + service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout)',
      'fire-drain-30s /metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-connection-drain-timeout connection-drain timeout `30s` of Service fire-drain-30s is not a whole number of seconds, so the ACK CLB does not drain',
    ]);
  });

  it('single-replica: an HPA that may scale to zero counts as single-replica', () => {
    expect(run('generic', 'single-replica').map((f) => [f.resource.kind, f.resource.name, f.path, f.message])).toEqual([
      ['HorizontalPodAutoscaler', 'fire-scale-to-zero', '/spec/minReplicas', 'Deployment hpa-a/web runs as few as 0 replicas (HorizontalPodAutoscaler fire-scale-to-zero minReplicas 0): any restart, eviction or node drain leaves nothing serving'],
    ]);
  });
});
