import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../e2e/support.js';
import { CHROMIUM, launchConsoleBrowser, type ConsoleBrowser } from '../helpers/browser.js';
import { signIn, startConsoleVigil, type ConsoleVigil } from '../helpers/console.js';
import { waitFor } from '../helpers/wait.js';

/** The live board and the critical pop-up: alerts posted over HTTP reach a console that is already open. */
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

  const critical = (name: string, service: string, summary: string) => ({
    labels: { alertname: name, service, severity: 'critical', instance: `${service}-1` },
    annotations: { summary },
  });

  describe('the live board', () => {
    it('a critical alert appears on an open board and raises the pop-up; Acknowledge there acknowledges it as the person', async () => {
      v = await startConsoleVigil();
      const { page, context } = await b.page();
      await signIn(page, v, await v.token('bob'));
      await page.getByText('No incidents match.').waitFor();

      await v.fire(critical('DiskFull', 'checkout', 'Disk full on checkout-1'));
      await page.getByRole('link', { name: '#1 Disk full on checkout-1' }).waitFor();
      const dialog = page.getByRole('alertdialog');
      await dialog.waitFor();
      expect(await dialog.getByRole('heading').textContent()).toBe('Critical incident');
      const text = await dialog.textContent();
      expect(text).toContain('Disk full on checkout-1');
      expect(text).toMatch(/Service\s*checkout/);
      expect(text).toMatch(/Priority\s*P1/);
      expect(text).toMatch(/Open for\s*0s/);
      await waitFor(async () => (await page.title()) === '(1) Vigil', 5000, 'the count in the tab title');

      await dialog.getByRole('button', { name: 'Acknowledge', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      const incident = await v.incident(1);
      expect(incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'bob' });
      expect(incident.timeline.find((e: any) => e.kind === 'acknowledged')).toMatchObject({ message: 'acknowledged by Bob Example (console)', source: 'console' });
      await page.getByRole('row', { name: /#1 Disk full/ }).getByText('Acknowledged').waitFor();
      await waitFor(async () => (await page.title()) === 'Vigil', 5000, 'the count to leave the tab title');
      await context.close();
    });

    it('a warning shows a notice but no pop-up; reminders and info appear on the board only', async () => {
      v = await startConsoleVigil();
      const { page, context } = await b.page();
      await signIn(page, v, await v.token('alice'));
      await v.fire({ labels: { alertname: 'HighCPU', service: 'search', instance: 'search-2', severity: 'warning' }, annotations: { summary: 'CPU above 70 % on search-2' } });
      await page.getByRole('status').getByText('Warning incident: CPU above 70 % on search-2').waitFor();
      await v.fire(
        { labels: { alertname: 'CertExpiry', service: 'edge', severity: 'reminder' }, annotations: { summary: 'Certificate expires soon' } },
        { labels: { alertname: 'BackupSlow', service: 'backup', severity: 'info' }, annotations: { summary: 'Backup was slow' } },
      );
      await page.getByRole('link', { name: /Certificate expires soon/ }).waitFor();
      await page.getByRole('link', { name: /Backup was slow/ }).waitFor();
      expect(await page.getByRole('alertdialog').count()).toBe(0);
      expect(await page.getByRole('status').textContent()).not.toMatch(/Certificate|Backup/);
      expect(await page.title()).toBe('Vigil');
      await context.close();
    });

    it('several critical incidents stack in one dialog counted in the tab title; closing it acknowledges nothing', async () => {
      v = await startConsoleVigil();
      const { page, context } = await b.page();
      await signIn(page, v, await v.token('alice'));
      await v.fire(critical('HighErrorRate', 'payments', 'Payments failing'), critical('DiskFull', 'orders', 'Orders disk full'));
      const dialog = page.getByRole('alertdialog');
      await dialog.getByRole('heading', { name: '2 critical incidents' }).waitFor();
      expect(await dialog.getByRole('listitem').count()).toBe(2);
      // The tab title follows the dialog on the next render.
      await waitFor(async () => (await page.title()) === '(2) Vigil', 5000, 'the count in the tab title');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect((await v.incident(1)).status).toBe('triggered');
      expect((await v.incident(2)).status).toBe('triggered');
      expect(await page.title()).toBe('(2) Vigil');

      // A third one raises the dialog again with everything still waiting; one click acknowledges them all.
      await v.fire(critical('InstanceDown', 'cart', 'Cart down'));
      await dialog.getByRole('heading', { name: '3 critical incidents' }).waitFor();
      await dialog.getByRole('button', { name: 'Acknowledge all' }).click();
      await dialog.waitFor({ state: 'hidden' });
      for (const id of [1, 2, 3]) expect((await v.incident(id)).acknowledgedBy).toBe('alice');
      await context.close();
    });

    it('"Open incident" leads to the incident; a notification is shown once the person allowed it (asked by a button, never on load)', async () => {
      v = await startConsoleVigil();
      const { page, context } = await b.page();
      await context.addInitScript(() => {
        const w = globalThis as any;
        w.__shown = [];
        w.__asked = 0;
        class FakeNotification {
          static permission = 'default';
          static async requestPermission() {
            w.__asked++;
            FakeNotification.permission = 'granted';
            return 'granted';
          }
          onclick: (() => void) | null = null;
          constructor(title: string, options: { body?: string }) {
            w.__shown.push({ title, body: options.body });
          }
          close() {}
        }
        w.Notification = FakeNotification;
      });
      await signIn(page, v, await v.token('alice'));
      expect(await page.evaluate('window.__asked')).toBe(0);
      await page.getByRole('button', { name: 'Allow notifications' }).click();
      await page.getByRole('button', { name: 'Allow notifications' }).waitFor({ state: 'detached' });
      expect(await page.evaluate('window.__asked')).toBe(1);

      await v.fire(critical('QueueStuck', 'mail', 'Mail queue stuck'));
      const dialog = page.getByRole('alertdialog');
      await dialog.getByRole('button', { name: 'Open incident' }).click();
      await page.getByRole('heading', { level: 1, name: /#1 Mail queue stuck/ }).waitFor();
      await page.waitForURL(`${v.url}/incidents/1`);
      expect(await page.evaluate('window.__shown')).toEqual([{ title: 'Critical incident', body: expect.stringContaining('Mail queue stuck') }]);
      expect((await v.incident(1)).status).toBe('triggered');
      await context.close();
    });

    it('when a proxy refuses the event stream, the board polls and still shows new incidents', async () => {
      v = await startConsoleVigil();
      const { page, context } = await b.page();
      let refused = 0;
      await page.route('**/api/v1/events*', (route) => {
        if (!(route.request().headers().accept ?? '').includes('text/event-stream')) return route.continue();
        refused++;
        return route.fulfill({ status: 200, contentType: 'text/html', body: '<p>streams are not allowed here</p>' });
      });
      await signIn(page, v, await v.token('alice'));
      await page.getByText('Live (polling)').waitFor();
      await v.fire(critical('DiskFull', 'checkout', 'Disk full while polling'));
      await page.getByRole('link', { name: /Disk full while polling/ }).waitFor();
      await page.getByRole('alertdialog').waitFor();
      expect(refused).toBe(1);
      // Chromium says why it gave the stream up; nothing else went wrong.
      expect(b.unexpectedErrors()).toEqual([expect.stringMatching(/^console: EventSource's response has a MIME type/)]);
      await context.close();
    });
  });
}
