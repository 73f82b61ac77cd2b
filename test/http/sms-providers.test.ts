import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configFileSchema } from '../../src/config/schema.js';
import { withLogMode } from '../../src/notify/channels/log-mode.js';
import { AliyunSmsChannel, templateParams } from '../../src/notify/channels/phone/aliyun-sms.js';
import { PhoneRouter } from '../../src/notify/channels/phone/phone-router.js';
import { SmsChannel } from '../../src/notify/channels/sms.js';
import { providerProblems } from '../../src/notify/channels/phone/provider-problems.js';
import { createLogger } from '../../src/observe/logger.js';
import type { Delivery } from '../../src/notify/types.js';
import { channelFailure, sampleIncident } from '../helpers/deliveries.js';
import { json, startReceiver, type Receiver } from '../helpers/receiver.js';
import { amWebhook, startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';

const logger = createLogger('silent');
const SID = 'AC0123456789abcdef0123456789abcdef';
const WEI = '+8613800138000';

let aliyun: Receiver | undefined;
let twilio: Receiver | undefined;
let v: TestVigil | undefined;
afterEach(async () => {
  await v?.close();
  v = undefined;
  for (const r of [aliyun, twilio]) await r?.close();
  aliyun = twilio = undefined;
});

/** Alibaba Cloud's SMS API, faked: it answers `Code` OK (or what a test sets) with a BizId. */
async function fakeAliyun(code = 'OK', message = 'OK'): Promise<Receiver> {
  return startReceiver((_req, res) => json(res, 200, { Code: code, Message: message, RequestId: 'req-1', BizId: '900619746936498440^0' }));
}

/** Twilio's Messages API, faked (twilio-node sends there through notify.twilio.apiBaseUrl). */
async function fakeTwilio(status = 201): Promise<Receiver> {
  return startReceiver((_req, res) => json(res, status, status < 300 ? { sid: 'SM00000000000000000000000000000001', status: 'queued' } : { code: 20500, message: 'Internal Server Error', status }));
}

function notifyConfig(extra: Record<string, unknown>) {
  return configFileSchema.parse({ notify: extra }).notify;
}

function delivery(address: string): Delivery {
  return {
    notificationId: 7,
    kind: 'page',
    channel: 'sms',
    recipient: { person: 'wei', name: '王伟', address },
    incident: sampleIncident({ id: 42, title: '支付服务 CPU 使用率超过 95%，持续 5 分钟以上' }),
    rendered: { subject: '', text: '', html: '', sms: 'Vigil #42 P1 CPU above 95%. Reply 4 ack, 6 resolve', speech: '' },
    idempotencyKey: 'n7',
    threadRef: null,
    actions: null,
  };
}

function aliyunConfig(r: Receiver, more: Record<string, unknown> = {}) {
  return { accessKeyId: 'LTAI-test', accessKeySecret: 'secret-test', signName: '值班告警', templateCode: 'SMS_465000001', endpoint: r.base.replace('http://', ''), protocol: 'http', ...more };
}


describe('Alibaba Cloud SMS', () => {
  it('sends the approved template through its SDK: SendSms, signed, with the sign name, the template code and the incident as template variables', async () => {
    aliyun = await fakeAliyun();
    const channel = new AliyunSmsChannel(notifyConfig({ aliyun: aliyunConfig(aliyun) }).aliyun);
    expect(await channel.send(delivery(WEI))).toEqual({ providerId: '900619746936498440^0', mode: 'live' });
    const [req] = aliyun.received;
    expect(req!.headers['x-acs-action']).toBe('SendSms');
    expect(req!.headers['x-acs-version']).toBe('2017-05-25');
    expect(req!.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=LTAI-test,SignedHeaders=[^,]+,Signature=[0-9a-f]{64}$/);
    const q = new URL(req!.url, aliyun.base).searchParams;
    expect(q.get('PhoneNumbers')).toBe('13800138000');
    expect(q.get('SignName')).toBe('值班告警');
    expect(q.get('TemplateCode')).toBe('SMS_465000001');
    // Free text is not allowed: the incident goes in as the template's variables, each within Alibaba's 35 characters.
    expect(JSON.parse(q.get('TemplateParam')!)).toEqual({ id: '42', level: 'P1', title: '支付服务 CPU 使用率超过 95%，持续 5 分钟以上' });
    expect(q.get('OutId')).toBe('n7');
  });

  it('fills configured variables and cuts each to the length Alibaba accepts', () => {
    const filled = templateParams({ code: 'INC-{{id}}', what: '{{severity}} {{title}}', where: '{{service}}' }, sampleIncident({ title: 'x'.repeat(50) }), 20);
    expect(filled).toEqual({ code: 'INC-42', what: `critical ${'x'.repeat(11)}`, where: 'checkout' });
  });

  it('classifies its codes: flow control is rate limited, an empty balance or a rejected template a refusal, 5xx the server', async () => {
    const cases: [string, number, string][] = [
      ['isv.BUSINESS_LIMIT_CONTROL', 200, 'rate_limited'],
      ['isv.AMOUNT_NOT_ENOUGH', 200, 'auth'],
      ['isv.SMS_TEMPLATE_ILLEGAL', 200, 'auth'],
      ['isv.MOBILE_NUMBER_ILLEGAL', 200, 'client'],
      ['isp.SYSTEM_ERROR', 200, 'server'],
      ['ServiceUnavailable', 503, 'server'],
    ];
    aliyun = await startReceiver(() => undefined);
    const channel = new AliyunSmsChannel(notifyConfig({ aliyun: aliyunConfig(aliyun) }).aliyun);
    for (const [code, status, kind] of cases) {
      aliyun.answer = (_req, res) => json(res, status, { Code: code, Message: 'said', RequestId: 'r' });
      const err = await channelFailure(channel.send(delivery(WEI)));
      expect(err.kind, code).toBe(kind);
      expect(err.message).toContain(code);
    }
  });

  it('without its keys, sign name and template it only logs', async () => {
    const channel = withLogMode(new AliyunSmsChannel(notifyConfig({ aliyun: { accessKeyId: 'only-this' } }).aliyun), logger);
    expect(channel.live).toBe(false);
    expect(await channel.send(delivery(WEI))).toEqual({ providerId: null, mode: 'log' });
  });
});

describe('SMS providers by number', () => {
  async function router(aliyunCode: string, twilioStatus = 201) {
    aliyun = await fakeAliyun(aliyunCode, 'said');
    twilio = await fakeTwilio(twilioStatus);
    const n = notifyConfig({
      aliyun: aliyunConfig(aliyun),
      twilio: { accountSid: SID, authToken: 'tok', from: '+15550000000', apiBaseUrl: twilio.base },
      sms: { providers: ['twilio'], routes: [{ prefix: '+86', providers: ['aliyun', 'twilio'] }] },
    });
    return new PhoneRouter(
      'sms',
      new Map([
        ['twilio', withLogMode(new SmsChannel(n.twilio), logger)],
        ['aliyun', withLogMode(new AliyunSmsChannel(n.aliyun), logger)],
      ]),
      n.sms,
    );
  }

  it('a +86 number goes through Alibaba Cloud; another through Twilio', async () => {
    const r = await router('OK');
    expect(await r.send(delivery(WEI))).toMatchObject({ providerId: '900619746936498440^0', mode: 'live' });
    expect(await r.send(delivery('+15550001111'))).toMatchObject({ providerId: 'SM00000000000000000000000000000001' });
    expect(aliyun!.received).toHaveLength(1);
    expect(twilio!.received).toHaveLength(1);
    expect([r.providerOf(WEI), r.providerOf('+15550001111')]).toEqual(['aliyun', 'twilio']);
  });

  it('a provider that fails hands the message to the next at once, and says so; when all fail, the attempt fails as the most hopeful failure', async () => {
    const r = await router('isv.AMOUNT_NOT_ENOUGH');
    const result = await r.send(delivery(WEI));
    expect(result).toMatchObject({ providerId: 'SM00000000000000000000000000000001', note: 'through twilio after aliyun: isv.AMOUNT_NOT_ENOUGH said (auth)' });
    expect(new URLSearchParams(twilio!.received[0]!.body).get('To')).toBe(WEI);
    await aliyun!.close();
    await twilio!.close();
    const down = await router('isv.AMOUNT_NOT_ENOUGH', 500);
    const err = await channelFailure(down.send(delivery(WEI)));
    expect(err.kind).toBe('server');
    expect(err.message).toMatch(/^aliyun: isv\.AMOUNT_NOT_ENOUGH said; then Twilio answered HTTP 500/);
  });
});

describe('a Shanghai team, end to end', () => {
  it('its SMS page goes out through Alibaba Cloud; with Alibaba refusing, Twilio takes it and the timeline says so', async () => {
    aliyun = await fakeAliyun('isv.AMOUNT_NOT_ENOUGH', '账户余额不足');
    twilio = await fakeTwilio();
    const dir = path.join(tempDir(), 'rules');
    mkdirSync(dir);
    cpSync(path.join(import.meta.dirname, '..', '..', 'rules'), dir, { recursive: true });
    writeFileSync(
      path.join(dir, '21-shanghai.yaml'),
      `people:\n  - { id: lina, name: 李娜, phone: "${WEI}", locale: zh-CN }\nteams:\n  - { name: shanghai, members: [lina], roles: { on-duty: [lina] } }\n`,
    );
    v = await startVigil({
      file: {
        rules: { dir },
        notify: {
          aliyun: aliyunConfig(aliyun),
          twilio: { accountSid: SID, authToken: 'tok', from: '+15550000000', apiBaseUrl: twilio.base },
          sms: { routes: [{ prefix: '+86', providers: ['aliyun', 'twilio'] }] },
        },
      },
    });
    await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'PaymentsDown', team: 'shanghai', severity: 'critical' } }]));
    while ((await v.vigil.notifier.dispatcher.runOnce()) > 0) v.clock.advance(1000);
    expect(aliyun.received).toHaveLength(1);
    const sms = (await v.json('/api/v1/notifications?incident=1')).notifications.find((n: any) => n.channel === 'sms');
    expect(sms).toMatchObject({ status: 'delivered', providerId: 'SM00000000000000000000000000000001' });
    const sent = (await v.json('/api/v1/incidents/1')).timeline.find((e: any) => e.kind === 'notified' && e.data.channel === 'sms');
    expect(sent.message).toBe('page sent to 李娜 by sms, through twilio after aliyun: isv.AMOUNT_NOT_ENOUGH 账户余额不足 (auth)');
    // Twilio took it, but Alibaba Cloud is failing: /readyz says so (and Vigil stays ready).
    const ready = await (await v.get('/readyz')).json();
    expect(ready).toMatchObject({ status: 'ready', delivery: 'degraded', providers: { aliyun: { failures: 1, lastError: { kind: 'auth' } } } });
    expect(ready.providers.twilio).toBeUndefined();
    // Wei reads Chinese: the text Twilio sent is one 70-character Chinese segment.
    const body = new URLSearchParams(twilio.received[0]!.body).get('Body')!;
    expect(body).toBe('[P1 告警] #1 PaymentsDown（shanghai）。回复 1a 确认，1r 解决');
  });
});

describe('provider settings check-config refuses', () => {
  it('a route through a provider without credentials beside one with them, an unknown template field, Vonage calls without the signature secret', () => {
    const n = configFileSchema.parse({
      notify: {
        twilio: { accountSid: SID, authToken: 'tok', from: '+15550000000' },
        sms: { routes: [{ prefix: '+86', providers: ['aliyun', 'twilio'] }] },
        aliyun: { templateParams: { id: '{{id}}', who: '{{assignee}}' } },
        vonage: { applicationId: 'app-1', privateKey: 'pem', from: '+15550000001' },
      },
    }).notify;
    expect(providerProblems(n)).toEqual([
      'notify.sms.routes[0] (+86): aliyun has no credentials, so its numbers skip it (configure notify.aliyun or remove it)',
      'notify.aliyun.templateParams.who: unknown field "{{assignee}}" (fields: id, priority, severity, status, title, service, team)',
      'notify.vonage.signatureSecret: not set, so keypresses on Vonage calls are refused (Vigil cannot verify them)',
    ]);
    // The shipped defaults (nothing configured: log mode) are fine.
    expect(providerProblems(configFileSchema.parse({}).notify)).toEqual([]);
  });
});
