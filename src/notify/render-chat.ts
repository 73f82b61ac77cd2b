import { formatDurationIn } from '../time/duration.js';
import { translate, translator, type Translate } from '../text/messages/catalog.js';
import { severityColour } from '../text/html.js';
import { escapeSlack } from '../text/slack-text.js';
import type { KnownBlock, MessageAttachment } from '@slack/web-api';
import type { Delivery, IncidentSummary, MessageKind, Rendered } from './types.js';

/**
 * The chat form of a message (Slack Block Kit), rendered here beside the other channels' forms in
 * render.ts; the chat channel only sends what this returns.
 */
export const ACK_ACTION_ID = 'vigil_ack';
export const RESOLVE_ACTION_ID = 'vigil_resolve';

const severityColor = severityColour;

const severityEmoji: Record<IncidentSummary['severity'], string> = {
  critical: '🔴',
  warning: '🟡',
  reminder: '🔵',
  info: '⚪',
};

/** Kinds that ask someone to act; only these carry the Acknowledge/Resolve buttons. */
const actionableKinds: ReadonlySet<MessageKind> = new Set(['page', 'bundle', 'reminder', 'escalation']);
/** Kinds that report a change and go into the incident's thread when there is one. */
export const threadedKinds: ReadonlySet<MessageKind> = new Set(['acknowledged', 'resolved']);
/** Kinds whose message is their own text (a change, a runbook's notify step), shown above the incident's facts. */
const textKinds: ReadonlySet<MessageKind> = new Set([...threadedKinds, 'update']);

// Slack's Block Kit limits.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;

/** Slack's mrkdwn treats &, < and > as control characters. */
const esc = escapeSlack;
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const link = (href: string, text: string) => `<${href.replace(/[|>]/g, encodeURIComponent)}|${esc(text)}>`;
const mrkdwn = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, SECTION_MAX) } });

function statusLine(incident: IncidentSummary, t: Translate): string {
  if (incident.status === 'resolved') return incident.resolvedBy ? t('chat.resolvedBy', { name: esc(incident.resolvedBy) }) : t('chat.resolved');
  if (incident.status === 'acknowledged') return incident.acknowledgedBy ? t('chat.acknowledgedBy', { name: esc(incident.acknowledgedBy) }) : t('chat.acknowledged');
  return t('chat.triggered');
}

function incidentBlocks(incident: IncidentSummary, interactive: boolean, rendered: Rendered): KnownBlock[] {
  const locale = rendered.locale ?? 'en';
  const t = translator(locale);
  const facts = [
    `${statusLine(incident, t)} · ${t('chat.alerts', { count: incident.alertCount })}`,
    ...incident.details.map((line) => esc(line)),
    ...(incident.remediation?.length ? [t('chat.remediation'), ...incident.remediation.map((r) => `• ${esc(r)}`)] : []),
    ...(incident.progress
      ? [t('chat.openFor', { duration: formatDurationIn(incident.progress.openForMs, locale) }), ...incident.progress.updates.map((u) => `• ${esc(`${u.by ?? ''}: ${u.text}`)}`)]
      : []),
  ];
  const context = [
    t('chat.incident', { id: incident.id }),
    ...(incident.team ? [t('chat.team', { team: esc(incident.team) })] : []),
    ...(incident.service ? [t('chat.service', { service: esc(incident.service) })] : []),
    // Slack writes the date in each reader's own zone and language.
    t('chat.opened', { date: `<!date^${Math.floor(incident.createdAt / 1000)}^{date_short_pretty} {time}|${new Date(incident.createdAt).toISOString()}>` }),
  ];
  const blocks: KnownBlock[] = [
    mrkdwn(facts.join('\n')),
    { type: 'context', elements: context.map((text) => ({ type: 'mrkdwn' as const, text })) },
  ];
  if (incident.links.length > 0) blocks.push(mrkdwn(incident.links.map((l) => link(l.href, l.text)).join('  ·  ')));
  if (interactive && incident.status !== 'resolved') {
    const value = String(incident.id);
    const labels = rendered.actionLabels ?? { acknowledge: t('action.acknowledge'), resolve: t('action.resolve') };
    blocks.push({
      type: 'actions',
      block_id: `vigil_incident_${incident.id}`,
      elements: [
        ...(incident.status === 'triggered'
          ? [{ type: 'button' as const, action_id: ACK_ACTION_ID, text: { type: 'plain_text' as const, text: labels.acknowledge }, style: 'primary' as const, value }]
          : []),
        { type: 'button', action_id: RESOLVE_ACTION_ID, text: { type: 'plain_text', text: labels.resolve }, value },
      ],
    });
  }
  return blocks;
}

/** The message for one delivery: a headline in `blocks` and the coloured body (with any buttons) in one attachment. */
export function buildChatMessage(
  delivery: Pick<Delivery, 'kind' | 'incident' | 'rendered'>,
  opts: { interactive: boolean } = { interactive: true },
): { text: string; blocks: KnownBlock[]; attachments: MessageAttachment[] } {
  const { incident, rendered, kind } = delivery;
  // The notification text is mrkdwn too: alert data in it must not mention anyone (<!channel>, <@U…>).
  const text = esc(rendered.subject);
  // A message rendered ahead of time (a digest) brings its own blocks.
  if (rendered.blocks) return { text, blocks: rendered.blocks, attachments: [] };
  if (!incident) {
    return {
      text,
      blocks: [mrkdwn(`*${esc(rendered.subject)}*`)],
      attachments: [{ color: severityColor.info, fallback: text, blocks: [mrkdwn(esc(rendered.text))] }],
    };
  }
  const color = severityColor[incident.severity];
  if (textKinds.has(kind)) {
    return { text, blocks: [mrkdwn(esc(rendered.text))], attachments: [{ color, fallback: text, blocks: incidentBlocks(incident, false, rendered) }] };
  }
  const headline = `${severityEmoji[incident.severity]} ${incident.priority} · ${translate(rendered.locale ?? 'en', `term.severity.${incident.severity}`).toUpperCase()} · ${incident.title}`;
  return {
    text,
    blocks: [{ type: 'header', text: { type: 'plain_text', text: clip(headline, HEADER_MAX), emoji: true } }],
    attachments: [{ color, fallback: text, blocks: incidentBlocks(incident, opts.interactive && actionableKinds.has(kind), rendered) }],
  };
}

