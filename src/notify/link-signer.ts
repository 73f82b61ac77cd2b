import { createHmac, timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../errors/errors.js';

export type LinkAction = 'acknowledge' | 'resolve';

export interface LinkClaims {
  action: LinkAction;
  incidentId: number;
  /** The person the link was sent to, or null for a shared address. */
  person: string | null;
}

export interface LinkSigner {
  link(action: LinkAction, incidentId: number, person: string | null): string;
  /** The claims of a valid, unexpired token; a VigilError ('unauthorized') otherwise. */
  verify(token: string): LinkClaims;
}

interface Payload {
  a: LinkAction;
  i: number;
  p: string | null;
  /** Expiry, epoch ms. */
  e: number;
}

const invalid = () => unauthorized('this link is not valid (it may have been cut short or altered)', { key: 'refusal.linkInvalid' });
const expired = () => unauthorized('this link has expired; use the link in a newer notification or open the incident in Vigil', { key: 'refusal.linkExpired' });

function isPayload(v: unknown): v is Payload {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    (o.a === 'acknowledge' || o.a === 'resolve') &&
    Number.isSafeInteger(o.i) &&
    (o.i as number) > 0 &&
    (o.p === null || typeof o.p === 'string') &&
    typeof o.e === 'number' &&
    Number.isFinite(o.e)
  );
}

/**
 * One-click acknowledge/resolve links: `base64url(JSON claims) "." base64url(HMAC-SHA256(secret, first part))`.
 * The signature is the credential, so the links work without an API token and die at their expiry.
 */
export function createLinkSigner(secret: Buffer | string, ttlMs: number, publicUrl: string, now: () => number): LinkSigner {
  const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  const base = publicUrl.replace(/\/+$/, '');
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();

  return {
    link(action, incidentId, person) {
      const claims: Payload = { a: action, i: incidentId, p: person, e: now() + ttlMs };
      const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
      return `${base}/api/v1/actions/${payload}.${mac(payload).toString('base64url')}`;
    },

    verify(token) {
      const parts = token.split('.');
      if (parts.length !== 2) throw invalid();
      const [payload = '', signature = ''] = parts;
      // Compared as text, so no second spelling of the same signature bytes is accepted.
      const given = Buffer.from(signature, 'utf8');
      const expected = Buffer.from(mac(payload).toString('base64url'), 'utf8');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      let claims: unknown;
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      if (!isPayload(claims)) throw invalid();
      if (now() >= claims.e) throw expired();
      return { action: claims.a, incidentId: claims.i, person: claims.p };
    },
  };
}
