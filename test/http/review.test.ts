import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';
import { API, act, deliverAll, fire, reportRulesDir, smtpServer } from './reports-seed.js';

let v: TestVigil | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await v?.close();
  v = undefined;
  while (closers.length) await closers.pop()!();
});

async function start(smtpPort: number, opts: { dbPath?: string; rules?: string; now?: string } = {}) {
  return startVigil({
    file: {
      rules: { dir: opts.rules ?? reportRulesDir() },
      server: { publicUrl: 'https://vigil.example.com' },
      notify: { smtp: { host: '127.0.0.1', port: smtpPort, from: 'Vigil <vigil@example.com>' } },
    },
    auth: { apiTokens: ['api-token'] },
    dbPath: opts.dbPath,
    now: opts.now ?? '2026-03-10T08:00:00Z',
  });
}

const disk = { alertname: 'DiskFull', service: 'db', team: 'platform', severity: 'critical' };

/** A P1: fired 09:00, acknowledged 09:10 by alice, a note at 09:20, resolved 10:00 by alice. */
async function p1(t: TestVigil): Promise<void> {
  await fire(t, '2026-03-10T09:00:00Z', disk);
  await act(t, '2026-03-10T09:10:00Z', 1, 'acknowledge', 'alice');
  t.clock.set('2026-03-10T09:20:00Z');
  const note = await t.post('/api/v1/incidents/1/notes', { by: 'alice', text: 'disk full of old WAL files; removing them' }, API);
  expect(note.status).toBe(201);
  await act(t, '2026-03-10T10:00:00Z', 1, 'resolve', 'alice');
}

const reviews = async (t: TestVigil) =>
  ((await t.json('/api/v1/notifications?limit=1000', API)).notifications as any[]).filter((n) => n.kind === 'review');

/** The rows of the review's Timeline table: [time, event, by]. */
function timelineRows(markdown: string): string[][] {
  const section = markdown.split('## Timeline')[1]!.split('\n## ')[0]!;
  return section
    .split('\n')
    .filter((line) => /^\| \d{4}-/.test(line))
    .map((line) => line.split(' | ').map((c) => c.replace(/^\| /, '').trim()).slice(0, 3));
}

describe('post-incident review', () => {
  it('GET /api/v1/incidents/:id/review is the Markdown draft with the timeline in order', async () => {
    const smtp = await smtpServer();
    closers.push(smtp.close);
    v = await start(smtp.port);
    await p1(v);
    const res = await v.get('/api/v1/incidents/1/review', API);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    const md = await res.text();
    expect(md.startsWith('# Post-incident review: #1 DiskFull on db\n')).toBe(true);
    for (const heading of ['Summary', 'Impact window', 'Response', 'Timeline', 'Notifications and escalations', 'Runbook actions', 'Notes', 'Root cause', 'Follow-up actions']) {
      expect(md).toContain(`\n## ${heading}\n`);
    }
    expect(md).toContain('| Severity | critical (P1) |');
    expect(md).toContain('- Time to acknowledge: 10m 00s (SLA 15m 00s: met)');
    expect(md).toContain('- Time to resolve: 1h 00m (SLA 4h 00m: met)');
    expect(md).toContain('| Record | https://vigil.example.com/incidents/1 |');
    const rows = timelineRows(md);
    expect(rows.map((r) => r[0])).toEqual([...rows.map((r) => r[0])].sort());
    const kinds = rows.map((r) => r[1]);
    expect(kinds[0]).toBe('triggered');
    expect(kinds.filter((k) => ['acknowledged', 'note', 'resolved'].includes(k!))).toEqual(['acknowledged', 'note', 'resolved']);
    expect(rows.find((r) => r[1] === 'acknowledged')).toEqual(['2026-03-10T09:10:00Z', 'acknowledged', 'alice']);
    expect(rows.find((r) => r[1] === 'note')).toEqual(['2026-03-10T09:20:00Z', 'note', 'alice']);
    expect(rows.at(-1)).toEqual(['2026-03-10T10:00:00Z', 'resolved', 'alice']);
    expect(md).toContain('> disk full of old WAL files; removing them');
    // Who was told: alice by voice and chat, bob by SMS, carol by email.
    expect(md).toMatch(/\| 2026-03-10T09:00:00Z \| page \| Alice Example \(alice\) \| voice \|/);
    expect(md).toMatch(/\| 2026-03-10T09:00:00Z \| page \| Bob Example \(bob\) \| sms \|/);

    expect((await v.get('/api/v1/incidents/99/review', API)).status).toBe(404);
    expect(((await (await v.get('/api/v1/incidents/abc/review', API)).json()) as any).error.code).toBe('not_found');
    expect((await v.get('/api/v1/incidents/1/review')).status).toBe(401);
  });

  it('is sent by email to management and everyone paged once the P1 resolves, and only once', async () => {
    const smtp = await smtpServer();
    closers.push(smtp.close);
    const db = path.join(tempDir(), 'vigil.db');
    const rules = reportRulesDir();
    v = await start(smtp.port, { dbPath: db, rules });
    await fire(v, '2026-03-10T09:00:00Z', disk);
    await v.vigil.scheduler.tick();
    expect(await reviews(v)).toEqual([]);
    await act(v, '2026-03-10T09:10:00Z', 1, 'acknowledge', 'alice');
    await act(v, '2026-03-10T10:00:00Z', 1, 'resolve', 'alice');
    await v.vigil.scheduler.tick();
    expect((await reviews(v)).map((n) => `${n.channel}:${n.recipient.address}:${n.incidentId}`).sort()).toEqual([
      'email:alice@example.com:1',
      'email:bob@example.com:1',
      'email:carol@example.com:1',
    ]);
    await deliverAll(v);
    const sent = () => smtp.received.filter((m) => m.subject.includes('REVIEW'));
    expect(sent().map((m) => m.to[0]).sort()).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);
    const mail = sent()[0]!;
    expect(mail.subject).toBe('[P1 REVIEW] #1 DiskFull on db: post-incident review draft');
    expect(mail.text).toContain('# Post-incident review: #1 DiskFull on db');
    expect(mail.text).toContain('| 2026-03-10T10:00:00Z | resolved | alice |');
    expect(mail.text).toContain('The latest draft: https://vigil.example.com/incidents/1');
    expect(mail.html).toContain('<pre');
    expect(mail.html).toContain('# Post-incident review: #1 DiskFull on db');
    // Threaded with the incident's other email.
    expect(mail.headers['in-reply-to']).toBe('<incident-1@vigil>');

    // Later ticks, a restart, and the incident flapping and resolving again send nothing more.
    await v.vigil.scheduler.tick();
    await v.close();
    v = await start(smtp.port, { dbPath: db, rules, now: '2026-03-10T10:05:00Z' });
    await v.vigil.scheduler.tick();
    await fire(v, '2026-03-10T10:06:00Z', disk);
    expect((await v.json('/api/v1/incidents/1', API)).status).toBe('triggered');
    await act(v, '2026-03-10T10:20:00Z', 1, 'resolve', 'alice');
    await v.vigil.scheduler.tick();
    await deliverAll(v);
    expect(await reviews(v)).toHaveLength(3);
    expect(sent()).toHaveLength(3);
  });

  it('P2 incidents get a review, P3 and P4 do not (their draft is still available)', async () => {
    const smtp = await smtpServer();
    closers.push(smtp.close);
    v = await start(smtp.port);
    await fire(v, '2026-03-10T09:00:00Z', { alertname: 'HighLatency', service: 'api', team: 'platform', severity: 'warning' });
    await fire(v, '2026-03-10T09:01:00Z', { alertname: 'CertExpiring', service: 'www', team: 'platform', severity: 'reminder' });
    await fire(v, '2026-03-10T09:02:00Z', { alertname: 'BackupDone', service: 'backup', severity: 'info' });
    for (const id of [1, 2, 3]) await act(v, '2026-03-10T09:30:00Z', id, 'resolve', 'bob');
    await v.vigil.scheduler.tick();
    // P2: management (carol) and everyone its page went to (the team, alice and bob, by email; bob on duty by chat).
    expect((await reviews(v)).map((n) => `${n.incidentId}:${n.recipient.address}`).sort()).toEqual([
      '1:alice@example.com',
      '1:bob@example.com',
      '1:carol@example.com',
    ]);
    const p4 = await v.get('/api/v1/incidents/3/review', API);
    expect(p4.status).toBe(200);
    expect(await p4.text()).toContain('# Post-incident review: #3 BackupDone on backup');
  });
});
