import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { parseBody, parseQuery } from './validation.js';

/**
 * One HTTP operation, declared once: the route mounts from it and validates its query and body with its schemas,
 * and the OpenAPI document (GET /api/openapi.json) is generated from it. A route cannot take input its document
 * does not describe, and the HTTP tests check every answer against the document.
 */

export type Method = 'get' | 'post' | 'delete';

/**
 * Who may call: `api` (API token, personal token or console session), `ingest` (ingest token when configured),
 * `public` (nobody needs credentials), or a credential carried by the request itself: a PagerDuty routing key, a
 * heartbeat's ping key, a provider's signature (Twilio, Slack, Vonage) or a signed link.
 */
export type Access = 'api' | 'ingest' | 'public' | 'routing-key' | 'ping-key' | 'twilio-signature' | 'slack-signature' | 'vonage-signature' | 'signed-link';

/** How errors are answered: Vigil's envelope, Alertmanager's JSON string, PagerDuty's fields beside Vigil's. */
export type ErrorShape = 'vigil' | 'alertmanager' | 'pagerduty' | 'none';

export interface Answer {
  description: string;
  /** The JSON body; absent for an empty answer or one that is not JSON. */
  schema?: z.ZodType;
  /** Content type of a body that is not JSON (text/markdown, text/xml, text/html, text/event-stream). */
  type?: string;
  /** Other content types the same answer may come in, by the request's Accept (the event stream). */
  also?: string[];
}

export interface Operation<Q extends z.ZodObject | undefined = z.ZodObject | undefined, B extends z.ZodType | undefined = z.ZodType | undefined> {
  /** OpenAPI operationId. */
  id: string;
  method: Method;
  /** Express syntax (`/api/v1/incidents/:id`); the document writes `{id}`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  /** Schemas of path parameters (a string when not named here), for the document only: handlers check their ids. */
  params?: Record<string, z.ZodType>;
  query?: Q;
  /** Query parameters the schema does not name are ignored, not refused (a provider's callback URL). */
  ignoreUnknownQuery?: boolean;
  body?: B;
  /** The body's name in error messages ("acknowledge: note: …"). */
  bodyName?: string;
  /** A missing body is read as {} (every field optional). */
  bodyOptional?: boolean;
  /** application/json unless said (the provider callbacks post forms); without `body`, a body the handler reads itself (a ping's output). */
  bodyType?: 'application/json' | 'application/x-www-form-urlencoded' | 'text/plain';
  responses: Record<number, Answer>;
  errors?: ErrorShape;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** Declares an operation; the identity, so the schemas' types carry into route(). */
export function operation<Q extends z.ZodObject | undefined = undefined, B extends z.ZodType | undefined = undefined>(op: Operation<Q, B>): Operation<Q, B> {
  return op;
}

export interface Input<Q, B> {
  query: Out<Q>;
  body: Out<B>;
}

/** The input an operation's schemas give for a request (400 naming the field when they refuse it). */
export function inputOf<Q extends z.ZodObject | undefined, B extends z.ZodType | undefined>(op: Operation<Q, B>, req: Request): Input<Q, B> {
  const query = (op.query ? parseQuery(op.query, op.ignoreUnknownQuery ? known(op.query, req.query) : req.query) : undefined) as Out<Q>;
  const body = (op.body ? parseBody(op.body, op.bodyOptional ? (req.body ?? {}) : req.body, op.bodyName ?? 'body') : undefined) as Out<B>;
  return { query, body };
}

function known(schema: z.ZodObject, query: unknown): Record<string, unknown> {
  const given = (query ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.keys(schema.shape).filter((k) => k in given).map((k) => [k, given[k]]));
}

/** Mounts an operation on a router: its method and path, its input parsed before the handler runs. */
export function route<Q extends z.ZodObject | undefined, B extends z.ZodType | undefined>(
  router: Router,
  op: Operation<Q, B>,
  handler: (input: Input<Q, B>, req: Request, res: Response) => unknown,
  ...before: RequestHandler[]
): void {
  router[op.method](op.path, ...before, async (req: Request, res: Response) => {
    await handler(inputOf(op, req), req, res);
  });
}
