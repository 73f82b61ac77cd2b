import { DateTime } from 'luxon';
import { formatDurationIn } from '../time/duration.js';
import { escapeHtml, severityColour } from '../text/html.js';
import { translate, translator, type Locale, type Translate } from '../text/messages/catalog.js';
import type { IncidentSummary, MessageKind, Rendered } from './types.js';

/**
 * Every message Vigil sends is rendered here, per kind, for every channel at once. Nothing secret is
 * ever part of a message: only incident facts and signed links.
 */
const esc = escapeHtml;

const colour = severityColour;

function where(i: IncidentSummary): string {
  return [i.service, i.team].filter(Boolean).join(' / ');
}

/** A free text as one SMS segment (160 GSM characters): plain ASCII, cut with a full stop when longer. */
export function smsSegment(text: string): string {
  const plain = text.replace(/[^\x20-\x7e]/g, '?');
  return plain.length > 160 ? `${plain.slice(0, 159)}.` : plain;
}

/**
 * One SMS segment where it fits: 160 GSM characters in English (plain ASCII), 70 in Chinese (a UCS-2 segment). The
 * title is shortened to fit, the reply hint kept.
 */
export function smsText(kind: MessageKind, i: IncidentSummary, locale: Locale = 'en'): string {
  if (locale !== 'en') return wideSms(kind, i, translator(locale));
  const hint = kind === 'resolved' || kind === 'acknowledged' ? '' : ` ${translate('en', 'sms.hint', { id: i.id })}`;
  const head = `[${i.priority} ${translate('en', `headline.${kind}`)}] #${i.id} `;
  const tail = `${where(i) ? ` (${where(i)})` : ''}.${hint}`;
  const room = 160 - head.length - tail.length;
  // GSM-7 has no curly quotes or emoji; keep to plain ASCII so one segment stays one segment.
  const title = i.title.replace(/[^\x20-\x7e]/g, '?');
  return head + (title.length > room ? `${title.slice(0, Math.max(10, room - 1))}…`.replace('…', '.') : title) + tail;
}

/** A UCS-2 segment holds 70 characters: the title is cut to what is left beside the head and the reply hint. */
const WIDE_SEGMENT = 70;

function wideSms(kind: MessageKind, i: IncidentSummary, t: Translate): string {
  const hint = kind === 'resolved' || kind === 'acknowledged' ? '' : t('sms.hint', { id: i.id });
  const head = `[${i.priority} ${t(`headline.${kind}`)}] #${i.id} `;
  const tail = `${where(i) ? `（${where(i)}）` : ''}。${hint}`;
  const chars = [...i.title];
  const room = WIDE_SEGMENT - [...head].length - [...tail].length;
  const title = chars.length > room ? `${chars.slice(0, Math.max(6, room - 1)).join('')}…` : i.title;
  return head + title + tail;
}

/** "14:05 UTC", "22:05 GMT+8": a time of today in the reader's zone, named so nobody has to guess it. */
function clockTime(at: number, zone: string, locale: Locale): string {
  if (zone === 'UTC') return `${new Date(at).toISOString().slice(11, 16)} UTC`;
  return DateTime.fromMillis(at, { zone }).setLocale(locale).toFormat('HH:mm ZZZZ');
}

/** A progress report's lines: how long it has been open and what happened lately, or that nobody said anything. */
function progressLines(m: IncidentSummary, t: Translate, locale: Locale, zone: string): string[] {
  if (!m.progress) return [];
  const colon = locale === 'en' ? ': ' : '：';
  const updates = m.progress.updates.map((u) => `- ${clockTime(u.at, zone, locale)}${u.by ? ` ${u.by}` : ''}${colon}${u.text}`);
  return [t('progress.open', { duration: formatDurationIn(m.progress.openForMs, locale) }), ...(updates.length ? [t('progress.latest'), ...updates] : [t('progress.none')])];
}

export function render(
  kind: MessageKind,
  i: IncidentSummary,
  opts: { bundle?: IncidentSummary[]; actions?: { acknowledge: string; resolve: string } | null; locale?: Locale; timeZone?: string } = {},
): Rendered {
  const locale = opts.locale ?? 'en';
  const zone = opts.timeZone ?? 'UTC';
  const t = translator(locale);
  const comma = locale === 'en' ? ', ' : '，';
  const colon = locale === 'en' ? ': ' : '：';
  const members = opts.bundle && opts.bundle.length > 1 ? opts.bundle : null;
  const subject = members
    ? t('subject.bundle', { headline: t('headline.bundle'), count: members.length, ids: members.map((m) => `#${m.id}`).join(', ') })
    : t('subject.one', { priority: i.priority, headline: t(`headline.${kind}`), id: i.id, title: i.title });
  const facts = (m: IncidentSummary) => t('line.facts', { severity: t(`term.severity.${m.severity}`), priority: m.priority, status: t(`term.status.${m.status}`) });
  const lines = (m: IncidentSummary) => [
    `#${m.id} ${m.title}`,
    `${facts(m)}${where(m) ? `${comma}${where(m)}` : ''}`,
    ...(m.acknowledgedBy ? [t('line.acknowledgedBy', { name: m.acknowledgedBy })] : []),
    ...(m.resolvedBy ? [t('line.resolvedBy', { name: m.resolvedBy })] : []),
    ...progressLines(m, t, locale, zone),
    ...(m.remediation?.length ? [t('line.remediation'), ...m.remediation.map((r) => `- ${r}`)] : []),
    ...m.details.slice(0, 5),
    ...m.links.map((l) => `${l.text}: ${l.href}`),
  ];
  const body = (members ?? [i]).map((m) => lines(m).join('\n')).join('\n\n');
  const ack = t('action.acknowledge');
  const resolve = t('action.resolve');
  const actionText = opts.actions ? `\n\n${ack}${colon}${opts.actions.acknowledge}\n${resolve}${colon}${opts.actions.resolve}` : '';
  const htmlIncident = (m: IncidentSummary) => `
    <div style="border-left:4px solid ${colour[m.severity]};padding:8px 12px;margin:8px 0">
      <h2 style="margin:0 0 4px;font-size:16px">#${m.id} ${esc(m.title)}</h2>
      <p style="margin:0;color:#555">${esc(`${t(`term.severity.${m.severity}`)} (${m.priority}) · ${t(`term.status.${m.status}`)}${where(m) ? ` · ${where(m)}` : ''}`)}</p>
      ${progressLines(m, t, locale, zone).map((line) => `<p style="margin:4px 0">${esc(line)}</p>`).join('')}
      ${m.remediation?.length ? `<p style="margin:4px 0"><b>${esc(t('line.remediation').replace(/[:：]$/, ''))}</b></p><ul>${m.remediation.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}
      ${m.details.slice(0, 5).map((d) => `<p style="margin:4px 0">${esc(d)}</p>`).join('')}
      ${m.links.length ? `<p>${m.links.map((l) => `<a href="${esc(l.href)}">${esc(l.text)}</a>`).join(' · ')}</p>` : ''}
    </div>`;
  const htmlActions = opts.actions
    ? `<p><a href="${esc(opts.actions.acknowledge)}" style="padding:6px 12px;background:#1976d2;color:#fff;text-decoration:none">${esc(ack)}</a>
       <a href="${esc(opts.actions.resolve)}" style="padding:6px 12px;background:#2e7d32;color:#fff;text-decoration:none">${esc(resolve)}</a></p>`
    : '';
  const headline = t(`headline.${kind}`);
  return {
    subject,
    text: `${body}${actionText}\n`,
    html: `<!doctype html><html${locale === 'en' ? '' : ` lang="${locale}"`}><body style="font-family:sans-serif">${(members ?? [i]).map(htmlIncident).join('')}${htmlActions}</body></html>`,
    sms: smsText(kind, i, locale),
    speech:
      kind === 'resolved'
        ? t('speech.resolved', { id: i.id })
        : t('speech.alert', {
            headline: locale === 'en' ? headline.toLowerCase() : headline,
            level: i.priority.slice(1),
            severity: t(`term.severity.${i.severity}`),
            id: i.id,
            title: i.title,
            service: i.service ?? 'none',
          }),
    locale,
    actionLabels: { acknowledge: ack, resolve },
  };
}
