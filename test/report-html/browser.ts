/**
 * Headless Chromium for the report's browser tests: Debian's /usr/bin/chromium driven by
 * playwright-core (which never downloads a browser). Every request the page makes is recorded.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = process.env['ROLLSAFE_CHROMIUM'] ?? '/usr/bin/chromium';

/** Flags for a sandboxed root CI machine with no network: no background connections at all. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A page opened from disk, with what it asked for and what it complained about. */
export interface OpenedPage {
  readonly page: Page;
  readonly url: string;
  /** Every request the page made, in order (the page itself first). */
  readonly requests: string[];
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
}

/** Opens an HTML file by its file:// URL; requests other than file: and data: are aborted (and recorded). */
export async function openFile(browser: Browser, path: string, viewport = { width: 1400, height: 1000 }): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport, offline: true });
  const page = await context.newPage();
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await context.route(/^(?!file:|data:)/, (route) => route.abort());
  const url = pathToFileURL(path).href;
  await page.goto(url, { waitUntil: 'load' });
  return { page, url, requests, consoleErrors, pageErrors };
}
