import {
  ErrorCode,
  LogLevel,
  WebClient,
  type Logger as SlackLogger,
} from '@slack/web-api';
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../observe/logger.js';
import { ChannelError, type Channel, type Delivery, type SendResult } from '../types.js';
import { buildChatMessage, threadedKinds } from '../render-chat.js';
import { configured } from './log-mode.js';

/** Slack answers in well under a second; a call still open after this is treated as a timeout. */
export const SLACK_TIMEOUT_MS = 10_000;

const authErrors = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'ekm_access_denied',
  'team_access_not_granted',
]);
const serverErrors = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
const timeoutCodes = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Slack tokens never reach a log line or an error message. */
const redactTokens = (text: string) => text.replace(/xox[a-z]-[A-Za-z0-9-]+/g, '[redacted]');

function causeCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** The one place a Slack failure becomes a ChannelError; the dispatcher acts on the kind alone. */
export function classifySlackError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = e && typeof e === 'object' ? e.code : undefined;
  const said = redactTokens(e && typeof e.message === 'string' ? e.message : String(err));
  switch (code) {
    case ErrorCode.RateLimitedError: {
      const retryAfter = Number((err as { retryAfter?: unknown }).retryAfter);
      return new ChannelError('rate_limited', 'slack: rate limited', Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined);
    }
    case ErrorCode.PlatformError: {
      const reason = String((err as { data?: { error?: unknown } }).data?.error ?? 'unknown_error');
      const message = `slack: ${redactTokens(reason)}`;
      if (authErrors.has(reason)) return new ChannelError('auth', message);
      if (reason === 'ratelimited' || reason === 'rate_limited') return new ChannelError('rate_limited', message);
      if (serverErrors.has(reason)) return new ChannelError('server', message);
      return new ChannelError('client', message);
    }
    case ErrorCode.HTTPError: {
      const status = Number((err as { statusCode?: unknown }).statusCode);
      const message = `slack: HTTP ${status}`;
      if (status >= 500) return new ChannelError('server', message);
      if (status === 401 || status === 403) return new ChannelError('auth', message);
      if (status === 429) return new ChannelError('rate_limited', message);
      return new ChannelError('client', message);
    }
    case ErrorCode.RequestError: {
      const original = (err as { original?: unknown }).original;
      const name = original instanceof Error ? original.name : '';
      const inner = causeCode(original);
      if (name === 'TimeoutError' || name === 'AbortError' || (inner !== undefined && timeoutCodes.has(inner))) {
        return new ChannelError('timeout', `slack: no answer within ${SLACK_TIMEOUT_MS}ms`);
      }
      return new ChannelError('network', `slack: ${inner ?? said}`);
    }
  }
  // The client rejects a 429 without a usable Retry-After with a plain Error.
  if (/rate limit|retry header/i.test(said)) return new ChannelError('rate_limited', 'slack: rate limited');
  return new ChannelError('client', `slack: ${said}`);
}

/** The client's own log lines go to ours at debug (warnings at warn); Vigil reports outcomes itself. */
function slackLogger(logger: Logger): SlackLogger {
  const log = (level: 'debug' | 'warn') => (...msg: unknown[]) => logger[level](redactTokens(msg.map(String).join(' ')));
  return {
    debug: log('debug'),
    info: log('debug'),
    warn: log('warn'),
    error: log('warn'),
    setLevel: () => {},
    getLevel: () => LogLevel.DEBUG,
    setName: () => {},
  };
}

/** Slack through the Web API: one message per incident, follow-ups in its thread, buttons for acknowledge/resolve. */
export class ChatChannel implements Channel {
  readonly name = 'chat' as const;
  readonly provider = 'slack';
  readonly live: boolean;
  private readonly client: WebClient | null;

  constructor(config: Config['notify']['slack'], logger: Logger) {
    this.live = Boolean(config.botToken);
    this.client = config.botToken
      ? new WebClient(config.botToken, {
          slackApiUrl: config.slackApiUrl,
          // Vigil retries with its own budget and falls back to other channels.
          retryConfig: { retries: 0 },
          rejectRateLimitedCalls: true,
          timeout: SLACK_TIMEOUT_MS,
          logger: slackLogger(logger.child({ channel: 'chat' })),
        })
      : null;
  }

  async send(delivery: Delivery): Promise<SendResult> {
    const client = configured(this.client, this.name);
    const message = buildChatMessage(delivery);
    const threadTs = threadedKinds.has(delivery.kind) ? (delivery.threadRef ?? undefined) : undefined;
    let ts: string | undefined;
    try {
      const res = await client.chat.postMessage({ channel: delivery.recipient.address, ...message, thread_ts: threadTs });
      ts = res.ts;
    } catch (err) {
      throw classifySlackError(err);
    }
    return { providerId: ts ?? null, mode: 'live', threadRef: delivery.threadRef ?? ts ?? null };
  }

  /** Rewrites the original message with the incident's new status and without buttons. */
  async update(delivery: Delivery, providerId: string): Promise<void> {
    const client = configured(this.client, this.name);
    const message = buildChatMessage({ ...delivery, kind: 'page' }, { interactive: false });
    try {
      const channel = await this.conversationFor(client, delivery.recipient.address);
      await client.chat.update({ channel, ts: providerId, ...message });
    } catch (err) {
      throw classifySlackError(err);
    }
  }

  /** chat.update needs the DM's channel id where a message was posted to a user id. */
  private async conversationFor(client: WebClient, address: string): Promise<string> {
    if (!/^[UW][A-Z0-9]{2,}$/.test(address)) return address;
    const res = await client.conversations.open({ users: address });
    return res.channel?.id ?? address;
  }
}
