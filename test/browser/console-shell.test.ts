import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../e2e/support.js';
import { CHROMIUM, launchConsoleBrowser, type ConsoleBrowser } from '../helpers/browser.js';
import { startVigil, type TestVigil } from '../helpers/vigil.js';

if (requireBinary(CHROMIUM, 'chromium', 'console in Chromium')) {
  let b: ConsoleBrowser;
  let v: TestVigil;
  beforeAll(async () => {
    b = await launchConsoleBrowser();
    v = await startVigil();
  });
  afterAll(async () => {
    await v?.close();
    await b?.close();
  });

  describe('the console is served by Vigil', () => {
    it('loads with its own scripts under a strict CSP, asking no other host', async () => {
      const { page, context } = await b.page();
      const res = await page.goto(`${v.url}/`);
      expect(res?.headers()['content-security-policy']).not.toMatch(/unsafe-inline/);
      await page.waitForSelector('#app > *');
      expect(b.errors).toEqual([]);
      expect(b.offHost).toEqual([]);
      await context.close();
    });
  });
}
