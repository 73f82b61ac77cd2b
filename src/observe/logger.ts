import { pino, type Logger, type DestinationStream } from 'pino';
import { redactSecretLinks } from './redact.js';
import type { prettyFactory } from 'pino-pretty';
import { lazyPackage } from '../runtime/lazy-package.js';

export type { Logger };

/** pino-pretty, loaded only when a person reads the log at a terminal. */
const prettyPackage = lazyPackage<{ prettyFactory: typeof prettyFactory }>('pino-pretty');

/** Paths that may hold secrets; pino replaces them before anything is written. */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-grafana-alerting-signature"]',
  'req.headers["x-grafana-alert-signature"]',
  'headers.authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.hmacSecret',
  '*.apiToken',
  '*.ingestTokens',
  '*.apiTokens',
  '*.routingKey',
  'routing_key',
  '*.routing_key',
  '*.authToken',
  '*.botToken',
  '*.signingSecret',
  '*.linkSecret',
  '*.accessKeySecret',
  '*.apiSecret',
  '*.privateKey',
  '*.signatureSecret',
  '*.accessToken',
  'req.headers["x-twilio-signature"]',
  'req.headers["x-slack-signature"]',
];

/** Top-level text fields of a log line with secret links redacted (redaction paths cannot match values). */
function withoutSecretLinks(object: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(object)) {
    if (typeof value !== 'string') continue;
    const safe = redactSecretLinks(value);
    if (safe !== value) (out ??= { ...object })[key] = safe;
  }
  return out ?? object;
}

/** `json` for log collectors, `pretty` for a person at a terminal; `auto` picks pretty when stdout is a TTY. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * Pretty lines, written synchronously. pino-pretty's own stream (or a transport) formats on a later tick or in a
 * worker, so the last lines before process.exit and the startup banner could be lost or reordered; formatting
 * in line costs only when a person reads the terminal. Redaction has already happened: pino redacts before it
 * serializes the line this stream receives.
 */
function prettyStream(destination: { write(text: string): unknown }, colorize: boolean): DestinationStream {
  const prettify = prettyPackage().prettyFactory({ colorize, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
  return { write: (line: string) => void destination.write(prettify(line)) };
}

/**
 * Secrets are kept out by key (redactPaths) and, for signed links and other secret-bearing paths, by value:
 * the message and every top-level text field pass through redactSecretLinks.
 */
export function createLogger(level = 'info', destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && destination === undefined && process.stdout.isTTY === true);
  return pino(
    {
      level,
      base: { service: 'vigil' },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: withoutSecretLinks },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactSecretLinks(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    // Pretty lines go to standard output through pino's own synchronous destination, so the banner keeps its place.
    pretty ? prettyStream(destination ?? pino.destination({ dest: 1, sync: true }), destination === undefined && process.stdout.isTTY === true) : destination,
  );
}
