import type { KnownBlock } from '@slack/web-api';
import { escapeSlack } from '../text/slack-text.js';
import { humanDuration, localRange, percent, plural } from './format.js';
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

const andMore = (total: number, shown: number) => (total > shown ? ` and ${total - shown} more` : '');

function sla(c: Compliance): string {
  if (c.status === 'no_data') return 'no data';
  return `${percent(c.rate)} ${c.status === 'met' ? '✅' : '❌'} (target ${percent(c.target)}, ${verdict(c)})`;
}

export function renderDigestChat(s: Summary, options: { title?: string } = {}): ChatDigest {
  const { since, until, timeZone, team } = s.period;
  const title = `${options.title ?? 'Vigil digest'}${team ? ` (${team})` : ''}`;
  const header: KnownBlock = { type: 'header', text: { type: 'plain_text', text: clip(title, HEADER_MAX) } };
  const period: KnownBlock = { type: 'context', elements: [mrkdwn(esc(localRange(since, until, timeZone)))] };
  if (s.empty) {
    const line = emptyLine(s);
    return { text: `${title}: ${line}`, blocks: [header, period, { type: 'section', text: mrkdwn(esc(line)) }] };
  }

  const blocks: KnownBlock[] = [
    header,
    period,
    {
      type: 'section',
      fields: [
        mrkdwn(`*Incidents*\n${s.incidents.total} (${s.incidents.bySeverity.critical} critical, ${s.incidents.bySeverity.warning} warning), ${s.openTotal} open${s.incidents.heartbeats > 0 ? `; ${s.incidents.heartbeats} from heartbeats` : ''}`),
        mrkdwn(`*Pages*\n${s.pages.total}, ${s.pages.night} at night`),
        mrkdwn(`*MTTA*\n${humanDuration(s.mtta.median)} median, ${humanDuration(s.mtta.p90)} p90`),
        mrkdwn(`*MTTR*\n${humanDuration(s.mttr.median)} median, ${humanDuration(s.mttr.p90)} p90`),
        mrkdwn(`*Ack SLA*\n${sla(s.sla.ack)}`),
        mrkdwn(`*Resolve SLA*\n${sla(s.sla.resolve)}`),
      ],
    },
  ];
  const lists: string[] = [];
  if (s.noisiestAlerts.length > 0) {
    lists.push(`*Noisiest:* ${s.noisiestAlerts.slice(0, TOP).map((a) => `${esc(a.alertname)} (${plural(a.incidents, 'incident')})`).join(', ')}`);
  }
  // The escalation list has the unanswered ones first.
  const unanswered = s.escalations.incidents.filter((i) => i.answeredAt === null).slice(0, TOP);
  if (unanswered.length > 0) {
    lists.push(`*Unanswered escalations:* ${unanswered.map((i) => `#${i.id} ${esc(clip(i.title, 60))}`).join(', ')}${andMore(s.escalations.unanswered, unanswered.length)}`);
  }
  const urgent = s.open.slice(0, TOP);
  if (urgent.length > 0) {
    lists.push(`*Most urgent open:* ${urgent.map((i) => `#${i.id} ${esc(clip(i.title, 60))} (${humanDuration(i.ageMs)})`).join(', ')}${andMore(s.openTotal, urgent.length)}`);
  }
  if (s.runbooks.runs > 0 || s.selfHealedTotal > 0) {
    lists.push(`*Automation:* ${plural(s.runbooks.runs, 'runbook run')}, ${percent(s.runbooks.successRate)} succeeded; ${s.selfHealedTotal} self-healed`);
  }
  if (lists.length > 0) blocks.push({ type: 'section', text: mrkdwn(lists.join('\n')) });

  const text = `${title}: ${plural(s.incidents.total, 'incident')}, ${s.openTotal} open; MTTA ${humanDuration(s.mtta.median)}, MTTR ${humanDuration(
    s.mttr.median,
  )}; ack SLA ${percent(s.sla.ack.rate)}, resolve SLA ${percent(s.sla.resolve.rate)}`;
  return { text, blocks };
}
