import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** The flags Chromium needs here: root (no sandbox), headless, and no calls home (the network is closed). */
const flags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ConsoleBrowser {
  browser: Browser;
  /** Requests the pages tried to make to any host but 127.0.0.1 (each was blocked). */
  offHost: string[];
  /** Errors the pages threw or logged. */
  errors: string[];
  /**
   * The errors logged since the last call, except the HTTP answers the console expects and handles: 401 (signed
   * out, or a wrong token) and 429 (too many sign-ins), which Chromium logs as "Failed to load resource".
   */
  unexpectedErrors(): string[];
  /** A fresh context (cookies, storage) with a page, both watched for off-host requests and errors. */
  page(options?: BrowserContextOptions): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/**
 * One Chromium per test file (launched in beforeAll; Playwright gives it a fresh profile); every context blocks
 * and records requests to other hosts.
 */
export async function launchConsoleBrowser(): Promise<ConsoleBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: flags });
  const offHost: string[] = [];
  const errors: string[] = [];
  return {
    browser,
    offHost,
    errors,
    unexpectedErrors() {
      const taken = errors.splice(0, errors.length);
      return taken.filter((e) => !/Failed to load resource: the server responded with a status of (401|429)\b/.test(e));
    },
    async page(options = {}) {
      const context = await browser.newContext(options);
      await context.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.hostname === '127.0.0.1') return route.continue();
        offHost.push(url.href);
        return route.abort('blockedbyclient');
      });
      const page = await context.newPage();
      // Waits are for the page to react (well under a second here); a missing element fails the test soon.
      page.setDefaultTimeout(10_000);
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console: ${m.text()}`);
      });
      return { context, page };
    },
    async close() {
      await browser.close();
    },
  };
}
