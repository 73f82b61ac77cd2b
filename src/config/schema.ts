import { isIP } from 'node:net';
import { locales } from '../text/messages/catalog.js';
import { z } from 'zod';
import { runbooksConfigSchema } from '../runbooks/config.js';
import { durationSchema } from '../time/duration-schema.js';
import { timeZone } from '../time/time-schemas.js';
import { digestConfigSchema } from '../reports/digest-schedule.js';

const duration = durationSchema();

const byteSize = z.union([z.number().int().positive(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const m = /^(\d+)\s*(b|kb|kib|mb|mib)?$/i.exec(v.trim());
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `invalid size "${v}" (expected e.g. 512kb, 1mb)` });
    return z.NEVER;
  }
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Number(m[1]) * mult;
});

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a label name');

const server = z
  .object({
    host: z.string().default('0.0.0.0'),
    port: z.number().int().min(0).max(65535).default(9095),
    /** Largest accepted request body. */
    bodyLimit: byteSize.default(1024 * 1024),
    /** How Vigil is reached from outside; used in links and the startup message. */
    publicUrl: z.url().optional(),
    /** A connection that has not sent its request headers by then is answered 408 and closed (slow clients). */
    headersTimeout: duration.refine((ms) => ms > 0 && ms <= 30_000, 'must be more than 0 and at most 30s').default(10_000),
  })
  .strict();

const store = z
  .object({
    path: z.string().min(1).default('./data/vigil.db'),
    /** A postgres:// URL selects PostgreSQL instead of the SQLite file (VIGIL_DB may give either). */
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//i, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    /**
     * PostgreSQL: connections at the most, shared by writes and reads. A once-per-cluster job holds one for
     * its run (its lock), so fewer than 4 could leave a job's own writes without one.
     */
    poolSize: z.number().int().min(4).max(500).default(10),
    /** PostgreSQL: a connection not had within this time fails the request with 503. */
    connectTimeout: duration.default(5000),
    /** PostgreSQL: a statement running longer is cancelled. */
    statementTimeout: duration.default(30_000),
    /**
     * PostgreSQL: how long an instance's claim on an outbox message, timer or runbook run holds; when the
     * instance dies, another takes its work over after this. Longer than any send's timeout.
     */
    lease: duration.refine((ms) => ms >= 1000, 'must be at least 1s').default(30_000),
    /** FULL survives power loss; NORMAL survives a process crash only. See README. */
    synchronous: z.enum(['full', 'normal']).default('full'),
    /** Writes waiting for a group commit before ingest answers 503. */
    maxPendingWrites: z.number().int().positive().default(20_000),
    busyTimeout: duration.default(5000),
  })
  .strict();

const grafana = z
  .object({
    hmacSecret: z.string().optional(),
    signatureHeader: z.string().min(1).default('X-Grafana-Alerting-Signature'),
    timestampHeader: z.string().min(1).optional(),
    replayWindow: duration.default(5 * 60_000),
  })
  .strict();

const routingKey = z
  .object({
    key: z.string().min(1),
    service: z.string().min(1),
    team: z.string().min(1).optional(),
  })
  .strict();

const ingest = z
  .object({
    /** An alert posted without endsAt resolves after this long without an update (Alertmanager's resolve_timeout). */
    resolveTimeout: duration.default(5 * 60_000),
    maxAlertsPerRequest: z.number().int().positive().default(1000),
    /** Label names accepted from Alertmanager and Prometheus: classic [a-zA-Z_][a-zA-Z0-9_]*, or utf8 (Prometheus 3). */
    labelNames: z.enum(['classic', 'utf8']).default('classic'),
    grafana: grafana.prefault({}),
    pagerduty: z
      .object({ routingKeys: z.array(routingKey).default([]) })
      .strict()
      .prefault({}),
  })
  .strict();

const incidents = z
  .object({
    /** Labels that form the group key; a list entry is tried in order and the first present label wins. */
    groupBy: z.array(z.union([labelName, z.array(labelName).min(1)])).min(1).default(['alertname', ['service', 'job']]),
    /** A group that fires again within this window after resolving reopens its incident as flapping. */
    flapWindow: duration.default(15 * 60_000),
  })
  .strict();

const rules = z
  .object({
    /** Directory of rule files (*.yaml, loaded in name order): severity rules, policies, inhibition, maintenance. */
    dir: z.string().min(1).default('./rules'),
    /** Reload when a file in the directory changes (SIGHUP and POST /-/reload always work). */
    watch: z.boolean().default(true),
  })
  .strict();

/** Empty strings (an unset ${VAR:-}) mean "not configured". */
const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v ? v : undefined));

/**
 * Chat robots teams and people reach through a group's incoming webhook (Microsoft Teams Workflows, DingTalk, WeCom,
 * Feishu / Lark), by name: rules address one as `<type>:<name>` (`chat: dingtalk:ops-cn`). Without its credential a
 * robot runs in log mode. `baseUrl`: regions, proxies, test doubles (and Lark's domain instead of Feishu's).
 */
const robotTimeout = duration.default(10_000);
export const robotTypes = ['teams', 'dingtalk', 'wecom', 'feishu'] as const;
export const robotSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('teams'), /** The Workflows webhook URL (it carries its signature). */ url: optionalSecret, timeout: robotTimeout }).strict(),
  z
    .object({
      type: z.literal('dingtalk'),
      accessToken: optionalSecret,
      /** The robot's signing secret (加签), when it has one. */
      secret: optionalSecret,
      baseUrl: z.url().default('https://oapi.dingtalk.com'),
      timeout: robotTimeout,
    })
    .strict(),
  z.object({ type: z.literal('wecom'), key: optionalSecret, baseUrl: z.url().default('https://qyapi.weixin.qq.com'), timeout: robotTimeout }).strict(),
  z
    .object({
      type: z.literal('feishu'),
      /** The hook id at the end of the bot's webhook URL. */
      hook: optionalSecret,
      /** The bot's signature secret (签名校验), when it has one. */
      secret: optionalSecret,
      baseUrl: z.url().default('https://open.feishu.cn'),
      timeout: robotTimeout,
    })
    .strict(),
]);
export type RobotConfig = z.output<typeof robotSchema>;

/** Which providers a channel's numbers go through, in order: a route's for numbers with its prefix, else `providers`. */
function phoneRoutes<const P extends readonly [string, ...string[]]>(names: P) {
  const provider = z.enum(names);
  return z
    .object({
      providers: z.array(provider).min(1).default([names[0]] as never),
      routes: z.array(z.object({ prefix: z.string().regex(/^\+\d{1,6}$/, 'a country or area prefix like +86'), providers: z.array(provider).min(1) }).strict()).default([]),
    })
    .strict()
    .prefault({});
}

const notify = z
  .object({
    /** The language of messages to people and teams without a locale of their own: en or zh-CN. */
    locale: z.enum(locales).default('en'),
    /** The zone of times in messages to people and teams without one of their own. */
    timeZone: timeZone.default('UTC'),
    /** HMAC key for signed acknowledge/resolve links; unset: a random key per start (links die on restart). */
    linkSecret: optionalSecret,
    linkTtl: duration.default(24 * 3_600_000),
    retry: z
      .object({
        /** Quick attempts on one channel before falling back to the next. */
        attempts: z.number().int().min(1).max(20).default(4),
        initialDelay: duration.default(2000),
        maxDelay: duration.default(60_000),
        /** Then a page of an unacknowledged incident is retried this often until the provider takes it. */
        slowInterval: duration.default(60_000),
      })
      .strict()
      .prefault({}),
    /**
     * Which SMS providers a number goes through, in order: a route's providers for numbers with its prefix (the first
     * route that matches), else `providers`. A message one provider fails is tried on the next at once.
     */
    sms: phoneRoutes(['twilio', 'aliyun', 'vonage'] as const),
    /** The same for phone calls: Twilio or Vonage, per number prefix. */
    voice: phoneRoutes(['twilio', 'vonage'] as const),
    /** Vonage: SMS (API key and secret) and calls (an application's id and private key); keypresses come back signed. */
    vonage: z
      .object({
        apiKey: optionalSecret,
        apiSecret: optionalSecret,
        applicationId: optionalSecret,
        /** The application's private key, PEM text. */
        privateKey: optionalSecret,
        /** Caller id / sender: E.164 (or an alphanumeric sender id for SMS where allowed). */
        from: optionalSecret,
        /** The account's signature secret: keypress callbacks carry a JWT signed with it. */
        signatureSecret: optionalSecret,
        apiHost: z.url().default('https://api.nexmo.com'),
        restHost: z.url().default('https://rest.nexmo.com'),
        timeout: duration.default(10_000),
      })
      .strict()
      .prefault({}),
    /** Alibaba Cloud SMS (mainland China numbers): only pre-approved templates, filled with the incident's fields. */
    aliyun: z
      .object({
        accessKeyId: optionalSecret,
        accessKeySecret: optionalSecret,
        /** The approved signature (签名) the messages carry. */
        signName: optionalSecret,
        /** The approved template's code, e.g. SMS_123456789. */
        templateCode: optionalSecret,
        /** The template's variables: text with {{id}}, {{priority}}, {{severity}}, {{status}}, {{title}}, {{service}}, {{team}}. */
        templateParams: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a template variable name'), z.string().max(200)).default({ id: '{{id}}', level: '{{priority}}', title: '{{title}}' }),
        /** Alibaba limits a variable's value (35 characters for most kinds): longer values are cut. */
        maxParamLength: z.number().int().min(1).max(500).default(35),
        /** Regions, proxies, test doubles: host[:port] of the SMS API, and its protocol. */
        endpoint: z.string().min(1).default('dysmsapi.aliyuncs.com'),
        protocol: z.enum(['https', 'http']).default('https'),
        timeout: duration.default(10_000),
      })
      .strict()
      .prefault({}),
    twilio: z
      .object({
        accountSid: optionalSecret,
        authToken: optionalSecret,
        /** Caller id / sender number, E.164. */
        from: optionalSecret,
        /** Regions, proxies and test doubles: the base URL of Twilio's API. */
        apiBaseUrl: z.url().default('https://api.twilio.com'),
      })
      .strict()
      .prefault({}),
    slack: z
      .object({
        botToken: optionalSecret,
        signingSecret: optionalSecret,
        slackApiUrl: z.url().default('https://slack.com/api/'),
      })
      .strict()
      .prefault({}),
    smtp: z
      .object({
        host: optionalSecret,
        port: z.number().int().min(1).max(65535).default(587),
        secure: z.boolean().default(false),
        user: optionalSecret,
        password: optionalSecret,
        from: z.string().default('Vigil <vigil@localhost>'),
        maxConnections: z.number().int().min(1).max(50).default(3),
      })
      .strict()
      .prefault({}),
    robots: z.record(z.string().regex(/^[a-zA-Z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)'), robotSchema).default({}),
    webhook: z
      .object({
        url: z.url().optional(),
        /** HMAC-SHA256 key for the X-Vigil-Signature header. */
        secret: optionalSecret,
        timeout: duration.default(10_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** An IPv4/IPv6 address or a CIDR range such as 10.0.0.0/8. */
const addressOrRange = z.string().refine((text) => {
  const [address, bits, extra] = text.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}, 'expected an IP address or a CIDR range like 10.0.0.0/8');

/** Trusted-proxy sign-in (oauth2-proxy and the like): a header naming the person's email, from these addresses only. */
const authProxy = z
  .object({
    /** The header the proxy sets, e.g. X-Forwarded-Email. */
    header: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a header name'),
    /** Addresses or CIDR ranges of the proxies; the header is ignored on requests from anywhere else. */
    trustedProxies: z.array(addressOrRange).min(1),
  })
  .strict();

const consoleConfig = z
  .object({
    /** How long a console sign-in lasts. */
    sessionTtl: duration.default(12 * 3_600_000),
    /** Failed sign-ins allowed per address within signInWindow; more are refused until it passes. */
    signInAttempts: z.number().int().min(1).max(1000).default(10),
    signInWindow: duration.default(15 * 60_000),
    authProxy: authProxy.optional(),
  })
  .strict();

const scheduler = z
  .object({
    interval: duration.default(1000),
  })
  .strict();

const log = z
  .object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** auto: readable lines when stdout is a terminal, JSON otherwise (log collectors keep JSON). */
    format: z.enum(['auto', 'json', 'pretty']).default('auto'),
  })
  .strict();

export const configFileSchema = z
  .object({
    server: server.prefault({}),
    store: store.prefault({}),
    ingest: ingest.prefault({}),
    incidents: incidents.prefault({}),
    rules: rules.prefault({}),
    /** Auto-remediation: runbook directory, kill switch, dry run, allow-lists, Prometheus for checks (src/runbooks). */
    runbooks: runbooksConfigSchema.prefault({}),
    notify: notify.prefault({}),
    /** The web console: sessions, sign-in limits, trusted-proxy sign-in (src/access). */
    console: consoleConfig.prefault({}),
    scheduler: scheduler.prefault({}),
    log: log.prefault({}),
    /** Manager digests: schedules, recipients, time zone, SLA targets, night hours (src/reports). */
    digests: digestConfigSchema.prefault({}),
  })
  .strict();

export type FileConfig = z.output<typeof configFileSchema>;

/** The validated configuration the rest of Vigil reads. Env variables are already folded in. */
export interface Config extends FileConfig {
  auth: {
    /** VIGIL_INGEST_TOKEN, comma-separated for rotation; empty means ingest is open. */
    ingestTokens: string[];
    /** VIGIL_API_TOKEN, comma-separated; empty means the API is open. */
    apiTokens: string[];
  };
  /** The file the config came from, or null when running on built-in defaults. */
  source: string | null;
  /**
   * Directories taken from the installed package because none was configured and the working directory has
   * none (start-up says so). Absent: none.
   */
  shipped?: { rules: boolean; runbooks: boolean };
}
