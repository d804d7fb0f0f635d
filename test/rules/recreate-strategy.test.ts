import { describe, expect, test } from 'vitest';
import { recreateStrategy } from '../../src/rules/recreate-strategy.js';
import { conventionViolations, findingAt, fixedText, fixOf, fixtureCase, rows, rowsOf, run, runUnsuppressed, withoutFiring } from './helpers.js';
import { ruleTester } from './rule-tester.js';

const FIXTURE = 'recreate-strategy';
const NO_SERVICE = 'recreate-strategy.no-service';
const TYPE = '/spec/strategy/type';
const ROLLING = { kind: 'patch', operations: [{ op: 'replace', path: '/spec/strategy', value: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }] };
const OUTAGE = 'uses strategy Recreate: every rollout stops all old pods before any new pod starts, a full outage';

ruleTester.run('recreate-strategy', recreateStrategy, {
  valid: [withoutFiring(FIXTURE)],
  invalid: [
    {
      ...fixtureCase(FIXTURE),
      findings: [
        { message: 'Deployment rs-recreate/fire-recreate uses strategy Recreate: every rollout stops all old pods before any new pod starts, a full outage (the fix assumes two of its pods may run side by side: no volume claim, no sign of a controller without leader election)', path: '/spec/strategy/type', line: 24, column: 5, severity: 'error' },
        { message: 'Deployment rs-volume/fire-recreate-with-claim uses strategy Recreate: every rollout stops all old pods before any new pod starts, a full outage (no automatic fix: it mounts PersistentVolumeClaim wiki-data: a ReadWriteOnce volume attaches to one node, so a new pod may not start while an old one holds it)', path: '/spec/strategy/type', line: 60, column: 5, severity: 'error' },
        { message: 'Deployment rs-singleton/fire-leader-election-off uses strategy Recreate: every rollout stops all old pods before any new pod starts, a full outage (no automatic fix: it runs with leader election off: two pods side by side would both act)', path: '/spec/strategy/type', line: 238, column: 5, severity: 'error' },
        { message: 'Deployment rs-singleton/fire-controller-without-election uses strategy Recreate: every rollout stops all old pods before any new pod starts, a full outage (no automatic fix: `fire-controller-without-election` looks like a controller and sets no leader-election flag: two pods side by side may both act)', path: '/spec/strategy/type', line: 275, column: 5, severity: 'error' },
        { message: 'Deployment rs-singleton/fire-controller-with-election uses strategy Recreate: every rollout stops all old pods before any new pod starts, a full outage (the fix assumes two of its pods may run side by side: no volume claim, no sign of a controller without leader election)', path: '/spec/strategy/type', line: 312, column: 5, severity: 'error' },
        { message: 'Deployment rs-webhook/fire-webhook-only uses strategy Recreate: every rollout stops all old pods before any new pod starts, a full outage (no automatic fix: no user Service selects it, and Recreate may be deliberate) — only the API server calls it (Service quota-webhook; ValidatingWebhookConfiguration quota-webhook, failurePolicy Fail), so what fails is the API requests it handles in that window', path: '/spec/strategy/type', line: 362, column: 5, severity: 'warning' },
        { message: 'Deployment rs-env/fire-controller-env-election uses strategy Recreate: every rollout stops all old pods before any new pod starts, a full outage (the fix assumes two of its pods may run side by side: no volume claim, no sign of a controller without leader election)', path: '/spec/strategy/type', line: 398, column: 5, severity: 'error' },
        { message: 'Deployment rs-env/fire-gateway-proxy uses strategy Recreate: every rollout stops all old pods before any new pod starts, a full outage (the fix assumes two of its pods may run side by side: no volume claim, no sign of a controller without leader election)', path: '/spec/strategy/type', line: 437, column: 5, severity: 'error' },
      ],
      output: fixedText('recreate-strategy'),
    },
    {
      ...fixtureCase(NO_SERVICE),
      findings: [
        { message: 'Deployment rs-no-service/fire-no-service uses strategy Recreate: every rollout stops all old pods before any new pod starts, a full outage (no automatic fix: no Service in the input shows that clients pay for the outage, and Recreate may be deliberate)', path: '/spec/strategy/type', line: 12, column: 5, severity: 'warning' },
      ],
    },
  ],
});

describe('recreate-strategy', () => {
  test('fires on served Deployments with strategy Recreate; error through a user Service, warning through the API server only', () => {
    const findings = run(FIXTURE);
    expect(rows(findings)).toEqual([
      ['fire-controller-env-election', TYPE, 'error'],
      ['fire-controller-with-election', TYPE, 'error'],
      ['fire-controller-without-election', TYPE, 'error'],
      ['fire-gateway-proxy', TYPE, 'error'],
      ['fire-leader-election-off', TYPE, 'error'],
      ['fire-recreate', TYPE, 'error'],
      ['fire-recreate-with-claim', TYPE, 'error'],
      ['fire-webhook-only', TYPE, 'warning'],
    ]);
    expect(conventionViolations(FIXTURE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-recreate', TYPE).line).toBe(24);
    expect(findingAt(findings, 'fire-recreate-with-claim', TYPE).line).toBe(60);
  });

  test('the fix switches to a surge rollout only where a user Service selects it and nothing suggests it must run alone; the message says what it assumes', () => {
    const findings = run(FIXTURE);
    expect(fixOf(findings, 'fire-recreate', TYPE)).toEqual(ROLLING);
    expect(fixOf(findings, 'fire-controller-with-election', TYPE)).toEqual(ROLLING);
    // Leader election set through the environment; a controller container beside a proxy.
    expect(fixOf(findings, 'fire-controller-env-election', TYPE)).toEqual(ROLLING);
    expect(fixOf(findings, 'fire-gateway-proxy', TYPE)).toEqual(ROLLING);
    expect(findingAt(findings, 'fire-recreate', TYPE).message).toBe(
      `Deployment rs-recreate/fire-recreate ${OUTAGE} (the fix assumes two of its pods may run side by side: no volume claim, no sign of a controller without leader election)`,
    );
    const noFix = Object.fromEntries(
      ['fire-recreate-with-claim', 'fire-leader-election-off', 'fire-controller-without-election', 'fire-webhook-only'].map((name) => {
        const f = findingAt(findings, name, TYPE);
        return [name, [f.fixable, fixOf(findings, name, TYPE), /\(no automatic fix: ([^)]*)\)/.exec(f.message)?.[1]]];
      }),
    );
    expect(noFix).toEqual({
      'fire-recreate-with-claim': [false, undefined, 'it mounts PersistentVolumeClaim wiki-data: a ReadWriteOnce volume attaches to one node, so a new pod may not start while an old one holds it'],
      'fire-leader-election-off': [false, undefined, 'it runs with leader election off: two pods side by side would both act'],
      'fire-controller-without-election': [false, undefined, '`fire-controller-without-election` looks like a controller and sets no leader-election flag: two pods side by side may both act'],
      'fire-webhook-only': [false, undefined, 'no user Service selects it, and Recreate may be deliberate'],
    });
  });

  test('suppression: the ignored object would fire without its annotation', () => {
    expect(rowsOf(runUnsuppressed(FIXTURE), ['dont-fire-ignored'])).toEqual([['dont-fire-ignored', TYPE, 'error']]);
  });

  test('without any Service in the input: a warning, and no fix (nothing shows that clients pay for the outage)', () => {
    const findings = run(NO_SERVICE);
    expect(rows(findings)).toEqual([['fire-no-service', TYPE, 'warning']]);
    expect(conventionViolations(NO_SERVICE, findings)).toEqual({ silentFire: [], firedDontFire: [] });
    expect(findingAt(findings, 'fire-no-service', TYPE).line).toBe(12);
    expect(fixOf(findings, 'fire-no-service', TYPE)).toBeUndefined();
    expect(findingAt(findings, 'fire-no-service', TYPE).message).toBe(
      `Deployment rs-no-service/fire-no-service ${OUTAGE} (no automatic fix: no Service in the input shows that clients pay for the outage, and Recreate may be deliberate)`,
    );
  });
});
