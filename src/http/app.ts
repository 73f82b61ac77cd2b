import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import type { Logger } from '../observe/logger.js';
import { VigilError } from '../errors/errors.js';
import { classify, writeError } from './errors.js';
import { onFinish, requestId } from './request-log.js';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
  }
}

/**
 * Request id, one log line per request and the HTTP metrics for the express side (API, health, metrics). The
 * metrics name the matched route's pattern, so ids in paths do not make a series each.
 */
export function requestLogging(logger: Logger, observe?: (method: string, route: string, status: number, seconds: number) => void): RequestHandler {
  return (req, res, next) => {
    req.id = requestId(req, res);
    onFinish(logger, req, res, req.id, req.path, observe && ((status, seconds) => observe(req.method, routeOf(req), status, seconds)));
    next();
  };
}

function routeOf(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : '(unmatched)';
}

function hasBody(req: Request): boolean {
  const len = req.headers['content-length'];
  return (len !== undefined && len !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** JSON only: a body of any other type is a 415. */
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
  return [requireJson, express.json({ limit: limitBytes, strict: true, type: ['application/json', 'application/*+json'] })];
}

export function errorHandler(logger: Logger, limitBytes: number): ErrorRequestHandler {
  return (err, req, res, _next) => {
    writeError(res, classify(err, limitBytes, logger, req.id), logger, req.id);
  };
}
