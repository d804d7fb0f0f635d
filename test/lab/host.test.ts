/** What the lab says when it cannot run: exactly what is missing and how to install it. */
import { describe, expect, it } from 'vitest';
import { labPrerequisites } from '../../src/lab/index.js';

describe('labPrerequisites', () => {
  it('asks for root first', () => {
    expect(labPrerequisites(1000, () => true)).toEqual({ code: 'not-root', message: 'the lab needs root: it creates network namespaces and writes iptables rules in them (run it as root, e.g. with sudo)' });
    expect(labPrerequisites(undefined, () => true)?.code).toBe('not-root');
  });

  it('names the missing commands and the Debian packages that bring them', () => {
    const installed = new Set(['ip']);
    expect(labPrerequisites(0, (c) => installed.has(c))).toEqual({
      code: 'missing-tools',
      message: 'the lab needs iptables, iptables-restore, conntrack, haproxy; install with: apt-get update && apt-get install -y iptables conntrack haproxy',
    });
    expect(labPrerequisites(0, () => true)).toBeUndefined();
  });
});
