import { createHash, randomBytes } from 'node:crypto';

/** A secret ping key: 144 random bits, URL-safe. Only its hash is stored. */
export function newKey(): string {
  return randomBytes(18).toString('base64url');
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
