/**
 * Only http(s) URLs from alert data become links; anything else (javascript:, data:, relative) stays text.
 * The same rule as the server's (src/alerts/web-link.ts).
 */
export function webHref(text: string | null | undefined): string | null {
  if (typeof text !== 'string' || !/^https?:\/\/\S/i.test(text)) return null;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
