import { createHash, randomBytes } from 'node:crypto';

/** Personal tokens start with this, so secret scanners and people can tell what they are. */
export const TOKEN_PREFIX = 'vigil_pat_';

/** A new secret (personal token or session): 32 random bytes, URL-safe. */
export function newSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** What the store keeps of a secret: its SHA-256. A stolen database reveals no usable token. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A short public id for a token (listing, revoking). */
export function newTokenId(): string {
  return `pat_${randomBytes(6).toString('hex')}`;
}
