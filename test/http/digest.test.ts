import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';
import { API, at, deliverAll, fakeSlack, reportRulesDir, seedWeek, smtpServer, type Mail } from './reports-seed.js';

let v: TestVigil | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await v?.close();
  v = undefined;
  while (closers.length) await closers.pop()!();
});

async function channels() {
  const smtp = await smtpServer();
  const slack = await fakeSlack();
  closers.push(smtp.close, slack.close);
  return { smtp, slack };
}

function config(smtpPort: number, slackUrl: string, schedules: object[], rulesDir = reportRulesDir()) {
  return {
    rules: { dir: rulesDir },
    server: { publicUrl: 'https://vigil.example.com' },
    notify: {
      smtp: { host: '127.0.0.1', port: smtpPort, from: 'Vigil <vigil@example.com>' },
      slack: { botToken: 'xoxb-test-digest', slackApiUrl: slackUrl },
    },
    digests: { timeZone: 'Europe/Berlin', schedules },
  };
}

const weekly = {
  name: 'weekly',
  cron: '0 8 * * 1',
  period: '7d',
  title: 'Weekly digest',
  to: { roles: ['management'], emails: ['ceo@example.com'], slack: ['#managers'] },
};

const digestsIn = (mails: Mail[]) => mails.filter((m) => m.subject.includes('digest'));
const digestRows = async (t: TestVigil) =>
  ((await t.json('/api/v1/notifications?limit=1000', API)).notifications as any[]).filter((n) => n.kind === 'digest');

describe('the weekly digest', () => {
  it('reaches management and the named address by email with its figures and charts, and the Slack channel', async () => {
    const { smtp, slack } = await channels();
    v = await startVigil({ file: config(smtp.port, slack.url, [weekly]), now: '2026-03-09T08:00:00Z' });
    // The first tick stores the schedule's next due time: Monday 16 March 08:00 Berlin.
    await v.vigil.scheduler.tick();
    await seedWeek(v);
    v.clock.set('2026-03-16T07:00:00Z');
    await v.vigil.scheduler.tick();
    expect((await digestRows(v)).map((n) => `${n.channel}:${n.recipient.address}`).sort()).toEqual([
      'chat:#managers',
      'email:carol@example.com',
      'email:ceo@example.com',
    ]);
    await deliverAll(v);

    const mails = digestsIn(smtp.received);
    expect(mails.map((m) => m.to[0]).sort()).toEqual(['carol@example.com', 'ceo@example.com']);
    const mail = mails[0]!;
    expect(mail.subject).toBe('[Vigil] Weekly digest, 9 Mar – 16 Mar 2026: 5 incidents, 1 open, ack SLA 50% (missed), resolve SLA 50% (missed)');
    expect(mail.headers.from).toBe('Vigil <vigil@example.com>');
    // The text part is the terminal table: the period, counts, MTTA/MTTR, compliance, load.
    expect(mail.text).toContain('Weekly digest: Mon 9 Mar 2026 08:00 – Mon 16 Mar 2026 08:00 (Europe/Berlin)');
    expect(mail.text).toContain('Incidents: 5 (critical 2, warning 2, reminder 0, info 1; P1 2, P2 2, P3 0, P4 1), 4 resolved');
    expect(mail.text).toMatch(/Time to acknowledge \(MTTA\)\s+10m 00s\s+40m 00s\s+3\n/);
    expect(mail.text).toMatch(/Time to resolve \(MTTR\)\s+1h 00m\s+5h 00m\s+4\n/);
    expect(mail.text).toMatch(/Acknowledge\s+2\s+2\s+0\s+50%\s+95%\s+MISSED\n/);
    expect(mail.text).toMatch(/#5\s+P2 warning\s+triggered\s+3d 19h\s+web\s+QueueBacklog on queue/);
    expect(mail.text).toContain('Pages: 5 to people, 1 at night (22:00–07:00)');
    expect(mail.text).toMatch(/Bob Example \(bob\)\s+4\s+1\s+80%\s+0\n/);
    expect(mail.text).toContain('https://vigil.example.com');
    // The HTML part has the same figures in boxes, both charts, and links to the incidents.
    expect(mail.html).toContain('data-section="figures"');
    expect(mail.html).toMatch(/MTTA<\/div>\s*<div[^>]*>10m 00s<\/div>\s*<div[^>]*>median · p90 40m 00s/);
    expect(mail.html).toMatch(/Ack SLA<\/div>\s*<div[^>]*color:#c62828[^>]*>50%<\/div>\s*<div[^>]*>target 95%: MISSED \(2\/4\)/);
    expect(mail.html).toContain('data-chart="incidents-per-day"');
    expect(mail.html).toContain('data-chart="response-trend"');
    // Monday: one critical and one warning bar segment; the chart carries the counts as text too.
    expect(mail.html).toMatch(/Mon 9 Mar<\/td><td[^>]*><table[^>]*><tr><td[^>]*title="1 critical"[^>]*>&nbsp;<\/td><td[^>]*title="1 warning"/);
    expect(mail.html).toContain('<a href="https://vigil.example.com/incidents/5">#5</a>');

    const posts = slack.posts.filter((p) => p.channel === '#managers');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Weekly digest' } });
    const fields = posts[0]!.blocks[2].fields.map((f: any) => f.text);
    expect(fields).toContain('*MTTA*\n10m 00s median, 40m 00s p90');
    expect(fields).toContain('*Ack SLA*\n50% ❌ (target 95%, MISSED)');
    expect(posts[0]!.text).toMatch(/^Weekly digest: 5 incidents, 1 open; MTTA 10m 00s, MTTR 1h 00m/);

    // Sent once: the next run is a week later.
    v.clock.set('2026-03-16T07:05:00Z');
    await v.vigil.scheduler.tick();
    await deliverAll(v);
    expect(digestsIn(smtp.received)).toHaveLength(2);
    expect(await digestRows(v)).toHaveLength(3);
    expect(await (await v.get('/metrics')).text()).toContain('vigil_report_messages_total{kind="digest"} 3');
  });

  it('a quiet period says so in one line', async () => {
    const { smtp, slack } = await channels();
    v = await startVigil({ file: config(smtp.port, slack.url, [weekly]), now: '2026-03-09T08:00:00Z' });
    await v.vigil.scheduler.tick();
    v.clock.set('2026-03-16T07:00:00Z');
    await v.vigil.scheduler.tick();
    await deliverAll(v);
    const [mail] = digestsIn(smtp.received);
    expect(mail!.subject).toBe('[Vigil] Weekly digest, 9 Mar – 16 Mar 2026: no incidents');
    expect(mail!.text).toBe('Weekly digest: Mon 9 Mar 2026 08:00 – Mon 16 Mar 2026 08:00 (Europe/Berlin)\n\nNo incidents between Mon 9 Mar 2026 08:00 and Mon 16 Mar 2026 08:00 (Europe/Berlin).\n');
    expect(mail!.html).not.toContain('<table');
  });

  it('reaches each reader in their language: Chinese to a manager with locale zh-CN, English to the rest', async () => {
    const { smtp, slack } = await channels();
    const rules = reportRulesDir();
    const peopleFile = path.join(rules, '20-people.yaml');
    writeFileSync(peopleFile, readFileSync(peopleFile, 'utf8').replace('email: carol@example.com }', 'email: carol@example.com, locale: zh-CN }'));
    // No title of its own: each language says "weekly digest" in its words.
    const { title: _, ...untitled } = weekly;
    v = await startVigil({ file: config(smtp.port, slack.url, [untitled], rules), now: '2026-03-09T08:00:00Z' });
    await v.vigil.scheduler.tick();
    await seedWeek(v);
    v.clock.set('2026-03-16T07:00:00Z');
    await v.vigil.scheduler.tick();
    await deliverAll(v);
    const to = (address: string) => smtp.received.find((m) => m.to[0] === address && m.subject.startsWith('[Vigil]'))!;
    const carol = to('carol@example.com');
    expect(carol.subject).toBe('[Vigil] 每周报告，2026年3月9日 – 3月16日：5 个事件，1 个未解决，响应 SLA 50%（未达成），解决 SLA 50%（未达成）');
    expect(carol.text).toContain('每周报告：2026年3月9日 周一 08:00 – 2026年3月16日 周一 08:00（Europe/Berlin）');
    expect(carol.text).toMatch(/响应时间 \(MTTA\)\s+10分00秒\s+40分00秒\s+3\n/);
    expect(carol.html).toContain('<html lang="zh-CN">');
    expect(to('ceo@example.com').subject).toBe('[Vigil] Weekly digest, 9 Mar – 16 Mar 2026: 5 incidents, 1 open, ack SLA 50% (missed), resolve SLA 50% (missed)');
    expect(slack.posts.find((p) => p.channel === '#managers')!.text).toMatch(/^Weekly digest: 5 incidents/);
  });

  it('runs missed while Vigil was down are caught up in one digest after a restart', async () => {
    const { smtp, slack } = await channels();
    const db = path.join(tempDir(), 'vigil.db');
    const rules = reportRulesDir();
    const daily = { name: 'daily', cron: '0 8 * * *', period: '1d', title: 'Daily digest', to: { roles: ['management'] } };
    v = await startVigil({ file: config(smtp.port, slack.url, [daily], rules), dbPath: db, now: '2026-03-09T08:00:00Z' });
    await v.vigil.scheduler.tick();
    await seedWeek(v);
    await v.close();
    // Down from Monday until Thursday 09:30 Berlin: the digests due Tuesday, Wednesday and Thursday 08:00 were missed.
    v = await startVigil({ file: config(smtp.port, slack.url, [daily], rules), dbPath: db, now: '2026-03-12T08:30:00Z' });
    await v.vigil.scheduler.tick();
    await v.vigil.scheduler.tick();
    await deliverAll(v);
    const mails = digestsIn(smtp.received);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('Daily digest: Mon 9 Mar 2026 08:00 – Thu 12 Mar 2026 08:00 (Europe/Berlin)');
    expect(mails[0]!.text).toContain('Incidents: 4 (critical 2, warning 1, reminder 0, info 1; P1 2, P2 1, P3 0, P4 1), 4 resolved');
    // And the next is Friday's, as usual.
    v.clock.set(at('2026-03-13T07:00:00Z'));
    await v.vigil.scheduler.tick();
    await deliverAll(v);
    expect(digestsIn(smtp.received).map((m) => m.text.split('\n')[0])).toEqual([
      'Daily digest: Mon 9 Mar 2026 08:00 – Thu 12 Mar 2026 08:00 (Europe/Berlin)',
      'Daily digest: Thu 12 Mar 2026 08:00 – Fri 13 Mar 2026 08:00 (Europe/Berlin)',
    ]);
  });
});
