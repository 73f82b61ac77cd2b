import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../src/observe/logger.js';
import { amWebhook, startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';
import { waitFor } from '../helpers/wait.js';
import { deliverAll, fakeSlack, people, reportRulesDir, smtpServer, type SlackPost } from './reports-seed.js';

/**
 * What a hostile sender's alert data can and cannot do in the messages Vigil sends: real SMTP and a
 * stand-in for Slack's Web API, the shipped policies (critical: chat to on-call, email to management).
 */
let v: TestVigil | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await v?.close();
  v = undefined;
  while (closers.length) await closers.pop()!();
});

async function vigilWithChannels(extra: { rules?: string; runbooks?: string; logger?: ReturnType<typeof createLogger> } = {}) {
  const smtp = await smtpServer();
  const slack = await fakeSlack();
  closers.push(smtp.close, slack.close);
  v = await startVigil({
    ...(extra.logger ? { logger: extra.logger } : {}),
    file: {
      rules: { dir: extra.rules ?? reportRulesDir() },
      ...(extra.runbooks ? { runbooks: { dir: extra.runbooks } } : {}),
      server: { publicUrl: 'https://vigil.example.com' },
      notify: { smtp: { host: '127.0.0.1', port: smtp.port }, slack: { botToken: 'xoxb-test', slackApiUrl: slack.url } },
    },
  });
  return { smtp, slack, v };
}

/** Every mrkdwn text of a post (Slack parses links and mentions in these, and in the top-level text). */
function mrkdwnTexts(post: SlackPost): string[] {
  const out: string[] = [post.text];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk([post.blocks, post.attachments]);
  return out;
}

describe('links and mentions from alert data', () => {
  it('javascript: in runbook_url and generatorURL becomes no link anywhere; <!channel> in a title reaches Slack escaped', async () => {
    const { smtp, slack, v } = await vigilWithChannels();
    const labels = { alertname: 'DiskFull', service: 'db', team: 'platform', severity: 'critical' };
    const body = amWebhook([
      { labels: { ...labels, instance: 'db-1' }, annotations: { summary: '<!channel> disk full <@U0BOB0001> <!here>', runbook_url: 'javascript:alert(1)' } },
      { labels: { ...labels, instance: 'db-2' }, annotations: { summary: 'disk full on db-2', runbook_url: 'https://runbooks.example/disk' } },
    ]);
    body.alerts[0]!.generatorURL = 'JavaScript:alert(document.cookie)//http://x';
    body.alerts[1]!.generatorURL = 'data:text/html,<script>alert(3)</script>';
    expect((await v.post('/api/v1/alerts/alertmanager', body)).status).toBe(202);
    await deliverAll(v);

    // The API keeps what the sender sent, as data.
    const alerts = (await v.json('/api/v1/alerts')).alerts;
    expect(alerts.map((a: any) => a.annotations.runbook_url).sort()).toEqual(['https://runbooks.example/disk', 'javascript:alert(1)']);
    expect(alerts.every((a: any) => a.links.length === 0)).toBe(true);

    const mail = smtp.received.find((m) => m.to.includes('carol@example.com'))!;
    expect(mail).toBeDefined();
    for (const part of [mail.html, mail.text]) {
      expect(part.toLowerCase()).not.toContain('javascript:');
      expect(part).not.toContain('data:text');
      expect(part).toContain('https://runbooks.example/disk');
    }
    expect(mail.html).toContain('<a href="https://runbooks.example/disk">Runbook</a>');

    const post = slack.posts.find((p) => p.channel === 'U0ALICE01')!;
    expect(post).toBeDefined();
    const all = JSON.stringify(post).toLowerCase();
    expect(all).not.toContain('javascript:');
    expect(all).not.toContain('data:text');
    expect(JSON.stringify(post)).toContain('<https://runbooks.example/disk|Runbook>');
    expect(post.text).toContain('&lt;!channel&gt; disk full &lt;@U0BOB0001&gt; &lt;!here&gt;');
    // Only Vigil's own <!date^…> formatting is left; no mention of anyone.
    for (const text of mrkdwnTexts(post)) expect(text).not.toMatch(/<(?:!(?:channel|here|everyone|subteam)|@)/);
  });
});

describe("a runbook's notify step", () => {
  it('reaches Slack, email and SMS with its text', async () => {
    const rules = reportRulesDir();
    writeFileSync(path.join(rules, '20-people.yaml'), `${people}    set: { runbooks: [tell] }\n`);
    const runbooks = path.join(tempDir(), 'runbooks');
    mkdirSync(runbooks);
    writeFileSync(path.join(runbooks, 'tell.yaml'), "name: tell\nsteps:\n  - { name: tell, type: notify, message: 'restarted {{ labels.service }} & it is up <again>' }\n");
    // Twilio runs in log mode: the texts are read from the log.
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const { smtp, slack, v } = await vigilWithChannels({ rules, runbooks, logger });
    await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'DiskFull', service: 'db', team: 'platform', severity: 'critical' } }]));
    await waitFor(async () => {
      const runs = (await v.json('/api/v1/runbooks/runs?incident=1')).runs as { status: string }[];
      return runs.length === 1 && runs[0]!.status === 'done';
    }, 5000, 'the runbook run');
    await deliverAll(v);

    const updates = ((await v.json('/api/v1/notifications?incident=1')).notifications as any[]).filter((n) => n.kind === 'update');
    expect([...new Set(updates.map((n) => n.channel))].sort()).toEqual(['chat', 'email', 'sms']);
    const mail = smtp.received.find((m) => m.subject.includes('UPDATE'))!;
    expect(mail.text).toContain('runbook tell: restarted db & it is up <again>');
    const texts = lines.map((l) => JSON.parse(l)).filter((l) => l.channel === 'sms').map((l) => l.body as string);
    expect(texts).toContainEqual('[P1 UPDATE] #1 runbook tell: restarted db & it is up <again>');
    const post = slack.posts.find((p) => p.text.includes('UPDATE'))!;
    expect(post).toBeDefined();
    expect(mrkdwnTexts(post)).toContainEqual(expect.stringContaining('runbook tell: restarted db &amp; it is up &lt;again&gt;'));
  });
});
