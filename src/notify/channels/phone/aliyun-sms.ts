import type * as dysmsapi from '@alicloud/dysmsapi20170525';
import type { $OpenApiUtil } from '@alicloud/openapi-core';
import type * as $dara from '@darabonba/typescript';
import type { Config } from '../../../config/schema.js';
import { ChannelError, type Channel, type Delivery, type IncidentSummary, type SendResult } from '../../types.js';
import { configured } from '../log-mode.js';
import { lazyPackage } from '../../../runtime/lazy-package.js';

type AliyunConfig = Config['notify']['aliyun'];

/** What Vigil uses of the SDK's client. */
interface SmsClient {
  sendSmsWithOptions(request: InstanceType<typeof dysmsapi.SendSmsRequest>, runtime: $dara.RuntimeOptions): Promise<{ body?: { code?: string; message?: string; bizId?: string } }>;
}
/** Alibaba Cloud's SDK, loaded with the first configured Alibaba Cloud channel. */
const sdk = {
  sms: lazyPackage<typeof dysmsapi>('@alicloud/dysmsapi20170525'),
  openApi: lazyPackage<{ $OpenApiUtil: typeof $OpenApiUtil }>('@alicloud/openapi-core'),
  dara: lazyPackage<typeof $dara>('@darabonba/typescript'),
};
/** The SDK's client class: its default export (a CommonJS module's `default`). */
function smsClient(config: $OpenApiUtil.Config): SmsClient {
  const exported = sdk.sms().default as unknown as { default?: new (config: $OpenApiUtil.Config) => SmsClient };
  const Client = (exported.default ?? exported) as new (config: $OpenApiUtil.Config) => SmsClient;
  return new Client(config);
}

/** Alibaba Cloud takes mainland numbers with or without +86; others as country code and number, digits only. */
export function aliyunNumber(e164: string): string {
  return e164.startsWith('+86') ? e164.slice(3) : e164.replace(/^\+/, '');
}

/** The incident fields a template variable may name. */
export const templateFields = ['id', 'priority', 'severity', 'status', 'title', 'service', 'team'] as const;

const fieldsOf = (i: IncidentSummary): Record<(typeof templateFields)[number], string> => ({
  id: String(i.id),
  priority: i.priority,
  severity: i.severity,
  status: i.status,
  title: i.title,
  service: i.service ?? '',
  team: i.team ?? '',
});

/** Whether the keys, the approved signature and the template are all there. */
export function aliyunConfigured(config: AliyunConfig): boolean {
  return Boolean(config.accessKeyId && config.accessKeySecret && config.signName && config.templateCode);
}

/** A template's variables filled from the incident: {{field}} replaced, each value cut to what Alibaba accepts. */
export function templateParams(templates: Record<string, string>, incident: IncidentSummary | null, maxLength: number): Record<string, string> {
  const fields: Record<string, string> = incident ? fieldsOf(incident) : {};
  return Object.fromEntries(
    Object.entries(templates).map(([name, text]) => [name, text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, f: string) => fields[f] ?? '').slice(0, maxLength)]),
  );
}

const RATE_LIMITED = new Set(['isv.BUSINESS_LIMIT_CONTROL', 'Throttling.User', 'Throttling', 'isv.DAY_LIMIT_CONTROL']);
/** The account or its approved signature and template refuse every message: another provider, not a retry. */
const REFUSED = new Set([
  'isv.AMOUNT_NOT_ENOUGH',
  'isv.SMS_SIGNATURE_ILLEGAL',
  'isv.SMS_TEMPLATE_ILLEGAL',
  'isv.TEMPLATE_MISSING_PARAMETERS',
  'isv.ACCOUNT_ABNORMAL',
  'isv.ACCOUNT_NOT_EXISTS',
  'InvalidAccessKeyId.NotFound',
  'SignatureDoesNotMatch',
  'Forbidden.RAM',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** The one place an Alibaba Cloud answer (a Code in a 200, or a thrown error) becomes a ChannelError. */
export function classifyAliyun(code: string, message: string, status?: number): ChannelError {
  const said = `aliyun: ${code}${message ? ` ${message}` : ''}`.slice(0, 300);
  if (RATE_LIMITED.has(code) || status === 429) return new ChannelError('rate_limited', said, 60_000);
  if (REFUSED.has(code) || status === 401 || status === 403) return new ChannelError('auth', said);
  if (code.startsWith('isp.') || (status !== undefined && status >= 500)) return new ChannelError('server', said);
  return new ChannelError('client', said);
}

function classifyThrown(err: unknown, timeoutMs: number): ChannelError {
  const e = (err ?? {}) as { code?: unknown; statusCode?: unknown; message?: unknown; name?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (typeof e.statusCode === 'number') return classifyAliyun(code || `HTTP ${e.statusCode}`, '', e.statusCode);
  if (/timeout/i.test(`${code} ${String(e.name)} ${String(e.message)}`)) return new ChannelError('timeout', `aliyun: no answer within ${timeoutMs}ms`);
  if (NETWORK.has(code) || /ECONN|ENOTFOUND|socket/i.test(String(e.message))) return new ChannelError('network', `aliyun: ${code || 'connection failed'}`);
  return new ChannelError('client', `aliyun: ${String(e.message ?? err).slice(0, 200)}`);
}

/**
 * Text messages through Alibaba Cloud SMS (dysmsapi SendSms), the way to mainland China numbers: free text is not
 * allowed there, so each message is the approved template with the incident's fields as its variables.
 */
export class AliyunSmsChannel implements Channel {
  readonly name = 'sms' as const;
  readonly provider = 'aliyun';
  readonly live: boolean;
  private readonly client: SmsClient | null;

  constructor(private readonly config: AliyunConfig) {
    const { accessKeyId, accessKeySecret } = config;
    this.live = aliyunConfigured(config);
    this.client = this.live
      ? smsClient(new (sdk.openApi().$OpenApiUtil.Config)({ accessKeyId, accessKeySecret, endpoint: config.endpoint, protocol: config.protocol, readTimeout: config.timeout, connectTimeout: config.timeout }))
      : null;
  }

  async send(delivery: Delivery): Promise<SendResult> {
    const client = configured(this.client, this.name);
    const request = new (sdk.sms().SendSmsRequest)({
      phoneNumbers: aliyunNumber(delivery.recipient.address),
      signName: this.config.signName,
      templateCode: this.config.templateCode,
      templateParam: JSON.stringify(templateParams(this.config.templateParams, delivery.incident, this.config.maxParamLength)),
      // Alibaba keeps it with the message: the same notification retried is recognisable there.
      outId: delivery.idempotencyKey.slice(0, 64),
    });
    let body;
    try {
      // Vigil retries with its own budget and falls back to other providers.
      ({ body } = await client.sendSmsWithOptions(request, new (sdk.dara().RuntimeOptions)({ autoretry: false, readTimeout: this.config.timeout, connectTimeout: this.config.timeout })));
    } catch (err) {
      throw classifyThrown(err, this.config.timeout);
    }
    if (body?.code !== 'OK') throw classifyAliyun(body?.code ?? 'unknown', body?.message ?? '');
    return { providerId: body.bizId ?? null, mode: 'live' };
  }
}
