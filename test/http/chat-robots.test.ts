import { createHmac } from 'node:crypto';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { robotSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/observe/logger.js';
import { ChatRouter, robotAddressProblems } from '../../src/notify/channels/chat-router.js';
import { withLogMode } from '../../src/notify/channels/log-mode.js';
import { dingTalkSign } from '../../src/notify/channels/robots/dingtalk.js';
import { feishuSign } from '../../src/notify/channels/robots/feishu.js';
import type { Channel, Delivery } from '../../src/notify/types.js';
import type { Person } from '../../src/oncall/people.js';
import { channelFailure, sampleIncident } from '../helpers/deliveries.js';
import { json, startReceiver, type Answer, type Receiver } from '../helpers/receiver.js';
import { amWebhook, startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';

const logger = createLogger('silent');
const NOW = Date.UTC(2026, 10, 22, 16, 30, 0);

let platformServer: Receiver | undefined;
let v: TestVigil | undefined;

/** The robots' platform, faked: records each request and answers 200 with their "ok" unless `answer` says otherwise. */
async function platform(): Promise<string> {
  platformServer = await startReceiver((_req, res) => json(res, 200, { errcode: 0, errmsg: 'ok' }));
  return platformServer.base;
}

/** What the platform took, each body parsed. */
const sent = (): { url: string; body: any }[] => platformServer!.received.map((r) => ({ url: r.url, body: JSON.parse(r.body || 'null') }));

function answerWith(a: Answer): void {
  platformServer!.answer = a;
}

afterEach(async () => {
  await v?.close();
  v = undefined;
  await platformServer?.close();
  platformServer = undefined;
});

const actions = { acknowledge: 'https://vigil.example/api/v1/actions/ack-token', resolve: 'https://vigil.example/api/v1/actions/resolve-token' };
const people: Record<string, Person> = {
  wei: { id: 'wei', name: '王伟', phone: '+8613800138000', wecom: 'WangWei', feishu: 'ou_7d8a6e6df7621556ce0d21922b676706ccs' },
};

function delivery(address: string, over: Partial<Delivery> = {}): Delivery {
  return {
    notificationId: 7,
    kind: 'page',
    channel: 'chat',
    recipient: { person: 'wei', name: '王伟', address },
    incident: sampleIncident(),
    rendered: {
      subject: '[P1 Page] #42 CPU above 95% for 5m',
      text: `#42 CPU above 95% for 5m\nSeverity critical (P1), status triggered, service checkout\n\nAcknowledge: ${actions.acknowledge}\nResolve: ${actions.resolve}\n`,
      html: '',
      sms: '',
      speech: '',
    },
    idempotencyKey: 'n7',
    threadRef: null,
    actions,
    ...over,
  };
}

/** A chat channel with these robots (as vigil.yaml's notify.robots) and a Slack that must not be called. */
function chat(robots: Record<string, unknown>): ChatRouter {
  const slack: Channel = { name: 'chat', provider: 'slack', live: false, send: () => Promise.reject(new Error('slack must not be called')) };
  const parsed = Object.fromEntries(Object.entries(robots).map(([k, r]) => [k, robotSchema.parse(r)]));
  return new ChatRouter(slack, parsed, (id) => people[id], logger, () => NOW);
}


describe('DingTalk custom robot', () => {
  it('posts a markdown message signed with timestamp and HMAC-SHA256, mentioning the person by mobile, with the one-click links', async () => {
    const base = await platform();
    const c = chat({ 'ops-cn': { type: 'dingtalk', accessToken: 'dt-token', secret: 'SEC-dingtalk', baseUrl: base } });
    expect(await c.send(delivery('dingtalk:ops-cn'))).toEqual({ providerId: null, mode: 'live' });
    const [r] = sent();
    const url = new URL(r!.url, base);
    expect(url.pathname).toBe('/robot/send');
    expect(url.searchParams.get('access_token')).toBe('dt-token');
    expect(url.searchParams.get('timestamp')).toBe(String(NOW));
    // The signature DingTalk checks: base64(HMAC-SHA256(secret, "<timestamp>\n<secret>")).
    expect(url.searchParams.get('sign')).toBe(createHmac('sha256', 'SEC-dingtalk').update(`${NOW}\nSEC-dingtalk`).digest('base64'));
    expect(url.searchParams.get('sign')).toBe(dingTalkSign('SEC-dingtalk', NOW));
    expect(r!.body).toEqual({
      msgtype: 'markdown',
      markdown: {
        title: '[P1 Page] #42 CPU above 95% for 5m',
        text: [
          '### [P1 Page] #42 CPU above 95% for 5m',
          '',
          '#42 CPU above 95% for 5m  ',
          'Severity critical (P1), status triggered, service checkout  ',
          '',
          `[Acknowledge](${actions.acknowledge}) · [Resolve](${actions.resolve})`,
          '',
          '@13800138000',
        ].join('\n'),
      },
      at: { atMobiles: ['13800138000'], isAtAll: false },
    });
  });

  it('classifies its answers: 130101 is rate limited, 310000 a refusal of the robot settings, -1 busy, a 5xx the server', async () => {
    const base = await platform();
    const c = chat({ 'ops-cn': { type: 'dingtalk', accessToken: 'dt-token', baseUrl: base } });
    const cases: [unknown, number, string, boolean][] = [
      [{ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }, 200, 'rate_limited', true],
      [{ errcode: 310000, errmsg: 'sign not match' }, 200, 'auth', false],
      [{ errcode: -1, errmsg: '系统繁忙' }, 200, 'server', true],
      [{ errcode: 40035, errmsg: '缺少参数 json' }, 200, 'client', false],
      [{}, 503, 'server', true],
    ];
    for (const [body, status, kind, transient] of cases) {
      answerWith((_req, res) => json(res, status, body));
      const err = await channelFailure(c.send(delivery('dingtalk:ops-cn')));
      expect([err.kind, err.transient], JSON.stringify(body)).toEqual([kind, transient]);
    }
    // Without its signing secret there is no timestamp nor sign.
    expect(new URL(sent()[0]!.url, base).searchParams.has('sign')).toBe(false);
  });
});

describe('WeCom group robot', () => {
  it('posts markdown to webhook/send?key= with the links and an @mention by userid', async () => {
    const base = await platform();
    const c = chat({ 'ops-cn': { type: 'wecom', key: 'wc-key', baseUrl: base } });
    await c.send(delivery('wecom:ops-cn'));
    const [r] = sent();
    expect(r!.url).toBe('/cgi-bin/webhook/send?key=wc-key');
    expect(r!.body).toEqual({
      msgtype: 'markdown',
      markdown: {
        content: [
          '### <font color="warning">[P1 Page] #42 CPU above 95% for 5m</font>',
          '#42 CPU above 95% for 5m',
          'Severity critical (P1), status triggered, service checkout',
          '',
          `[Acknowledge](${actions.acknowledge}) · [Resolve](${actions.resolve})`,
          '',
          '<@WangWei>',
        ].join('\n'),
      },
    });
  });

  it('keeps within 4096 bytes, cutting the body at a line; 45009 is rate limited, 93000 a removed robot', async () => {
    const base = await platform();
    const c = chat({ 'ops-cn': { type: 'wecom', key: 'wc-key', baseUrl: base } });
    const long = Array.from({ length: 400 }, (_, i) => `告警详情第 ${i} 行`).join('\n');
    await c.send(delivery('wecom:ops-cn', { rendered: { ...delivery('x').rendered, text: `${long}\n\nAcknowledge: ${actions.acknowledge}\nResolve: ${actions.resolve}\n` } }));
    const content: string = sent()[0]!.body.markdown.content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(4096);
    expect(content).toContain('…\n');
    expect(content).toContain(`[Acknowledge](${actions.acknowledge})`);
    answerWith((_req, res) => json(res, 200, { errcode: 45009, errmsg: 'api freq out of limit' }));
    expect((await channelFailure(c.send(delivery('wecom:ops-cn')))).kind).toBe('rate_limited');
    answerWith((_req, res) => json(res, 200, { errcode: 93000, errmsg: 'invalid webhook url' }));
    expect((await channelFailure(c.send(delivery('wecom:ops-cn')))).kind).toBe('auth');
  });
});

describe('Feishu / Lark custom bot', () => {
  it('posts an interactive card with link buttons, signed in the body, to bot/v2/hook/<id> on the configured domain', async () => {
    const base = await platform();
    answerWith((_req, res) => json(res, 200, { code: 0, msg: 'success', data: {} }));
    const c = chat({ 'ops-cn': { type: 'feishu', hook: 'hook-id-1', secret: 'SEC-feishu', baseUrl: base } });
    await c.send(delivery('feishu:ops-cn'));
    const [r] = sent();
    expect(r!.url).toBe('/open-apis/bot/v2/hook/hook-id-1');
    const ts = Math.floor(NOW / 1000);
    // Feishu's check: base64(HMAC-SHA256 keyed with "<timestamp>\n<secret>" over nothing).
    expect(r!.body.timestamp).toBe(String(ts));
    expect(r!.body.sign).toBe(createHmac('sha256', `${ts}\nSEC-feishu`).update('').digest('base64'));
    expect(r!.body.sign).toBe(feishuSign('SEC-feishu', ts));
    expect(r!.body.msg_type).toBe('interactive');
    expect(r!.body.card.header).toEqual({ title: { tag: 'plain_text', content: '[P1 Page] #42 CPU above 95% for 5m' }, template: 'red' });
    expect(r!.body.card.elements[0]).toEqual({
      tag: 'div',
      text: { tag: 'lark_md', content: '#42 CPU above 95% for 5m\nSeverity critical (P1), status triggered, service checkout\n\n<at id=ou_7d8a6e6df7621556ce0d21922b676706ccs></at>' },
    });
    expect(r!.body.card.elements[1].actions.map((a: any) => [a.text.content, a.url])).toEqual([
      ['Acknowledge', actions.acknowledge],
      ['Resolve', actions.resolve],
    ]);
  });

  it('classifies its codes: 19021 a bad signature, 9499 rate limited', async () => {
    const base = await platform();
    const c = chat({ 'ops-cn': { type: 'feishu', hook: 'hook-id-1', baseUrl: base } });
    answerWith((_req, res) => json(res, 200, { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' }));
    expect((await channelFailure(c.send(delivery('feishu:ops-cn')))).kind).toBe('auth');
    answerWith((_req, res) => json(res, 200, { code: 9499, msg: 'too many request' }));
    expect((await channelFailure(c.send(delivery('feishu:ops-cn')))).kind).toBe('rate_limited');
    expect(sent()[0]!.body.sign).toBeUndefined();
  });
});

describe('Microsoft Teams (Workflows webhook)', () => {
  it('posts a message with one Adaptive Card whose buttons are the signed links; 429 honours Retry-After', async () => {
    const base = await platform();
    answerWith((_req, res) => {
      res.writeHead(202);
      res.end();
    });
    const url = `${base}/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=secret-sig`;
    const c = chat({ platform: { type: 'teams', url } });
    await c.send(delivery('teams:platform'));
    const [r] = sent();
    expect(r!.url).toBe('/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=secret-sig');
    expect(r!.body.type).toBe('message');
    const [attachment] = r!.body.attachments;
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = attachment.content;
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.body.map((b: any) => b.text)).toEqual(['[P1 Page] #42 CPU above 95% for 5m', '#42 CPU above 95% for 5m', 'Severity critical (P1), status triggered, service checkout']);
    expect(card.actions.map((a: any) => [a.type, a.title, a.url])).toEqual([
      ['Action.OpenUrl', 'Acknowledge', actions.acknowledge],
      ['Action.OpenUrl', 'Resolve', actions.resolve],
    ]);
    answerWith((_req, res) => json(res, 429, { error: 'throttled' }, { 'retry-after': '7' }));
    const err = await channelFailure(c.send(delivery('teams:platform')));
    expect([err.kind, err.retryAfterMs]).toEqual(['rate_limited', 7000]);
  });
});

describe('routing chat by address', () => {
  it('a robot without its credential only logs; an unknown robot is a permanent refusal; Slack addresses stay Slack; each address names its provider', async () => {
    const c = chat({ 'ops-cn': { type: 'dingtalk' }, platform: { type: 'teams', url: 'http://127.0.0.1:9/never' } });
    expect(await c.send(delivery('dingtalk:ops-cn'))).toMatchObject({ providerId: null, mode: 'log' });
    const unknown = await channelFailure(c.send(delivery('wecom:nobody')));
    expect([unknown.kind, unknown.transient]).toEqual(['client', false]);
    expect(unknown.message).toBe('chat: no robot "wecom:nobody" in notify.robots (configure one of that type and name)');
    await expect(c.send(delivery('#payments-oncall'))).rejects.toThrow('slack must not be called');
    expect(['dingtalk:ops-cn', 'teams:platform', 'C0123', '#ops'].map((a) => c.providerOf(a))).toEqual(['dingtalk', 'teams', 'slack', 'slack']);
    expect(c.providers).toEqual(['slack', 'dingtalk', 'teams']);
    expect(c.live).toBe(true);
    // Nothing configured at all: the whole channel is in log mode.
    expect(withLogMode(chat({}), logger).live).toBe(false);
  });

  it('check-config names teams and people whose chat names a robot that is not configured', () => {
    const problems = robotAddressProblems(
      { teams: new Map([['payments', { chat: 'dingtalk:ops' }], ['web', { chat: '#web' }]]), people: new Map([['wei', { chat: 'feishu:cn' }]]) },
      { ops: robotSchema.parse({ type: 'wecom', key: 'k' }) },
    );
    expect(problems).toEqual([
      'team "payments": chat "dingtalk:ops" names no robot in notify.robots (robots: wecom:ops)',
      'person "wei": chat "feishu:cn" names no robot in notify.robots (robots: wecom:ops)',
    ]);
  });
});

describe('a team on DingTalk, end to end', () => {
  const repoRules = path.join(import.meta.dirname, '..', '..', 'rules');

  it('its page reaches the group in Chinese through the robot and one tap on the signed link acknowledges it; a refusing robot falls back to email', async () => {
    const base = await platform();
    const dir = path.join(tempDir(), 'rules');
    mkdirSync(dir);
    cpSync(repoRules, dir, { recursive: true });
    writeFileSync(
      path.join(dir, '21-shanghai.yaml'),
      [
        'people:',
        '  - { id: lina, name: 李娜, phone: "+8613800138000", email: lina@example.com }',
        'teams:',
        '  - { name: shanghai, chat: "dingtalk:ops-cn", locale: zh-CN, members: [lina], roles: { oncall: [lina] } }',
        '',
      ].join('\n'),
    );
    v = await startVigil({
      file: {
        rules: { dir },
        server: { publicUrl: 'http://vigil.test' },
        notify: { linkSecret: 'link-secret-for-tests-0123456789', robots: { 'ops-cn': { type: 'dingtalk', accessToken: 'dt-token', secret: 'SEC', baseUrl: base } } },
      },
    });
    await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'QueueBacklog', team: 'shanghai', severity: 'critical' } }]));
    while ((await v.vigil.notifier.dispatcher.runOnce()) > 0) v.clock.advance(3000);
    const posts = sent().filter((r) => r.url.startsWith('/robot/send'));
    expect(posts.length).toBeGreaterThan(0);
    const text: string = posts[0]!.body.markdown.text;
    expect(posts[0]!.body.at.atMobiles).toEqual(['13800138000']);
    // The team reads Chinese: the message and its links are in Chinese.
    expect(text).toMatch(/^### \[P1 告警\] #1 QueueBacklog\n\n#1 QueueBacklog {2}\n级别：严重（P1），状态：待响应，shanghai {2}\n/);
    const ack = /\[确认\]\((http:\/\/vigil\.test\/[^)]+)\)/.exec(text)![1]!;
    expect(text).toMatch(/ · \[解决\]\(http:\/\/vigil\.test\//);
    const chatPages = (await v.json('/api/v1/notifications?incident=1')).notifications.filter((n: any) => n.channel === 'chat');
    expect(chatPages.map((n: any) => [n.recipient.address, n.status, n.mode])).toContainEqual(['dingtalk:ops-cn', 'delivered', 'live']);

    // One tap: the signed link, opened on the phone (GET shows the confirmation, POST acts).
    const link = new URL(ack);
    const page = await fetch(`${v.url}${link.pathname}${link.search}`);
    expect(page.status).toBe(200);
    const done = await fetch(`${v.url}${link.pathname}${link.search}`, { method: 'POST' });
    expect(done.status).toBeLessThan(400);
    expect((await v.json('/api/v1/incidents/1')).status).toBe('acknowledged');

    // The robot now refuses (its settings changed): the next page falls back to the person's email.
    answerWith((_req, res) => json(res, 200, { errcode: 310000, errmsg: 'keywords not in content' }));
    await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'DiskFull', team: 'shanghai', severity: 'critical' } }]));
    for (let i = 0; i < 10; i++) {
      await v.vigil.notifier.dispatcher.runOnce();
      v.clock.advance(5000);
    }
    const second = (await v.json('/api/v1/notifications?incident=2')).notifications as any[];
    expect(second.find((n) => n.channel === 'chat')).toMatchObject({ status: 'failed', error: { kind: 'auth', message: 'dingtalk: 310000 keywords not in content' } });
    const fallback = second.find((n) => n.fallbackOf !== null && n.fallbackOf !== undefined);
    expect(fallback).toBeDefined();
    const timeline = (await v.json('/api/v1/incidents/2')).timeline as any[];
    expect(timeline.find((e) => e.kind === 'delivery_degraded').message).toBe('delivery degraded: chat to 李娜 failed (auth: dingtalk: 310000 keywords not in content); trying email');
    expect(timeline.at(-1).message).toBe('page sent to 李娜 by email (log mode: no credentials)');
  });
});
