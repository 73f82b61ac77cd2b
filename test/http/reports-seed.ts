import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { amWebhook, tempDir, type TestVigil } from '../helpers/vigil.js';

/**
 * A seeded week for the report tests through Vigil's own doors: alerts posted to the Alertmanager
 * webhook, acknowledged and resolved through the API while the test clock moves. Monday 9 to Monday
 * 16 March 2026 in Europe/Berlin (CET, UTC+1). The figures each test expects follow from these times:
 *
 * | # | severity | team     | created (UTC)   | acknowledged      | resolved              |
 * |---|----------|----------|-----------------|-------------------|-----------------------|
 * | 1 | critical | platform | Mon 09:00       | +10m by alice     | +1h by alice          |
 * | 2 | warning  | platform | Mon 09:30       | +40m by bob       | +2h by bob            |
 * | 3 | critical | web      | Tue 22:00 (23:00 local: night) | +5m by bob | +5h by bob  |
 * | 4 | info     | (none: platform, the defaultTeam) | Wed 12:00 | never | +30m, its alert resolved |
 * | 5 | warning  | web      | Thu 12:00       | never             | still open            |
 */

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const at = (iso: string) => Date.parse(iso);
/** Sent with every API call (tests that configure VIGIL_API_TOKEN use this one; an open API ignores it). */
export const API = { authorization: 'Bearer api-token' };

const repoRules = path.join(import.meta.dirname, '..', '..', 'rules');

export const people = `people:
  - { id: alice, name: Alice Example, email: alice@example.com, phone: "+15550100001", slack: U0ALICE01 }
  - { id: bob, name: Bob Example, email: bob@example.com, phone: "+15550100002", slack: U0BOB0001 }
  - { id: carol, name: Carol Manager, email: carol@example.com }
teams:
  - name: platform
    chat: "#platform-alerts"
    members: [alice, bob]
    roles: { oncall: [alice], on-duty: [bob], owner: [bob], management: [carol] }
  - name: web
    chat: "#web-alerts"
    members: [bob]
    roles: { oncall: [bob], on-duty: [bob], owner: [bob], management: [carol] }
defaultTeam: platform
rules:
  - name: default
    match: []
`;

/** The shipped policies; people and teams without schedules, so who is paged does not depend on the day. */
export function reportRulesDir(): string {
  const dir = path.join(tempDir(), 'rules');
  mkdirSync(dir);
  copyFileSync(path.join(repoRules, '00-policies.yaml'), path.join(dir, '00-policies.yaml'));
  writeFileSync(path.join(dir, '20-people.yaml'), people);
  return dir;
}

async function ok(res: Promise<Response>): Promise<void> {
  const r = await res;
  if (!r.ok) throw new Error(`${r.url}: ${r.status} ${await r.text()}`);
}

export async function fire(v: TestVigil, iso: string, labels: Record<string, string>, status: 'firing' | 'resolved' = 'firing'): Promise<void> {
  v.clock.set(iso);
  await ok(v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels, status, startsAt: iso }])));
}

export async function act(v: TestVigil, iso: string, id: number, action: 'acknowledge' | 'resolve', by: string): Promise<void> {
  v.clock.set(iso);
  await ok(v.post(`/api/v1/incidents/${id}/${action}`, { by }, API));
}

/** The week in the table above; leaves the clock at the last action. */
export async function seedWeek(v: TestVigil): Promise<void> {
  const disk = { alertname: 'DiskFull', service: 'db', team: 'platform', severity: 'critical' };
  await fire(v, '2026-03-09T09:00:00Z', disk);
  await act(v, '2026-03-09T09:10:00Z', 1, 'acknowledge', 'alice');
  const latency = { alertname: 'HighLatency', service: 'api', team: 'platform', severity: 'warning' };
  await fire(v, '2026-03-09T09:30:00Z', latency);
  await act(v, '2026-03-09T10:00:00Z', 1, 'resolve', 'alice');
  await act(v, '2026-03-09T10:10:00Z', 2, 'acknowledge', 'bob');
  await act(v, '2026-03-09T11:30:00Z', 2, 'resolve', 'bob');
  const down = { alertname: 'InstanceDown', service: 'web', team: 'web', severity: 'critical' };
  await fire(v, '2026-03-10T22:00:00Z', down);
  await act(v, '2026-03-10T22:05:00Z', 3, 'acknowledge', 'bob');
  await act(v, '2026-03-11T03:00:00Z', 3, 'resolve', 'bob');
  const backup = { alertname: 'BackupDone', service: 'backup', severity: 'info' };
  await fire(v, '2026-03-11T12:00:00Z', backup);
  await fire(v, '2026-03-11T12:30:00Z', backup, 'resolved');
  await fire(v, '2026-03-12T12:00:00Z', { alertname: 'QueueBacklog', service: 'queue', team: 'web', severity: 'warning' });
}

/** Monday 9 March 00:00 and Monday 16 March 00:00 in Berlin. */
export const weekSince = '2026-03-08T23:00:00Z';
export const weekUntil = '2026-03-15T23:00:00Z';

// ---- a real SMTP server and a stand-in for Slack's Web API, in-process

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

/** Decodes RFC 2047 encoded words (=?UTF-8?Q?...?= and =?UTF-8?B?...?=) in a header. */
function decodeWords(value: string): string {
  return value.replace(/=\?utf-8\?([qb])\?([^?]*)\?=\s*(?==\?)?/gi, (_m, enc: string, text: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  );
}

function headersOf(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split(/\r\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function decodeBody(body: string, encoding: string | undefined): string {
  if (/quoted-printable/i.test(encoding ?? '')) {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  if (/base64/i.test(encoding ?? '')) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

/** The text and HTML parts of a message as nodemailer writes it (multipart/alternative, or one part). */
export function parseMail(raw: string, to: string[]): Mail {
  const split = raw.indexOf('\r\n\r\n');
  const headers = headersOf(raw.slice(0, split));
  const body = raw.slice(split + 4);
  const parts: { type: string; text: string }[] = [];
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  if (boundary) {
    for (const chunk of body.split(`--${boundary}`).slice(1, -1)) {
      const at = chunk.indexOf('\r\n\r\n');
      const h = headersOf(chunk.slice(0, at).replace(/^\r\n/, ''));
      parts.push({ type: h['content-type'] ?? '', text: decodeBody(chunk.slice(at + 4).replace(/\r\n$/, ''), h['content-transfer-encoding']) });
    }
  } else {
    parts.push({ type: headers['content-type'] ?? '', text: decodeBody(body, headers['content-transfer-encoding']) });
  }
  return {
    to,
    subject: decodeWords(headers.subject ?? ''),
    text: parts.find((p) => p.type.startsWith('text/plain'))?.text.replace(/\r\n/g, '\n') ?? '',
    html: parts.find((p) => p.type.startsWith('text/html'))?.text.replace(/\r\n/g, '\n') ?? '',
    headers,
  };
}

export async function smtpServer() {
  const { SMTPServer } = await import('smtp-server');
  const received: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 1000,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(parseMail(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((r) => r.address)));
        cb(null, 'queued');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as import('node:net').AddressInfo).port;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface SlackPost {
  channel: string;
  text: string;
  blocks: any[];
  attachments: any[];
}

/** Answers chat.postMessage like Slack and keeps what was posted. */
export async function fakeSlack() {
  const { createServer } = await import('node:http');
  const posts: SlackPost[] = [];
  const updates: (SlackPost & { ts: string })[] = [];
  let ts = 1000;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const args: Record<string, any> = req.headers['content-type']?.includes('json') ? JSON.parse(body) : Object.fromEntries(new URLSearchParams(body));
      for (const key of ['blocks', 'attachments']) if (typeof args[key] === 'string') args[key] = JSON.parse(args[key]);
      if (req.url?.endsWith('/chat.postMessage')) posts.push({ channel: args.channel, text: args.text, blocks: args.blocks ?? [], attachments: args.attachments ?? [] });
      if (req.url?.endsWith('/chat.update')) updates.push({ channel: args.channel, ts: args.ts, text: args.text, blocks: args.blocks ?? [], attachments: args.attachments ?? [] });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true, channel: args.channel, ts: `${ts++}.000100` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/api/`, posts, updates, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Delivers everything due, moving the clock a second between passes (the dispatcher paces per address). */
export async function deliverAll(v: TestVigil): Promise<void> {
  for (let i = 0; i < 50 && (await v.vigil.notifier.dispatcher.runOnce()) > 0; i++) v.clock.advance(1000);
}
