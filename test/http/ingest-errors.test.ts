import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { amWebhook, fixture, startVigil, type TestVigil } from '../helpers/vigil.js';

let v: TestVigil;
afterEach(async () => v?.close());

async function errorOf(res: Response) {
  const body = (await res.json());
  expect(body).toHaveProperty('error.code');
  expect(body).toHaveProperty('error.message');
  return body.error as { code: string; message: string; details: { field: string; problem: string }[] | null };
}

async function incidentCount(t: TestVigil) {
  return (await t.json('/api/v1/incidents')).incidents.length;
}

describe('ingest refuses bad input clearly and changes nothing', () => {
  it('400 malformed JSON', async () => {
    v = await startVigil();
    const res = await v.post('/api/v1/alerts/alertmanager', '{"version": "4", "alerts": [');
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/malformed JSON/);
    expect(await incidentCount(v)).toBe(0);
  });

  it.each([
    ['missing alerts', { version: '4' }, 'alerts', /required/],
    ['wrong version', { ...amWebhook([{ labels: { alertname: 'A' } }]), version: '3' }, 'version', /version/],
    ['label value not a string', amWebhook([{ labels: { alertname: 'A', n: 1 as unknown as string } }]), 'alerts[0].labels.n', /expected string/],
    ['bad status', { ...amWebhook([{ labels: { alertname: 'A' } }]), alerts: [{ status: 'burning', labels: { alertname: 'A' }, startsAt: '2026-11-22T16:00:00Z' }] }, 'alerts[0].status', /./],
    ['bad time', { version: '4', alerts: [{ status: 'firing', labels: { alertname: 'A' }, startsAt: 'yesterday' }] }, 'alerts[0].startsAt', /RFC 3339/],
    ['impossible date', { version: '4', alerts: [{ status: 'firing', labels: { alertname: 'A' }, startsAt: '2026-02-30T00:00:00Z' }] }, 'alerts[0].startsAt', /RFC 3339/],
    ['no labels', { version: '4', alerts: [{ status: 'firing', labels: {}, startsAt: '2026-11-22T16:00:00Z' }] }, 'alerts[0].labels', /at least one label/],
    ['body is not an object', [1, 2], '(body)', /expected object/],
  ])('400 naming the field: %s', async (_name, body, field, problem) => {
    v = await startVigil();
    const res = await v.post('/api/v1/alerts/alertmanager', body);
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.code).toBe('bad_request');
    expect(err.details?.[0]?.field).toBe(field);
    expect(err.details?.[0]?.problem).toMatch(problem);
    expect(err.message).toContain(field);
    expect(await incidentCount(v)).toBe(0);
  });

  it('a batch with one bad alert stores none of it', async () => {
    v = await startVigil();
    const body = amWebhook([{ labels: { alertname: 'Good', service: 's' } }, { labels: { alertname: 'Bad' } }]);
    (body.alerts[1] as Record<string, unknown>).startsAt = 'never';
    expect((await v.post('/api/v1/alerts/alertmanager', body)).status).toBe(400);
    expect(await incidentCount(v)).toBe(0);
    expect((await v.json('/api/v1/alerts')).alerts).toEqual([]);
  });

  it('400 for an alert that ends before it starts on /api/v2/alerts', async () => {
    v = await startVigil();
    const res = await v.post('/api/v2/alerts', [{ labels: { alertname: 'A' }, startsAt: '2026-11-22T16:10:00Z', endsAt: '2026-11-22T16:00:00Z' }]);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details?.[0]?.field).toBe('[0].endsAt');
  });

  it('400 when a request carries more alerts than allowed', async () => {
    v = await startVigil({ file: { ingest: { maxAlertsPerRequest: 2 } } });
    const body = amWebhook([1, 2, 3].map((i) => ({ labels: { alertname: `A${i}` } })));
    const res = await v.post('/api/v1/alerts/alertmanager', body);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/at most 2 alerts/);
  });

  it('413 for a body over the limit', async () => {
    v = await startVigil({ file: { server: { bodyLimit: '4kb' } } });
    const big = amWebhook([{ labels: { alertname: 'A' }, annotations: { description: 'x'.repeat(5000) } }]);
    const res = await v.post('/api/v1/alerts/alertmanager', big);
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('payload_too_large');
    expect(await incidentCount(v)).toBe(0);
  });

  it('415 for a body that is not JSON', async () => {
    v = await startVigil();
    const res = await v.post('/api/v1/alerts/alertmanager', 'alertname=A', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect((await errorOf(res)).code).toBe('unsupported_media_type');
  });

  it('404 in the same shape for an unknown path', async () => {
    v = await startVigil();
    const res = await v.post('/api/v1/alerts/nagios', {});
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('not_found');
  });
});

describe('ingest authentication', () => {
  const body = amWebhook([{ labels: { alertname: 'A', service: 's' } }]);

  it('401 without or with a wrong token; accepts Bearer, basic-auth password and every rotated token', async () => {
    v = await startVigil({ auth: { ingestTokens: ['old-token', 'new-token'] } });
    const none = await v.post('/api/v1/alerts/alertmanager', body);
    expect(none.status).toBe(401);
    expect((await errorOf(none)).code).toBe('unauthorized');
    expect((await v.post('/api/v1/alerts/alertmanager', body, { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await v.post('/api/v1/alerts/alertmanager', body, { authorization: 'Bearer new-token' })).status).toBe(202);
    expect((await v.post('/api/v1/alerts/alertmanager', body, { authorization: 'Bearer old-token' })).status).toBe(202);
    const basic = 'Basic ' + Buffer.from('alertmanager:new-token').toString('base64');
    expect((await v.post('/api/v2/alerts', [{ labels: { alertname: 'B' } }], { authorization: basic })).status).toBe(200);
  });

  it('keeps ingest and API tokens apart', async () => {
    v = await startVigil({ auth: { ingestTokens: ['ingest'], apiTokens: ['api'] } });
    expect((await v.get('/api/v1/incidents', { authorization: 'Bearer ingest' })).status).toBe(401);
    expect((await v.get('/api/v1/incidents', { authorization: 'Bearer api' })).status).toBe(200);
    expect((await v.post('/api/v1/alerts/alertmanager', body, { authorization: 'Bearer api' })).status).toBe(401);
    expect((await v.get('/healthz')).status).toBe(200);
  });
});

describe('Grafana signature', () => {
  const secret = 'grafana-secret';
  const raw = JSON.stringify(fixture('grafana-webhook-firing.json'));
  const sign = (payload: string) => createHmac('sha256', secret).update(payload).digest('hex');

  it('accepts a valid signature and refuses a missing or wrong one', async () => {
    v = await startVigil({ file: { ingest: { grafana: { hmacSecret: secret } } } });
    expect((await v.post('/api/v1/alerts/grafana', raw)).status).toBe(401);
    expect((await v.post('/api/v1/alerts/grafana', raw, { 'X-Grafana-Alerting-Signature': sign(raw + ' ') })).status).toBe(401);
    expect(await incidentCount(v)).toBe(0);
    expect((await v.post('/api/v1/alerts/grafana', raw, { 'X-Grafana-Alerting-Signature': sign(raw) })).status).toBe(202);
    expect(await incidentCount(v)).toBe(1);
  });

  it('with a timestamp header, signs "ts:body" and refuses replays outside the window', async () => {
    v = await startVigil({
      file: { ingest: { grafana: { hmacSecret: secret, timestampHeader: 'X-Grafana-Alerting-Timestamp', replayWindow: '5m' } } },
    });
    const ts = Math.floor(v.clock.now() / 1000);
    const headers = (t: number) => ({ 'X-Grafana-Alerting-Signature': sign(`${t}:${raw}`), 'X-Grafana-Alerting-Timestamp': String(t) });
    expect((await v.post('/api/v1/alerts/grafana', raw, headers(ts - 301))).status).toBe(401);
    expect((await v.post('/api/v1/alerts/grafana', raw, { 'X-Grafana-Alerting-Signature': sign(raw) })).status).toBe(401);
    expect((await v.post('/api/v1/alerts/grafana', raw, headers(ts - 60))).status).toBe(202);
  });
});

describe('PagerDuty routing keys', () => {
  it('400 naming routing_key for an unknown key, in both PagerDuty and Vigil shapes', async () => {
    v = await startVigil({ file: { ingest: { pagerduty: { routingKeys: [{ key: 'k'.repeat(32), service: 'db' }] } } } });
    const res = await v.post('/v2/enqueue', fixture('pagerduty-events-v2-trigger.json'));
    expect(res.status).toBe(400);
    const body = (await res.json());
    expect(body.status).toBe('invalid event');
    expect(body.error.details[0].field).toBe('routing_key');
    expect(await incidentCount(v)).toBe(0);
  });

  it('400 for an unknown PagerDuty severity', async () => {
    v = await startVigil();
    const event = fixture('pagerduty-events-v2-trigger.json');
    event.payload.severity = 'apocalyptic';
    const res = await v.post('/v2/enqueue', event);
    expect(res.status).toBe(400);
    expect(((await res.json())).error.details[0].field).toBe('payload.severity');
  });
});

describe('label names', () => {
  const am = (labels: Record<string, string>, annotations: Record<string, string> = {}) => amWebhook([{ labels: { alertname: 'A', ...labels }, annotations }]);
  const refused = async (path: string, body: unknown, field: string, problem: RegExp) => {
    const res = await v.post(path, body);
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.details?.[0]?.field).toBe(field);
    expect(err.details?.[0]?.problem).toMatch(problem);
    expect(err.message).toContain(field);
  };

  it("follow Prometheus' rule on the Alertmanager and Prometheus doors: a 400 naming the label", async () => {
    v = await startVigil();
    for (const name of ['has space', 'dotted.name', 'nul\0name', '9lives', 'dash-ed']) {
      await refused('/api/v1/alerts/alertmanager', am({ [name]: 'x' }), `alerts[0].labels.${name}`, /must match \[a-zA-Z_\]\[a-zA-Z0-9_\]\*/);
      await refused('/api/v2/alerts', [{ labels: { alertname: 'A', [name]: 'x' } }], `[0].labels.${name}`, /must match/);
    }
    await refused('/api/v1/alerts/alertmanager', am({ zone: 'eu\0west' }), 'alerts[0].labels.zone', /must not contain NUL/);
    await refused('/api/v1/alerts/alertmanager', am({}, { 'sum\0mary': 'x' }), 'alerts[0].annotations.sum\0mary', /must not contain NUL/);
    expect(await incidentCount(v)).toBe(0);
    // Annotation names are free text; label values are any text but NUL.
    expect((await v.post('/api/v1/alerts/alertmanager', am({ _ok: 'a value with spaces.and dots', Zone9: 'zürich' }, { '告警主题': 'disk' }))).status).toBe(202);
  });

  it('with ingest.labelNames: utf8 (Prometheus 3) any well-formed UTF-8 name passes, NUL and lone surrogates do not', async () => {
    v = await startVigil({ file: { ingest: { labelNames: 'utf8' } } });
    expect((await v.post('/api/v2/alerts', [{ labels: { alertname: 'A', 'service.name': 'checkout', 'zone name': 'eu' } }])).status).toBe(200);
    await refused('/api/v2/alerts', [{ labels: { alertname: 'B', 'nul\0name': 'x' } }], '[0].labels.nul\0name', /well-formed UTF-8 without NUL/);
    await refused('/api/v1/alerts/alertmanager', JSON.stringify(am({ x: 'y' })).replace('"x"', '"\\ud800"'), 'alerts[0].labels.\ud800', /well-formed UTF-8/);
    await refused('/api/v2/alerts', [{ labels: { alertname: 'C', zone: 'eu\0' } }], '[0].labels.zone', /must not contain NUL/);
  });

  it("Grafana's door takes the Unicode and spaces Grafana allows in label names, but no NUL", async () => {
    v = await startVigil();
    const body = fixture('grafana-webhook-firing.json');
    body.alerts[0].labels['Alert owner'] = 'storage team';
    body.alerts[0].labels['区域'] = 'eu';
    expect((await v.post('/api/v1/alerts/grafana', body)).status).toBe(202);
    body.alerts[0].labels['bad\0'] = 'x';
    await refused('/api/v1/alerts/grafana', body, 'alerts[0].labels.bad\0', /without NUL/);
  });
});

describe('hostile nesting and sizes', () => {
  /** 10,000 arrays inside each other, as text: JSON.parse takes it, anything recursive would not. */
  const deep = (inner = '1') => `${'['.repeat(10_000)}${inner}${']'.repeat(10_000)}`;
  const trigger = (customDetails: string) => {
    const event = fixture('pagerduty-events-v2-trigger.json');
    event.payload.custom_details = '@@';
    return JSON.stringify(event).replace('"@@"', customDetails);
  };

  it('PagerDuty custom_details nested 10,000 levels deep is a 400 naming it, not a 500', async () => {
    v = await startVigil();
    const res = await v.post('/v2/enqueue', trigger(deep()));
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.details?.[0]).toEqual({ field: 'payload.custom_details', problem: 'nested deeper than 32 levels' });
    expect(await incidentCount(v)).toBe(0);
  });

  it('PagerDuty custom_details is capped like an annotation once serialized', async () => {
    v = await startVigil();
    const big = JSON.stringify({ dump: 'x'.repeat(20_000) });
    const res = await v.post('/v2/enqueue', trigger(big));
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.details?.[0]?.field).toBe('payload.custom_details');
    expect(err.details?.[0]?.problem).toMatch(/longer than 16384 characters/);
    expect(await incidentCount(v)).toBe(0);
    // 32 levels and a modest size are kept as the details annotation.
    const fine = `${'{"a":'.repeat(31)}{"lag":1}${'}'.repeat(31)}`;
    expect((await v.post('/v2/enqueue', trigger(fine))).status).toBe(202);
    const [alert] = (await v.json('/api/v1/alerts')).alerts;
    expect(alert.annotations.details).toBe(fine);
  });

  it.each([
    ['/api/v1/alerts/alertmanager', (d: string) => `{"version":"4","alerts":[{"status":"firing","labels":{"alertname":${d}},"startsAt":"2026-11-22T16:00:00Z"}]}`],
    ['/api/v1/alerts/grafana', (d: string) => `{"alerts":[{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-11-22T16:00:00Z","values":{"A":${d}}}]}`],
    ['/api/v2/alerts', (d: string) => `[{"labels":{"alertname":"A"},"annotations":{"summary":${d}}}]`],
    ['/v2/enqueue', (d: string) => `{"routing_key":"k","event_action":"trigger","payload":{"summary":${d},"source":"s","severity":"info"}}`],
  ])('%s answers a body of 10,000 nested arrays, or one inside a field, with 400', async (path, inField) => {
    v = await startVigil();
    for (const body of [deep(), inField(deep())]) {
      const res = await v.post(path, body);
      expect(res.status).toBe(400);
      expect((await errorOf(res)).code).toBe('bad_request');
    }
    expect(await incidentCount(v)).toBe(0);
  });
});

describe('transient store failure', () => {
  it('answers 503 with Retry-After, never a 4xx', async () => {
    v = await startVigil();
    await v.vigil.store.close();
    const res = await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'A' } }]));
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await errorOf(res)).code).toBe('unavailable');
    expect((await v.get('/readyz')).status).toBe(503);
  });

  it('answers 503 when too many writes are waiting', async () => {
    v = await startVigil({ file: { store: { maxPendingWrites: 1 } } });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: `A${i}` } }]))),
    );
    const codes = results.map((r) => r.status);
    expect(codes).toContain(202);
    expect(codes.every((c) => c === 202 || c === 503)).toBe(true);
    const refused = results.filter((r) => r.status === 503);
    for (const r of refused) expect(r.headers.get('retry-after')).toBe('1');
  });
});

describe('the ingest body reader', () => {
  const body = amWebhook([{ labels: { alertname: 'A' } }]);

  it('refuses a charset other than UTF-8 with 415 and accepts +json types', async () => {
    v = await startVigil();
    const latin = await v.post('/api/v1/alerts/alertmanager', body, { 'content-type': 'application/json; charset=iso-8859-1' });
    expect(latin.status).toBe(415);
    const vendor = await v.post('/api/v1/alerts/alertmanager', body, { 'content-type': 'application/vnd.alertmanager+json; charset=utf-8' });
    expect(vendor.status).toBe(202);
  });

  it('stops reading a chunked body at the limit: 413, nothing stored', async () => {
    v = await startVigil({ file: { server: { bodyLimit: '2kb' } } });
    const big = JSON.stringify(amWebhook([{ labels: { alertname: 'A' }, annotations: { d: 'x'.repeat(4000) } }]));
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < big.length; i += 500) c.enqueue(new TextEncoder().encode(big.slice(i, i + 500)));
        c.close();
      },
    });
    const res = await fetch(`${v.url}/api/v1/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await incidentCount(v)).toBe(0);
  });

  it('400 for an empty body, and echoes a sane X-Request-Id', async () => {
    v = await startVigil();
    const res = await v.post('/api/v2/alerts', '', { 'x-request-id': 'am-retry-7' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-request-id')).toBe('am-retry-7');
    expect((await errorOf(res)).message).toMatch(/empty/);
    const other = await v.post('/api/v2/alerts', [], { 'x-request-id': 'bad id with spaces' });
    expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('treats other methods and unknown paths as the API does (404 JSON), including prototype names', async () => {
    v = await startVigil();
    for (const path of ['/__proto__', '/constructor', '/api/v2/alerts?x=1'.replace('alerts', 'alertz')]) {
      const res = await v.post(path, body);
      expect(res.status).toBe(404);
      expect((await errorOf(res)).code).toBe('not_found');
    }
    // GET is Alertmanager's read API (see alertmanager-api.test.ts), not the ingest door.
    const read = await v.get('/api/v2/alerts');
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual([]);
  });
});
