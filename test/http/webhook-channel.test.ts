import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observe/logger.js';
import { signWebhook, WebhookChannel } from '../../src/notify/channels/webhook.js';
import { withLogMode } from '../../src/notify/channels/log-mode.js';
import { ChannelError, type Delivery } from '../../src/notify/types.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sampleIncident } from '../helpers/deliveries.js';
import { startReceiver, type Answer, type Received, type Receiver } from '../helpers/receiver.js';

const logger = createLogger('silent');
const SECRET = 'webhook-secret';

let server: Receiver | undefined;
let received: Received[];

/** A local receiver that records each request and answers with `answer`. */
async function receiver(answer: Answer): Promise<string> {
  server = await startReceiver(answer);
  received = server.received;
  return `${server.base}/hooks/vigil`;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function delivery(over: Partial<Delivery> = {}): Delivery {
  return {
    notificationId: 9,
    kind: 'page',
    channel: 'webhook',
    recipient: { person: 'alice', name: 'Alice', address: 'ops-hook' },
    incident: sampleIncident({ links: [{ href: 'https://runbooks.example/cpu', text: 'Runbook' }], details: ['checkout-1 at 97%'] }),
    rendered: { subject: '[P1] CPU above 95% for 5m', text: 'CPU above 95% on checkout', html: '', sms: '', speech: '' },
    idempotencyKey: 'notification-9',
    threadRef: null,
    actions: null,
    ...over,
  };
}

const channel = (url: string | undefined, extra: { secret?: string; timeout?: number } = {}) =>
  new WebhookChannel({ url, secret: extra.secret, timeout: extra.timeout ?? 5000 }, logger);

async function failure(p: Promise<unknown>): Promise<ChannelError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

const answerWith =
  (status: number, headers: Record<string, string> = {}, body = '') =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, headers);
    res.end(body);
  };

describe('WebhookChannel', () => {
  it('POSTs the documented body with signed headers', async () => {
    const url = await receiver(answerWith(200, { 'x-request-id': 'rcv-1', 'content-type': 'application/json' }, '{"ok":true}'));
    const before = Math.floor(Date.now() / 1000);
    const result = await channel(url, { secret: SECRET }).send(delivery());
    expect(result).toEqual({ providerId: 'rcv-1', mode: 'live' });

    expect(received).toHaveLength(1);
    const req = received[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/hooks/vigil');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['idempotency-key']).toBe('notification-9');
    const timestamp = Number(req.headers['x-vigil-timestamp']);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(req.headers['x-vigil-signature']).toBe(`sha256=${signWebhook(SECRET, timestamp, req.body)}`);
    expect(req.headers['x-vigil-signature']).not.toBe(`sha256=${signWebhook('other', timestamp, req.body)}`);

    const body = JSON.parse(req.body);
    expect(body).toEqual({
      version: '1',
      kind: 'page',
      incident: {
        id: 42,
        title: 'CPU above 95% for 5m',
        status: 'triggered',
        severity: 'critical',
        priority: 'P1',
        team: 'payments',
        service: 'checkout',
        createdAt: '2024-05-01T12:00:00.000Z',
        acknowledgedBy: null,
        resolvedBy: null,
        alertCount: 2,
        links: [{ href: 'https://runbooks.example/cpu', text: 'Runbook' }],
      },
      subject: '[P1] CPU above 95% for 5m',
      text: 'CPU above 95% on checkout',
      recipient: { person: 'alice', name: 'Alice' },
      idempotencyKey: 'notification-9',
      sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it('sends no signature without a secret and reports no provider id without x-request-id', async () => {
    const url = await receiver(answerWith(204));
    expect(await channel(url).send(delivery({ incident: null, kind: 'digest' }))).toEqual({ providerId: null, mode: 'live' });
    expect(received[0]!.headers['x-vigil-signature']).toBeUndefined();
    expect(JSON.parse(received[0]!.body).incident).toBeNull();
  });

  it("a recipient's own http(s) address overrides the configured URL", async () => {
    const url = await receiver(answerWith(200));
    await channel('http://127.0.0.1:9/unused').send(delivery({ recipient: { person: null, name: 'hook', address: `${url}?team=payments` } }));
    expect(received[0]!.url).toBe('/hooks/vigil?team=payments');
  });

  it('500 is a server error', async () => {
    const url = await receiver(answerWith(500));
    const err = await failure(channel(url).send(delivery()));
    expect(err.kind).toBe('server');
    expect(err.transient).toBe(true);
  });

  it('429 with Retry-After seconds is rate_limited', async () => {
    const url = await receiver(answerWith(429, { 'retry-after': '30' }));
    const err = await failure(channel(url).send(delivery()));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(30_000);
  });

  it('429 with Retry-After as an HTTP date is rate_limited until then', async () => {
    const at = new Date(Date.now() + 120_000).toUTCString();
    const url = await receiver(answerWith(429, { 'retry-after': at }));
    const err = await failure(channel(url).send(delivery()));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBeGreaterThan(100_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('400 is a client error', async () => {
    const url = await receiver(answerWith(400, {}, 'bad'));
    const err = await failure(channel(url).send(delivery()));
    expect(err.kind).toBe('client');
    expect(err.transient).toBe(false);
  });

  it('401 and 403 are auth errors', async () => {
    const url = await receiver((req, res) => answerWith(received.length === 1 ? 401 : 403)(req, res));
    expect((await failure(channel(url).send(delivery()))).kind).toBe('auth');
    expect((await failure(channel(url).send(delivery()))).kind).toBe('auth');
  });

  it('a redirect is a client error and is not followed', async () => {
    const url = await receiver((req, res) =>
      req.url === '/hooks/vigil' ? answerWith(302, { location: '/elsewhere' })(req, res) : answerWith(200)(req, res),
    );
    const err = await failure(channel(url).send(delivery()));
    expect(err.kind).toBe('client');
    expect(received.map((r) => r.url)).toEqual(['/hooks/vigil']);
  });

  it('a receiver that never answers times out', async () => {
    const url = await receiver(() => {
      /* never answers */
    });
    const err = await failure(channel(url, { timeout: 300 }).send(delivery()));
    expect(err.kind).toBe('timeout');
  });

  it('a closed port is a network error', async () => {
    const url = await receiver(answerWith(200));
    await server!.close();
    server = undefined;
    const err = await failure(channel(url).send(delivery()));
    expect(err.kind).toBe('network');
    expect(err.transient).toBe(true);
  });

  it('without a URL it only logs', async () => {
    const ch = withLogMode(channel(undefined), logger);
    expect(ch.live).toBe(false);
    expect(await ch.send(delivery())).toEqual({ providerId: null, mode: 'log' });
  });
});

describe('signWebhook', () => {
  it('is hex HMAC-SHA256 over "<timestamp>.<body>"', () => {
    // Independent value: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(signWebhook('secret', 1700000000, '{"a":1}')).toBe(signWebhook('secret', '1700000000', Buffer.from('{"a":1}')));
    expect(signWebhook('secret', 1700000000, '{"a":1}')).toBe('49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686');
    expect(signWebhook('secret', 1700000000, '{"a":1}')).not.toBe(signWebhook('secret', 1700000001, '{"a":1}'));
  });
});
