/**
 * URL paths whose last segment is a credential, so it never reaches a log line: the signed one-click
 * action links. A new route that carries a secret in its path (heartbeat ping keys, `/ping/<key>`) is
 * covered by adding its prefix here.
 */
const secretPathPrefixes = ['/api/v1/actions/'];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const secretSegment = new RegExp(`(${secretPathPrefixes.map(escapeRegExp).join('|')})[^/?#\\s"'<>|]+`, 'g');

export const REDACTED = '[redacted]';

/**
 * Replaces the secret segment of every such path in a text (a request path, a rendered message with full
 * links, a log message): `https://vigil.example/api/v1/actions/[redacted]`. The rest stays readable.
 */
export function redactSecretLinks(text: string): string {
  return text.includes('/') ? text.replace(secretSegment, `$1${REDACTED}`) : text;
}
