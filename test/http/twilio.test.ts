import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { checkedListener } from '../helpers/openapi-conformance.js';
import express from 'express';
import nock from 'nock';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { incidentNotFound, incidentResolved } from '../../src/incidents/refusals.js';
import { createLogger } from '../../src/observe/logger.js';
import { SmsChannel } from '../../src/notify/channels/sms.js';
import { VoiceChannel } from '../../src/notify/channels/voice.js';
import { withLogMode } from '../../src/notify/channels/log-mode.js';
import { twilioCallbacks } from '../../src/notify/inbound/twilio.js';
import { ChannelError, type Delivery, type IncidentActions } from '../../src/notify/types.js';

const API = 'https://twilio.test';
const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'tok-5ecret-0123456789';
const FROM = '+15550000000';
const ALICE = '+15550001111';
const WEI = '+8613800138000';
const config = { accountSid: SID, authToken: TOKEN, from: FROM, apiBaseUrl: API };
const unconfigured = { accountSid: undefined, authToken: undefined, from: undefined, apiBaseUrl: API };
const callsPath = `/2010-04-01/Accounts/${SID}/Calls.json`;
const messagesPath = `/2010-04-01/Accounts/${SID}/Messages.json`;
const silent = createLogger('silent');

function delivery(channel: 'voice' | 'sms'): Delivery {
  return {
    notificationId: 7,
    kind: 'page',
    channel,
    recipient: { person: 'alice', name: 'Alice', address: ALICE },
    incident: {
      id: 12,
      title: 'CPU above 95%',
      status: 'triggered',
      severity: 'critical',
      priority: 'P1',
      team: 'core',
      service: 'checkout',
      createdAt: 0,
      acknowledgedBy: null,
      resolvedBy: null,
      alertCount: 1,
      links: [],
      details: [],
    },
    rendered: {
      subject: '[P1] CPU above 95%',
      text: 'CPU above 95%',
      html: '<p>CPU above 95%</p>',
      sms: 'Vigil #12 P1 CPU above 95% checkout. Reply 4 ack, 6 resolve',
      speech: 'Vigil alert. Priority one. CPU above 95 percent on checkout.',
    },
    idempotencyKey: 'n7',
    threadRef: null,
    actions: null,
  };
}

async function sendError(send: () => Promise<unknown>): Promise<ChannelError> {
  const err = await send().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

const socketError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('VoiceChannel and SmsChannel against the Twilio API', () => {
  it('places a call with the speech and a keypad menu posting back to Vigil, and returns the call SID', async () => {
    let form = new URLSearchParams();
    const scope = nock(API)
      .post(callsPath)
      .basicAuth({ user: SID, pass: TOKEN })
      .reply(201, (_uri, body) => {
        form = new URLSearchParams(String(body));
        return { sid: 'CA11111111111111111111111111111111', status: 'queued' };
      });
    const voice = new VoiceChannel(config, 'https://vigil.example.com/');
    expect(voice.live).toBe(true);
    await expect(voice.send(delivery('voice'))).resolves.toEqual({ providerId: 'CA11111111111111111111111111111111', mode: 'live' });
    scope.done();
    expect(form.get('To')).toBe(ALICE);
    expect(form.get('From')).toBe(FROM);
    const twiml = form.get('Twiml') ?? '';
    const gather =
      '<Gather numDigits="1" action="https://vigil.example.com/api/v1/callbacks/twilio/voice?incident=12" method="POST" timeout="10">' +
      '<Say>Vigil alert. Priority one. CPU above 95 percent on checkout.</Say>' +
      '<Say>Press 4 to acknowledge, 6 to resolve, 5 to escalate.</Say></Gather>';
    expect(twiml).toBe(`<?xml version="1.0" encoding="UTF-8"?><Response>${gather}${gather}<Say>Goodbye.</Say></Response>`);
  });

  it('sends a text message and returns the message SID', async () => {
    let form = new URLSearchParams();
    const scope = nock(API)
      .post(messagesPath)
      .reply(201, (_uri, body) => {
        form = new URLSearchParams(String(body));
        return { sid: 'SM22222222222222222222222222222222', status: 'queued' };
      });
    const sms = new SmsChannel(config);
    await expect(sms.send(delivery('sms'))).resolves.toEqual({ providerId: 'SM22222222222222222222222222222222', mode: 'live' });
    scope.done();
    expect(Object.fromEntries(form)).toEqual({ To: ALICE, From: FROM, Body: delivery('sms').rendered.sms });
  });

  it('a 503 is a transient server error', async () => {
    nock(API).post(messagesPath).reply(503, { code: 20500, message: 'Service unavailable', status: 503 });
    const err = await sendError(() => new SmsChannel(config).send(delivery('sms')));
    expect(err.kind).toBe('server');
    expect(err.transient).toBe(true);
  });

  it('a 429 with Retry-After is rate limited with the delay', async () => {
    nock(API)
      .post(callsPath)
      .reply(429, { code: 20429, message: 'Too Many Requests', status: 429 }, { 'Retry-After': '7' });
    const err = await sendError(() => new VoiceChannel(config, 'https://vigil.example.com').send(delivery('voice')));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(7000);
    expect(err.transient).toBe(true);
  });

  it('an invalid number (400, code 21211) is a client error that is not retried', async () => {
    nock(API)
      .post(messagesPath)
      .reply(400, { code: 21211, message: "The 'To' number +1555 is not a valid phone number.", status: 400 });
    const err = await sendError(() => new SmsChannel(config).send(delivery('sms')));
    expect(err.kind).toBe('client');
    expect(err.transient).toBe(false);
    expect(err.message).toContain('21211');
  });

  it('a 401 is an auth error whose message carries no credentials', async () => {
    nock(API).post(callsPath).reply(401, { code: 20003, message: 'Authenticate', status: 401 });
    const err = await sendError(() => new VoiceChannel(config, 'https://vigil.example.com').send(delivery('voice')));
    expect(err.kind).toBe('auth');
    expect(err.transient).toBe(false);
    expect(err.message).not.toContain(TOKEN);
    expect(err.message).not.toContain(Buffer.from(`${SID}:${TOKEN}`).toString('base64'));
  });

  it('socket errors are network or timeout errors', async () => {
    nock(API).post(messagesPath).replyWithError(socketError('ECONNREFUSED'));
    expect((await sendError(() => new SmsChannel(config).send(delivery('sms')))).kind).toBe('network');
    nock(API).post(messagesPath).replyWithError(socketError('ETIMEDOUT'));
    expect((await sendError(() => new SmsChannel(config).send(delivery('sms')))).kind).toBe('timeout');
  });

  it('without credentials both channels only log, and make no request', async () => {
    nock.disableNetConnect();
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const voice = withLogMode(new VoiceChannel(unconfigured, 'https://vigil.example.com'), logger);
    const sms = withLogMode(new SmsChannel({ ...config, authToken: undefined }), logger);
    expect(voice.live).toBe(false);
    expect(sms.live).toBe(false);
    await expect(voice.send(delivery('voice'))).resolves.toEqual({ providerId: null, mode: 'log' });
    await expect(sms.send(delivery('sms'))).resolves.toEqual({ providerId: null, mode: 'log' });
    const logged = lines.map((l) => JSON.parse(l));
    expect(logged[0]).toMatchObject({ channel: 'voice', to: ALICE, speech: delivery('voice').rendered.speech });
    expect(logged[1]).toMatchObject({ channel: 'sms', to: ALICE, body: delivery('sms').rendered.sms });
    expect(lines.join('\n')).not.toContain(SID);
  });
});

describe('Twilio callbacks', () => {
  const calls: unknown[][] = [];
  const actions: IncidentActions = {
    acknowledge: async (...args) => {
      // The engine's refusals: no incident 404, and incident 409 was resolved before the reply.
      if (args[0] === 404) throw incidentNotFound(404);
      if (args[0] === 409) throw incidentResolved(409, 'acknowledge');
      calls.push(['acknowledge', ...args]);
    },
    resolve: async (...args) => void calls.push(['resolve', ...args]),
    escalate: async (...args) => void calls.push(['escalate', ...args]),
    addNote: async (...args) => void calls.push(['addNote', ...args]),
    personByPhone: (phone) => (phone === ALICE ? { id: 'alice', name: 'Alice' } : phone === WEI ? { id: 'wei', name: '王伟', locale: 'zh-CN' } : null),
    lastIncidentForPhone: async (phone) => (phone === ALICE || phone === WEI ? 12 : null),
    personBySlack: () => null,
    incidentForThread: async () => null,
    decideRunbook: async (...args) => void calls.push(['decideRunbook', ...args]),
  };
  let server: Server;
  let base = '';

  let checked: ReturnType<typeof checkedListener>;
  beforeAll(async () => {
    const app = express();
    checked = checkedListener(app);
    server = await new Promise<Server>((resolve) => {
      const s = createServer(checked.listener).listen(0, '127.0.0.1', () => resolve(s));
    });
    // Twilio signs the public URL, so the router is mounted once the port is known.
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app.use(twilioCallbacks({ authToken: TOKEN, actions, logger: silent, publicUrl: base }));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(checked.problems()).toEqual([]);
  });
  afterEach(() => {
    calls.length = 0;
  });

  async function post(path: string, params: Record<string, string>, signature?: string) {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (signature !== undefined) headers['X-Twilio-Signature'] = signature;
    const res = await fetch(base + path, { method: 'POST', headers, body: new URLSearchParams(params) });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  }
  const sign = (path: string, params: Record<string, string>, token = TOKEN) =>
    twilio.getExpectedTwilioSignature(token, base + path, params);
  const signed = (path: string, params: Record<string, string>) => post(path, params, sign(path, params));

  const voicePath = '/api/v1/callbacks/twilio/voice?incident=12';
  const keypress = (digits: string) => ({ CallSid: 'CA1', From: FROM, To: ALICE, Digits: digits, Direction: 'outbound-api' });
  const sms = (body: string, from = ALICE) => ({ MessageSid: 'SM1', From: from, To: FROM, Body: body });

  it.each([
    ['4', 'acknowledge', 'acknowledged'],
    ['6', 'resolve', 'resolved'],
    ['5', 'escalate', 'escalated'],
  ])('keypress %s on a call does %s as the person called', async (digits, action, past) => {
    const res = await signed(voicePath, keypress(digits));
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/xml/);
    expect(res.text).toContain(`<Say>Incident 12 ${past}. Thank you.</Say>`);
    expect(calls).toEqual([[action, 12, 'alice', 'voice']]);
  });

  it('a call placed in Chinese answers its keypress in Chinese (the language rides in the signed URL)', async () => {
    const path = '/api/v1/callbacks/twilio/voice?incident=12&lang=zh-CN';
    const res = await signed(path, keypress('4'));
    expect(res.text).toContain('<Say language="zh-CN">事件 12 已确认。谢谢。</Say>');
    expect(calls).toEqual([['acknowledge', 12, 'alice', 'voice']]);
    const again = await signed(path, keypress('9'));
    expect(again.text).toContain(`action="${base}/api/v1/callbacks/twilio/voice?incident=12&amp;lang=zh-CN"`);
    expect(again.text).toContain('<Say language="zh-CN">确认请按 4，解决请按 6，升级请按 5。</Say>');
  });

  it('an unknown keypress repeats the menu', async () => {
    const res = await signed(voicePath, keypress('9'));
    expect(res.text).toContain(`<Gather numDigits="1" action="${base}/api/v1/callbacks/twilio/voice?incident=12" method="POST" timeout="10">`);
    expect(res.text).toContain('<Say>Press 4 to acknowledge, 6 to resolve, 5 to escalate.</Say>');
    expect(calls).toEqual([]);
  });

  it.each([
    ['ACK 12', ['acknowledge', 12, 'alice', 'sms'], 'Incident 12 acknowledged.'],
    ['12r', ['resolve', 12, 'alice', 'sms'], 'Incident 12 resolved.'],
    ['4', ['acknowledge', 12, 'alice', 'sms'], 'Incident 12 acknowledged.'],
    ['esc 31', ['escalate', 31, 'alice', 'sms'], 'Incident 31 escalated.'],
    ['on it, db failover in progress', ['addNote', 12, 'alice', 'sms', 'on it, db failover in progress'], 'Noted on incident 12.'],
    ['APPROVE 1a2b3c4d', ['decideRunbook', '1a2b3c4d', 'alice', true], 'Runbook run 1a2b3c4d approved.'],
    ['no 1A2B3C4D', ['decideRunbook', '1a2b3c4d', 'alice', false], 'Runbook run 1a2b3c4d rejected.'],
  ])('SMS reply %j', async (body, call, answer) => {
    const res = await signed('/api/v1/callbacks/twilio/sms', sms(body));
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/xml/);
    expect(res.text).toBe(`<?xml version="1.0" encoding="UTF-8"?><Response><Message>${answer}</Message></Response>`);
    expect(calls).toEqual([call]);
  });

  it.each([
    ['4', ['acknowledge', 12, 'wei', 'sms'], '事件 12 已确认。'],
    ['12r', ['resolve', 12, 'wei', 'sms'], '事件 12 已解决。'],
    ['正在切换备用网关', ['addNote', 12, 'wei', 'sms', '正在切换备用网关'], '已添加为事件 12 的备注。'],
    ['help', null, '回复 4 确认，6 解决，5 升级，例如 ACK 123'],
  ])('an SMS reply from someone with locale zh-CN is answered in Chinese: %j', async (body, call, answer) => {
    const res = await signed('/api/v1/callbacks/twilio/sms', sms(body, WEI));
    expect(res.text).toBe(`<?xml version="1.0" encoding="UTF-8"?><Response><Message>${answer}</Message></Response>`);
    expect(calls).toEqual(call ? [call] : []);
  });

  it('text from a number with no incident gets the help', async () => {
    const res = await signed('/api/v1/callbacks/twilio/sms', sms('hello?', '+15559999999'));
    expect(res.text).toContain('<Message>Reply 4 to acknowledge, 6 to resolve, 5 to escalate, e.g. ACK 123</Message>');
    expect(calls).toEqual([]);
  });

  it('an action Vigil refuses is answered with its reason, in the sender\'s language', async () => {
    const res = await signed('/api/v1/callbacks/twilio/sms', sms('ACK 404'));
    expect(res.text).toContain('<Message>Incident 404 was not found.</Message>');
    expect(res.text).not.toContain('at ');
    expect((await signed('/api/v1/callbacks/twilio/sms', sms('ACK 409'))).text).toContain('<Message>Incident 409 is already resolved; it cannot be acknowledged.</Message>');
    expect((await signed('/api/v1/callbacks/twilio/sms', sms('ACK 409', WEI))).text).toContain('<Message>事件 409 已解决，无法确认。</Message>');
    expect((await signed('/api/v1/callbacks/twilio/sms', sms('ACK 404', WEI))).text).toContain('<Message>未找到事件 404。</Message>');
    const keyed = await signed('/api/v1/callbacks/twilio/voice?incident=409&lang=zh-CN', keypress('4'));
    expect(keyed.text).toContain('<Say language="zh-CN">事件 409 已解决，无法确认。</Say>');
    expect(calls).toEqual([]);
  });

  it.each([
    ['unsigned', () => post('/api/v1/callbacks/twilio/sms', sms('ACK 12'))],
    ['wrongly signed', () => post('/api/v1/callbacks/twilio/sms', sms('ACK 12'), sign('/api/v1/callbacks/twilio/sms', sms('ACK 12'), 'other-token'))],
    ['signed for other parameters', () => post('/api/v1/callbacks/twilio/sms', sms('RES 12'), sign('/api/v1/callbacks/twilio/sms', sms('ACK 12')))],
    ['signed for another URL', () => post(voicePath, keypress('4'), sign('/api/v1/callbacks/twilio/voice?incident=13', keypress('4')))],
    ['signed for another path', () => post(voicePath, keypress('4'), sign('/api/v1/callbacks/twilio/sms', keypress('4')))],
  ])('%s → 403 and nothing changes', async (_name, send) => {
    const res = await send();
    expect(res.status).toBe(403);
    expect(calls).toEqual([]);
  });

  it('without an auth token every callback is refused', async () => {
    const app = express();
    app.use(twilioCallbacks({ authToken: undefined, actions, logger: silent, publicUrl: base }));
    const other = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}/api/v1/callbacks/twilio/sms`;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'X-Twilio-Signature': sign('/api/v1/callbacks/twilio/sms', sms('ACK 12')) },
        body: new URLSearchParams(sms('ACK 12')),
      });
      expect(res.status).toBe(403);
      expect(calls).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});
