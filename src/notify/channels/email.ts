import { createHash } from 'node:crypto';
import type nodemailer from 'nodemailer';
import type { Config } from '../../config/schema.js';
import { ChannelError, type Channel, type Delivery, type SendResult } from '../types.js';
import { configured } from './log-mode.js';
import { lazyPackage } from '../../runtime/lazy-package.js';

/** nodemailer, loaded when SMTP is configured. */
const mailer = lazyPackage<typeof nodemailer>('nodemailer');

type SmtpConfig = Config['notify']['smtp'];
type Transporter = ReturnType<typeof createPool>;

/** Connecting, the greeting and a silent server each get this long before the send fails as a timeout. */
const TIMEOUT_MS = 10_000;

function createPool(config: SmtpConfig & { host: string }) {
  return mailer().createTransport({
    pool: true,
    host: config.host,
    port: config.port,
    secure: config.secure,
    maxConnections: config.maxConnections,
    // The dispatcher owns retries; the pool only gets one more try on a connection that dropped mid-send.
    maxRequeues: 1,
    ...(config.user ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
}

/** The thread every message about one incident replies to, so mail clients group them. */
export function incidentThreadId(incidentId: number): string {
  return `<incident-${incidentId}@vigil>`;
}

/** Stable across retries of one notification, so a duplicate that got through twice is recognisable. */
export function messageIdFor(idempotencyKey: string): string {
  const local = /^[A-Za-z0-9._-]{1,64}$/.test(idempotencyKey)
    ? idempotencyKey
    : createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
  return `<${local}@vigil>`;
}

/** Email over SMTP through one pooled connection set; live when a host is configured. */
export class EmailChannel implements Channel {
  readonly name = 'email' as const;
  readonly provider = 'smtp';
  readonly live: boolean;
  private readonly transport: Transporter | null;

  constructor(private readonly config: SmtpConfig) {
    const host = config.host;
    this.transport = host ? createPool({ ...config, host }) : null;
    this.live = this.transport !== null;
  }

  async send(delivery: Delivery): Promise<SendResult> {
    const transport = configured(this.transport, this.name);
    const { recipient, rendered, incident } = delivery;
    const headers: Record<string, string> = { 'X-Vigil-Notification': String(delivery.notificationId) };
    if (incident) headers['X-Vigil-Incident'] = String(incident.id);
    const thread = incident ? incidentThreadId(incident.id) : undefined;
    try {
      const info = await transport.sendMail({
        from: this.config.from,
        to: { name: recipient.name, address: recipient.address },
        subject: rendered.subject,
        text: rendered.text,
        // A message without HTML (a runbook's update) is sent as plain text only.
        ...(rendered.html ? { html: rendered.html } : {}),
        messageId: messageIdFor(delivery.idempotencyKey),
        ...(thread ? { inReplyTo: thread, references: [thread] } : {}),
        headers,
      });
      return { providerId: info.messageId ?? null, mode: 'live' };
    } catch (err) {
      throw classifySmtpError(err);
    }
  }

  async close(): Promise<void> {
    this.transport?.close();
  }
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ETIMEOUT']);
const NETWORK_CODES = new Set(['ECONNECTION', 'ECONNREFUSED', 'ECONNRESET', 'ESOCKET', 'EDNS', 'ETLS', 'EPROXY', 'ENOTFOUND', 'EHOSTUNREACH']);
const AUTH_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);
const CLIENT_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'EMAXRECIPIENTS', 'EREQUIRETLS', 'ECONFIG']);
/** Authentication required, invalid credentials, or a mechanism that needs encryption. */
const AUTH_REPLIES = new Set([530, 534, 535]);

/**
 * The one place an SMTP failure becomes a ChannelError. The server's reply code decides when there is one
 * (4xx try later, 5xx permanent); otherwise nodemailer's error code says what broke.
 */
export function classifySmtpError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err;
  const e = (err ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
  const message = typeof e.message === 'string' && e.message ? e.message : String(err);
  const code = typeof e.code === 'string' ? e.code : '';
  const reply = typeof e.responseCode === 'number' ? e.responseCode : null;

  if (reply !== null && reply >= 400 && reply < 600) {
    if (reply < 500) return new ChannelError('server', `SMTP ${reply}: ${message}`);
    if (AUTH_REPLIES.has(reply)) return new ChannelError('auth', `SMTP ${reply}: ${message}`);
    // 503 is "bad sequence of commands": the session was off, the message was not refused.
    if (reply === 503) return new ChannelError('server', `SMTP ${reply}: ${message}`);
    return new ChannelError('client', `SMTP ${reply}: ${message}`);
  }
  if (TIMEOUT_CODES.has(code)) return new ChannelError('timeout', message);
  if (NETWORK_CODES.has(code)) return new ChannelError('network', message);
  if (AUTH_CODES.has(code)) return new ChannelError('auth', message);
  if (CLIENT_CODES.has(code)) return new ChannelError('client', message);
  // EPROTOCOL, ESTREAM, EMAXLIMIT and anything unforeseen: worth another try.
  return new ChannelError('server', code ? `${code}: ${message}` : message);
}
