import { createHmac } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { amWebhook, startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';
import { deliverAll, fakeSlack, reportRulesDir } from './reports-seed.js';

const SECRET = 'slack-signing-secret';
let v: TestVigil | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await v?.close();
  v = undefined;
  while (closers.length) await closers.pop()!();
});

/** A thread reply as Slack's Events API delivers it, signed at the Vigil clock's now. */
function postEvent(t: TestVigil, eventId: string, threadTs: string, text: string) {
  const body = JSON.stringify({
    type: 'event_callback',
    event_id: eventId,
    event: { type: 'message', channel: 'D0ALICE', user: 'U0ALICE01', text, ts: `${Number(threadTs) + 1}.000200`, thread_ts: threadTs },
  });
  const timestamp = Math.floor(t.clock.now() / 1000);
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return fetch(`${t.url}/api/v1/callbacks/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature },
    body,
  });
}

const notes = async (t: TestVigil) => ((await t.json('/api/v1/incidents/1')).timeline as any[]).filter((e) => e.kind === 'note').map((e) => `${e.actor}: ${e.message}`);

describe('Slack thread replies across a restart', () => {
  it('a retried event after a restart of Vigil adds one note', async () => {
    const slack = await fakeSlack();
    closers.push(slack.close);
    const dbPath = path.join(tempDir(), 'vigil.db');
    const file = { rules: { dir: reportRulesDir() }, notify: { slack: { botToken: 'xoxb-test', signingSecret: SECRET, slackApiUrl: slack.url } } };
    v = await startVigil({ file, dbPath });
    await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'DiskFull', service: 'db', team: 'platform', severity: 'critical' } }]));
    await deliverAll(v);
    const page = ((await v.json('/api/v1/notifications?incident=1')).notifications as any[]).find((n) => n.kind === 'page' && n.channel === 'chat');
    const thread = page.providerId as string;
    expect(thread).toMatch(/^\d+\.000100$/);

    expect((await postEvent(v, 'Ev1', thread, 'looking into it')).status).toBe(200);
    expect(await notes(v)).toEqual(['alice: looking into it']);
    await v.close();

    // Slack did not see the answer in time and retries the same event to the restarted Vigil.
    v = await startVigil({ file, dbPath });
    expect((await postEvent(v, 'Ev1', thread, 'looking into it')).status).toBe(200);
    expect((await postEvent(v, 'Ev2', thread, 'disk cleaned')).status).toBe(200);
    expect(await notes(v)).toEqual(['alice: looking into it', 'alice: disk cleaned']);
  });
});
