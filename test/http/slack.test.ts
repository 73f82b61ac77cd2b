import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { checkedListener } from '../helpers/openapi-conformance.js';
import express from 'express';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observe/logger.js';
import { conflict } from '../../src/errors/errors.js';
import { ChatChannel } from '../../src/notify/channels/chat.js';
import { withLogMode } from '../../src/notify/channels/log-mode.js';
import { slackCallbacks, verifySlackSignature } from '../../src/notify/inbound/slack.js';
import { ChannelError, type Delivery, type IncidentActions, type IncidentSummary } from '../../src/notify/types.js';
import { sampleIncident } from '../helpers/deliveries.js';

const API = 'https://slack.test';
const apiUrl = `${API}/api/`;
const TOKEN = 'xoxb-test-1234567890';
const logger = createLogger('silent');

function incident(over: Partial<IncidentSummary> = {}): IncidentSummary {
  return sampleIncident({
    links: [
      { href: 'https://runbooks.example/cpu', text: 'Runbook' },
      { href: 'https://grafana.example/d/1', text: 'Dashboard' },
    ],
    details: ['checkout-1 at 97%', 'checkout-2 at 96%'],
    ...over,
  });
}

function delivery(over: Partial<Delivery> = {}): Delivery {
  return {
    notificationId: 7,
    kind: 'page',
    channel: 'chat',
    recipient: { person: null, name: '#payments-oncall', address: 'C0123' },
    incident: incident(),
    rendered: {
      subject: '[P1] CPU above 95% for 5m',
      text: 'CPU above 95% for 5m on checkout',
      html: '<p>CPU</p>',
      sms: 'P1 CPU',
      speech: 'CPU',
    },
    idempotencyKey: 'n7',
    threadRef: null,
    actions: null,
    ...over,
  };
}

/** The Web API sends form-encoded arguments with JSON-encoded blocks and attachments. */
function formArgs(body: unknown): Record<string, any> {
  const fields: Record<string, unknown> =
    typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : (body as Record<string, unknown>);
  const out: Record<string, any> = { ...fields };
  for (const key of ['blocks', 'attachments']) {
    if (typeof out[key] === 'string') out[key] = JSON.parse(out[key]);
  }
  return out;
}

/** Every action element anywhere in the message. */
function buttons(args: Record<string, any>): any[] {
  const blocks = [...(args.blocks ?? []), ...(args.attachments ?? []).flatMap((a: any) => a.blocks ?? [])];
  return blocks.filter((b: any) => b.type === 'actions').flatMap((b: any) => b.elements);
}

function expectSlackCall(method: string, answer: { status?: number; body?: object; headers?: Record<string, string> } = {}) {
  const seen: { args?: Record<string, any>; auth?: string } = {};
  nock(API)
    .post(`/api/${method}`, (body) => {
      seen.args = formArgs(body);
      return true;
    })
    .reply(function () {
      seen.auth = String(this.req.headers.authorization);
      return [answer.status ?? 200, answer.body ?? { ok: true, channel: 'C0123', ts: '1714564800.000100' }, answer.headers ?? {}];
    });
  return seen;
}

async function failure(p: Promise<unknown>): Promise<ChannelError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('ChatChannel against the Slack Web API', () => {
  const live = () => new ChatChannel({ botToken: TOKEN, signingSecret: undefined, slackApiUrl: apiUrl }, logger);

  it('posts the page with text, blocks, both buttons and the severity colour', async () => {
    const seen = expectSlackCall('chat.postMessage');
    const result = await live().send(delivery());

    expect(result).toEqual({ providerId: '1714564800.000100', mode: 'live', threadRef: '1714564800.000100' });
    expect(seen.auth).toBe(`Bearer ${TOKEN}`);
    const args = seen.args!;
    expect(args.channel).toBe('C0123');
    expect(args.text).toBe('[P1] CPU above 95% for 5m');
    expect(args.thread_ts).toBeUndefined();
    expect(args.blocks[0]).toMatchObject({ type: 'header' });
    expect(args.blocks[0].text.text).toContain('P1');
    expect(args.blocks[0].text.text).toContain('CRITICAL');
    expect(args.blocks[0].text.text).toContain('CPU above 95% for 5m');
    expect(args.attachments).toHaveLength(1);
    expect(args.attachments[0].color).toBe('#d32f2f');
    const all = JSON.stringify(args);
    expect(all).toContain('checkout-1 at 97%');
    expect(all).toContain('Team: payments');
    expect(all).toContain('Service: checkout');
    expect(all).toContain('<https://runbooks.example/cpu|Runbook>');
    expect(buttons(args)).toEqual([
      expect.objectContaining({ type: 'button', action_id: 'vigil_ack', value: '42', text: expect.objectContaining({ text: 'Acknowledge' }) }),
      expect.objectContaining({ type: 'button', action_id: 'vigil_resolve', value: '42', text: expect.objectContaining({ text: 'Resolve' }) }),
    ]);
  });

  it('uses the colour of the severity', async () => {
    const seen = expectSlackCall('chat.postMessage');
    await live().send(delivery({ incident: incident({ severity: 'warning', priority: 'P3' }) }));
    expect(seen.args!.attachments[0].color).toBe('#f9a825');
  });

  it('posts an acknowledgement into the incident thread, without buttons', async () => {
    const seen = expectSlackCall('chat.postMessage', { body: { ok: true, channel: 'C0123', ts: '1714564900.000200' } });
    const result = await live().send(
      delivery({
        kind: 'acknowledged',
        threadRef: '1714564800.000100',
        incident: incident({ status: 'acknowledged', acknowledgedBy: 'alice' }),
      }),
    );
    expect(seen.args!.thread_ts).toBe('1714564800.000100');
    expect(buttons(seen.args!)).toEqual([]);
    expect(result).toEqual({ providerId: '1714564900.000200', mode: 'live', threadRef: '1714564800.000100' });
  });

  it('shows no buttons on a resolved incident', async () => {
    const seen = expectSlackCall('chat.postMessage');
    await live().send(delivery({ kind: 'reminder', incident: incident({ status: 'resolved', resolvedBy: 'bob' }) }));
    expect(buttons(seen.args!)).toEqual([]);
  });

  it('update rewrites the original message with the new status and no buttons', async () => {
    const seen = expectSlackCall('chat.update');
    await live().update(
      delivery({ kind: 'resolved', incident: incident({ status: 'resolved', resolvedBy: 'bob' }) }),
      '1714564800.000100',
    );
    const args = seen.args!;
    expect(args.channel).toBe('C0123');
    expect(args.ts).toBe('1714564800.000100');
    expect(buttons(args)).toEqual([]);
    expect(JSON.stringify(args)).toContain('*Resolved* by bob');
  });

  it('ok:false channel_not_found is a client error', async () => {
    expectSlackCall('chat.postMessage', { body: { ok: false, error: 'channel_not_found' } });
    const err = await failure(live().send(delivery()));
    expect(err.kind).toBe('client');
    expect(err.transient).toBe(false);
    expect(err.message).toContain('channel_not_found');
  });

  it('invalid_auth is an auth error and never names the token', async () => {
    expectSlackCall('chat.postMessage', { body: { ok: false, error: 'invalid_auth' } });
    const err = await failure(live().send(delivery()));
    expect(err.kind).toBe('auth');
    expect(err.message).not.toContain(TOKEN);
  });

  it('HTTP 429 with Retry-After is rate_limited with the wait in ms', async () => {
    expectSlackCall('chat.postMessage', { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'Retry-After': '7' } });
    const err = await failure(live().send(delivery()));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(7000);
  });

  it('HTTP 500 is a server error, tried once', async () => {
    expectSlackCall('chat.postMessage', { status: 500, body: { ok: false } });
    const err = await failure(live().send(delivery()));
    expect(err.kind).toBe('server');
    expect(err.transient).toBe(true);
    expect(nock.isDone()).toBe(true);
  });

  it('a refused connection is a network error', async () => {
    nock(API).post('/api/chat.postMessage').replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    const err = await failure(live().send(delivery()));
    expect(err.kind).toBe('network');
  });

  it('without a token it only logs and makes no request', async () => {
    const scope = nock(API).post(/.*/).reply(200, { ok: true, ts: '1' });
    const channel = withLogMode(new ChatChannel({ botToken: undefined, signingSecret: undefined, slackApiUrl: apiUrl }, logger), logger);
    expect(channel.live).toBe(false);
    expect(await channel.send(delivery())).toEqual({ providerId: null, mode: 'log', threadRef: null });
    await channel.update!(delivery(), '1714564800.000100');
    expect(scope.isDone()).toBe(false);
  });
});

describe('verifySlackSignature', () => {
  // Slack's own worked example from "Verifying requests from Slack".
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const body =
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
  const headers = {
    'x-slack-request-timestamp': '1531420618',
    'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
  };

  it('accepts the documented example and refuses any change', () => {
    const now = 1531420618_000 + 1000;
    expect(verifySlackSignature(secret, headers, Buffer.from(body), now)).toBe(true);
    expect(verifySlackSignature(secret, headers, Buffer.from(`${body}x`), now)).toBe(false);
    expect(verifySlackSignature('other-secret', headers, Buffer.from(body), now)).toBe(false);
    expect(verifySlackSignature(secret, { ...headers, 'x-slack-request-timestamp': '1531420619' }, Buffer.from(body), now)).toBe(false);
    expect(verifySlackSignature(secret, headers, Buffer.from(body), 1531420618_000 + 5 * 60_000 + 1)).toBe(false);
  });
});

describe('Slack interactive callbacks', () => {
  const SECRET = 'slack-signing-secret';
  const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);
  let server: Server | undefined;
  let base: string;
  let calls: { action: string; id: number; by: string; source: string; text?: string }[];
  /** The once-keys notes came with, as the store would see them (it records each once). */
  let noteKeys: { key: string; windowMs: number }[];

  function fakeActions(): IncidentActions {
    const record = (action: string) => async (id: number, by: string, source: string, text?: string, once?: { key: string; windowMs: number }) => {
      if (once) {
        const repeat = noteKeys.some((k) => k.key === once.key);
        noteKeys.push(once);
        if (repeat) return false;
      }
      calls.push({ action, id, by, source, ...(text === undefined ? {} : { text }) });
      if (id === 409) throw conflict('incident 409 is already resolved');
      return {};
    };
    return {
      acknowledge: record('acknowledge'),
      resolve: record('resolve'),
      escalate: record('escalate'),
      addNote: record('addNote'),
      personByPhone: () => null,
      lastIncidentForPhone: async () => null,
      personBySlack: (id: string) => (id === 'U0ALICE' ? { id: 'alice', name: 'Alice' } : null),
      decideRunbook: async (runId: string, by: string, approved: boolean) => {
        calls.push({ action: approved ? 'approveRun' : 'rejectRun', id: 0, by, source: runId });
      },
      incidentForThread: async (ts: string) => (ts === '1714564800.000100' ? 42 : null),
    };
  }

  let checked: ReturnType<typeof checkedListener> | undefined;
  async function start(signingSecret: string | undefined): Promise<void> {
    calls = [];
    noteKeys = [];
    const app = express();
    app.use(slackCallbacks({ signingSecret, actions: fakeActions(), logger, now: () => NOW }));
    checked = checkedListener(app);
    await new Promise<void>((resolve) => {
      server = createServer(checked!.listener).listen(0, '127.0.0.1', () => resolve());
    });
    base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  }

  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    expect(checked?.problems() ?? []).toEqual([]);
    checked = undefined;
  });

  const click = (actionId: string, value: string, user: object = { id: 'U024BE7LH', username: 'alice' }) =>
    `payload=${encodeURIComponent(
      JSON.stringify({
        type: 'block_actions',
        user,
        actions: [{ type: 'button', action_id: actionId, block_id: 'vigil_incident_42', value, action_ts: '1714564801.1' }],
      }),
    )}`;

  function signed(body: string, timestamp = Math.floor(NOW / 1000), secret = SECRET): Record<string, string> {
    const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    return {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    };
  }

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${base}/api/v1/callbacks/slack/interactive`, { method: 'POST', headers, body });

  describe('events: replies in an incident thread', () => {
    const events = (payload: object, headers?: Record<string, string>) => {
      const body = JSON.stringify(payload);
      return fetch(`${base}/api/v1/callbacks/slack/events`, {
        method: 'POST',
        headers: headers ?? { ...signed(body), 'content-type': 'application/json' },
        body,
      });
    };
    const reply = (over: object = {}) => ({
      type: 'event_callback',
      event_id: 'Ev1',
      event: { type: 'message', channel: 'C0123', user: 'U0ALICE', text: 'restarted the pods, watching', ts: '1714564900.000200', thread_ts: '1714564800.000100', ...over },
    });

    it('answers the URL verification challenge, signed only', async () => {
      await start(SECRET);
      const res = await events({ type: 'url_verification', challenge: 'abc123' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ challenge: 'abc123' });
      const body = JSON.stringify({ type: 'url_verification', challenge: 'abc123' });
      expect((await events({ type: 'url_verification', challenge: 'abc123' }, { ...signed(body, Math.floor(NOW / 1000), 'wrong'), 'content-type': 'application/json' })).status).toBe(401);
    });

    it('records a reply in an incident thread as a note by the person with that Slack id, once per event id', async () => {
      await start(SECRET);
      expect((await events(reply())).status).toBe(200);
      expect((await events(reply())).status).toBe(200); // Slack's retry of the same event
      expect(calls).toEqual([{ action: 'addNote', id: 42, by: 'alice', source: 'chat', text: 'restarted the pods, watching' }]);
      // Both deliveries name the event, for Slack's retry window (two hours), so the store records it once.
      expect(noteKeys).toEqual([
        { key: 'slack:Ev1', windowMs: 2 * 3_600_000 },
        { key: 'slack:Ev1', windowMs: 2 * 3_600_000 },
      ]);
      await events({ ...reply({ user: 'U0OTHER', text: 'on it' }), event_id: 'Ev2' });
      expect(calls[1]).toEqual({ action: 'addNote', id: 42, by: 'slack:U0OTHER', source: 'chat', text: 'on it' });
    });

    it('ignores bot messages, edits, top-level messages and threads of no incident', async () => {
      await start(SECRET);
      await events({ ...reply({ bot_id: 'B1' }), event_id: 'a' });
      await events({ ...reply({ subtype: 'message_changed' }), event_id: 'b' });
      await events({ ...reply({ thread_ts: undefined }), event_id: 'c' });
      await events({ ...reply({ ts: '1714564800.000100' }), event_id: 'd' });
      await events({ ...reply({ thread_ts: '1000.1' }), event_id: 'e' });
      expect(calls).toEqual([]);
    });

    it('refuses unsigned events and events without a configured secret', async () => {
      await start(SECRET);
      expect((await events(reply(), { 'content-type': 'application/json' })).status).toBe(401);
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      await start(undefined);
      expect((await events(reply())).status).toBe(401);
      expect(calls).toEqual([]);
    });
  });

  it('a signed Acknowledge click acknowledges the incident and answers 200 with an empty body', async () => {
    await start(SECRET);
    const body = click('vigil_ack', '42');
    const res = await post(body, signed(body));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(calls).toEqual([{ action: 'acknowledge', id: 42, by: 'slack:alice', source: 'chat' }]);
  });

  it('Approve and Reject on a runbook approval request decide the run named by the button', async () => {
    await start(SECRET);
    for (const [actionId, value] of [['vigil_runbook_approve', 'run-1'], ['vigil_runbook_reject', 'run-2']]) {
      const body = click(actionId!, value!);
      expect((await post(body, signed(body))).status).toBe(200);
    }
    expect(calls).toEqual([
      { action: 'approveRun', id: 0, by: 'slack:alice', source: 'run-1' },
      { action: 'rejectRun', id: 0, by: 'slack:alice', source: 'run-2' },
    ]);
  });

  it('a signed Resolve click resolves; a user without username is named by id', async () => {
    await start(SECRET);
    const body = click('vigil_resolve', '42', { id: 'U024BE7LH' });
    const res = await post(body, signed(body));
    expect(res.status).toBe(200);
    expect(calls).toEqual([{ action: 'resolve', id: 42, by: 'slack:U024BE7LH', source: 'chat' }]);
  });

  it('an action the incident refuses is still answered 200', async () => {
    await start(SECRET);
    const body = click('vigil_resolve', '409');
    const res = await post(body, signed(body));
    expect(res.status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it('a bad signature is refused with 401 and changes nothing', async () => {
    await start(SECRET);
    const body = click('vigil_ack', '42');
    expect((await post(body, signed(body, undefined, 'wrong-secret'))).status).toBe(401);
    const tampered = click('vigil_resolve', '42');
    expect((await post(tampered, signed(body))).status).toBe(401);
    expect(calls).toEqual([]);
  });

  it('missing signature headers are refused', async () => {
    await start(SECRET);
    const body = click('vigil_ack', '42');
    expect((await post(body, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(401);
    const { 'x-slack-signature': _sig, ...noSignature } = signed(body);
    expect((await post(body, noSignature)).status).toBe(401);
    const { 'x-slack-request-timestamp': _ts, ...noTimestamp } = signed(body);
    expect((await post(body, noTimestamp)).status).toBe(401);
    expect(calls).toEqual([]);
  });

  it('a request signed 6 minutes ago is refused as a replay', async () => {
    await start(SECRET);
    const body = click('vigil_ack', '42');
    const res = await post(body, signed(body, Math.floor(NOW / 1000) - 6 * 60));
    expect(res.status).toBe(401);
    expect(calls).toEqual([]);
  });

  it('without a configured signing secret every request is refused', async () => {
    await start(undefined);
    const body = click('vigil_ack', '42');
    expect((await post(body, signed(body))).status).toBe(401);
    expect(calls).toEqual([]);
  });
});
