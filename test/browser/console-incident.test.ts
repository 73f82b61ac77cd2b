import { cpSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { realSleep } from '../../src/runbooks/timing.js';
import { requireBinary } from '../e2e/support.js';
import { CHROMIUM, launchConsoleBrowser, type ConsoleBrowser } from '../helpers/browser.js';
import { AUTH, signIn, startConsoleVigil, type ConsoleVigil } from '../helpers/console.js';
import { tempDir } from '../helpers/vigil.js';
import { waitFor } from '../helpers/wait.js';

/** The incident page: everything about one incident, and acting on it, under the person's name. */
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

  const diskFull = {
    labels: { alertname: 'DiskFull', service: 'checkout', instance: 'db-1', severity: 'critical' },
    annotations: { summary: 'Disk full on db-1', runbook_url: 'https://wiki.example.com/runbooks/disk', description: 'Only 2 % left' },
  };

  /** Runs the outbox the way the serving Vigil does, until nothing is due. */
  async function deliverPages(t: ConsoleVigil) {
    while ((await t.vigil.notifier.dispatcher.runOnce()) > 0) t.clock.advance(1000);
  }

  describe('the incident page', () => {
    it('shows the alerts, why it paged, the timeline and each page; a note and an acknowledgement land on the timeline with the person', async () => {
      v = await startConsoleVigil();
      await v.fire(diskFull);
      await deliverPages(v);
      const { page, context } = await b.page();
      await signIn(page, v, await v.token('alice'), '/incidents/1');
      await page.getByRole('heading', { level: 1, name: '#1 Disk full on db-1' }).waitFor();
      await waitFor(async () => (await page.title()) === '#1 Disk full on db-1 · Vigil', 5000, 'the page title');

      const alerts = page.getByRole('region', { name: /Alerts/ });
      expect(await alerts.textContent()).toContain('instance=db-1');
      expect(await alerts.getByRole('link', { name: 'https://wiki.example.com/runbooks/disk' }).getAttribute('href')).toBe('https://wiki.example.com/runbooks/disk');

      const why = page.getByRole('region', { name: 'Why was this paged' });
      expect(await why.textContent()).toMatch(/oncall: Phone call, Chat/);

      const pages = page.getByRole('region', { name: 'Pages' });
      const rows = pages.getByRole('row');
      expect(await rows.count()).toBe(5);
      expect(await pages.textContent()).toMatch(/Bob Example.*Phone call.*Delivered/s);
      expect(await pages.textContent()).toContain('Carol Example (support manager)');

      const timeline = page.getByRole('region', { name: 'Timeline' });
      for (const kind of ['Opened', 'Classified', 'Paging', 'Notified']) await timeline.getByText(kind, { exact: true }).first().waitFor();

      await page.getByLabel('Note', { exact: true }).fill('Cleaning up old logs on db-1');
      await page.getByRole('button', { name: 'Add note' }).click();
      await timeline.getByText('Cleaning up old logs on db-1').waitFor();
      await page.getByLabel('Note for this action (optional)').fill('on it');
      await page.getByRole('button', { name: 'Acknowledge' }).click();
      await timeline.getByText('acknowledged by Alice Example (console): on it').waitFor();
      const after = await v.incident(1);
      expect(after.timeline.find((e: any) => e.kind === 'note')).toMatchObject({ actor: 'alice', source: 'console', message: 'Cleaning up old logs on db-1' });
      expect(after).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'alice' });
      // The events arrive in order, newest last.
      const kinds = await timeline.locator('.kind').allTextContents();
      expect(kinds[0]).toBe('Opened');
      expect(kinds[kinds.length - 1]).toBe('Acknowledged');
      await context.close();
    });

    it('alert data is text: a label holding HTML renders as those characters, and only http(s) links are links', async () => {
      v = await startConsoleVigil();
      const html = '<img src=x onerror=alert(1)>';
      await v.fire({
        labels: { alertname: 'Injected', service: 'web', severity: 'warning', note: html },
        annotations: { summary: `Title ${html}`, dashboard: 'javascript:alert(2)' },
      });
      const { page, context } = await b.page();
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await signIn(page, v, await v.token('alice'));
      await page.getByRole('link', { name: `#1 Title ${html}` }).click();
      const alerts = page.getByRole('region', { name: /Alerts/ });
      await alerts.getByText(html, { exact: true }).waitFor();
      expect(await page.locator('img').count()).toBe(0);
      await alerts.getByText('javascript:alert(2)').waitFor();
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
      expect(dialogs).toEqual([]);
      await context.close();
    });

    it('silences its alerts with matchers prefilled from the labels, after a preview; the silence is the person’s', async () => {
      v = await startConsoleVigil();
      await v.fire(diskFull);
      const { page, context } = await b.page();
      await signIn(page, v, await v.token('alice'), '/incidents/1');
      const silence = page.getByRole('region', { name: 'Silence its alerts' });
      const matchers = silence.getByLabel(/^Matchers/);
      expect((await matchers.inputValue()).split('\n')).toEqual(['alertname="DiskFull"', 'instance="db-1"', 'service="checkout"', 'severity="critical"']);
      await matchers.fill('alertname="DiskFull"\ninstance="db-1"');
      await silence.getByRole('button', { name: 'Preview' }).click();
      await silence.getByText('Would mute 1 firing alert(s) now.').waitFor();
      await silence.getByLabel('For').selectOption({ label: 'until they resolve (lasts 30 days; expire it on the Silences page)' });
      await silence.getByLabel('Comment').fill('disk being replaced');
      await silence.getByRole('button', { name: 'Create silence' }).click();
      await silence.getByText(/^Silence [0-9a-f-]+ created, until /).waitFor();
      const { silences } = await v.json('/api/v1/silences', AUTH);
      expect(silences).toEqual([
        expect.objectContaining({ matchers: ['alertname="DiskFull"', 'instance="db-1"'], createdBy: 'Alice Example', comment: 'disk being replaced', state: 'active' }),
      ]);
      expect(Date.parse(silences[0].endsAt) - v.clock.now()).toBe(30 * 86_400_000);
      // The scheduler's suppression pass mutes alerts already firing (the serving Vigil runs it every second).
      await v.vigil.scheduler.tick();
      expect((await v.incident(1)).suppressed).toBe(true);
      await page.getByText('Suppressed').first().waitFor();
      await context.close();
    });

    it('a runbook step that waits for a person is approved from the page, under their name', async () => {
      // The shipped runbooks (the rules name them) plus one that asks first.
      const dir = path.join(tempDir('vigil-runbooks-'), 'runbooks');
      cpSync(path.join(import.meta.dirname, '..', '..', 'runbooks'), dir, { recursive: true });
      writeFileSync(
        path.join(dir, 'careful.yaml'),
        "name: careful\nsteps:\n  - name: ask\n    type: approve\n    prompt: 'Restart {{ labels.service }}?'\n    timeout: 10m\n  - name: tell\n    type: notify\n    message: restarting\n",
      );
      // The approval waits in real time (a person answers within the test), capped short.
      v = await startConsoleVigil({ file: { runbooks: { dir } }, sleep: (ms, signal) => realSleep(Math.min(ms, 20_000), signal) });
      await v.fire({ labels: { alertname: 'SlowCheckout', service: 'checkout', severity: 'warning' }, annotations: { summary: 'Checkout is slow' } });
      const { page } = await b.page();
      await signIn(page, v, await v.token('alice'), '/incidents/1');
      const runbooks = page.getByRole('region', { name: 'Runbooks' });
      await runbooks.getByLabel('Runbook').selectOption('careful');
      await runbooks.getByLabel('Dry run (only record what it would do)').uncheck();
      await runbooks.getByRole('button', { name: 'Run runbook' }).click();
      await runbooks.getByText('Waiting for approval: Restart checkout?').waitFor();
      await runbooks.getByLabel('Comment (optional)').fill('go ahead');
      await runbooks.getByRole('button', { name: 'Approve' }).click();
      const done = await waitFor(
        async () => {
          const { runs } = await v.json('/api/v1/runbooks/runs?incident=1', AUTH);
          return runs[0]?.status === 'done' ? runs[0] : undefined;
        },
        10_000,
        'the run to end',
      );
      expect(done).toMatchObject({ runbook: 'careful', dryRun: false, requestedBy: 'alice', outcome: 'succeeded' });
      expect(done.approvals[0]).toMatchObject({ status: 'approved', decidedBy: 'alice', comment: 'go ahead' });
      await runbooks.getByText(/ask: approved \(alice: go ahead\)/).waitFor();
      rmSync(path.dirname(dir), { recursive: true, force: true });
    });

    it('runs a runbook as a dry run, escalates on request, and shows the review draft of a P1 as text', async () => {
      v = await startConsoleVigil();
      await v.fire(diskFull);
      const { page, context } = await b.page();
      await signIn(page, v, await v.token('alice'), '/incidents/1');
      const runbooks = page.getByRole('region', { name: 'Runbooks' });
      await runbooks.getByLabel('Runbook').selectOption('disk-cleanup');
      expect(await runbooks.getByLabel('Dry run (only record what it would do)').isChecked()).toBe(true);
      await runbooks.getByRole('button', { name: 'Run runbook' }).click();
      await runbooks.getByText('disk-cleanup', { exact: true }).waitFor();
      const { runs } = await v.json('/api/v1/runbooks/runs?incident=1', AUTH);
      expect(runs[0]).toMatchObject({ runbook: 'disk-cleanup', dryRun: true, requestedBy: 'alice' });

      await page.getByRole('button', { name: 'Escalate now' }).click();
      await waitFor(async () => (await v.incident(1)).escalationTier === 2, 5000, 'the escalation');
      // Tier 2 is alice herself: the escalation raises her pop-up.
      const dialog = page.getByRole('alertdialog');
      await dialog.getByText('escalated to you').waitFor();
      await dialog.getByRole('button', { name: 'Close' }).click();
      await page.getByRole('region', { name: 'Timeline' }).getByText('Escalated', { exact: true }).first().waitFor();

      await page.getByText('Post-incident review (draft)').click();
      const review = page.getByRole('region', { name: 'Post-incident review (draft)' });
      await review.getByRole('heading', { name: 'Post-incident review: #1 Disk full on db-1' }).waitFor();
      await review.getByRole('cell', { name: 'critical (P1)' }).waitFor();
      expect(await review.locator('.markdown').textContent()).not.toMatch(/<!--|\|---/);
      await context.close();
    });
  });
}
