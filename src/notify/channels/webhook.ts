import { createHmac } from 'node:crypto';
import axios, { type AxiosResponse } from 'axios';
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../observe/logger.js';
import { briefOf, type IncidentBrief } from '../../api/incident-view.js';
import { ChannelError, type Channel, type Delivery, type SendResult } from '../types.js';
import { configured } from './log-mode.js';

/** Bumped only on an incompatible change to the body below. */
export const WEBHOOK_VERSION = '1';

/** What Vigil POSTs to a webhook receiver (documented contract). */
export interface WebhookBody {
  version: typeof WEBHOOK_VERSION;
  kind: Delivery['kind'];
  /** The incident as messages see it, with createdAt as ISO 8601. */
  incident: (Omit<IncidentBrief, 'createdAt'> & { createdAt: string }) | null;
  subject: string;
  text: string;
  recipient: { person: string | null; name: string };
  /** Stable across retries of one notification; receivers deduplicate on it. */
  idempotencyKey: string;
  /** ISO 8601 time of this attempt. */
  sentAt: string;
}

/**
 * `X-Vigil-Signature` without its `sha256=` prefix: hex HMAC-SHA256 over `<timestamp>.<body>`, where the
 * timestamp is the `X-Vigil-Timestamp` header (unix seconds) and the body the exact bytes sent.
 */
export function signWebhook(secret: string, timestamp: number | string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

export function webhookBody(delivery: Delivery, sentAt: Date): WebhookBody {
  const i = delivery.incident;
  return {
    version: WEBHOOK_VERSION,
    kind: delivery.kind,
    incident: i && { ...briefOf(i, i.links), createdAt: new Date(i.createdAt).toISOString() },
    subject: delivery.rendered.subject,
    text: delivery.rendered.text,
    recipient: { person: delivery.recipient.person, name: delivery.recipient.name },
    idempotencyKey: delivery.idempotencyKey,
    sentAt: sentAt.toISOString(),
  };
}

/** Retry-After as delta-seconds or an HTTP date, in ms from now. */
export function parseRetryAfter(value: unknown, nowMs = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

const timeoutCodes = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED', 'UND_ERR_CONNECT_TIMEOUT']);

/** The one place an HTTP answer of a webhook (Vigil's own, or a chat robot's: `label`) becomes a ChannelError. */
export function classifyWebhookResponse(res: Pick<AxiosResponse, 'status' | 'headers'>, nowMs = Date.now(), label = 'webhook'): ChannelError | null {
  const { status } = res;
  if (status >= 200 && status < 300) return null;
  const message = `${label}: HTTP ${status}`;
  if (status === 429) return new ChannelError('rate_limited', message, parseRetryAfter(res.headers['retry-after'], nowMs));
  if (status === 401 || status === 403) return new ChannelError('auth', message);
  if (status >= 500) return new ChannelError('server', message);
  // Redirects are not followed: a signed body must not be replayed to another address.
  return new ChannelError('client', status >= 300 && status < 400 ? `${message} (redirects are not followed)` : message);
}

export function classifyWebhookError(err: unknown, timeoutMs: number, label = 'webhook'): ChannelError {
  if (err instanceof ChannelError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && timeoutCodes.has(code)) return new ChannelError('timeout', `${label}: no answer within ${timeoutMs}ms`);
  if (code === 'ERR_BAD_RESPONSE') return new ChannelError('server', `${label}: unreadable answer`);
  if (code === 'ERR_INVALID_URL' || code === 'ERR_BAD_OPTION_VALUE' || code === 'ERR_BAD_OPTION') {
    return new ChannelError('client', `${label}: invalid request`);
  }
  // Connection refused/reset, DNS failures, unreachable hosts: the receiver may come back.
  return new ChannelError('network', `${label}: ${typeof code === 'string' ? code : 'connection failed'}`);
}

const isHttpUrl = (s: string) => /^https?:\/\//i.test(s) && URL.canParse(s);

/** Hostname only: webhook URLs often carry a token in their path or query. */
const hostOf = (url: string) => (URL.canParse(url) ? new URL(url).host : 'invalid-url');

/** A signed JSON POST per message to the configured URL (or the recipient's own URL). */
export class WebhookChannel implements Channel {
  readonly name = 'webhook' as const;
  readonly provider = 'webhook';
  readonly live: boolean;
  private readonly logger: Logger;

  constructor(
    private readonly config: Config['notify']['webhook'],
    logger: Logger,
  ) {
    this.logger = logger.child({ channel: 'webhook' });
    this.live = Boolean(config.url);
  }

  async send(delivery: Delivery): Promise<SendResult> {
    const configuredUrl = configured(this.config.url ?? null, this.name);
    const url = isHttpUrl(delivery.recipient.address) ? delivery.recipient.address : configuredUrl;
    const now = new Date();
    const timestamp = Math.floor(now.getTime() / 1000);
    const body = JSON.stringify(webhookBody(delivery, now));
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-Vigil-Timestamp': String(timestamp),
      'Idempotency-Key': delivery.idempotencyKey,
    };
    if (this.config.secret) headers['X-Vigil-Signature'] = `sha256=${signWebhook(this.config.secret, timestamp, body)}`;

    const timeout = this.config.timeout;
    let res: AxiosResponse;
    try {
      res = await axios.post(url, body, {
        headers,
        timeout,
        // Bounds the whole exchange, not only the idle socket.
        signal: AbortSignal.timeout(timeout),
        maxRedirects: 0,
        validateStatus: () => true,
        // Send the signed bytes exactly; the answer's body is never read, only its status and headers.
        transformRequest: [(data: unknown) => data],
        responseType: 'stream',
      });
      (res.data as { destroy?: () => void } | undefined)?.destroy?.();
    } catch (err) {
      const classified = classifyWebhookError(err, timeout);
      this.logger.debug({ host: hostOf(url), kind: classified.kind }, classified.message);
      throw classified;
    }
    const failure = classifyWebhookResponse(res);
    if (failure) throw failure;
    const requestId = res.headers['x-request-id'];
    return { providerId: typeof requestId === 'string' && requestId ? requestId : null, mode: 'live' };
  }
}
