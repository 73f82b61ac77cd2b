import type { Severity } from '../alerts/severity.js';

/** Text made safe inside HTML text and attribute values (email, the link confirmation page). */
export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** One palette for severities wherever a message shows them (email, chat, digest charts); white text on each passes WCAG AA but warning's, which is shown with dark text. */
export const severityColour: Readonly<Record<Severity, string>> = { critical: '#d32f2f', warning: '#f9a825', reminder: '#1976d2', info: '#757575' };
