import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { unauthorized } from '../errors/errors.js';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Compares a presented secret with every configured one in constant time: both sides are hashed to a
 * fixed length first, and every candidate is compared so the time does not reveal which one matched.
 */
export function matchesAny(presented: string | undefined, candidates: readonly Buffer[]): boolean {
  if (presented === undefined) return false;
  const p = digest(presented);
  let ok = false;
  for (const c of candidates) ok = timingSafeEqual(p, c) || ok;
  return ok;
}

/** The credential in `Authorization: Bearer <token>` or the password of `Authorization: Basic`. */
export function presentedToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') return value;
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? undefined : decoded.slice(colon + 1);
  }
  return undefined;
}

/**
 * Checks an Authorization header against the tokens, throwing 401 when it does not match; with no tokens
 * configured the door is open (Vigil warns at startup).
 */
export function tokenCheck(tokens: readonly string[], realm: string): (authorization: string | undefined) => void {
  const hashed = tokens.map(digest);
  return (authorization) => {
    if (hashed.length === 0) return;
    if (matchesAny(presentedToken(authorization), hashed)) return;
    throw unauthorized(`a valid ${realm} token is required (Authorization: Bearer <token> or basic-auth password)`);
  };
}

/** tokenCheck as express middleware. */
export function requireToken(tokens: readonly string[], realm: string): RequestHandler {
  const check = tokenCheck(tokens, realm);
  return (req, _res, next) => {
    check(req.headers.authorization);
    next();
  };
}
