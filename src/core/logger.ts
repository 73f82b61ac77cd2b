import { pino, type Logger, type DestinationStream } from 'pino';

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

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'vigil' },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
