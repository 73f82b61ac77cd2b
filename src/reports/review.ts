import { humanDuration, plural, utcIso } from './format.js';
import { historyOf, slaOutcome, timeToAcknowledge, timeToResolve, type SlaOutcome } from './incident-history.js';
import { mdInline, mdQuote, mdTable } from './markdown.js';
import type { ReportEvent, ReportIncident, ReportNotification } from './types.js';

/**
 * The post-incident review draft written when a P1 or P2 resolves: everything Vigil knows, in order, so
 * people only have to add what it cannot know (the root cause and what to change). Times are UTC so the
 * draft means the same to everyone who reads it.
 */

export interface ReviewAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: string;
  startsAt: number;
  endsAt: number | null;
  resolvedAt: number | null;
  receiveCount: number;
}

export interface ReviewInput {
  incident: ReportIncident;
  alerts: readonly ReviewAlert[];
  events: readonly ReportEvent[];
  notifications: readonly ReportNotification[];
  /** Vigil's public URL, for a link to the incident. */
  baseUrl?: string;
}


const MAX_TIMELINE = 500;
const MAX_NOTIFICATIONS = 200;
const runbookKinds = new Set(['runbook_started', 'runbook_step', 'runbook_finished']);

const byTime = <T extends { at: number; id?: number }>(a: T, b: T) => a.at - b.at || (a.id ?? 0) - (b.id ?? 0);

export function renderReview(input: ReviewInput): string {
  const { incident } = input;
  const events = input.events.filter((e) => e.incidentId === incident.id).sort(byTime);
  return [
    `# Post-incident review: #${incident.id} ${mdInline(incident.title)}`,
    '',
    '_Draft written by Vigil from the incident record. Check it, then fill in the root cause and the follow-up actions._',
    '',
    ...section('Summary', summary(input, events)),
    ...section('Impact window', impact(input)),
    ...section('Response', response(incident, events)),
    ...section('Timeline', timeline(events)),
    ...section('Notifications and escalations', notifications(input.notifications, incident.id, events)),
    ...section('Runbook actions', runbooks(events)),
    ...section('Notes', notes(events)),
    ...section('Root cause', [
      '<!-- What failed, and why then? What made it worse or better? -->',
      '',
      '_To be written._',
    ]),
    ...section('Follow-up actions', [
      '<!-- One line each: the action, its owner and its due date; link the ticket. -->',
      '',
      '- [ ] _Action — owner — due date_',
    ]),
  ].join('\n');
}

function section(title: string, body: string[]): string[] {
  return [`## ${title}`, '', ...body, ''];
}

function summary(input: ReviewInput, events: readonly ReportEvent[]): string[] {
  const i = input.incident;
  const h = historyOf(i, events, Number.POSITIVE_INFINITY);
  const rows: [string, string][] = [
    ['Incident', `#${i.id}`],
    ['Severity', `${i.severity} (${i.priority})`],
    ['Team', i.team ?? '—'],
    ['Service', i.service ?? '—'],
    ['Status', i.status],
    ['Opened', utcIso(i.createdAt)],
    ['Acknowledged', h.firstAckAt === null ? 'never' : `${utcIso(h.firstAckAt)}${h.firstAckBy ? ` by ${h.firstAckBy}` : ''}`],
    ['Resolved', i.resolvedAt === null ? 'not yet' : `${utcIso(i.resolvedAt)}${i.resolvedBy ? ` by ${i.resolvedBy}` : ''}`],
    ['Alerts', String(input.alerts.length || i.alertCount)],
  ];
  if (h.reopens > 0) rows.push(['Reopened', `${plural(h.reopens, 'time')} (flapping)`]);
  const tiers = Math.max(i.escalationTier, ...events.filter((e) => e.kind === 'escalated').map((e) => tierOf(e) ?? 0));
  if (tiers > 1) rows.push(['Escalated to', `tier ${tiers}${events.some((e) => e.kind === 'escalation_exhausted') ? ' (every tier paged, nobody acknowledged)' : ''}`]);
  if (events.some((e) => e.kind === 'self_healed')) rows.push(['Self-healed', 'closed by a runbook']);
  if (input.baseUrl) rows.push(['Record', `${input.baseUrl.replace(/\/+$/, '')}/incidents/${i.id}`]);
  return [mdTable(['', ''], rows)];
}

function impact(input: ReviewInput): string[] {
  const i = input.incident;
  const starts = input.alerts.map((a) => a.startsAt);
  const start = starts.length > 0 ? Math.min(...starts) : i.createdAt;
  const from = starts.length > 0 ? 'first alert started' : 'incident opened';
  const end = i.resolvedAt;
  const lines = [
    end === null
      ? `From ${utcIso(start)} (${from}); still open.`
      : `From ${utcIso(start)} (${from}) to ${utcIso(end)} (resolved): ${humanDuration(end - start)}.`,
  ];
  if (input.alerts.length > 0) {
    const sorted = [...input.alerts].sort((a, b) => a.startsAt - b.startsAt);
    lines.push(
      '',
      mdTable(
        ['Alert', 'Labels', 'Summary', 'Started', 'Ended', 'Deliveries'],
        sorted.map((a) => [
          a.labels.alertname ?? '(no alertname)',
          Object.entries(a.labels)
            .filter(([k]) => k !== 'alertname')
            .map(([k, v]) => `${k}=${v}`)
            .join(', '),
          a.annotations.summary ?? a.annotations.description ?? '',
          utcIso(a.startsAt),
          ended(a),
          String(a.receiveCount),
        ]),
      ),
    );
  }
  return lines;
}

function ended(a: ReviewAlert): string {
  const at = a.resolvedAt ?? (a.status === 'firing' ? null : a.endsAt);
  return at === null ? 'still firing' : utcIso(at);
}

function response(i: ReportIncident, events: readonly ReportEvent[]): string[] {
  const h = historyOf(i, events, Number.POSITIVE_INFINITY);
  const sla = (kind: 'ack' | 'resolve', outcome: SlaOutcome) => {
    const ms = kind === 'ack' ? i.policy?.ackSla : i.policy?.resolveSla;
    if (outcome === 'none' || ms === null || ms === undefined) return 'no SLA';
    return `SLA ${humanDuration(ms)}: ${outcome === 'met' ? 'met' : outcome === 'missed' ? 'missed' : 'running'}`;
  };
  const lines = [
    `- Time to acknowledge: ${humanDuration(timeToAcknowledge(i, h))} (${sla('ack', slaOutcome(i, h, 'ack', Number.POSITIVE_INFINITY))})`,
    `- Time to resolve: ${humanDuration(timeToResolve(i, h))} (${sla('resolve', slaOutcome(i, h, 'resolve', Number.POSITIVE_INFINITY))})`,
  ];
  if (h.reopens > 0) lines.push('- Measured on the first cycle; the incident fired again after resolving.');
  return lines;
}

function timeline(events: readonly ReportEvent[]): string[] {
  if (events.length === 0) return ['No events were recorded.'];
  const shown = events.slice(0, MAX_TIMELINE);
  const out = [
    mdTable(
      ['Time (UTC)', 'Event', 'By', 'What happened'],
      shown.map((e) => [utcIso(e.at), e.kind, e.actor ?? e.source ?? '', e.message]),
    ),
  ];
  if (events.length > shown.length) out.push('', `… and ${events.length - shown.length} later events, in the incident's record.`);
  return out;
}

function notifications(all: readonly ReportNotification[], incidentId: number, events: readonly ReportEvent[]): string[] {
  const mine = all.filter((n) => n.incidentId === incidentId).sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
  const out: string[] = [];
  const escalations = events.filter((e) => e.kind === 'escalated' || e.kind === 'escalation_exhausted');
  if (escalations.length > 0) {
    out.push(...escalations.map((e) => `- ${utcIso(e.at)}: ${mdInline(e.message)}`), '');
  }
  if (mine.length === 0) {
    out.push('Nobody was notified.');
    return out;
  }
  const shown = mine.slice(0, MAX_NOTIFICATIONS);
  out.push(
    mdTable(
      ['Time (UTC)', 'Kind', 'To', 'Channel', 'Result'],
      shown.map((n) => [utcIso(n.createdAt), n.kind, n.person ? `${n.recipientName} (${n.person})` : n.recipientName, n.channel + (n.fallbackOf !== null ? ' (fallback)' : ''), result(n)]),
    ),
  );
  if (mine.length > shown.length) out.push('', `… and ${mine.length - shown.length} more messages.`);
  return out;
}

function result(n: ReportNotification): string {
  if (n.status === 'delivered') return n.deliveredAt === null ? 'delivered' : `delivered ${utcIso(n.deliveredAt)}`;
  if (n.status === 'failed') return `failed${n.errorKind ? ` (${n.errorKind})` : ''}`;
  if (n.status === 'cancelled') return 'not sent (incident answered first)';
  return 'not sent yet';
}

function runbooks(events: readonly ReportEvent[]): string[] {
  const runs = new Map<string, ReportEvent[]>();
  for (const e of events) {
    if (!runbookKinds.has(e.kind)) continue;
    const id = e.data?.runId;
    const key = typeof id === 'string' || typeof id === 'number' ? String(id) : `${String(e.data?.runbook ?? '?')}@${e.at}`;
    const list = runs.get(key);
    if (list) list.push(e);
    else runs.set(key, [e]);
  }
  if (runs.size === 0) return ['No runbook ran.'];
  const out: string[] = [];
  for (const run of runs.values()) {
    const name = run.map((e) => e.data?.runbook).find((v): v is string => typeof v === 'string') ?? '(unnamed runbook)';
    const finished = run.find((e) => e.kind === 'runbook_finished');
    const outcome = typeof finished?.data?.outcome === 'string' ? finished.data.outcome : 'did not finish';
    const dry = run.some((e) => e.data?.dryRun === true) ? ' (dry run)' : '';
    out.push(`- **${mdInline(name)}**, started ${utcIso(run[0]!.at)}: ${mdInline(outcome)}${dry}`);
    for (const e of run) out.push(`  - ${utcIso(e.at)} ${mdInline(e.message)}`);
  }
  return out;
}

function notes(events: readonly ReportEvent[]): string[] {
  const written = events.filter((e) => e.kind === 'note' || (typeof e.data?.note === 'string' && e.data.note !== ''));
  if (written.length === 0) return ['No notes were added.'];
  const out: string[] = [];
  for (const e of written) {
    const text = e.kind === 'note' ? (typeof e.data?.text === 'string' ? e.data.text : e.message) : String(e.data?.note);
    out.push(`- ${utcIso(e.at)}, ${mdInline(e.actor ?? 'someone')}${e.kind === 'note' ? '' : ` (${e.kind})`}:`, '', mdQuote(text).replace(/^/gm, '  '), '');
  }
  return out.slice(0, -1);
}

function tierOf(e: ReportEvent): number | null {
  const t = e.data?.tier;
  return typeof t === 'number' ? t : null;
}
