import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LB_KINDS, NETWORK_PLUGINS, PROVIDERS } from '../../src/advise/facts.js';
import { SOURCES } from '../../src/advise/sources.js';
import { ROOT } from '../helpers.js';
import { BRANCHES } from './branches.js';

const page = readFileSync(`${ROOT}docs/advise.md`, 'utf8');

describe('docs/advise.md', () => {
  it('lists every original source advise cites', () => {
    for (const source of Object.values(SOURCES)) {
      const url = /\((https:\/\/[^)\s]+)\)/.exec(source)?.[1];
      const docsPath = /^(docs\/[\w.-]+)/.exec(source)?.[1];
      const anchor = url ?? docsPath;
      if (anchor !== undefined) expect(page, source).toContain(anchor);
    }
  });

  it('names every provider, network plugin, LB kind and chosen profile', () => {
    for (const provider of PROVIDERS) {
      expect(page).toContain(`\`${provider}\``);
      for (const plugin of Object.keys(NETWORK_PLUGINS[provider])) expect(page, plugin).toContain(`\`${plugin}\``);
      for (const lb of LB_KINDS[provider]) expect(page, lb).toContain(`\`${lb}\``);
    }
    for (const branch of BRANCHES) expect(page, branch.id).toContain(`\`${branch.expect.profile}\``);
  });
});
