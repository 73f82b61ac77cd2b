import { createServer, type Server } from 'node:http';
import { checkedListener } from '../helpers/openapi-conformance.js';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { conflict, notFound, unavailable } from '../../src/errors/errors.js';
import { createLogger } from '../../src/observe/logger.js';
import { linkActions } from '../../src/notify/inbound/link-actions.js';
import { createLinkSigner } from '../../src/notify/link-signer.js';
import type { IncidentActions } from '../../src/notify/types.js';

const HOUR = 3_600_000;
let server: Server | undefined;
let checked: ReturnType<typeof checkedListener> | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  expect(checked?.problems() ?? []).toEqual([]);
  checked = undefined;
});

interface Call {
  action: string;
  incidentId: number;
  by: string;
  source: string;
}

/** Records every call; incident 404 does not exist, incident 409 is already resolved, and 503 meets the store away. */
function fakeActions(calls: Call[]): IncidentActions {
  const act = (action: string) => async (incidentId: number, by: string, source: string) => {
    if (incidentId === 404) throw notFound(`incident ${incidentId} not found`);
    if (incidentId === 409) throw conflict(`incident ${incidentId} is already resolved`);
    if (incidentId === 503) throw unavailable('the store is unavailable', 2);
    calls.push({ action, incidentId, by, source });
    return {};
  };
  return {
    acknowledge: act('acknowledge'),
    resolve: act('resolve'),
    escalate: act('escalate'),
    addNote: act('addNote'),
    personByPhone: () => null,
    lastIncidentForPhone: async () => null,
    personBySlack: () => null,
    incidentForThread: async () => null,
  };
}

async function start() {
  let t = 1_700_000_000_000;
  const signer = createLinkSigner('link-secret', 24 * HOUR, 'http://vigil.test', () => t);
  const calls: Call[] = [];
  const app = express();
  app.use(linkActions({ signer, actions: fakeActions(calls), logger: createLogger('silent'), localeOf: (person) => (person === 'wei' ? 'zh-CN' : 'en') }));
  // What follows in Vigil: the JSON-only parser and token-protected API. Reaching it means the router let go.
  app.use((_req, res) => void res.status(418).json({ error: { code: 'not_found', message: 'fell through', details: null } }));
  checked = checkedListener(app);
  server = await new Promise<Server>((resolve) => {
    const s = createServer(checked!.listener).listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  /** The signed link rewritten onto the test server's address. */
  const link = (action: 'acknowledge' | 'resolve', id: number, person: string | null) =>
    signer.link(action, id, person).replace('http://vigil.test', base);
  const post = (url: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirm=1' });
  return { calls, link, post, base, advance: (ms: number) => void (t += ms) };
}

describe('one-click action links', () => {
  it('GET shows a confirmation form and never acts', async () => {
    const v = await start();
    const url = v.link('acknowledge', 12, 'alice');
    for (let i = 0; i < 3; i++) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const html = await res.text();
      expect(html).toContain('Acknowledge incident 12?');
      expect(html).toMatch(/<form method="post">/);
      expect(html).toContain('<button type="submit">Acknowledge</button>');
    }
    expect(v.calls).toEqual([]);
  });

  it('POST acts once and shows the result', async () => {
    const v = await start();
    const res = await v.post(v.link('acknowledge', 12, 'alice'));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Incident 12 acknowledged.');
    expect(v.calls).toEqual([{ action: 'acknowledge', incidentId: 12, by: 'alice', source: 'email' }]);
  });

  it('a link signed for someone who reads Chinese asks and answers in Chinese', async () => {
    const v = await start();
    const url = v.link('acknowledge', 42, 'wei');
    const asked = await (await fetch(url)).text();
    expect(asked).toContain('<html lang="zh-CN">');
    expect(asked).toContain('<h1>确认事件 42？</h1>');
    expect(asked).toContain('<button type="submit">确认</button>');
    expect(asked).toContain('操作人将记录为 wei。');
    expect(await (await v.post(url)).text()).toContain('事件 42 已由 wei确认。');
    expect(v.calls).toEqual([{ action: 'acknowledge', incidentId: 42, by: 'wei', source: 'email' }]);
  });

  it('a link to a shared address acts as "email link"', async () => {
    const v = await start();
    const res = await v.post(v.link('resolve', 5, null));
    expect(await res.text()).toContain('Incident 5 resolved.');
    expect(v.calls).toEqual([{ action: 'resolve', incidentId: 5, by: 'email link', source: 'email' }]);
  });

  it('POST works without a form body too', async () => {
    const v = await start();
    const res = await fetch(v.link('resolve', 6, 'bob'), { method: 'POST' });
    expect(res.status).toBe(200);
    expect(v.calls).toHaveLength(1);
  });

  it('a refusal from the incident is shown as a page with its status', async () => {
    const v = await start();
    const gone = await v.post(v.link('resolve', 409, 'alice'));
    expect(gone.status).toBe(409);
    expect(gone.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await gone.text()).toContain('incident 409 is already resolved');
    const missing = await v.post(v.link('acknowledge', 404, 'alice'));
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('incident 404 not found');
    expect(v.calls).toEqual([]);
  });

  it('the store away for a moment: 503 with Retry-After, so the reader (or a proxy) tries again', async () => {
    const v = await start();
    const res = await v.post(v.link('acknowledge', 503, 'alice'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('Incident 503');
    expect(v.calls).toEqual([]);
  });

  it('an expired link is refused with 403 on GET and POST', async () => {
    const v = await start();
    const url = v.link('acknowledge', 12, 'alice');
    v.advance(24 * HOUR);
    for (const res of [await fetch(url), await v.post(url)]) {
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/expired/);
    }
    expect(v.calls).toEqual([]);
  });

  it('a tampered or garbled token is refused with 403', async () => {
    const v = await start();
    const url = v.link('acknowledge', 12, 'alice');
    const [payload, sig] = url.slice(url.lastIndexOf('/') + 1).split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, i: 13 })).toString('base64url');
    for (const token of [`${forged}.${sig}`, 'garbage', `${payload}.`]) {
      const res = await v.post(`${v.base}/api/v1/actions/${token}`);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('not valid');
    }
    expect(v.calls).toEqual([]);
  });

  it('escapes what it interpolates', async () => {
    const v = await start();
    const res = await fetch(v.link('acknowledge', 12, '<script>alert("x")</script>'));
    const html = await res.text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('an oversized form body is refused as an HTML page, not passed on', async () => {
    const v = await start();
    const res = await fetch(v.link('acknowledge', 12, 'alice'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `confirm=${'x'.repeat(10_000)}`,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(v.calls).toEqual([]);
  });

  it('leaves other paths to the rest of the app', async () => {
    const v = await start();
    expect((await fetch(`${v.base}/api/v1/incidents`)).status).toBe(418);
  });
});
