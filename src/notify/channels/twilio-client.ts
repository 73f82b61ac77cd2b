import { parseRetryAfter } from './webhook.js';
import type twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type { Config } from '../../config/schema.js';
import { VigilError } from '../../errors/errors.js';
import { ChannelError } from '../types.js';
import { lazyPackage } from '../../runtime/lazy-package.js';

export type TwilioConfig = Config['notify']['twilio'];

/** twilio-node, loaded with the first client or callback that needs it. */
export const twilioPackage = lazyPackage<typeof twilio>('twilio');

/** A client with the sender number it sends from; only built when every credential is configured. */
export interface TwilioSender {
  client: twilio.Twilio;
  from: string;
}

/** The origin twilio-node builds API URLs with, also with an edge/region (TWILIO_EDGE, TWILIO_REGION) added. */
const TWILIO_ORIGIN = /^https:\/\/api(?:\.[a-z0-9-]+)*\.twilio\.com(?=\/)/;
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Sends twilio-node's requests to the configured base URL instead of api.twilio.com, without a keep-alive
 * agent, and keeps the Retry-After of a refused request on the error it becomes.
 */
function baseUrlRequestClient(apiBaseUrl: string): InstanceType<typeof twilio.RequestClient> {
  const sdk = twilioPackage();
  class BaseUrlRequestClient extends sdk.RequestClient {
    /** Null for Twilio's own API, whose URLs are left as twilio-node builds them. */
    private readonly base: string | null;

    constructor(apiBaseUrl: string) {
      super({ keepAlive: false, timeout: REQUEST_TIMEOUT_MS });
      const base = apiBaseUrl.replace(/\/+$/, '');
      this.base = base === 'https://api.twilio.com' ? null : base;
    }

    override async request<TData>(opts: RequestClient.RequestOptions<TData>) {
      const base = this.base;
      const uri = base === null ? opts.uri : opts.uri.replace(TWILIO_ORIGIN, () => base);
      const res = await super.request<TData>({ ...opts, uri });
      if (res.statusCode >= 400) {
        const retryAfterMs = parseRetryAfter(res.headers?.['retry-after']);
        if (retryAfterMs !== undefined) throw Object.assign(new sdk.RestException(res), { retryAfterMs });
      }
      return res;
    }
  }
  return new BaseUrlRequestClient(apiBaseUrl);
}

/** Whether the account's credentials and the sender number are all there. */
export function twilioConfigured(config: TwilioConfig): boolean {
  return Boolean(config.accountSid && config.authToken && config.from);
}

/** A client for the configured account, or null when a credential or the sender number is missing. */
export function createTwilioClient(config: TwilioConfig): TwilioSender | null {
  const { accountSid, authToken, from } = config;
  // twilioConfigured's test, spelled out so the types know each one is set.
  if (!accountSid || !authToken || !from) return null;
  if (!accountSid.startsWith('AC')) {
    throw new VigilError('invalid_config', 'notify.twilio.accountSid must start with "AC"');
  }
  const client = twilioPackage()(accountSid, authToken, { httpClient: baseUrlRequestClient(config.apiBaseUrl) });
  return { client, from };
}

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

interface TwilioErrorShape {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  retryAfterMs?: unknown;
  cause?: { code?: unknown };
}

/**
 * The one place Twilio errors are classified. Messages carry the HTTP status, Twilio's error code and
 * its message, or the socket error — never request headers or credentials.
 */
export function classifyTwilioError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as TwilioErrorShape;
  const text = typeof e.message === 'string' ? e.message.slice(0, 300) : String(err).slice(0, 300);

  if (typeof e.status === 'number') {
    const status = e.status;
    const code = typeof e.code === 'number' ? ` (code ${e.code})` : '';
    const message = `Twilio answered HTTP ${status}${code}: ${text}`;
    const retryAfterMs = typeof e.retryAfterMs === 'number' ? e.retryAfterMs : undefined;
    if (status === 401 || status === 403) return new ChannelError('auth', message);
    if (status === 429) return new ChannelError('rate_limited', message, retryAfterMs);
    if (status >= 500) return new ChannelError('server', message, retryAfterMs);
    return new ChannelError('client', message);
  }

  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : '';
  if (TIMEOUT_CODES.has(code)) return new ChannelError('timeout', `Twilio request timed out (${code}): ${text}`);
  if (NETWORK_CODES.has(code)) return new ChannelError('network', `Twilio unreachable (${code}): ${text}`);
  return new ChannelError('client', `Twilio request failed: ${text}`);
}
