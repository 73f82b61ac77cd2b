import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import type { Logger } from '../core/logger.js';
import { VigilError } from '../core/errors.js';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    rawBody?: Buffer;
  }
}

const safeRequestId = /^[\w.:-]{1,128}$/;

/** Request id (kept from X-Request-Id when sane) and one log line per request. */
export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && safeRequestId.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    // One listener per request does the logging and whatever the route registered in res.locals.onFinish.
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      (res.locals.onFinish as ((status: number, seconds: number) => void) | undefined)?.(res.statusCode, seconds);
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug';
      if (!logger.isLevelEnabled(level)) return;
      const line = { reqId: req.id, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 };
      logger[level](line, level === 'debug' ? 'request' : level === 'warn' ? 'request refused' : 'request failed');
    });
    next();
  };
}

function hasBody(req: Request): boolean {
  const len = req.headers['content-length'];
  return (len !== undefined && len !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** JSON only: a body of any other type is a 415; the raw bytes are kept for signature checks. */
export function jsonBody(limitBytes: number): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    if (!hasBody(req)) return next();
    if (!req.is(['application/json', 'application/*+json'])) {
      return next(
        new VigilError('unsupported_media_type', `expected Content-Type: application/json, got ${req.headers['content-type'] ?? 'none'}`),
      );
    }
    next();
  };
  const parse = express.json({
    limit: limitBytes,
    strict: true,
    type: ['application/json', 'application/*+json'],
    verify: (req, _res, buf) => {
      (req as Request).rawBody = buf;
    },
  });
  return [requireJson, parse];
}

/** The one place errors become HTTP answers in the contract's shape. */
export function errorHandler(logger: Logger, limitBytes: number): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let e: VigilError;
    if (err instanceof VigilError) e = err;
    else if (err?.type === 'entity.too.large') {
      e = new VigilError('payload_too_large', `request body is larger than the limit of ${limitBytes} bytes`);
    } else if (err?.type === 'entity.parse.failed') {
      e = new VigilError('bad_request', `malformed JSON: ${String(err.message).slice(0, 200)}`, [
        { field: '(body)', problem: 'not valid JSON' },
      ]);
    } else if (err?.type === 'encoding.unsupported' || err?.type === 'charset.unsupported') {
      e = new VigilError('unsupported_media_type', String(err.message));
    } else if (err?.type === 'request.aborted' || err?.type === 'request.size.invalid') {
      e = new VigilError('bad_request', 'request body was incomplete');
    } else {
      logger.error({ err, reqId: req.id, path: req.path }, 'unexpected error');
      e = new VigilError('internal', 'internal error; see the Vigil log for request ' + req.id);
    }
    if (e.status === 503) {
      res.setHeader('Retry-After', String(e.retryAfter ?? 1));
      logger.warn({ reqId: req.id, path: req.path, reason: e.message }, 'answered 503');
    }
    if (res.headersSent) return;
    res.status(e.status).json({ error: { code: e.code, message: e.message, details: e.details ?? null } });
  };
}
