/**
 * The only links Vigil renders from alert data are http(s) URLs: a `javascript:`, `data:` or relative URL
 * in a sender's generatorURL, link or runbook_url annotation stays data (the API shows it) but never
 * becomes an href in an email, a Slack message or a webhook's links.
 */
const webScheme = /^https?:\/\/[^\s]/i;

/** Whether a sender's URL starts with an http(s) scheme; cheap enough for every alert at ingest. */
export function isWebLink(text: string | null | undefined): text is string {
  return typeof text === 'string' && webScheme.test(text);
}

/** The URL as a message renders it: absolute http(s), normalized by the WHATWG parser, or null. */
export function webHref(text: string | null | undefined): string | null {
  if (!isWebLink(text)) return null;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
