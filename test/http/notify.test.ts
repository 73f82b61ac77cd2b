import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/core/logger.js';
import { amWebhook, startVigil, type TestVigil } from '../helpers/vigil.js';

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

/** A stand-in for Twilio's REST API: calls answer `callStatus`, messages succeed. */
async function fakeTwilio(callStatus: number): Promise<{ url: string; calls: string[]; messages: string[] }> {
  const calls: string[] = [];
  const messages: string[] = [];
  const body = (req: IncomingMessage) => new Promise<string>((r) => { let b = ''; req.on('data', (c) => (b += c)); req.on('end', () => r(b)); });
  fake = createServer(async (req, res) => {
    const text = await body(req);
    const params = new URLSearchParams(text);
    if (req.url!.endsWith('/Calls.json')) {
      calls.push(params.get('To')!);
      res.writeHead(callStatus, { 'content-type': 'application/json' });
      res.end(JSON.stringify(callStatus < 300 ? { sid: `CA${calls.length}` } : { code: 20500, message: 'Internal Server Error', status: callStatus }));
      return;
    }
    messages.push(`${params.get('To')}: ${params.get('Body')}`);
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sid: `SM${messages.length}` }));
  });
  await new Promise<void>((r) => fake!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(fake!.address() as AddressInfo).port}`, calls, messages };
}

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
  it('a provider outage delays but never loses a page: retries with backoff, then falls back from voice to SMS', async () => {
    const twilio = await fakeTwilio(503);
    v = await startVigil({
      file: {
        notify: {
          twilio: { accountSid: 'AC00000000000000000000000000000000', authToken: 'secret-token', from: '+15550109999', apiBaseUrl: twilio.url },
          retry: { attempts: 3, initialDelay: '10s', maxDelay: '1m' },
        },
      },
    });
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node' });
    const step = async () => {
      await v.vigil.notifier.dispatcher.runOnce();
      v.clock.advance(1000);
    };
    await step();
    let voice = (await notifications(v, 1)).filter((n) => n.channel === 'voice');
    expect(voice.some((n) => n.status === 'pending' && n.attempts === 1 && n.error?.kind === 'server')).toBe(true);
    // Backoff: nothing is retried before the delay has passed.
    const callsBefore = twilio.calls.length;
    await step();
    await step();
    expect(twilio.calls.length - callsBefore).toBeLessThanOrEqual(1);
    for (let i = 0; i < 120 && (await notifications(v, 1)).some((n) => n.status === 'pending'); i++) await step();

    const all = await notifications(v, 1);
    voice = all.filter((n) => n.channel === 'voice');
    expect(voice.map((n) => [n.status, n.attempts])).toEqual([['failed', 3]]);
    const fallbacks = all.filter((n) => n.fallbackOf !== null);
    expect(fallbacks.map((n) => `${n.channel}:${n.recipient.person}:${n.status}`)).toEqual(['sms:bob:delivered']);
    expect(twilio.messages.some((m) => m.startsWith('+15550100002: [P1 ALERT] #1'))).toBe(true);
    const degraded = (await v.json('/api/v1/incidents/1')).timeline.filter((e: any) => e.kind === 'delivery_degraded');
    expect(degraded).toHaveLength(1);
    expect(degraded[0].message).toMatch(/delivery degraded: voice to .* failed \(server: .*\); trying sms/);
    const attempts = (await v.json('/api/v1/notifications?incident=1&attempts=true')).notifications.find((n: any) => n.channel === 'voice').attemptLog;
    expect(attempts.map((a: any) => a.outcome)).toEqual(['retry', 'retry', 'failed']);
    // The auth token never appears in what Vigil stored.
    expect(JSON.stringify(all)).not.toContain('secret-token');
  });

  it('one event never pages twice: a repeated alert adds no messages', async () => {
    v = await startVigil();
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node' });
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node' });
    await fire(v, { alertname: 'InstanceDown', instance: 'web-2', job: 'node' });
    expect(await notifications(v, 1)).toHaveLength(4);
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
