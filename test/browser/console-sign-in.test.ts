import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../e2e/support.js';
import { CHROMIUM, launchConsoleBrowser, type ConsoleBrowser } from '../helpers/browser.js';
import { API_TOKEN, signIn, startConsoleVigil, type ConsoleVigil } from '../helpers/console.js';

/** Signing in to the console: personal tokens, the API token, wrong tokens, sign-out, and an open Vigil. */
if (requireBinary(CHROMIUM, 'chromium', 'console in Chromium')) {
  let b: ConsoleBrowser;
  let v: ConsoleVigil;
  beforeAll(async () => {
    b = await launchConsoleBrowser();
  });
  afterAll(async () => {
    await b?.close();
  });
  afterEach(async () => {
    // Pages first: a page left open would keep calling a Vigil that is gone.
    for (const context of b.browser.contexts()) await context.close();
    await v?.close();
    expect(b.offHost).toEqual([]);
    expect(b.unexpectedErrors()).toEqual([]);
  });

  describe('console sign-in', () => {
    it('a personal token signs in as the person, in a cookie the page cannot read; sign-out ends it', async () => {
      v = await startConsoleVigil();
      const { page, context } = await b.page();
      await page.goto(`${v.url}/`);
      await page.waitForURL(`${v.url}/sign-in?next=%2F`);
      await page.getByRole('heading', { name: 'Sign in to Vigil' }).waitFor();
      await signIn(page, v, await v.token('alice'));
      await page.getByText('Signed in as Alice Example').waitFor();
      // The page may draw the signed-in view a moment before it moves to where it was asked for.
      await page.waitForURL(`${v.url}/`);
      expect(await page.evaluate('document.cookie')).toBe('');
      const [cookie] = await context.cookies();
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

      await page.reload();
      await page.getByText('Signed in as Alice Example').waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Vigil' }).waitFor();
      expect((await page.request.get(`${v.url}/api/v1/session`)).status()).toBe(401);
      await context.close();
    });

    it('the API token signs in as the administrator, and a deep link comes back after sign-in', async () => {
      v = await startConsoleVigil();
      await v.fire({ labels: { alertname: 'DiskFull', service: 'db', severity: 'warning' }, annotations: { summary: 'Disk filling up' } });
      const { page, context } = await b.page();
      await signIn(page, v, API_TOKEN, '/incidents/1');
      await page.getByText('Signed in as admin').waitFor();
      await page.getByRole('heading', { level: 1, name: '#1 Disk filling up' }).waitFor();
      await page.waitForURL(`${v.url}/incidents/1`);
      await context.close();
    });

    it('a wrong token is refused and says so; repeated failures are limited with the wait in words', async () => {
      v = await startConsoleVigil({ file: { console: { signInAttempts: 2, signInWindow: '10m' } } });
      const { page, context } = await b.page();
      await page.goto(`${v.url}/sign-in`);
      for (let i = 0; i < 2; i++) {
        await page.getByLabel('Token').fill(`vigil_pat_wrong-${i}`);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('alert').getByText('That token is not valid (unknown, revoked or expired).').waitFor();
      }
      await page.getByLabel('Token').fill(API_TOKEN);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').getByText(/^Too many failed sign-ins from this address\. Try again in \d+ s\.$/).waitFor();
      expect(await context.cookies()).toEqual([]);
      expect(page.url()).toBe(`${v.url}/sign-in`);
      await context.close();
    });

    it('with no API token the console opens at once, says anyone can act, and marks actions as the console’s', async () => {
      v = await startConsoleVigil({ apiTokens: [] });
      await v.fire({ labels: { alertname: 'QueueFull', service: 'mail', severity: 'warning' }, annotations: { summary: 'Mail queue full' } });
      const { page, context } = await b.page();
      await page.goto(`${v.url}/`);
      await page.getByRole('note').getByText(/anyone who can reach this address can act/).waitFor();
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      await page.getByRole('link', { name: '#1 Mail queue full' }).click();
      await page.getByRole('button', { name: 'Acknowledge' }).click();
      await page.getByRole('listitem').filter({ hasText: 'acknowledged by anonymous' }).waitFor();
      expect((await v.incident(1)).timeline.find((e: any) => e.kind === 'acknowledged')).toMatchObject({ actor: 'anonymous', source: 'console' });
      await context.close();
    });
  });
}
