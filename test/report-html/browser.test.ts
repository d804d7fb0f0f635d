/**
 * The report in a real browser: Debian's headless Chromium (see browser.ts). Skipped only where
 * Chromium is not installed and this is not CI; on CI (.ci/run installs it) it always runs.
 * `UPDATE_SCREENSHOT=1 npx vitest run test/report-html/browser.test.ts` rewrites docs/report-screenshot.png.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport } from '../../src/cli/report.js';
import { CAUSE_KEYS } from '../../src/report/html/palette.js';
import { captureIo, ROOT } from '../helpers.js';
import { chromiumAvailable, launchChromium, openFile, type OpenedPage } from './browser.js';

const RUN = chromiumAvailable() || process.env['CI'] !== undefined;
const INJECTED_EVENT = `<img src=x onerror="window.__rollsafeInjected = 'lab'"><script>window.__rollsafeInjected = 'lab'</script>`;

function writeReport(dir: string, name: string, args: readonly string[]): string {
  const path = join(dir, name);
  const { io, out } = captureIo();
  const code = runReport([...args, '-o', path], io);
  if (code !== 0) throw new Error(`rollsafe report exited ${code}: ${out().stderr}`);
  return path;
}

/**
 * Draws every chart (the page does this before printing) and waits until all are drawn. Waits poll
 * element reads: waitForFunction with a string would need eval, which the page's
 * Content-Security-Policy forbids.
 */
async function drawAll(opened: OpenedPage): Promise<void> {
  await opened.page.evaluate(`window.dispatchEvent(new Event('beforeprint'))`);
  await until(() => opened.page.$$eval('figure[data-chart]', (figures) => figures.every((f) => f.getAttribute('data-drawn') === 'yes')), 'every chart drawn');
}

/** Polls `check` every 50 ms until it is true; fails after 20 s. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; waited < 20_000; waited += 50) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

describe.runIf(RUN)('the report in headless Chromium', () => {
  let browser: Browser;
  let dir: string;
  let examples: string;
  let hostile: string;
  let lab: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rollsafe-report-'));
    // Paths relative to the project root (vitest's working directory), as `npm run examples` gives them.
    examples = writeReport(dir, 'examples.html', ['--profile', 'ack-flannel', '--k8s-version', '1.18', 'examples/']);
    hostile = writeReport(dir, 'hostile.html', ['--profile', 'ack-flannel', 'test/report-html/fixtures/hostile.yaml']);
    // The lab fixture with a hostile event, beside the simulated rollout of its manifest.
    const labFile = join(dir, 'lab.json');
    writeFileSync(labFile, readFileSync(`${ROOT}test/fixtures/lab/short-rollout.lab.json`, 'utf8').replace('"rollout starts"', JSON.stringify(`rollout starts ${INJECTED_EVENT}`)));
    lab = writeReport(dir, 'lab.html', ['--runs', '2', '--lab', labFile, 'test/fixtures/lab/short-rollout.yaml']);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('the report for examples/', () => {
    let opened: OpenedPage;
    beforeAll(async () => {
      opened = await openFile(browser, examples);
    });

    it('loads from file:// with no network request, no console error and no page error', async () => {
      await drawAll(opened);
      expect(opened.requests.filter((url) => url !== opened.url && !url.startsWith('data:'))).toEqual([]);
      expect(opened.requests[0]).toBe(opened.url);
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.pageErrors).toEqual([]);
    });

    it('draws a chart as soon as it scrolls into view', async () => {
      const page = await openFile(browser, examples);
      const figure = page.page.locator('figure[data-chart="workload-2-before"]');
      expect(await figure.getAttribute('data-drawn')).toBeNull();
      await figure.scrollIntoViewIfNeeded();
      await until(async () => (await figure.getAttribute('data-drawn')) === 'yes', 'the chart drawn');
      expect(await figure.locator('svg').count()).toBeGreaterThanOrEqual(2);
      await page.page.context().close();
    });

    it('draws every simulated rollout as two non-empty SVG charts with their lanes labelled', async () => {
      await drawAll(opened);
      const charts = await opened.page.$$eval('figure[data-chart]', (figures) =>
        figures.map((f) => {
          const TEXT_NODE = 3;
          const svgs = [...f.querySelectorAll('.chart-canvas > svg')];
          return {
            id: f.getAttribute('data-chart'),
            svgs: svgs.length,
            sizes: svgs.map((s) => Math.round(s.getBoundingClientRect().width * s.getBoundingClientRect().height)),
            rects: svgs[0]?.querySelectorAll('rect').length ?? 0,
            // The text of each label itself, without the <title> (tooltip) a long label carries.
            labels: [...(svgs[0]?.querySelectorAll('text') ?? [])].map((t) => [...t.childNodes].filter((n) => n.nodeType === TEXT_NODE).map((n) => n.textContent).join('')),
            ariaLabel: svgs[0]?.getAttribute('aria-label') ?? '',
            ariaDescription: svgs[0]?.getAttribute('aria-description') ?? '',
          };
        }),
      );
      // 4 Deployments × before and after. Not simulated: the bare Pod, and the article's three
      // recommended configs, whose probes check port 5084 where nginx serves 80 (never Ready).
      expect(charts.map((c) => c.id)).toHaveLength(8);
      expect(await opened.page.$$eval('figure.chart.missing', (f) => f.length)).toBe(8);
      for (const chart of charts) {
        expect(chart.svgs).toBe(2);
        for (const size of chart.sizes) expect(size).toBeGreaterThan(20_000);
        expect(chart.rects).toBeGreaterThan(20);
        expect(chart.labels).toEqual(expect.arrayContaining(['EndpointSlice', 'kube-proxy @node-1', 'load balancer']));
        expect(chart.labels.some((l) => /^old nginx-\w+ @node-\d$/.test(l))).toBe(true);
        expect(chart.labels.some((l) => /^new nginx-\w+ @node-\d$/.test(l))).toBe(true);
        expect(chart.ariaLabel).toMatch(/^Deployment\/[\w-]+\/nginx, (before the fixes|after rollsafe fix): timeline$/);
        expect(chart.ariaDescription).toMatch(/^\d+ old and \d+ new pods on \d+ nodes\./);
      }
    });

    it('colours the failures of the seed: the missing preStop fails requests before the fix, none after', async () => {
      const count = (id: string): Promise<number> => opened.page.$$eval(`figure[data-chart="${id}"] .chart-canvas > svg:nth-of-type(2) rect`, (rects) => rects.filter((r) => r.getAttribute('fill')?.startsWith('#')).length);
      const section = await opened.page.$$eval('section.workload', (sections) => sections.findIndex((s) => s.querySelector('h2')?.textContent === 'Deployment/before-prestop/nginx') + 1);
      await drawAll(opened);
      expect(await count(`workload-${section}-before`)).toBeGreaterThan(0);
      expect(await count(`workload-${section}-after`)).toBe(0);
    });

    it('prints: navigation hidden, every chart drawn, every fix diff open', async () => {
      await opened.page.emulateMedia({ media: 'print' });
      await drawAll(opened);
      expect(await opened.page.evaluate(`getComputedStyle(document.querySelector('nav')).display`)).toBe('none');
      expect(await opened.page.$$eval('details.fix', (d) => d.every((x) => x.hasAttribute('open')))).toBe(true);
      await opened.page.evaluate(`window.dispatchEvent(new Event('afterprint'))`);
      expect(await opened.page.$$eval('details.fix', (d) => d.some((x) => x.hasAttribute('open')))).toBe(false);
      await opened.page.emulateMedia({ media: 'screen' });
    });

    it('stays a single file of reasonable size', () => {
      expect(statSync(examples).size).toBeLessThan(2_000_000);
    });

    it.runIf(process.env['UPDATE_SCREENSHOT'] !== undefined)('screenshot for the README: docs/report-screenshot.png', async () => {
      const page = await openFile(browser, examples, { width: 1400, height: 1000 });
      const section = await page.page.$$eval('section.workload', (sections) => sections.findIndex((s) => s.querySelector('h2')?.textContent === 'Deployment/before-prestop/nginx') + 1);
      const locator = page.page.locator(`#workload-${section}`);
      await locator.scrollIntoViewIfNeeded();
      await until(() => locator.locator('figure[data-chart]').evaluateAll((figures) => figures.every((f) => f.getAttribute('data-drawn') === 'yes')), 'the charts drawn');
      const box = await locator.boundingBox();
      if (!box) throw new Error('the section has no box');
      const scrollY = Number(await page.page.evaluate('window.scrollY'));
      await page.page.screenshot({ path: `${ROOT}docs/report-screenshot.png`, fullPage: true, clip: { x: box.x, y: box.y + scrollY, width: box.width, height: Math.min(box.height, 900) } });
      await page.page.context().close();
    });
  });

  describe('a manifest with <script> in its names and annotations', () => {
    let opened: OpenedPage;
    beforeAll(async () => {
      opened = await openFile(browser, hostile);
      await drawAll(opened);
    });

    it('renders the names as text', async () => {
      const heading = await opened.page.$eval('section.workload h2', (h) => h.textContent);
      expect(heading).toBe(`Deployment/x</script><script>window.__rollsafeInjected = 'namespace'</script>/<script>window.__rollsafeInjected = 'name'</script>`);
      const text = String(await opened.page.evaluate('document.body.innerText'));
      expect(text).toContain(`container \`<b onmouseover=alert(1)>app</b>\``);
      expect(text).toContain(`Service svc<svg onload="window.__rollsafeInjected = 'service'">`);
    });

    it('runs none of it: no injected global, no extra script, image or handler', async () => {
      expect(await opened.page.evaluate('typeof window.__rollsafeInjected')).toBe('undefined');
      expect(await opened.page.$$eval('script', (s) => s.map((x) => x.getAttribute('type') ?? 'js'))).toEqual(['application/json', 'js', 'js', 'js']);
      expect(await opened.page.$$eval('img, iframe, object, embed', (e) => e.length)).toBe(0);
      const handlers = await opened.page.$$eval('*', (all) => all.flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${e.tagName} ${a.name}`)));
      expect(handlers).toEqual([]);
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.pageErrors).toEqual([]);
      expect(opened.requests.filter((url) => url !== opened.url && !url.startsWith('data:'))).toEqual([]);
    });

    it('draws the chart with the hostile pod names as SVG text', async () => {
      // The scheduler scores nodes by the new ReplicaSet's own pods: the first surge pod goes to the node without an old pod (node-3).
      const labels = await opened.page.$$eval('figure[data-chart="workload-1-before"] svg text', (t) => t.map((x) => [...x.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('')));
      expect(labels).toEqual(expect.arrayContaining(['EndpointSlice', 'old script>-a01 @node-1', 'new script>-b01 @node-3']));
      expect(await opened.page.$$eval('svg script, svg foreignObject', (e) => e.length)).toBe(0);
    });
  });
  describe('a report with --lab', () => {
    let opened: OpenedPage;
    beforeAll(async () => {
      opened = await openFile(browser, lab);
      await until(() => opened.page.$$eval('figure[data-lab-chart]', (f) => f.length === 2 && f.every((x) => x.getAttribute('data-drawn') === 'yes')), 'both lab charts drawn');
      await drawAll(opened);
    });

    it('loads with no network request, no console error, no page error and nothing injected', async () => {
      expect(opened.requests.filter((url) => url !== opened.url && !url.startsWith('data:'))).toEqual([]);
      expect(opened.consoleErrors).toEqual([]);
      expect(opened.pageErrors).toEqual([]);
      expect(await opened.page.evaluate('typeof window.__rollsafeInjected')).toBe('undefined');
      expect(await opened.page.$$eval('script', (s) => s.map((x) => x.getAttribute('type') ?? 'js'))).toEqual(['application/json', 'application/json', 'js', 'js', 'js', 'js']);
      expect(await opened.page.$$eval('img, iframe, object, embed', (e) => e.length)).toBe(0);
      const cells = await opened.page.$$eval('section#lab-1 details.chart-table td', (tds) => tds.map((td) => td.textContent));
      expect(cells).toContain(`rollout starts ${INJECTED_EVENT}`);
    });

    it('draws the measured and the simulated rollout on the same time axis and rate scale', async () => {
      const sides = await opened.page.$$eval('section#lab-1 figure[data-lab-chart]', (figures) =>
        figures.map((f) => {
          const svg = f.querySelector('.chart-canvas > svg');
          const ticks = (axis: string): string[] => [...(svg?.querySelectorAll(`g[aria-label="${axis}-axis tick label"] text`) ?? [])].map((t) => t.textContent ?? '');
          return {
            side: f.getAttribute('data-side'),
            svgs: f.querySelectorAll('.chart-canvas > svg').length,
            x: ticks('x'),
            y: ticks('y'),
            fills: [...new Set([...(svg?.querySelectorAll('rect') ?? [])].map((r) => r.getAttribute('fill')))],
            events: svg?.querySelectorAll('line title').length ?? 0,
            ariaLabel: svg?.getAttribute('aria-label'),
          };
        }),
      );
      expect(sides.map((s) => [s.side, s.svgs, s.ariaLabel])).toEqual([
        ['measured', 1, 'Deployment/lab/short, measured in the lab'],
        ['simulated', 1, 'Deployment/lab/short, simulated'],
      ]);
      const [measured, simulated] = sides;
      expect(measured?.x).toEqual(['0', '5', '10', '15', '20', '25', '30']);
      expect(simulated?.x).toEqual(measured?.x);
      expect(simulated?.y).toEqual(measured?.y);
      const afterStop = CAUSE_KEYS.find((k) => k.id === 'refused-after-stop')?.color;
      expect(measured?.fills).toEqual(expect.arrayContaining(['#d4d4d4', afterStop, '#767676']));
      expect(simulated?.fills).toEqual(expect.arrayContaining(['#d4d4d4', afterStop]));
      // The 26 events from the rollout's start on, each a tick with its text as a tooltip.
      expect(measured?.events).toBe(26);
      expect(simulated?.events).toBe(0);
    });

    it('shows the comparison by cause as a table', async () => {
      const rows = await opened.page.$$eval('section#lab-1 table.lab-comparison tbody tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
      expect(rows).toHaveLength(8);
      expect(rows[1]).toEqual(['refused after stop (old pod)', '71', '50', '72.2', '96', '50–96', 'yes']);
      expect(rows[7]).toEqual(['total', '71', '50', '72.2', '96', '50–96', 'yes']);
    });
  });
});
