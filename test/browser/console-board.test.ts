import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../e2e/support.js';
import { CHROMIUM, launchConsoleBrowser, type ConsoleBrowser } from '../helpers/browser.js';
import { AUTH, signIn, startConsoleVigil, type ConsoleVigil } from '../helpers/console.js';
import { waitFor } from '../helpers/wait.js';

/** The board's tabs, filters, paging and bulk actions; phones, Chinese, keyboard and dark mode; the other pages. */
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
    for (const context of b.browser.contexts()) await context.close();
    await v?.close();
    expect(b.offHost).toEqual([]);
    expect(b.unexpectedErrors()).toEqual([]);
  });

  const warning = (n: number, service = 'search') => ({
    labels: { alertname: `SlowQuery${n}`, service, severity: 'warning', shard: `shard-${n}` },
    annotations: { summary: `Slow queries on shard ${n}` },
  });

  describe('the board', () => {
    it('resolves the selected incidents at once, each under the person’s name', async () => {
      v = await startConsoleVigil();
      await v.fire(warning(1), warning(2), warning(3));
      const { page } = await b.page();
      await signIn(page, v, await v.token('alice'));
      await page.getByRole('link', { name: /Slow queries on shard 3/ }).waitFor();
      await page.getByRole('checkbox', { name: 'Select incident #1' }).check();
      await page.getByRole('checkbox', { name: 'Select incident #3' }).check();
      await page.getByText('2 selected').waitFor();
      await page.getByRole('button', { name: 'Resolve selected' }).click();
      await page.getByText('Resolve selected: 2 done, 0 failed').waitFor();
      await page.getByRole('link', { name: /Slow queries on shard 1/ }).waitFor({ state: 'detached' });
      expect(await page.getByRole('link', { name: /Slow queries on shard/ }).allTextContents()).toEqual(['#2 Slow queries on shard 2']);
      for (const id of [1, 3]) expect(await v.incident(id)).toMatchObject({ status: 'resolved', resolvedBy: 'alice' });
      expect((await v.incident(2)).status).toBe('triggered');
      await page.getByRole('link', { name: 'Resolved 2' }).waitFor();
    });

    it('keeps tab and filters in the address, so a filtered board can be bookmarked', async () => {
      v = await startConsoleVigil();
      await v.fire(warning(1, 'search'), warning(2, 'billing'), { labels: { alertname: 'NodeDown', service: 'billing', severity: 'critical' }, annotations: { summary: 'Billing node down' } });
      const { page, context } = await b.page();
      await signIn(page, v, await v.token('alice'));
      await page.getByLabel('Severity').selectOption('warning');
      await page.waitForURL(`${v.url}/?severity=warning`);
      await page.getByLabel('Service').fill('billing');
      await page.waitForURL(`${v.url}/?severity=warning&service=billing`);
      await page.getByRole('link', { name: /^Triggered/ }).click();
      await page.waitForURL(`${v.url}/?tab=triggered&severity=warning&service=billing`);
      expect(await page.getByRole('link', { name: /Slow queries|Billing node/ }).allTextContents()).toEqual(['#2 Slow queries on shard 2']);

      const bookmarked = await context.newPage();
      await bookmarked.goto(`${v.url}/?severity=warning&q=shard-1`);
      await bookmarked.getByRole('link', { name: '#1 Slow queries on shard 1' }).waitFor();
      expect(await bookmarked.getByRole('link', { name: /Slow queries|Billing node/ }).count()).toBe(1);
      expect(await bookmarked.getByLabel('Search title and labels').inputValue()).toBe('shard-1');
      await page.goBack();
      await page.waitForURL(`${v.url}/?severity=warning&service=billing`);
    });

    it('pages a long board from the server: 100 rows at a time, more on request', async () => {
      v = await startConsoleVigil();
      await v.fire(...Array.from({ length: 130 }, (_, n) => warning(n + 1)));
      const { page } = await b.page();
      await signIn(page, v, await v.token('alice'));
      await page.getByText('Showing 100 of 130').waitFor();
      expect(await page.getByRole('row').count()).toBe(101);
      await page.getByRole('button', { name: 'Load more' }).click();
      await page.getByText('Showing 130 of 130').waitFor();
      expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
      // Oldest first within a severity: the first alert's incident leads.
      expect(await page.getByRole('link', { name: /Slow queries on shard/ }).first().textContent()).toBe('#1 Slow queries on shard 1');
    });

    it('works with the keyboard alone: the pop-up takes the focus on Acknowledge, Enter acknowledges', async () => {
      v = await startConsoleVigil();
      const { page } = await b.page();
      await signIn(page, v, await v.token('bob'));
      await v.fire({ labels: { alertname: 'ApiDown', service: 'api', severity: 'critical' }, annotations: { summary: 'API down' } });
      await page.getByRole('alertdialog').waitFor();
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Acknowledge');
      await page.keyboard.press('Enter');
      await page.getByRole('alertdialog').waitFor({ state: 'hidden' });
      expect(await v.incident(1)).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'bob' });
      // From the top of the page: the skip link first, which leads past the navigation to the board's tabs.
      await page.reload();
      await page.getByRole('link', { name: /#1 API down/ }).waitFor();
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Open 1');
    });
  });

  describe('made for people', () => {
    it('fits a phone (375×740): nothing scrolls sideways, and the pop-up acknowledges with one tap', async () => {
      v = await startConsoleVigil();
      await v.fire(warning(1), { labels: { alertname: 'LongLabelValues', service: 'a-very-long-service-name-that-goes-on-and-on', severity: 'warning', detail: 'x'.repeat(200) }, annotations: { summary: 'A title that is long enough to wrap over several lines on a phone screen' } });
      const { page } = await b.page({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
      await signIn(page, v, await v.token('bob'));
      await page.getByRole('link', { name: /A title that is long/ }).waitFor();
      const overflow = () => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(await overflow()).toBe(0);
      await v.fire({ labels: { alertname: 'ApiDown', service: 'api', severity: 'critical' }, annotations: { summary: 'API down' } });
      const dialog = page.getByRole('alertdialog');
      const ack = dialog.getByRole('button', { name: 'Acknowledge', exact: true });
      await ack.waitFor();
      const box = (await ack.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(375);
      expect(box.height).toBeGreaterThanOrEqual(44);
      await ack.tap();
      await dialog.waitFor({ state: 'hidden' });
      expect((await v.incident(3)).acknowledgedBy).toBe('bob');
      await page.getByRole('link', { name: /A title that is long/ }).click();
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await overflow()).toBe(0);
    });

    it('speaks Chinese to a Chinese browser, with a switch to English that is remembered', async () => {
      v = await startConsoleVigil();
      const { page } = await b.page({ locale: 'zh-CN' });
      await page.clock.setFixedTime(v.clock.now());
      await page.goto(`${v.url}/`);
      await page.getByRole('heading', { name: '登录 Vigil' }).waitFor();
      expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
      await page.getByLabel('令牌').fill(await v.token('alice'));
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('link', { name: /^未解决/ }).waitFor();
      await v.fire({ labels: { alertname: 'DbDown', service: 'db', severity: 'critical' }, annotations: { summary: 'Database down' } });
      const dialog = page.getByRole('alertdialog');
      await dialog.getByRole('heading', { name: '严重预警' }).waitFor();
      expect(await dialog.textContent()).toContain('P1 紧急');
      await dialog.getByRole('button', { name: '打开事件' }).waitFor();
      await dialog.getByRole('button', { name: '关闭' }).click();
      await page.getByRole('cell', { name: '严重 P1 紧急' }).waitFor();

      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('link', { name: /^Open/ }).waitFor();
      await page.reload();
      await page.getByRole('button', { name: '中文' }).waitFor();
      expect(await page.evaluate('document.documentElement.lang')).toBe('en');
    });

    it('follows the system’s dark mode', async () => {
      v = await startConsoleVigil();
      const { page } = await b.page({ colorScheme: 'dark' });
      await page.goto(`${v.url}/sign-in`);
      await page.getByRole('heading', { name: 'Sign in to Vigil' }).waitFor();
      expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(18, 20, 23)');
      const light = (await b.page({ colorScheme: 'light' })).page;
      await light.goto(`${v.url}/sign-in`);
      await light.getByRole('heading', { name: 'Sign in to Vigil' }).waitFor();
      expect(await light.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(255, 255, 255)');
    });
  });

  describe('on call, silences and reports', () => {
    it('on call: who is on call per tier and next, in the viewer’s zone with the schedule’s on hover', async () => {
      v = await startConsoleVigil();
      const { page } = await b.page({ timezoneId: 'America/New_York' });
      await signIn(page, v, await v.token('alice'), '/oncall');
      const platform = page.getByRole('region', { name: 'platform' });
      const first = platform.getByRole('row').nth(1);
      await first.getByText('Bob Example').first().waitFor();
      // Monday 09:00 in Berlin is 03:00 in New York.
      const until = first.locator('time').first();
      expect(await until.textContent()).toBe('Nov 23, 2026, 3:00 AM');
      expect(await until.getAttribute('title')).toMatch(/^In the schedule’s zone \(Europe\/Berlin\): Mon, Nov 23, 9:00 AM GMT\+1$/);
      expect(await first.getByRole('listitem').count()).toBe(3);
    });

    it('silences: lists active ones and expires one', async () => {
      v = await startConsoleVigil();
      const created = await v.post('/api/v1/silences', { matchers: ['service="checkout"'], duration: '2h', createdBy: 'carol', comment: 'maintenance window' }, AUTH);
      expect(created.status).toBe(201);
      const { page } = await b.page();
      await signIn(page, v, await v.token('alice'), '/silences');
      const row = page.getByRole('row', { name: /maintenance window/ });
      await row.getByRole('code').getByText('service="checkout"').waitFor();
      await row.getByRole('button', { name: /^Expire/ }).click();
      await page.getByText('No silences.').waitFor();
      await page.getByRole('link', { name: 'Expired' }).click();
      await page.getByRole('row', { name: /maintenance window/ }).waitFor();
      expect((await v.json('/api/v1/silences?state=expired', AUTH)).silences).toHaveLength(1);
    });

    it('heartbeats: lists each monitor with its state, and pauses one', async () => {
      v = await startConsoleVigil();
      expect((await v.post('/api/v1/heartbeats', { name: 'nightly-backup', every: '1d', grace: '1h' }, AUTH)).status).toBe(201);
      await v.post('/api/v1/heartbeats/nightly-backup/ping', '');
      const { page } = await b.page();
      await signIn(page, v, await v.token('alice'), '/heartbeats');
      const row = page.getByRole('row', { name: /nightly-backup/ });
      await row.getByText('Up', { exact: true }).waitFor();
      expect(await row.getByText('every 1d · grace 1h').count()).toBe(1);
      await page.getByRole('row', { name: /watchdog/ }).getByText('New (never pinged)').waitFor();
      await row.getByRole('button', { name: 'Pause nightly-backup' }).click();
      await row.getByText('Paused', { exact: true }).waitFor();
      expect((await v.json('/api/v1/heartbeats/nightly-backup', AUTH)).paused).toBe(true);
    });

    it('reports: the period’s figures as charts and tables', async () => {
      v = await startConsoleVigil();
      await v.fire(warning(1), warning(2), { labels: { alertname: 'DbDown', service: 'db', severity: 'critical' }, annotations: { summary: 'Database down' } });
      v.clock.advance(10 * 60_000);
      await v.post('/api/v1/incidents/3/acknowledge', { by: 'alice' }, AUTH);
      v.clock.advance(60_000);
      const { page } = await b.page();
      await signIn(page, v, await v.token('alice'), '/reports');
      await page.getByRole('heading', { name: 'Incidents per day by severity' }).waitFor();
      expect(await page.getByRole('img', { name: 'Incidents per day by severity' }).count()).toBe(1);
      expect(await page.getByRole('img', { name: 'MTTA and MTTR per day (median)' }).count()).toBe(1);
      const cards = page.locator('.cards').first();
      expect(await cards.textContent()).toMatch(/^Incidents3/);
      expect(await cards.textContent()).toMatch(/MTTA \(time to acknowledge\)10m/);
      await page.getByRole('row', { name: /SlowQuery1/ }).waitFor();
      await page.getByLabel('Period').selectOption('30d');
      await page.waitForURL(`${v.url}/reports?since=30d`);
      await waitFor(async () => (await page.locator('svg[role="img"] g rect').count()) > 0, 5000, 'the bars');

      // A digest's link opens the digest's own period, not one counted back from now.
      const since = new Date(v.clock.now() - 3_600_000).toISOString();
      const until = new Date(v.clock.now() - 60_000).toISOString();
      await page.goto(`${v.url}/reports?${new URLSearchParams({ since, until })}`);
      await page.getByRole('heading', { name: 'Incidents per day by severity' }).waitFor();
      expect(await page.getByLabel('Period').locator('option:checked').textContent()).toBe('The linked period');
      await waitFor(async () => /^Incidents3/.test((await page.locator('.cards').first().textContent()) ?? ''), 5000, 'the linked period’s figures');
    });
  });
}
