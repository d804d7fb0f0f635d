/** The text format: wrapping at a width, and each profile explanation once instead of on every line. */
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/engine/run.js';
import type { Finding } from '../../src/rules/types.js';
import { formatText, repeatedExplanations } from '../../src/report/text.js';
import { visibleWidth, wrapLine } from '../../src/report/wrap.js';

const BUDGET = '(profile ack-flannel: endpoint → kube-proxy, p99)';

function finding(file: string, line: number, ruleId: string, message: string, fixable = false): Finding {
  return { ruleId, severity: 'error', category: 'termination', message, file, line, column: 9, resource: { kind: 'Deployment', namespace: 'shop', name: 'web' }, path: '', fixable };
}

function result(findings: Finding[]): CheckResult {
  return { profile: 'ack-flannel', files: 2, objects: 4, findings, notes: [] };
}

const PRESTOP = (name: string): string => `container \`${name}\` of Deployment shop/${name} has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s ${BUDGET}`;

const TWO_FILES = result([finding('a.yaml', 30, 'prestop-missing', PRESTOP('web'), true), finding('b.yaml', 12, 'prestop-missing', PRESTOP('api'), true)]);

describe('profile explanations', () => {
  it('a repeated one is printed once, before the summary, and [n] where the findings had it', () => {
    expect(formatText(TWO_FILES, { color: false })).toBe(
      [
        'a.yaml',
        '  30:9     error   container `web` of Deployment shop/web has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s [1]  prestop-missing (fixable)',
        '',
        'b.yaml',
        '  12:9     error   container `api` of Deployment shop/api has no preStop hook: it gets SIGTERM while endpoints still route to it for up to 3 s [1]  prestop-missing (fixable)',
        '',
        '[1] profile ack-flannel: endpoint → kube-proxy, p99',
        '✖ 2 findings (2 errors, 0 warnings, 0 info) in 2 files, 4 objects · profile ack-flannel · 2 fixable',
        '',
      ].join('\n'),
    );
  });

  it('one that appears once stays in its message', () => {
    const text = formatText(result([finding('a.yaml', 30, 'prestop-missing', PRESTOP('web'))]), { color: false });
    expect(text.split('\n')[1]).toBe(`  30:9     error   ${PRESTOP('web')}  prestop-missing`);
    expect(text).not.toContain('[1]');
  });

  it('only parentheses that name the profile or an app. setting, numbered in order of appearance', () => {
    const drain = 'profile generic assumes the app needs 30 s to finish requests in flight (app.drainSeconds, an assumption: set it for your app) = 30 s';
    const messages = [`${drain} ${BUDGET}`, `x (1 replica) ${BUDGET}`, `${drain}`, 'y (1 replica)'];
    expect([...repeatedExplanations(messages)]).toEqual([
      ['app.drainSeconds, an assumption: set it for your app', 1],
      ['profile ack-flannel: endpoint → kube-proxy, p99', 2],
    ]);
  });
});

describe('wrapping', () => {
  it('continues under the message at the width; the rule id and (fixable) stay together', () => {
    expect(formatText(TWO_FILES, { color: false, width: 60 })).toBe(
      [
        'a.yaml',
        '  30:9     error   container `web` of Deployment shop/web',
        '                   has no preStop hook: it gets SIGTERM',
        '                   while endpoints still route to it for up',
        '                   to 3 s [1]  prestop-missing (fixable)',
        '',
        'b.yaml',
        '  12:9     error   container `api` of Deployment shop/api',
        '                   has no preStop hook: it gets SIGTERM',
        '                   while endpoints still route to it for up',
        '                   to 3 s [1]  prestop-missing (fixable)',
        '',
        '[1] profile ack-flannel: endpoint → kube-proxy, p99',
        '✖ 2 findings (2 errors, 0 warnings, 0 info) in 2 files, 4',
        '  objects · profile ack-flannel · 2 fixable',
        '',
      ].join('\n'),
    );
  });

  it('no line is wider than the width unless one word is', () => {
    const text = formatText(TWO_FILES, { color: true, width: 50 });
    for (const line of text.split('\n')) expect(visibleWidth(line), line).toBeLessThanOrEqual(50);
  });

  it('keeps a word longer than the line whole, and colour codes take no columns', () => {
    const long = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-connection-drain-timeout';
    expect(wrapLine(`without ${long} set`, 30, '  ')).toBe(`without\n  ${long}\n  set`);
    expect(wrapLine('\u001b[31merror\u001b[0m abc def', 9, '')).toBe('\u001b[31merror\u001b[0m abc\ndef');
    expect(wrapLine('a b c', 0, '')).toBe('a b c');
  });
});
