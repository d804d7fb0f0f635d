/** The metadata of every rule in the catalog: complete, and each field read where it is set. */
import { describe, expect, test } from 'vitest';
import { IMPACT_CATEGORIES } from '../../src/impact/impact.js';
import { RULES } from '../../src/rules/index.js';

describe('rule metadata', () => {
  test('the catalog is sorted by id, and each rule has a description and at least one message', () => {
    const ids = [...RULES.keys()];
    expect(ids).toEqual([...ids].sort());
    for (const rule of RULES.values()) {
      expect(rule.meta.description, rule.meta.id).not.toBe('');
      expect(Object.keys(rule.meta.messages).length, rule.meta.id).toBeGreaterThan(0);
    }
  });

  test('advice for `check --impact` (meta.impact): these rules, each of a category whose findings --impact measures', () => {
    const withAdvice = [...RULES.values()].filter((r) => r.meta.impact !== undefined);
    expect(withAdvice.map((r) => [r.meta.id, r.meta.impact?.advice])).toEqual([
      ['fast-shutdown-image', 'a graceful shutdown'],
      ['lb-readiness-gate-missing', 'the LB readiness gate'],
      ['local-traffic-policy-gap', 'externalTrafficPolicy: Cluster'],
      ['sigterm-not-forwarded', 'SIGTERM reaching the app'],
    ]);
    for (const rule of withAdvice) expect(IMPACT_CATEGORIES.has(rule.meta.category), rule.meta.id).toBe(true);
  });
});
