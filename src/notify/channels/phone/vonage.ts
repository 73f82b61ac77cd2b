import { createHmac } from 'node:crypto';
import type { Vonage } from '@vonage/server-sdk';
import type { Config } from '../../../config/schema.js';
import { translate, type Locale } from '../../../text/messages/catalog.js';
import { ChannelError, type Channel, type Delivery, type SendResult } from '../../types.js';
import { configured } from '../log-mode.js';
import { parseRetryAfter } from '../webhook.js';
import { lazyPackage } from '../../../runtime/lazy-package.js';

/** Vonage's SDK, loaded with the first configured Vonage channel. */
const vonageSdk = lazyPackage<typeof import('@vonage/server-sdk')>('@vonage/server-sdk');

export type VonageConfig = Config['notify']['vonage'];

/** Vonage takes numbers as digits, without the +. */
const digits = (e164: string) => e164.replace(/^\+/, '');

/**
 * What binds a keypress callback's query to the call Vigil placed: Vonage's JWT covers the body only, so the
 * incident and language are signed into the URL with the same secret (a captured event cannot be re-aimed).
 */
export function vonageQuerySignature(secret: string, incidentId: number, locale: Locale): string {
  return createHmac('sha256', secret).update(`vonage-input:${incidentId}:${locale}`).digest('base64url');
}

/** Where Vonage posts the keypad digit of a call about this incident (the language rides along, as with Twilio). */
export function vonageInputUrl(publicUrl: string, incidentId: number, locale: Locale, secret: string | undefined): string {
  const sig = secret ? `&sig=${vonageQuerySignature(secret, incidentId, locale)}` : '';
  return `${publicUrl.replace(/\/+$/, '')}/api/v1/callbacks/vonage/input?incident=${incidentId}${locale === 'en' ? '' : `&lang=${locale}`}${sig}`;
}

/** Vonage's text-to-speech language codes for the reader's language. */
export const vonageLanguage: Record<Locale, string> = { en: 'en-US', 'zh-CN': 'cmn-CN' };

/** The call: the speech, then a one-digit keypad input whose result Vonage posts to `eventUrl` (NCCO). */
export function callNcco(speech: string, eventUrl: string | null, locale: Locale): unknown[] {
  const language = vonageLanguage[locale];
  if (eventUrl === null) return [{ action: 'talk', text: speech, language }];
  return [
    { action: 'talk', text: `${speech} ${translate(locale, 'voice.menu')}`, language, bargeIn: true },
    { action: 'input', type: ['dtmf'], dtmf: { maxDigits: 1, timeOut: 10 }, eventUrl: [eventUrl], eventMethod: 'POST' },
  ];
}

const SMS_RATE = new Set(['1']);
const SMS_AUTH = new Set(['4', '8', '9', '14']);
const SMS_SERVER = new Set(['5', '11', '13']);

/** The one place a Vonage failure (an SMS status, an HTTP status, a socket error) becomes a ChannelError. */
export function classifyVonageError(err: unknown): ChannelError {
  if (err instanceof ChannelError) return err;
  const e = (err ?? {}) as { response?: unknown; message?: unknown; cause?: { code?: unknown } };
  const response = e.response as { messages?: { status?: string; errorText?: string }[]; status?: number; headers?: { get?(h: string): string | null } } | undefined;
  const failed = response?.messages?.find((m) => m.status !== '0');
  if (failed) {
    const said = `vonage: SMS status ${failed.status} ${failed.errorText ?? ''}`.trim();
    if (SMS_RATE.has(failed.status!)) return new ChannelError('rate_limited', said);
    if (SMS_AUTH.has(failed.status!)) return new ChannelError('auth', said);
    if (SMS_SERVER.has(failed.status!)) return new ChannelError('server', said);
    return new ChannelError('client', said);
  }
  if (typeof response?.status === 'number') {
    const status = response.status;
    const said = `vonage: HTTP ${status}`;
    if (status === 401 || status === 403) return new ChannelError('auth', said);
    if (status === 429) return new ChannelError('rate_limited', said, parseRetryAfter(response.headers?.get?.('retry-after') ?? undefined));
    if (status >= 500) return new ChannelError('server', said);
    return new ChannelError('client', said);
  }
  const code = typeof e.cause?.code === 'string' ? e.cause.code : '';
  if (/TIMEOUT|ETIMEDOUT|abort/i.test(`${code} ${String(e.message)}`)) return new ChannelError('timeout', 'vonage: no answer in time');
  return new ChannelError('network', `vonage: ${code || String(e.message ?? 'request failed').slice(0, 200)}`);
}

/** Whether what SMS (API key and secret) or calls (application id and private key) need is there, with a sender. */
export function vonageConfigured(config: VonageConfig, kind: 'sms' | 'voice'): boolean {
  const { apiKey, apiSecret, applicationId, privateKey, from } = config;
  return Boolean(kind === 'sms' ? apiKey && apiSecret && from : applicationId && privateKey && from);
}

function client(config: VonageConfig, kind: 'sms' | 'voice'): Vonage | null {
  const { apiKey, apiSecret, applicationId, privateKey } = config;
  if (!vonageConfigured(config, kind)) return null;
  return new (vonageSdk().Vonage)(
    kind === 'sms' ? { apiKey: apiKey!, apiSecret: apiSecret! } : { applicationId: applicationId!, privateKey: privateKey! },
    { apiHost: config.apiHost.replace(/\/+$/, ''), restHost: config.restHost.replace(/\/+$/, ''), timeout: config.timeout },
  );
}

/** Text messages through Vonage's SMS API (unicode when the text is not plain ASCII). */
export class VonageSmsChannel implements Channel {
  readonly name = 'sms' as const;
  readonly provider = 'vonage';
  readonly live: boolean;
  private readonly vonage: Vonage | null;

  constructor(private readonly config: VonageConfig) {
    this.vonage = client(config, 'sms');
    this.live = this.vonage !== null;
  }

  async send(delivery: Delivery): Promise<SendResult> {
    const vonage = configured(this.vonage, this.name);
    const text = delivery.rendered.sms;
    try {
      const res = await vonage.sms.send({ to: digits(delivery.recipient.address), from: digits(this.config.from!), text, ...(/^[\x20-\x7e]*$/.test(text) ? {} : { type: 'unicode' as never }) });
      return { providerId: res.messages[0]?.messageId ?? null, mode: 'live' };
    } catch (err) {
      throw classifyVonageError(err);
    }
  }
}

/** Phone calls through Vonage's Voice API: the speech in the reader's language, then a keypad input (NCCO). */
export class VonageVoiceChannel implements Channel {
  readonly name = 'voice' as const;
  readonly provider = 'vonage';
  readonly live: boolean;
  private readonly vonage: Vonage | null;

  constructor(
    private readonly config: VonageConfig,
    private readonly publicUrl: string,
  ) {
    this.vonage = client(config, 'voice');
    this.live = this.vonage !== null;
  }

  async send(delivery: Delivery): Promise<SendResult> {
    const vonage = configured(this.vonage, this.name);
    const locale = delivery.rendered.locale ?? 'en';
    const ncco = callNcco(delivery.rendered.speech, delivery.incident ? vonageInputUrl(this.publicUrl, delivery.incident.id, locale, this.config.signatureSecret) : null, locale);
    try {
      const call = await vonage.voice.createOutboundCall({
        to: [{ type: 'phone', number: digits(delivery.recipient.address) }],
        from: { type: 'phone', number: digits(this.config.from!) },
        ncco: ncco as never,
      });
      return { providerId: call.uuid ?? null, mode: 'live' };
    } catch (err) {
      throw classifyVonageError(err);
    }
  }
}
