import { formatDuration } from '../time/duration.js';
import { escapeHtml, severityColour } from '../text/html.js';
import type { IncidentSummary, MessageKind, Rendered } from './types.js';

/**
 * Every message Vigil sends is rendered here, per kind, for every channel at once. Nothing secret is
 * ever part of a message: only incident facts and signed links.
 */
const esc = escapeHtml;

const headline: Record<MessageKind, string> = {
  page: 'ALERT',
  bundle: 'ALERTS',
  reminder: 'STILL OPEN',
  escalation: 'ESCALATED',
  acknowledged: 'ACKNOWLEDGED',
  resolved: 'RESOLVED',
  digest: 'DIGEST',
  review: 'REVIEW',
  update: 'UPDATE',
};

const colour = severityColour;

function where(i: IncidentSummary): string {
  return [i.service, i.team].filter(Boolean).join(' / ');
}

/** A free text as one SMS segment (160 GSM characters): plain ASCII, cut with a full stop when longer. */
export function smsSegment(text: string): string {
  const plain = text.replace(/[^\x20-\x7e]/g, '?');
  return plain.length > 160 ? `${plain.slice(0, 159)}.` : plain;
}

/** One SMS segment (160 GSM characters) where it fits: the title is shortened, the reply hint kept. */
export function smsText(kind: MessageKind, i: IncidentSummary): string {
  const hint = kind === 'resolved' || kind === 'acknowledged' ? '' : ` Reply ${i.id}a ack, ${i.id}r resolve`;
  const head = `[${i.priority} ${headline[kind]}] #${i.id} `;
  const tail = `${where(i) ? ` (${where(i)})` : ''}.${hint}`;
  const room = 160 - head.length - tail.length;
  // GSM-7 has no curly quotes or emoji; keep to plain ASCII so one segment stays one segment.
  const title = i.title.replace(/[^\x20-\x7e]/g, '?');
  return head + (title.length > room ? `${title.slice(0, Math.max(10, room - 1))}…`.replace('…', '.') : title) + tail;
}

/** A progress report's lines: how long it has been open and what happened lately, or that nobody said anything. */
function progressLines(m: IncidentSummary): string[] {
  if (!m.progress) return [];
  const updates = m.progress.updates.map((u) => `- ${new Date(u.at).toISOString().slice(11, 16)} UTC${u.by ? ` ${u.by}` : ''}: ${u.text}`);
  return [
    `Open for ${formatDuration(m.progress.openForMs)}. Please post an update (reply to this message or add a note).`,
    ...(updates.length ? ['Latest updates:', ...updates] : ['No updates yet.']),
  ];
}

export function render(kind: MessageKind, i: IncidentSummary, opts: { bundle?: IncidentSummary[]; actions?: { acknowledge: string; resolve: string } | null } = {}): Rendered {
  const members = opts.bundle && opts.bundle.length > 1 ? opts.bundle : null;
  const subject = members
    ? `[${headline.bundle}] ${members.length} incidents: ${members.map((m) => `#${m.id}`).join(', ')}`
    : `[${i.priority} ${headline[kind]}] #${i.id} ${i.title}`;
  const lines = (m: IncidentSummary) => [
    `#${m.id} ${m.title}`,
    `Severity ${m.severity} (${m.priority}), status ${m.status}${where(m) ? `, ${where(m)}` : ''}`,
    ...(m.acknowledgedBy ? [`Acknowledged by ${m.acknowledgedBy}`] : []),
    ...(m.resolvedBy ? [`Resolved by ${m.resolvedBy}`] : []),
    ...progressLines(m),
    ...(m.remediation?.length ? ['Auto-remediation:', ...m.remediation.map((r) => `- ${r}`)] : []),
    ...m.details.slice(0, 5),
    ...m.links.map((l) => `${l.text}: ${l.href}`),
  ];
  const body = (members ?? [i]).map((m) => lines(m).join('\n')).join('\n\n');
  const actionText = opts.actions ? `\n\nAcknowledge: ${opts.actions.acknowledge}\nResolve: ${opts.actions.resolve}` : '';
  const htmlIncident = (m: IncidentSummary) => `
    <div style="border-left:4px solid ${colour[m.severity]};padding:8px 12px;margin:8px 0">
      <h2 style="margin:0 0 4px;font-size:16px">#${m.id} ${esc(m.title)}</h2>
      <p style="margin:0;color:#555">${esc(`${m.severity} (${m.priority}) · ${m.status}${where(m) ? ` · ${where(m)}` : ''}`)}</p>
      ${progressLines(m).map((line) => `<p style="margin:4px 0">${esc(line)}</p>`).join('')}
      ${m.remediation?.length ? `<p style="margin:4px 0"><b>Auto-remediation</b></p><ul>${m.remediation.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}
      ${m.details.slice(0, 5).map((d) => `<p style="margin:4px 0">${esc(d)}</p>`).join('')}
      ${m.links.length ? `<p>${m.links.map((l) => `<a href="${esc(l.href)}">${esc(l.text)}</a>`).join(' · ')}</p>` : ''}
    </div>`;
  const htmlActions = opts.actions
    ? `<p><a href="${esc(opts.actions.acknowledge)}" style="padding:6px 12px;background:#1976d2;color:#fff;text-decoration:none">Acknowledge</a>
       <a href="${esc(opts.actions.resolve)}" style="padding:6px 12px;background:#2e7d32;color:#fff;text-decoration:none">Resolve</a></p>`
    : '';
  return {
    subject,
    text: `${body}${actionText}\n`,
    html: `<!doctype html><html><body style="font-family:sans-serif">${(members ?? [i]).map(htmlIncident).join('')}${htmlActions}</body></html>`,
    sms: smsText(kind, i),
    speech:
      kind === 'resolved'
        ? `Vigil. Incident ${i.id} is resolved.`
        : `Vigil ${headline[kind].toLowerCase()}. Priority ${i.priority.slice(1)}, ${i.severity}. Incident ${i.id}: ${i.title}${i.service ? `, on ${i.service}` : ''}.`,
  };
}
