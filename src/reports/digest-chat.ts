import type { KnownBlock } from '@slack/web-api';
import { escapeSlack } from '../text/slack-text.js';
import { localRange, percent, reader, type Reader } from './format.js';
import { emptyLine, verdict } from './render-text.js';
import type { Compliance, Summary } from './types.js';

/**
 * The digest for a Slack channel: the headline figures as Block Kit fields and the few lists worth a
 * glance; the email carries the rest. `text` is the notification and screen-reader fallback.
 */
export interface ChatDigest {
  text: string;
  blocks: KnownBlock[];
}

const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const TOP = 3;

const esc = escapeSlack;
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text: clip(text, SECTION_MAX) });

const andMore = (r: Reader, total: number, shown: number) => (total > shown ? r.t('chatDigest.andMore', { count: total - shown }) : '');

function sla(c: Compliance, r: Reader): string {
  if (c.status === 'no_data') return r.t('report.verdict.noData');
  return r.t('chatDigest.sla', { rate: percent(c.rate), mark: c.status === 'met' ? '✅' : '❌', target: percent(c.target), verdict: verdict(c, r) });
}

export function renderDigestChat(s: Summary, options: { title?: string; reader?: Reader } = {}): ChatDigest {
  const r = options.reader ?? reader();
  const { since, until, timeZone, team } = s.period;
  const base = options.title ?? r.t('chatDigest.title');
  const title = team ? r.t('digest.titleTeam', { title: base, team }) : base;
  const header: KnownBlock = { type: 'header', text: { type: 'plain_text', text: clip(title, HEADER_MAX) } };
  const period: KnownBlock = { type: 'context', elements: [mrkdwn(esc(localRange(since, until, timeZone, r.locale)))] };
  if (s.empty) {
    const line = emptyLine(s, r);
    return { text: `${title}: ${line}`, blocks: [header, period, { type: 'section', text: mrkdwn(esc(line)) }] };
  }

  const sep = r.t('report.sep');
  const heartbeats = s.incidents.heartbeats > 0 ? r.t('chatDigest.incidents.heartbeats', { count: s.incidents.heartbeats }) : '';
  const blocks: KnownBlock[] = [
    header,
    period,
    {
      type: 'section',
      fields: [
        mrkdwn(r.t('chatDigest.incidents', { total: s.incidents.total, critical: s.incidents.bySeverity.critical, warning: s.incidents.bySeverity.warning, open: s.openTotal, heartbeats })),
        mrkdwn(r.t('chatDigest.pages', { total: s.pages.total, night: s.pages.night })),
        mrkdwn(r.t('chatDigest.mtta', { median: r.duration(s.mtta.median), p90: r.duration(s.mtta.p90) })),
        mrkdwn(r.t('chatDigest.mttr', { median: r.duration(s.mttr.median), p90: r.duration(s.mttr.p90) })),
        mrkdwn(r.t('chatDigest.ack', { value: sla(s.sla.ack, r) })),
        mrkdwn(r.t('chatDigest.resolve', { value: sla(s.sla.resolve, r) })),
      ],
    },
  ];
  const lists: string[] = [];
  if (s.noisiestAlerts.length > 0) {
    lists.push(r.t('chatDigest.noisiest', { list: s.noisiestAlerts.slice(0, TOP).map((a) => r.t('chatDigest.noisiestItem', { alert: esc(a.alertname), count: a.incidents })).join(sep) }));
  }
  // The escalation list has the unanswered ones first.
  const unanswered = s.escalations.incidents.filter((i) => i.answeredAt === null).slice(0, TOP);
  if (unanswered.length > 0) {
    const list = unanswered.map((i) => `#${i.id} ${esc(clip(i.title, 60))}`).join(sep);
    lists.push(r.t('chatDigest.unanswered', { list, more: andMore(r, s.escalations.unanswered, unanswered.length) }));
  }
  const urgent = s.open.slice(0, TOP);
  if (urgent.length > 0) {
    const list = urgent.map((i) => `#${i.id} ${esc(clip(i.title, 60))} (${r.duration(i.ageMs)})`).join(sep);
    lists.push(r.t('chatDigest.urgent', { list, more: andMore(r, s.openTotal, urgent.length) }));
  }
  if (s.runbooks.runs > 0 || s.selfHealedTotal > 0) {
    lists.push(r.t('chatDigest.automation', { runs: s.runbooks.runs, rate: percent(s.runbooks.successRate), healed: s.selfHealedTotal }));
  }
  if (lists.length > 0) blocks.push({ type: 'section', text: mrkdwn(lists.join('\n')) });

  const text = r.t('chatDigest.text', {
    title,
    count: s.incidents.total,
    open: s.openTotal,
    mtta: r.duration(s.mtta.median),
    mttr: r.duration(s.mttr.median),
    ack: percent(s.sla.ack.rate),
    resolve: percent(s.sla.resolve.rate),
  });
  return { text, blocks };
}
