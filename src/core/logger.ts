import { pino, type Logger, type DestinationStream } from 'pino';
import { redactSecretLinks } from './redact.js';

export type { Logger };

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

/**
 * Secrets are kept out by key (redactPaths) and, for signed links and other secret-bearing paths, by value:
 * the message and every top-level text field pass through redactSecretLinks.
 */
export function createLogger(level = 'info', destination?: DestinationStream): Logger {
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
    destination,
  );
}
