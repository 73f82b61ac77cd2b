import type { AlertLink } from '../alerts/alert.js';
import { webHref } from '../alerts/web-link.js';

/** Most links one message shows. */
const MAX_LINKS = 8;

/**
 * The links messages show for an incident, read from its alerts: each one's `runbook_url` annotation and its
 * links, http(s) only (see web-link.ts; rows stored before ingest filtered links are filtered here too),
 * normalized and without repeats.
 */
export function incidentLinks(alerts: { annotations: Record<string, string>; links: AlertLink[] }[]): AlertLink[] {
  const links = new Map<string, AlertLink>();
  const add = (href: string | undefined, text: string) => {
    const safe = webHref(href);
    if (safe && !links.has(safe)) links.set(safe, { href: safe, text });
  };
  for (const a of alerts) {
    add(a.annotations.runbook_url, 'Runbook');
    for (const l of a.links) add(l.href, l.text);
  }
  return [...links.values()].slice(0, MAX_LINKS);
}
