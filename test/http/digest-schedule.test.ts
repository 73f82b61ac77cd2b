import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';
import { deliverAll, reportRulesDir, smtpServer, type Mail } from './reports-seed.js';

let v: TestVigil | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await v?.close();
  v = undefined;
  while (closers.length) await closers.pop()!();
});

const daily = (cron = '0 8 * * *') => ({ name: 'daily', cron, period: '1d', title: 'Daily digest', to: { roles: ['management'] } });

async function start(smtpPort: number, now: string, opts: { dbPath?: string; cron?: string; rules?: string } = {}) {
  return startVigil({
    file: {
      rules: { dir: opts.rules ?? reportRulesDir() },
      notify: { smtp: { host: '127.0.0.1', port: smtpPort, from: 'Vigil <vigil@example.com>' } },
      digests: { timeZone: 'Europe/Berlin', schedules: [daily(opts.cron)] },
    },
    now,
    dbPath: opts.dbPath,
  });
}

/** Moves the clock, runs one scheduler tick and delivers what it wrote. */
async function tickAt(t: TestVigil, iso: string): Promise<void> {
  t.clock.set(iso);
  await t.vigil.scheduler.tick();
  await deliverAll(t);
}

const headings = (mails: Mail[]) => mails.filter((m) => m.subject.includes('Daily digest')).map((m) => m.text.split('\n')[0]);

describe('digest schedules', () => {
  it('the daily digest goes out at 08:00 Berlin time on both sides of the October clock change', async () => {
    const smtp = await smtpServer();
    closers.push(smtp.close);
    // Saturday 24 October 2026, 07:00 CEST (UTC+2). Clocks go back on Sunday at 03:00 CEST to 02:00 CET (UTC+1).
    v = await start(smtp.port, '2026-10-24T05:00:00Z');
    await tickAt(v, '2026-10-24T05:00:00Z');
    await tickAt(v, '2026-10-24T05:59:59Z');
    expect(headings(smtp.received)).toEqual([]);

    await tickAt(v, '2026-10-24T06:00:00Z'); // 08:00 CEST
    expect(headings(smtp.received)).toEqual(['Daily digest: Fri 23 Oct 2026 08:00 – Sat 24 Oct 2026 08:00 (Europe/Berlin)']);

    // Sunday 06:00 UTC was 08:00 yesterday; today it is 07:00 CET: not yet.
    await tickAt(v, '2026-10-25T06:00:00Z');
    await tickAt(v, '2026-10-25T06:59:59Z');
    expect(headings(smtp.received)).toHaveLength(1);
    await tickAt(v, '2026-10-25T07:00:00Z'); // 08:00 CET
    // Saturday 08:00 to Sunday 08:00 on the wall clock: 25 hours.
    expect(headings(smtp.received)[1]).toBe('Daily digest: Sat 24 Oct 2026 08:00 – Sun 25 Oct 2026 08:00 (Europe/Berlin)');
    await tickAt(v, '2026-10-26T06:59:59Z');
    expect(headings(smtp.received)).toHaveLength(2);
    await tickAt(v, '2026-10-26T07:00:00Z');
    expect(headings(smtp.received)[2]).toBe('Daily digest: Sun 25 Oct 2026 08:00 – Mon 26 Oct 2026 08:00 (Europe/Berlin)');

    const rows = ((await v.json('/api/v1/notifications')).notifications as any[]).filter((n) => n.kind === 'digest');
    expect(rows.map((n) => [n.recipient.address, n.status, n.createdAt]).reverse()).toEqual([
      ['carol@example.com', 'delivered', '2026-10-24T06:00:00.000Z'],
      ['carol@example.com', 'delivered', '2026-10-25T07:00:00.000Z'],
      ['carol@example.com', 'delivered', '2026-10-26T07:00:00.000Z'],
    ]);
  });

  it('the due time survives a restart, and a changed cron takes effect from the next start', async () => {
    const smtp = await smtpServer();
    closers.push(smtp.close);
    const db = path.join(tempDir(), 'vigil.db');
    const rules = reportRulesDir();
    v = await start(smtp.port, '2026-03-02T06:00:00Z', { dbPath: db, rules });
    await tickAt(v, '2026-03-02T06:00:00Z');
    await v.close();
    // Back at 07:30 UTC (08:30 Berlin): the 08:00 run stored before the restart is due and goes out once.
    v = await start(smtp.port, '2026-03-02T07:30:00Z', { dbPath: db, rules });
    await tickAt(v, '2026-03-02T07:30:00Z');
    await tickAt(v, '2026-03-02T07:31:00Z');
    expect(headings(smtp.received)).toEqual(['Daily digest: Sun 1 Mar 2026 08:00 – Mon 2 Mar 2026 08:00 (Europe/Berlin)']);
    await v.close();
    // Now at 06:30 Berlin instead: the next run is Tuesday 06:30, not 08:00.
    v = await start(smtp.port, '2026-03-02T08:00:00Z', { dbPath: db, rules, cron: '30 6 * * *' });
    await tickAt(v, '2026-03-02T08:00:00Z');
    await tickAt(v, '2026-03-03T05:29:59Z');
    expect(headings(smtp.received)).toHaveLength(1);
    await tickAt(v, '2026-03-03T05:30:00Z');
    expect(headings(smtp.received)[1]).toBe('Daily digest: Mon 2 Mar 2026 06:30 – Tue 3 Mar 2026 06:30 (Europe/Berlin)');
  });
});
