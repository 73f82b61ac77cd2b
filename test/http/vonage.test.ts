import { createHash, createHmac, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { checkedListener } from '../helpers/openapi-conformance.js';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configFileSchema } from '../../src/config/schema.js';
import { incidentResolved } from '../../src/incidents/refusals.js';
import { PhoneRouter } from '../../src/notify/channels/phone/phone-router.js';
import { VonageSmsChannel, VonageVoiceChannel, vonageInputUrl } from '../../src/notify/channels/phone/vonage.js';
import { VoiceChannel } from '../../src/notify/channels/voice.js';
import { withLogMode } from '../../src/notify/channels/log-mode.js';
import { VONAGE_EVENT_WINDOW_MS, vonageCallbacks } from '../../src/notify/inbound/vonage.js';
import { createLogger } from '../../src/observe/logger.js';
import { render } from '../../src/notify/render.js';
import type { Delivery, IncidentActions } from '../../src/notify/types.js';
import { channelFailure, sampleIncident } from '../helpers/deliveries.js';
import { json, startReceiver, type Receiver } from '../helpers/receiver.js';

const logger = createLogger('silent');
/** The path of a call's keypress callback, as Vigil signs it into the call. */
const inputPath = (incident: number, lang: 'en' | 'zh-CN' = 'en') => vonageInputUrl('', incident, lang, 'vonage-signature-secret');
const WEI = '+8613800138000';
const PUBLIC = 'https://vigil.example';
const SIGNATURE_SECRET = 'vonage-signature-secret';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

let api: Receiver | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** Vonage's SMS and Voice APIs, faked on one port (the SDK's restHost and apiHost point here). */
async function fakeVonage(sms: object = { messages: [{ to: '8613800138000', 'message-id': 'msg-1', status: '0' }] }, call: [number, object] = [201, { uuid: 'call-1', status: 'started' }]) {
  return startReceiver((req, res) => (req.url!.startsWith('/sms/') ? json(res, 200, { 'message-count': '1', ...sms }) : json(res, call[0], call[1], call[0] === 429 ? { 'retry-after': '3' } : {})));
}

function vonageConfig(r: Receiver) {
  return configFileSchema.parse({
    notify: {
      vonage: { apiKey: 'key', apiSecret: 'secret', applicationId: 'app-1', privateKey: PEM, from: '+15550000000', signatureSecret: SIGNATURE_SECRET, restHost: r.base, apiHost: r.base, timeout: '3s' },
    },
  }).notify.vonage;
}

function delivery(channel: 'sms' | 'voice'): Delivery {
  const incident = sampleIncident({ title: '支付服务 CPU 使用率超过 95%' });
  return {
    notificationId: 3,
    kind: 'page',
    channel,
    recipient: { person: 'wei', name: '王伟', address: WEI },
    incident,
    rendered: render('page', incident, { locale: 'zh-CN' }),
    idempotencyKey: 'n3',
    threadRef: null,
    actions: null,
  };
}

describe('Vonage SMS', () => {
  it('sends through the SDK to the SMS API, as unicode for Chinese, and names the message id', async () => {
    api = await fakeVonage();
    expect(await new VonageSmsChannel(vonageConfig(api)).send(delivery('sms'))).toEqual({ providerId: 'msg-1', mode: 'live' });
    const [req] = api.received;
    expect(req!.url).toBe('/sms/json');
    expect(JSON.parse(req!.body)).toEqual({ to: '8613800138000', from: '15550000000', text: '[P1 告警] #42 支付服务 CPU 使用率超过 95%（checkout / payments）。回复 42a 确认，42r 解决', type: 'unicode' });
    expect(req!.headers.authorization).toBe(`Basic ${Buffer.from('key:secret').toString('base64')}`);
  });

  it('classifies a refused message by its status: 1 throttled, 9 out of credit, 15 a barred number', async () => {
    for (const [status, kind] of [
      ['1', 'rate_limited'],
      ['9', 'auth'],
      ['15', 'client'],
    ] as const) {
      api = await fakeVonage({ messages: [{ to: '8613800138000', status, 'error-text': 'said' }] });
      const err = await channelFailure(new VonageSmsChannel(vonageConfig(api)).send(delivery('sms')));
      expect([err.kind, err.message]).toEqual([kind, `vonage: SMS status ${status} said`]);
      await api.close();
    }
    api = undefined;
  });
});

describe('Vonage calls', () => {
  it('calls with an NCCO: the speech in Mandarin, the keypad menu, and an input whose event comes back to Vigil signed', async () => {
    api = await fakeVonage();
    const channel = new VonageVoiceChannel(vonageConfig(api), PUBLIC);
    expect(await channel.send(delivery('voice'))).toEqual({ providerId: 'call-1', mode: 'live' });
    const [req] = api.received;
    expect(req!.url).toBe('/v1/calls');
    expect(req!.headers.authorization).toMatch(/^Bearer eyJ/);
    const body = JSON.parse(req!.body);
    expect(body.to).toEqual([{ type: 'phone', number: '8613800138000' }]);
    expect(body.from).toEqual({ type: 'phone', number: '15550000000' });
    expect(body.ncco).toEqual([
      { action: 'talk', text: 'Vigil 告警。优先级 1，严重。事件 42：支付服务 CPU 使用率超过 95%，服务 checkout。 确认请按 4，解决请按 6，升级请按 5。', language: 'cmn-CN', bargeIn: true },
      { action: 'input', type: ['dtmf'], dtmf: { maxDigits: 1, timeOut: 10 }, eventUrl: [`${PUBLIC}${inputPath(42, 'zh-CN')}`], eventMethod: 'POST' },
    ]);
    // The incident and language are signed into the URL: the callback checks it.
    expect(body.ncco[1].eventUrl[0]).toMatch(/\?incident=42&lang=zh-CN&sig=[\w-]{43}$/);
  });

  it('classifies HTTP answers: 429 with its Retry-After, 401 a refusal', async () => {
    api = await fakeVonage(undefined, [429, { title: 'Too Many Requests' }]);
    const limited = await channelFailure(new VonageVoiceChannel(vonageConfig(api), PUBLIC).send(delivery('voice')));
    expect([limited.kind, limited.retryAfterMs]).toEqual(['rate_limited', 3000]);
    await api.close();
    api = await fakeVonage(undefined, [401, { title: 'Unauthorized' }]);
    expect((await channelFailure(new VonageVoiceChannel(vonageConfig(api), PUBLIC).send(delivery('voice')))).kind).toBe('auth');
  });

  it('a +86 number is called through Vonage, others through Twilio (notify.voice.routes)', async () => {
    api = await fakeVonage();
    const n = configFileSchema.parse({ notify: { voice: { routes: [{ prefix: '+86', providers: ['vonage', 'twilio'] }] } } }).notify;
    const router = new PhoneRouter(
      'voice',
      new Map([
        ['twilio', withLogMode(new VoiceChannel(n.twilio, PUBLIC), logger)],
        ['vonage', withLogMode(new VonageVoiceChannel(vonageConfig(api), PUBLIC), logger)],
      ]),
      n.voice,
    );
    expect([router.providerOf(WEI), router.providerOf('+15550001111')]).toEqual(['vonage', 'twilio']);
    expect(await router.send(delivery('voice'))).toMatchObject({ providerId: 'call-1', mode: 'live' });
    expect(api.received).toHaveLength(1);
  });
});

describe('the keypress of a Vonage call', () => {
  let server: Server;
  let checked: ReturnType<typeof checkedListener>;
  let base: string;
  const calls: unknown[][] = [];
  const actions = {
    acknowledge: async (...a: unknown[]) => void calls.push(['acknowledge', ...a]),
    resolve: async (...a: unknown[]) => void calls.push(['resolve', ...a]),
    escalate: async (...a: unknown[]) => {
      // Incident 7 was resolved before the keypress: the engine's refusal.
      if (a[0] === 7) throw incidentResolved(7, 'escalate');
      calls.push(['escalate', ...a]);
    },
    personByPhone: (phone: string) => (phone === WEI ? { id: 'wei', name: '王伟' } : null),
  } as unknown as IncidentActions;

  let now = Date.parse('2026-12-01T10:00:00Z');
  beforeAll(async () => {
    const app = express();
    app.use(vonageCallbacks({ signatureSecret: SIGNATURE_SECRET, publicUrl: PUBLIC, actions, logger, now: () => now }));
    checked = checkedListener(app);
    server = await new Promise<Server>((resolve) => {
      const s = createServer(checked.listener).listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(checked.problems()).toEqual([]);
  });
  afterEach(() => {
    calls.length = 0;
  });

  let jtis = 0;
  /** A JWT as Vonage signs callbacks: HS256 with the signature secret, the body's SHA-256 as payload_hash, issued now, its own jti. */
  function jwt(body: string, secret = SIGNATURE_SECRET, hashOf = body, claims: { iat?: number | null; jti?: string } = {}): string {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const iat = claims.iat === undefined ? Math.floor(now / 1000) : claims.iat;
    const payload = { ...(iat === null ? {} : { iat }), jti: claims.jti ?? `j-${++jtis}`, payload_hash: createHash('sha256').update(hashOf).digest('hex'), application_id: 'app-1' };
    const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
    return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
  }
  const event = (digits: string) => JSON.stringify({ dtmf: { digits, timed_out: false }, to: '8613800138000', from: '15550000000', uuid: 'leg-1', conversation_uuid: 'c-1' });
  const post = (path: string, body: string, token?: string) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });

  it('4 acknowledges as the person called, answered in their language', async () => {
    const body = event('4');
    const res = await post(inputPath(42, 'zh-CN'), body, jwt(body));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([{ action: 'talk', text: '事件 42 已确认。谢谢。', language: 'cmn-CN' }]);
    expect(calls).toEqual([['acknowledge', 42, 'wei', 'voice']]);
  });

  it('an action the engine refuses is told in the call\'s language', async () => {
    const body = event('5');
    const zh = await (await post(inputPath(7, 'zh-CN'), body, jwt(body))).json();
    expect(zh).toEqual([{ action: 'talk', text: '事件 7 已解决，无法升级。', language: 'cmn-CN' }]);
    const en = await (await post(inputPath(7), body, jwt(body))).json();
    expect(en).toEqual([{ action: 'talk', text: 'Incident 7 is already resolved; it cannot be escalated.', language: 'en-US' }]);
    expect(calls).toEqual([]);
  });

  it('another key asks again; an unsigned, wrongly signed or altered event is refused and changes nothing', async () => {
    const body = event('9');
    const again = await (await post(inputPath(42), body, jwt(body))).json();
    expect(again[1]).toMatchObject({ action: 'input', eventUrl: [`${PUBLIC}${inputPath(42)}`] });
    const four = event('4');
    expect((await post(inputPath(42), four)).status).toBe(403);
    expect((await post(inputPath(42), four, jwt(four, 'other-secret'))).status).toBe(403);
    expect((await post(inputPath(42), four, jwt(four, SIGNATURE_SECRET, event('6')))).status).toBe(403);
    expect(calls).toEqual([]);
  });

  it('refuses a replay: an event issued outside the 5-minute window, without iat, taken before, or re-aimed at another incident', async () => {
    const four = event('4');
    const old = Math.floor((now - VONAGE_EVENT_WINDOW_MS - 1000) / 1000);
    const refused = [
      await post(inputPath(42), four, jwt(four, SIGNATURE_SECRET, four, { iat: old })),
      await post(inputPath(42), four, jwt(four, SIGNATURE_SECRET, four, { iat: Math.floor((now + VONAGE_EVENT_WINDOW_MS + 1000) / 1000) })),
      await post(inputPath(42), four, jwt(four, SIGNATURE_SECRET, four, { iat: null })),
      // The URL of incident 42's call with another incident in it, or with no signature.
      await post(inputPath(42).replace('incident=42', 'incident=43'), four, jwt(four)),
      await post('/api/v1/callbacks/vonage/input?incident=42', four, jwt(four)),
      await post(inputPath(42, 'zh-CN').replace('lang=zh-CN', 'lang=en'), four, jwt(four)),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(calls).toEqual([]);
    const token = jwt(four, SIGNATURE_SECRET, four, { jti: 'once' });
    expect((await post(inputPath(42), four, token)).status).toBe(200);
    now += 60_000;
    const again = await post(inputPath(42), four, token);
    expect(again.status).toBe(403);
    expect(await again.text()).toMatch(/already taken/);
    expect(calls).toEqual([['acknowledge', 42, 'wei', 'voice']]);
  });
});
