import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observe/logger.js';
import { amWebhook, startVigil, type TestVigil } from '../helpers/vigil.js';
import { deliverAll, fakeSlack } from './reports-seed.js';

let v: TestVigil;
let fake: Server | null = null;
afterEach(async () => {
  await v?.close();
  if (fake) await new Promise((r) => fake!.close(r));
  fake = null;
});

const MIN = 60_000;
const fire = (t: TestVigil, labels: Record<string, string>) => t.post('/api/v1/alerts/alertmanager', amWebhook([{ labels }]));
const notifications = async (t: TestVigil, incident: number) => (await t.json(`/api/v1/notifications?incident=${incident}`)).notifications as any[];
const summary = (list: any[]) => list.map((n) => `${n.kind}:${n.channel}:${n.recipient.person ?? n.recipient.address}`).sort();

/**
 * A stand-in for Twilio's REST API: `status` says what calls and messages answer (it may read the test's clock);
 * only accepted requests are counted as calls and messages made.
 */
async function fakeTwilio(status: (what: 'call' | 'message') => number): Promise<{ url: string; calls: string[]; messages: string[]; refused: number }> {
  const made = { calls: [] as string[], messages: [] as string[], refused: 0 };
  const body = (req: IncomingMessage) => new Promise<string>((r) => { let b = ''; req.on('data', (c) => (b += c)); req.on('end', () => r(b)); });
  fake = createServer(async (req, res) => {
    const params = new URLSearchParams(await body(req));
    const what = req.url!.endsWith('/Calls.json') ? 'call' : 'message';
    const code = status(what);
    res.writeHead(code, { 'content-type': 'application/json' });
    if (code >= 300) {
      made.refused++;
      res.end(JSON.stringify({ code: 20500, message: 'Internal Server Error', status: code }));
      return;
    }
    if (what === 'call') made.calls.push(params.get('To')!);
    else made.messages.push(`${params.get('To')}: ${params.get('Body')}`);
    res.end(JSON.stringify({ sid: `${what === 'call' ? 'CA' : 'SM'}${made.calls.length + made.messages.length}` }));
  });
  await new Promise<void>((r) => fake!.listen(0, '127.0.0.1', r));
  return Object.assign(made, { url: `http://127.0.0.1:${(fake!.address() as AddressInfo).port}` });
}

const twilioConfig = (url: string) => ({ accountSid: 'AC00000000000000000000000000000000', authToken: 'secret-token', from: '+15550109999', apiBaseUrl: url });

describe('who gets what (shipped policies and people)', () => {
  // At the test clock (Sunday 2026-11-22 17:30 in Berlin) bob holds phone duty: tier 1 of rules/30-schedules.yaml.
  it('a critical incident calls whoever is on call, texts the on-duty person and emails management, at once', async () => {
    v = await startVigil();
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node', team: 'platform' });
    const planned = await notifications(v, 1);
    expect(summary(planned)).toEqual(['page:chat:bob', 'page:email:carol', 'page:sms:bob', 'page:voice:bob']);
    expect(planned.every((n) => n.status === 'pending' && n.bundled === false)).toBe(true);

    // No credentials: every channel runs in log mode, records delivery and says so on the timeline.
    while ((await v.vigil.notifier.dispatcher.runOnce()) > 0) v.clock.advance(1000);
    const delivered = await notifications(v, 1);
    expect(delivered.map((n) => [n.status, n.mode])).toEqual(delivered.map(() => ['delivered', 'log']));
    const timeline = (await v.json('/api/v1/incidents/1')).timeline;
    expect(timeline.find((e: any) => e.kind === 'paging').message).toMatch(/^paging oncall by voice, chat; on-duty by sms; management by email: 4 messages/);
    expect(timeline.filter((e: any) => e.kind === 'notified')).toHaveLength(4);
    expect(await (await v.get('/metrics')).text()).toMatch(/vigil_notifications_total\{channel="voice",outcome="delivered",reason="log"\} 1/);
  });

  it('voice and SMS are paced one per second per sender', async () => {
    v = await startVigil();
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node' });
    await fire(v, { alertname: 'HighErrorRate', service: 'api' });
    const voice = async () => [...(await notifications(v, 1)), ...(await notifications(v, 2))].filter((n) => n.channel === 'voice');
    await v.vigil.notifier.dispatcher.runOnce();
    expect((await voice()).map((n) => n.status).sort()).toEqual(['delivered', 'pending']);
    v.clock.advance(1000);
    await v.vigil.notifier.dispatcher.runOnce();
    expect((await voice()).every((n) => n.status === 'delivered')).toBe(true);
  });

  it('warnings are bundled per recipient within the hour; info pages nobody', async () => {
    v = await startVigil();
    await fire(v, { alertname: 'DiskFilling', service: 'db', severity: 'warning' });
    v.clock.advance(10 * MIN);
    await fire(v, { alertname: 'QueueSlow', service: 'jobs', severity: 'warning' });
    await fire(v, { alertname: 'Nightly', severity: 'info' });
    expect(await notifications(v, 3)).toEqual([]);
    expect((await v.json('/api/v1/incidents/3')).timeline.find((e: any) => e.kind === 'paging').message).toMatch(/digest only/);
    const first = await notifications(v, 1);
    expect(summary(first)).toEqual(['page:chat:bob', 'page:email:alice', 'page:email:bob']);
    expect(first[0].dueAt).toBe(new Date(Date.parse('2026-11-22T16:30:00Z') + 60 * MIN).toISOString());
    // The second warning joins the same window rather than opening a new one.
    expect((await notifications(v, 2))[0].dueAt).toBe(first[0].dueAt);

    await v.vigil.notifier.dispatcher.runOnce();
    expect((await notifications(v, 1)).every((n) => n.status === 'pending')).toBe(true);
    v.clock.set(Date.parse(first[0].dueAt));
    for (let i = 0; i < 3; i++) {
      await v.vigil.notifier.dispatcher.runOnce();
      v.clock.advance(1000);
    }
    const all = [...(await notifications(v, 1)), ...(await notifications(v, 2))];
    expect(all.every((n) => n.status === 'delivered')).toBe(true);
    // One message per recipient and channel carried both incidents.
    const providerRuns = new Set(all.map((n) => `${n.channel}:${n.recipient.address}:${n.deliveredAt}`));
    expect(providerRuns.size).toBe(3);
    const notified = (await v.json('/api/v1/incidents/2')).timeline.filter((e: any) => e.kind === 'notified');
    expect(notified[0].message).toMatch(/^bundled page sent to/);
    // Each incident heard of once per recipient and channel: the bundle went out once, not once per member.
    expect(notified).toHaveLength(3);
    expect((await v.json('/api/v1/incidents/1')).timeline.filter((e: any) => e.kind === 'notified')).toHaveLength(3);
  });

  it('a silenced incident pages nobody; everyone paged hears the resolution (a call becomes a text)', async () => {
    v = await startVigil();
    await v.post('/api/v1/silences', { matchers: ['service="quiet"'], duration: '1h', createdBy: 'ops', comment: 'maintenance' });
    await fire(v, { alertname: 'InstanceDown', instance: 'q-1', job: 'node', service: 'quiet' });
    expect(await notifications(v, 1)).toEqual([]);

    await fire(v, { alertname: 'InstanceDown', instance: 'web-9', job: 'node' });
    while ((await v.vigil.notifier.dispatcher.runOnce()) > 0) v.clock.advance(1000);
    await v.post('/api/v1/incidents/2/resolve', { by: 'alice' });
    const resolved = (await notifications(v, 2)).filter((n) => n.kind === 'resolved');
    expect(summary(resolved)).toEqual(['resolved:chat:bob', 'resolved:email:carol', 'resolved:sms:bob']);
  });
});

describe('retries and fallback', () => {
  const BOB = '+15550100002';
  /** Runs the dispatcher each second of the test clock for this long (what the running service does). */
  const run = async (t: TestVigil, ms: number) => {
    for (let waited = 0; waited < ms; waited += 1000) {
      await t.vigil.notifier.dispatcher.runOnce();
      t.clock.advance(1000);
    }
  };

  it('a two-minute Twilio outage delays the P1 call but never loses it: quick retries, one fallback on another provider, then retries until Twilio is back', async () => {
    let outageUntil = 0;
    const twilio = await fakeTwilio(() => (v.clock.now() < outageUntil ? 500 : 201));
    v = await startVigil({ file: { notify: { twilio: twilioConfig(twilio.url), retry: { attempts: 4, initialDelay: '2s', maxDelay: '1m', slowInterval: '30s' } } } });
    outageUntil = v.clock.now() + 2 * MIN;
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node' });

    await run(v, 40_000);
    // Both Twilio pages are past their quick attempts and still pending; bob is not texted the same failure twice
    // and gets one fallback, by email (chat already reached him; SMS is the same provider).
    let all = await notifications(v, 1);
    const twilioPages = () => all.filter((n) => n.channel === 'voice' || n.channel === 'sms');
    expect(twilioPages().map((n) => [n.channel, n.status, n.attempts >= 4])).toEqual([
      ['voice', 'pending', true],
      ['sms', 'pending', true],
    ]);
    expect(all.filter((n) => n.fallbackOf !== null).map((n) => `${n.channel}:${n.recipient.person}:${n.status}`)).toEqual(['email:bob:delivered']);
    const degraded = (await v.json('/api/v1/incidents/1')).timeline.filter((e: any) => e.kind === 'delivery_degraded');
    // Whichever of the two fails for good first falls back; the other finds bob reached already, or his
    // fallback already on its way (when the two failures are recorded before the email is delivered).
    const messages = degraded.map((e: any) => e.message).sort();
    const outcome = '(trying email|reached by chat(, email)?|a fallback was already sent)';
    expect(messages).toEqual([
      expect.stringMatching(new RegExp(`^delivery degraded: sms to Bob Example failed 4 times \\(server: .*\\); ${outcome}; retrying sms every 30s while the incident is unacknowledged$`)),
      expect.stringMatching(new RegExp(`^delivery degraded: voice to Bob Example failed 4 times \\(server: .*\\); ${outcome}; retrying voice every 30s while the incident is unacknowledged$`)),
    ]);
    expect(messages.filter((m: string) => m.includes('; trying email;'))).toHaveLength(1);
    // While Twilio fails, Vigil says so without failing readiness: it still takes alerts.
    const ready = await v.get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', delivery: 'degraded', providers: { twilio: { failures: expect.any(Number) } } });
    expect(await (await v.get('/metrics')).text()).toMatch(/vigil_delivery_degraded\{provider="twilio"\} 1/);
    expect(twilio.calls).toEqual([]);

    await run(v, 2 * MIN);
    all = await notifications(v, 1);
    expect(twilioPages().map((n) => [n.channel, n.status])).toEqual([
      ['voice', 'delivered'],
      ['sms', 'delivered'],
    ]);
    expect(twilio.calls).toEqual([BOB]);
    expect(twilio.messages.filter((m) => m.startsWith(BOB))).toHaveLength(1);
    // Paged once per channel: one call, one text, one chat message, one email (the fallback) for bob, carol's email.
    expect(summary(all.filter((n) => n.kind === 'page'))).toEqual(['page:chat:bob', 'page:email:bob', 'page:email:carol', 'page:sms:bob', 'page:voice:bob']);
    const timeline = (await v.json('/api/v1/incidents/1')).timeline;
    expect(timeline.filter((e: any) => e.kind === 'notified' && e.source === 'voice').map((e: any) => e.message)).toEqual([
      expect.stringMatching(/^page sent to Bob Example by voice after \d+ attempts$/),
    ]);
    expect(await (await v.get('/readyz')).json()).toEqual({ status: 'ready', delivery: 'ok' });
    expect(await (await v.get('/metrics')).text()).toMatch(/vigil_delivery_degraded\{provider="twilio"\} 0/);
    const attempts = (await v.json('/api/v1/notifications?incident=1&attempts=true')).notifications.find((n: any) => n.channel === 'voice').attemptLog;
    expect(attempts.map((a: any) => a.outcome)).toEqual([...attempts.slice(0, -1).map(() => 'retry'), 'delivered']);
    // The auth token never appears in what Vigil stored.
    expect(JSON.stringify(all)).not.toContain('secret-token');
  });

  it('a page waiting for its provider is cancelled, not sent, once the incident is acknowledged', async () => {
    const twilio = await fakeTwilio((what) => (what === 'call' ? 503 : 201));
    v = await startVigil({ file: { notify: { twilio: twilioConfig(twilio.url), retry: { attempts: 2, initialDelay: '1s', maxDelay: '2s', slowInterval: '1m' } } } });
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node' });
    await run(v, 10_000);
    expect((await notifications(v, 1)).find((n) => n.channel === 'voice')).toMatchObject({ status: 'pending', attempts: 2 });
    await v.post('/api/v1/incidents/1/acknowledge', { by: 'alice' });
    await run(v, 2 * MIN);
    const voice = (await notifications(v, 1)).find((n) => n.channel === 'voice');
    expect(voice).toMatchObject({ status: 'cancelled', attempts: 2, error: { kind: 'cancelled', message: 'not sent: the incident was acknowledged by alice before voice delivered' } });
    expect(twilio.refused).toBe(2);
    const timeline = (await v.json('/api/v1/incidents/1')).timeline;
    expect(timeline.filter((e: any) => e.kind === 'notification_cancelled').map((e: any) => e.message)).toEqual([
      'page to Bob Example by voice not sent: the incident was acknowledged by alice before voice delivered',
    ]);
  });

  it('a page that the provider refuses as wrong is not retried forever: it fails and falls back at once', async () => {
    const twilio = await fakeTwilio((what) => (what === 'call' ? 400 : 201));
    v = await startVigil({ file: { notify: { twilio: twilioConfig(twilio.url) } } });
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node' });
    await run(v, 5000);
    const all = await notifications(v, 1);
    expect(all.find((n) => n.channel === 'voice')).toMatchObject({ status: 'failed', attempts: 1, error: { kind: 'client' } });
    expect(all.filter((n) => n.fallbackOf !== null).map((n) => `${n.channel}:${n.recipient.person}`)).toEqual(['email:bob']);
    // A refusal of one message is not an outage of the provider.
    expect((await (await v.get('/readyz')).json()).delivery).toBe('ok');
  });

  it('one event never pages twice: a repeated alert adds no messages', async () => {
    v = await startVigil();
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node' });
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node' });
    await fire(v, { alertname: 'InstanceDown', instance: 'web-2', job: 'node' });
    expect(await notifications(v, 1)).toHaveLength(4);
  });
});

describe('chat threads', () => {
  it('reminders go into the page’s thread without rewriting the page; acknowledging updates it', async () => {
    const slack = await fakeSlack();
    try {
      v = await startVigil({ file: { notify: { slack: { botToken: 'xoxb-test', slackApiUrl: slack.url } } } });
      await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node' });
      await deliverAll(v);
      const page = slack.posts.find((p) => p.channel === 'U0BOB0001')!;
      expect(page).toBeDefined();
      v.clock.advance(30 * MIN + 1000);
      await v.vigil.engine.runTimers();
      await deliverAll(v);
      expect((await notifications(v, 1)).some((n) => n.kind === 'reminder' && n.channel === 'chat' && n.status === 'delivered')).toBe(true);
      expect(slack.updates).toEqual([]);
      await v.post('/api/v1/incidents/1/acknowledge', { by: 'bob' });
      await deliverAll(v);
      expect(slack.updates.map((u) => u.channel)).toContain('U0BOB0001');
    } finally {
      await slack.close();
    }
  });
});

describe('acknowledging from the device in hand', () => {
  it('a signed email link acknowledges after a confirming click; a tampered one changes nothing', async () => {
    v = await startVigil();
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node' });
    const link = v.vigil.notifier.signer.link('acknowledge', 1, 'carol');
    const path = new URL(link).pathname;
    expect((await v.get(path)).status).toBe(200);
    expect((await v.json('/api/v1/incidents/1')).status).toBe('triggered'); // a GET (link preview) does nothing
    const tampered = await fetch(`${v.url}${path.slice(0, -2)}xx`, { method: 'POST' });
    expect(tampered.status).toBe(403);
    const ok = await fetch(`${v.url}${path}`, { method: 'POST' });
    expect(ok.status).toBe(200);
    expect(await v.json('/api/v1/incidents/1')).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'carol' });
    // Chat messages about the incident are updated in their thread.
    const acks = (await notifications(v, 1)).filter((n) => n.kind === 'acknowledged');
    expect(acks.every((n) => n.channel === 'chat')).toBe(true);
  });
});

describe('refusals in the reader\'s language', () => {
  it('a link to an incident resolved meanwhile says why in the language of the person it was signed for; an altered or expired one in the browser\'s', async () => {
    v = await startVigil();
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node' });
    const wei = new URL(v.vigil.notifier.signer.link('acknowledge', 1, 'wei')).pathname;
    const carol = new URL(v.vigil.notifier.signer.link('acknowledge', 1, 'carol')).pathname;
    await v.post('/api/v1/incidents/1/resolve', { by: 'bob' });

    const late = await fetch(`${v.url}${wei}`, { method: 'POST' });
    expect(late.status).toBe(409);
    const page = await late.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('<h1>事件 1 未能确认</h1>');
    expect(page).toContain('<p>事件 1 已解决，无法确认。</p>');
    const english = await (await fetch(`${v.url}${carol}`, { method: 'POST' })).text();
    expect(english).toContain('<p>Incident 1 is already resolved; it cannot be acknowledged.</p>');

    const altered = `${v.url}${wei.slice(0, -2)}xx`;
    const zh = await fetch(altered, { headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' } });
    expect(zh.status).toBe(403);
    expect(await zh.text()).toMatch(/<html lang="zh-CN">[\s\S]*<h1>链接未被接受<\/h1>[\s\S]*<p>此链接无效（可能被截断或改动）。<\/p>/);
    const en = await (await fetch(altered, { headers: { 'accept-language': 'en-GB,en;q=0.8' } })).text();
    expect(en).toContain('<p>This link is not valid (it may have been cut short or altered).</p>');
    v.clock.advance(8 * 24 * 60 * MIN);
    const expired = await (await fetch(`${v.url}${carol}`, { headers: { 'accept-language': 'zh' } })).text();
    expect(expired).toContain('<p>此链接已过期；请使用较新通知中的链接，或在 Vigil 中打开该事件。</p>');
    expect((await v.json('/api/v1/incidents/1')).status).toBe('resolved');
  });
});

describe('signed links never reach the log', () => {
  it('a page in log mode logs its links redacted, and nothing copied from the log acknowledges the incident', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
    v = await startVigil({ logger, file: { server: { publicUrl: 'https://vigil.example.com' } } });
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node', team: 'platform' });
    while ((await v.vigil.notifier.dispatcher.runOnce()) > 0) v.clock.advance(1000);
    const log = lines.join('');
    const chat = lines.map((l) => JSON.parse(l)).find((l) => l.channel === 'chat' && l.mode === 'log');
    expect(chat.msg).toContain('Acknowledge: https://vigil.example.com/api/v1/actions/[redacted]');
    expect(chat.msg).toContain('Resolve: https://vigil.example.com/api/v1/actions/[redacted]');

    // Whatever follows an action path in the log is tried as a link: none works.
    const copied = [...log.matchAll(/\/api\/v1\/actions\/([^\s"\\|<>]+)/g)].map((m) => m[1]!);
    expect(copied.length).toBeGreaterThan(0);
    for (const token of new Set(copied)) {
      const res = await fetch(`${v.url}/api/v1/actions/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirm=1' });
      expect(res.status).toBe(403);
    }
    expect((await v.json('/api/v1/incidents/1')).status).toBe('triggered');
  });

  it('the request log redacts the token of an action link it refused', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    v = await startVigil({ logger });
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node' });
    await v.post('/api/v1/incidents/1/resolve', { by: 'alice' });
    const link = v.vigil.notifier.signer.link('acknowledge', 1, 'alice');
    const token = link.split('/').pop()!;
    const res = await fetch(`${v.url}/api/v1/actions/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirm=1' });
    expect(res.status).toBe(409);
    const refused = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request refused');
    expect(refused).toMatchObject({ method: 'POST', path: '/api/v1/actions/[redacted]', status: 409 });
    expect(lines.join('')).not.toContain(token);
  });
});
