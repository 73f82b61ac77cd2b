import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observe/logger.js';
import type { Operation } from './operation.js';
import { VigilError } from '../errors/errors.js';
import { classify, writeError, writeJson } from './errors.js';
import { onFinish, requestId } from './request-log.js';

/**
 * The ingest doors are served straight from node:http rather than through express: senders post
 * thousands of batches a second, and express's per-request setup costs more than all of Vigil's own
 * work (bench/ingest.js). Everything else (API, health, metrics) goes to the express app.
 */
export interface IngestRequest {
  id: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  rawBody: Buffer;
}

export interface IngestRoute {
  /** The door's operation: its method and path are where it answers, its body schema is what the handler validates with. */
  operation: Operation;
  /** Label for metrics: alertmanager, grafana, prometheus, pagerduty. */
  source: string;
  handle(req: IngestRequest): Promise<{ status: number; body: unknown }>;
  /** Extra top-level fields for error answers (PagerDuty clients read their own error shape). */
  errorExtras?(e: VigilError): object;
}

const jsonType = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<{ raw: Buffer; body: unknown }> {
  const type = req.headers['content-type'];
  const length = req.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && (!type || !jsonType.test(type))) {
    return Promise.reject(new VigilError('unsupported_media_type', `expected Content-Type: application/json, got ${type ?? 'none'}`));
  }
  const charset = type ? /;\s*charset="?([^";\s]+)/i.exec(type)?.[1]?.toLowerCase() : undefined;
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    return Promise.reject(new VigilError('unsupported_media_type', `unsupported charset "${charset}" (expected utf-8)`));
  }
  if (length !== undefined && Number(length) > limitBytes) {
    return Promise.reject(Object.assign(new Error('too large'), { type: 'entity.too.large' }));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limitBytes) {
        failed = true;
        reject(Object.assign(new Error('too large'), { type: 'entity.too.large' }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', (err) => {
      if (!failed) reject(Object.assign(err, { type: 'request.aborted' }));
      failed = true;
    });
    req.on('end', () => {
      if (failed) return;
      const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      if (raw.length === 0) return resolve({ raw, body: undefined });
      try {
        resolve({ raw, body: JSON.parse(raw.toString('utf8')) });
      } catch (err) {
        reject(Object.assign(err as Error, { type: 'entity.parse.failed' }));
      }
    });
  });
}

/** Returns a handler that answers the routes' operations (method and path) and reports false for anything else. */
export function ingestDispatcher(
  routes: Record<string, IngestRoute>,
  deps: { limitBytes: number; logger: Logger; observe(source: string, path: string, status: number, seconds: number): void },
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { limitBytes, logger } = deps;
  const table = new Map<string, IngestRoute>();
  for (const r of Object.values(routes)) {
    // Every door is a POST: the method is checked before anything else, for every request Vigil answers.
    if (r.operation.method !== 'post' || table.has(r.operation.path)) throw new Error(`ingest door ${r.operation.method} ${r.operation.path}: one POST per path`);
    table.set(r.operation.path, r);
  }
  return (req, res) => {
    // Another method on an ingest path (GET /api/v2/alerts) is the express app's.
    if (req.method !== 'POST') return false;
    const q = req.url!.indexOf('?');
    const path = q < 0 ? req.url! : req.url!.slice(0, q);
    const route = table.get(path);
    if (!route) return false;
    const id = requestId(req, res);
    onFinish(logger, req, res, id, path, (status, seconds) => deps.observe(route.source, path, status, seconds));
    readJsonBody(req, limitBytes)
      .then(({ raw, body }) => route.handle({ id, headers: req.headers, body, rawBody: raw }))
      .then(
        (answer) => writeJson(res, answer.status, answer.body),
        (err) => {
          const e = classify(err, limitBytes, logger, id);
          // A body we stopped reading cannot be left on a kept-alive connection.
          if (e.status === 413) res.setHeader('Connection', 'close');
          writeError(res, e, logger, id, route.errorExtras?.(e));
        },
      );
    return true;
  };
}
