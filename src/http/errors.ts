import type { ServerResponse } from 'node:http';
import type { Logger } from '../observe/logger.js';
import { VigilError } from '../errors/errors.js';

/**
 * The one place any thrown error becomes a classified VigilError: Vigil's own errors pass through, body
 * reading and parsing problems get their 4xx, anything else is an internal error that is logged.
 */
export function classify(err: unknown, limitBytes: number, logger: Logger, reqId: string): VigilError {
  if (err instanceof VigilError) return err;
  const type = (err as { type?: unknown })?.type;
  if (type === 'entity.too.large') {
    return new VigilError('payload_too_large', `request body is larger than the limit of ${limitBytes} bytes`);
  }
  if (type === 'entity.parse.failed') {
    return new VigilError('bad_request', `malformed JSON: ${String((err as Error).message).slice(0, 200)}`, [
      { field: '(body)', problem: 'not valid JSON' },
    ]);
  }
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new VigilError('unsupported_media_type', String((err as Error).message));
  }
  if (type === 'request.aborted' || type === 'request.size.invalid') {
    return new VigilError('bad_request', 'request body was incomplete');
  }
  logger.error({ err, reqId }, 'unexpected error');
  return new VigilError('internal', `internal error; see the Vigil log for request ${reqId}`);
}

/** Writes an error in the contract's shape, with Retry-After on 503 and the auth challenge on 401. */
export function writeError(res: ServerResponse, e: VigilError, logger: Logger, reqId: string, extra: object = {}): void {
  if (res.headersSent) return;
  if (e.status === 503) {
    res.setHeader('Retry-After', String(e.retryAfter ?? 1));
    logger.warn({ reqId, reason: e.message }, 'answered 503');
  }
  if (e.status === 429) res.setHeader('Retry-After', String(e.retryAfter ?? 60));
  if (e.status === 401 && !res.hasHeader('WWW-Authenticate')) res.setHeader('WWW-Authenticate', 'Bearer realm="vigil"');
  writeJson(res, e.status, { ...extra, error: { code: e.code, message: e.message, details: e.details ?? null } });
}

export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
