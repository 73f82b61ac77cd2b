import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { forbidden, unauthorized, VigilError } from '../errors/errors.js';
import type { Logger } from '../observe/logger.js';
import { isoTime, named } from '../http/api-schemas.js';
import { operation, route } from '../http/operation.js';
import type { Store } from '../store/types.js';
import type { Authenticator } from './authenticator.js';
import { readCookie, SESSION_COOKIE, sessionCookie } from './cookies.js';
import type { Principal } from './principal.js';
import { hashSecret, newSecret } from './secrets.js';
import { SignInLimiter } from './sign-in-limit.js';

declare module 'express-serve-static-core' {
  interface Locals {
    principal?: Principal;
  }
}

export interface AccessRouteDeps {
  authenticator: Authenticator;
  store: Pick<Store, 'write'>;
  clock: Clock;
  logger: Logger;
  sessionTtlMs: number;
  signIn: { attempts: number; windowMs: number };
  /** Cookies are Secure when people reach Vigil over https. */
  secureCookies: boolean;
}

const signInBody = z.object({ token: z.string().min(1).max(512).describe('A personal token or the API token.') }).strict();

export const viewerSchema = named(
  'Viewer',
  z.object({
    person: z.string().nullable().describe('The person id from the rules (admin for the API token); null when the API is open to anyone.'),
    name: z.string().describe('Shown on the timeline: "acknowledged by Alice Example (console)".'),
    admin: z.boolean(),
    via: z.enum(['api-token', 'personal-token', 'session', 'proxy', 'open']).describe('How the request authenticated.'),
    open: z.boolean().describe('The API is open: no credentials configured, anyone may act.'),
  }),
  'Who the viewer is, for the console (never a secret).',
);
const session = viewerSchema.extend({ expiresAt: isoTime.describe('When the session cookie expires.') });

export const sessionOperations = {
  signIn: operation({
    id: 'signIn',
    method: 'post',
    path: '/api/v1/session',
    tag: 'session',
    summary: "Console sign-in: a token becomes the session cookie (vigil_session)",
    description: 'Failed attempts are limited per address (429 with Retry-After). Refused from another origin (403).',
    access: 'public',
    body: signInBody,
    bodyName: 'sign-in',
    responses: { 200: { description: 'Signed in; Set-Cookie carries the session', schema: session } },
  }),
  show: operation({
    id: 'getSession',
    method: 'get',
    path: '/api/v1/session',
    tag: 'session',
    summary: 'Who the credentials of this request are',
    access: 'api',
    responses: { 200: { description: 'The viewer', schema: viewerSchema } },
  }),
  signOut: operation({
    id: 'signOut',
    method: 'delete',
    path: '/api/v1/session',
    tag: 'session',
    summary: "Console sign-out: the session ends and its cookie is cleared",
    description: 'Refused from another origin (403).',
    access: 'api',
    responses: { 204: { description: 'Signed out' } },
  }),
};
const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Console sign-in and sign-out (`/api/v1/session`), before the API's own authentication: a personal token or
 * the API token becomes a session cookie. Failed attempts are limited per address.
 */
export function sessionRoutes(deps: AccessRouteDeps): Router {
  const router = Router();
  const limiter = new SignInLimiter(deps.signIn.attempts, deps.signIn.windowMs);

  const ops = sessionOperations;

  // Before the body is read, as always: an address that failed too often is told to wait whatever it sends.
  const notBlocked: RequestHandler = (req, _res, next) => {
    const wait = limiter.blockedFor(req.socket.remoteAddress ?? 'unknown', deps.clock.now());
    next(wait > 0 ? new VigilError('too_many_requests', `too many failed sign-ins from this address; try again in ${wait}s`, undefined, wait) : undefined);
  };

  route(
    router,
    ops.signIn,
    async ({ body }, req, res) => {
      const address = req.socket.remoteAddress ?? 'unknown';
      const now = deps.clock.now();
      const principal = await deps.authenticator.fromToken(body.token.trim());
      if (!principal) {
        limiter.failed(address, now);
        deps.logger.warn({ address }, 'console sign-in refused: unknown, revoked or expired token');
        throw unauthorized('that token is not valid (unknown, revoked or expired)');
      }
      limiter.succeeded(address);
      const secret = newSecret();
      const expiresAt = now + deps.sessionTtlMs;
      await deps.store.write(async (tx) => {
        await tx.deleteExpiredSessions(now);
        await tx.insertSession({
          hash: hashSecret(secret),
          person: principal.person!,
          name: principal.name,
          admin: principal.admin,
          via: principal.via,
          tokenId: principal.tokenId ?? null,
          createdAt: now,
          expiresAt,
        });
      });
      deps.logger.info({ person: principal.person, via: principal.via }, 'console sign-in');
      res.setHeader('Set-Cookie', sessionCookie(secret, deps.sessionTtlMs / 1000, deps.secureCookies));
      res.json({ ...describe({ ...principal, via: 'session' }, deps.authenticator.open), expiresAt: new Date(expiresAt).toISOString() } satisfies z.infer<typeof session>);
    },
    sameOrigin,
    notBlocked,
  );

  route(router, ops.show, async (_input, req, res) => {
    const principal = await deps.authenticator.authenticate(req);
    res.json(describe(principal, deps.authenticator.open));
  });

  route(
    router,
    ops.signOut,
    async (_input, req, res) => {
      const secret = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (secret) await deps.store.write((tx) => tx.deleteSession(hashSecret(secret)));
      res.setHeader('Set-Cookie', sessionCookie('', 0, deps.secureCookies));
      res.status(204).end();
    },
    sameOrigin,
  );
  return router;
}

/** Who the viewer is, for the console (never a secret). */
function describe(p: Principal, open: boolean): z.infer<typeof viewerSchema> {
  return { person: p.person, name: p.name, admin: p.admin, via: p.via, open };
}

/**
 * The API's door: finds the principal and, for a state-changing request made with a cookie or a proxy's
 * header, requires it to come from Vigil's own pages (Origin or Sec-Fetch-Site): no cross-site request forgery.
 */
export function requirePrincipal(authenticator: Authenticator): RequestHandler {
  return (req, res, next) => {
    authenticator.authenticate(req).then(
      (principal) => {
        if (unsafe.has(req.method) && (principal.via === 'session' || principal.via === 'proxy' || principal.via === 'open')) {
          const problem = crossSite(req);
          if (problem) return next(forbidden(problem));
        }
        res.locals.principal = principal;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

const sameOrigin: RequestHandler = (req, _res, next) => {
  const problem = crossSite(req);
  next(problem ? forbidden(problem) : undefined);
};

/** Why a browser request is not from Vigil's own origin, or null when it is (or is not from a browser). */
function crossSite(req: { headers: Record<string, string | string[] | undefined> }): string | null {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return 'cross-site request refused';
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return 'cross-site request refused';
    }
    if (host !== req.headers.host) return 'cross-site request refused';
  } else if (origin === 'null') return 'cross-site request refused';
  return null;
}

