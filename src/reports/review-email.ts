import { escapeHtml } from '../text/html.js';
import { reader, type Reader } from './format.js';
import type { ReportIncident } from './types.js';

/**
 * The review draft as an email: the Markdown itself is the text part (it reads well as it is, and can be
 * pasted into a wiki or ticket), the HTML part shows the same text preformatted.
 */
export interface RenderedReview {
  subject: string;
  text: string;
  html: string;
}

export function renderReviewEmail(incident: Pick<ReportIncident, 'id' | 'title' | 'priority'>, markdown: string, baseUrl?: string, r: Reader = reader()): RenderedReview {
  const subject = r.t('review.subject', { priority: incident.priority, headline: r.t('headline.review'), id: incident.id, title: incident.title });
  // The incident's page in the console shows the latest draft rendered, with everything it is drawn from.
  const link = baseUrl ? `${baseUrl.replace(/\/+$/, '')}/incidents/${incident.id}` : null;
  const footer = link ? `\n---\n${r.t('review.latestText', { url: link })}\n` : '';
  const html = `<!doctype html>
<html lang="${r.locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:16px;background-color:#ffffff;color:#222222;font-family:Arial,Helvetica,sans-serif">
<p style="font-size:13px;color:#555">${escapeHtml(r.t('review.emailIntro', { id: incident.id }))}</p>
<pre style="white-space:pre-wrap;font-family:Menlo,Consolas,monospace;font-size:12px;line-height:1.4">${escapeHtml(markdown)}</pre>
${link ? `<p style="font-size:13px"><a href="${escapeHtml(link)}">${escapeHtml(r.t('review.latest'))}</a></p>` : ''}
</body></html>
`;
  return { subject, text: `${markdown}${footer}`, html };
}
