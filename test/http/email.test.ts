import { createServer, type AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/observe/logger.js';
import { classifySmtpError, EmailChannel } from '../../src/notify/channels/email.js';
import { withLogMode } from '../../src/notify/channels/log-mode.js';
import { ChannelError, type Delivery } from '../../src/notify/types.js';

type Smtp = Config['notify']['smtp'];

interface Received {
  from: string;
  to: string[];
  user: string | undefined;
  raw: string;
}

let servers: SMTPServer[] = [];
let channels: EmailChannel[] = [];

afterEach(async () => {
  await Promise.all(channels.map((c) => c.close()));
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  servers = [];
  channels = [];
});

/** A real SMTP server on 127.0.0.1, plain text (no STARTTLS), collecting every message it accepts. */
async function smtpServer(options: Partial<SMTPServerOptions> = {}) {
  const received: Received[] = [];
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 1000,
    onConnect(_session, cb) {
      connections++;
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb(null, 'queued');
      });
    },
    ...options,
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, connections: () => connections };
}

function smtpConfig(port: number, extra: Partial<Smtp> = {}): Smtp {
  return {
    host: '127.0.0.1',
    port,
    secure: false,
    user: undefined,
    password: undefined,
    from: 'Vigil <vigil@example.com>',
    maxConnections: 2,
    ...extra,
  };
}

function channel(config: Smtp) {
  const c = new EmailChannel(config);
  channels.push(c);
  return c;
}

const ackLink = 'https://vigil.example.com/api/v1/actions/eyJhIjoiYWNrbm93bGVkZ2UiLCJpIjoxMiwicCI6ImFsaWNlIiwiZSI6MTAwMH0.c2lnbmF0dXJlLWFjaw';
const resolveLink = 'https://vigil.example.com/api/v1/actions/eyJhIjoicmVzb2x2ZSIsImkiOjEyLCJwIjoiYWxpY2UiLCJlIjoxMDAwfQ.c2lnbmF0dXJlLXJlcw';

function delivery(over: Partial<Delivery> = {}): Delivery {
  return {
    notificationId: 77,
    kind: 'page',
    channel: 'email',
    recipient: { person: 'alice', name: 'Alice Example', address: 'alice@example.com' },
    incident: {
      id: 12,
      title: 'CPU above 95% for 5m',
      status: 'triggered',
      severity: 'critical',
      priority: 'P1',
      team: 'platform',
      service: 'checkout',
      createdAt: 0,
      acknowledgedBy: null,
      resolvedBy: null,
      alertCount: 2,
      links: [],
      details: ['web-1 CPU usage is 99%'],
    },
    rendered: {
      subject: '[P1] Incident 12: CPU above 95% for 5m',
      text: `CPU above 95% for 5m on checkout.\n\nAcknowledge: ${ackLink}\nResolve: ${resolveLink}\n`,
      html: `<p>CPU above 95% for 5m on checkout.</p><p><a href="${ackLink}">Acknowledge</a> <a href="${resolveLink}">Resolve</a></p>`,
      sms: 'P1 #12 CPU above 95%',
      speech: 'Incident 12',
    },
    idempotencyKey: 'n77-page',
    threadRef: null,
    actions: { acknowledge: ackLink, resolve: resolveLink },
    ...over,
  };
}

/** Undoes quoted-printable soft line breaks and escapes, enough to find links in a text part. */
function unQuotedPrintable(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

async function failure(p: Promise<unknown>): Promise<ChannelError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ChannelError);
    return err as ChannelError;
  }
  throw new Error('expected the send to fail');
}

describe('EmailChannel against a real SMTP server', () => {
  it('delivers subject, text and HTML parts, the action links and the Vigil headers', async () => {
    const smtp = await smtpServer();
    const email = channel(smtpConfig(smtp.port));
    expect(email.live).toBe(true);

    const result = await email.send(delivery());
    expect(result).toEqual({ providerId: '<n77-page@vigil>', mode: 'live' });
    expect(smtp.received).toHaveLength(1);
    const msg = smtp.received[0]!;
    expect(msg.from).toBe('vigil@example.com');
    expect(msg.to).toEqual(['alice@example.com']);

    const raw = msg.raw;
    expect(header(raw, 'Subject')).toBe('[P1] Incident 12: CPU above 95% for 5m');
    expect(header(raw, 'To')).toBe('Alice Example <alice@example.com>');
    expect(header(raw, 'From')).toBe('Vigil <vigil@example.com>');
    expect(header(raw, 'X-Vigil-Incident')).toBe('12');
    expect(header(raw, 'X-Vigil-Notification')).toBe('77');
    expect(header(raw, 'Message-ID')).toBe('<n77-page@vigil>');
    expect(header(raw, 'In-Reply-To')).toBe('<incident-12@vigil>');
    expect(header(raw, 'References')).toBe('<incident-12@vigil>');
    expect(raw).toMatch(/Content-Type: multipart\/alternative/i);
    expect(raw).toMatch(/Content-Type: text\/plain/i);
    expect(raw).toMatch(/Content-Type: text\/html/i);
    const body = unQuotedPrintable(raw);
    expect(body).toContain(`Acknowledge: ${ackLink}`);
    expect(body).toContain(`Resolve: ${resolveLink}`);
    expect(body).toContain(`<a href="${ackLink}">Acknowledge</a>`);
  });

  it('a resent notification keeps its Message-ID; later messages about the incident join its thread', async () => {
    const smtp = await smtpServer();
    const email = channel(smtpConfig(smtp.port));
    await email.send(delivery());
    await email.send(delivery());
    await email.send(delivery({ notificationId: 78, kind: 'acknowledged', idempotencyKey: 'n78-ack' }));
    const [first, resent, ack] = smtp.received.map((m) => m.raw);
    expect(header(resent!, 'Message-ID')).toBe(header(first!, 'Message-ID'));
    expect(header(ack!, 'Message-ID')).toBe('<n78-ack@vigil>');
    expect(header(ack!, 'References')).toBe('<incident-12@vigil>');
  });

  it('a message about no incident carries no incident headers', async () => {
    const smtp = await smtpServer();
    const email = channel(smtpConfig(smtp.port));
    await email.send(delivery({ incident: null, kind: 'digest', idempotencyKey: 'digest 2024-01-01/alice', actions: null }));
    const raw = smtp.received[0]!.raw;
    expect(header(raw, 'X-Vigil-Incident')).toBeUndefined();
    expect(header(raw, 'In-Reply-To')).toBeUndefined();
    expect(header(raw, 'Message-ID')).toMatch(/^<[0-9a-f]{32}@vigil>$/);
  });

  it('authenticates when a user is configured', async () => {
    const smtp = await smtpServer({
      authOptional: false,
      onAuth(auth, _session, cb) {
        if (auth.username === 'vigil' && auth.password === 's3cret') return cb(null, { user: auth.username });
        cb(new Error('Invalid username or password'));
      },
    });
    const email = channel(smtpConfig(smtp.port, { user: 'vigil', password: 's3cret' }));
    await email.send(delivery());
    expect(smtp.received[0]!.user).toBe('vigil');
  });

  it('a wrong password is an auth error', async () => {
    const smtp = await smtpServer({
      authOptional: false,
      onAuth(auth, _session, cb) {
        if (auth.username === 'vigil' && auth.password === 's3cret') return cb(null, { user: auth.username });
        cb(new Error('Invalid username or password'));
      },
    });
    const email = channel(smtpConfig(smtp.port, { user: 'vigil', password: 'wrong' }));
    const err = await failure(email.send(delivery()));
    expect(err.kind).toBe('auth');
    expect(err.transient).toBe(false);
    expect(err.message).not.toContain('wrong');
    expect(smtp.received).toHaveLength(0);
  });

  it('a recipient rejected with 550 is a permanent client error', async () => {
    const smtp = await smtpServer({
      onRcptTo(_address, _session, cb) {
        cb(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      },
    });
    const email = channel(smtpConfig(smtp.port));
    const err = await failure(email.send(delivery()));
    expect(err.kind).toBe('client');
    expect(err.transient).toBe(false);
  });

  it('a 451 "try again later" is a transient server error', async () => {
    const smtp = await smtpServer({
      onData(stream, _session, cb) {
        stream.resume();
        stream.on('end', () => cb(Object.assign(new Error('Local error in processing, try later'), { responseCode: 451 })));
      },
    });
    const email = channel(smtpConfig(smtp.port));
    const err = await failure(email.send(delivery()));
    expect(err.kind).toBe('server');
    expect(err.transient).toBe(true);
  });

  it('a closed port is a network error', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const email = channel(smtpConfig(port));
    const err = await failure(email.send(delivery()));
    expect(err.kind).toBe('network');
    expect(err.transient).toBe(true);
  });

  it('without a host it logs the message, never connects, and keeps signed links out of the log', async () => {
    const smtp = await smtpServer();
    const logged: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void logged.push(line) });
    const email = withLogMode(channel(smtpConfig(smtp.port, { host: undefined, password: 'not-for-logs' })), logger);
    expect(email.live).toBe(false);
    expect(await email.send(delivery())).toEqual({ providerId: null, mode: 'log' });
    expect(smtp.connections()).toBe(0);
    const entry = JSON.parse(logged.at(-1)!);
    expect(entry.subject).toBe('[P1] Incident 12: CPU above 95% for 5m');
    expect(entry.text).toContain('CPU above 95% for 5m on checkout.');
    expect(logged.join('')).not.toContain(ackLink);
    expect(logged.join('')).not.toContain('not-for-logs');
  });
});

describe('classifySmtpError', () => {
  const cases: [string, object, ChannelError['kind']][] = [
    ['421 service closing', { code: 'EENVELOPE', responseCode: 421 }, 'server'],
    ['450 mailbox busy', { code: 'EENVELOPE', responseCode: 450 }, 'server'],
    ['452 insufficient storage', { code: 'EMESSAGE', responseCode: 452 }, 'server'],
    ['454 temporary auth failure', { code: 'EAUTH', responseCode: 454 }, 'server'],
    ['530 auth required', { code: 'EENVELOPE', responseCode: 530 }, 'auth'],
    ['534 mechanism too weak', { code: 'EAUTH', responseCode: 534 }, 'auth'],
    ['535 bad credentials', { code: 'EAUTH', responseCode: 535 }, 'auth'],
    ['550 mailbox unavailable', { code: 'EENVELOPE', responseCode: 550 }, 'client'],
    ['552 too large', { code: 'EMESSAGE', responseCode: 552 }, 'client'],
    ['503 bad sequence', { code: 'EPROTOCOL', responseCode: 503 }, 'server'],
    ['ETIMEDOUT', { code: 'ETIMEDOUT' }, 'timeout'],
    ['ETIMEOUT', { code: 'ETIMEOUT' }, 'timeout'],
    ['ECONNECTION', { code: 'ECONNECTION' }, 'network'],
    ['ECONNREFUSED', { code: 'ECONNREFUSED' }, 'network'],
    ['ESOCKET', { code: 'ESOCKET' }, 'network'],
    ['EDNS', { code: 'EDNS' }, 'network'],
    ['EAUTH without a reply', { code: 'EAUTH' }, 'auth'],
    ['EENVELOPE without a reply', { code: 'EENVELOPE' }, 'client'],
    ['unknown', { code: 'EWHATEVER' }, 'server'],
  ];
  it.each(cases)('%s', (_name, fields, kind) => {
    expect(classifySmtpError(Object.assign(new Error('x'), fields)).kind).toBe(kind);
  });
});
