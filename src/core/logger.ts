import { pino, type Logger, type DestinationStream } from 'pino';
import { prettyFactory } from 'pino-pretty';

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

/** `json` for log collectors, `pretty` for a person at a terminal; `auto` picks pretty when stdout is a TTY. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * Pretty lines, written synchronously. pino-pretty's own stream (or a transport) formats on a later tick or in a
 * worker, so the last lines before process.exit and the startup banner could be lost or reordered; formatting
 * in line costs only when a person reads the terminal. Redaction has already happened: pino redacts before it
 * serializes the line this stream receives.
 */
function prettyStream(destination: { write(text: string): unknown }, colorize: boolean): DestinationStream {
  const prettify = prettyFactory({ colorize, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
  return { write: (line: string) => void destination.write(prettify(line)) };
}

export function createLogger(level = 'info', destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  // Standard output as pino's own destination (sync, so the banner keeps its place; a closed pipe is ignored).
  const target = destination ?? pino.destination({ dest: 1, sync: true });
  const pretty = format === 'pretty' || (format === 'auto' && destination === undefined && process.stdout.isTTY === true);
  return pino(
    {
      level,
      base: { service: 'vigil' },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pretty ? prettyStream(target, destination === undefined && process.stdout.isTTY === true) : destination,
  );
}
