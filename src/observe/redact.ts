/**
 * URL paths whose next segment is a credential, so it never reaches a log line: the signed one-click
 * action links anywhere in a text, and heartbeat ping keys (`/ping/<key>`, a root path: at the start of a
 * path or right after a URL's host, so `/api/v1/heartbeats/backup/ping/start` stays readable). A new route
 * that carries a secret in its path is covered by adding it here.
 */
const secretSegment = /(\/api\/v1\/actions\/|(?:^|[\s"'<(]|:\/\/[^/\s"'<>|]+)\/ping\/)[^/?#\s"'<>|]+/g;

export const REDACTED = '[redacted]';

/**
 * Replaces the secret segment of every such path in a text (a request path, a rendered message with full
 * links, a log message): `https://vigil.example/api/v1/actions/[redacted]`. The rest stays readable.
 */
export function redactSecretLinks(text: string): string {
  return text.includes('/') ? text.replace(secretSegment, `$1${REDACTED}`) : text;
}
