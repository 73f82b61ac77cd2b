import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observe/logger.js';
import { redactSecretLinks } from '../observe/redact.js';

const safeRequestId = /^[\w.:-]{1,128}$/;

/** The request id: the sender's X-Request-Id when it is sane, else a new one; echoed in the answer. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && safeRequestId.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * One listener per request: logs the outcome (errors and refusals always, the rest at debug) and hands
 * status and duration to the caller's metrics. Paths that carry a secret (a signed action link's token)
 * are logged with that segment redacted.
 */
export function onFinish(
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  path: string,
  observe?: (status: number, seconds: number) => void,
): void {
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    observe?.(res.statusCode, seconds);
    const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug';
    if (!logger.isLevelEnabled(level)) return;
    const line = { reqId: id, method: req.method, path: redactSecretLinks(path), status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 };
    logger[level](line, level === 'debug' ? 'request' : level === 'warn' ? 'request refused' : 'request failed');
  });
}
