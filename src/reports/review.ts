import { reader, utcIso, type Reader } from './format.js';
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
  /** The language it is written in (English unless told); times stay UTC. */
  reader?: Reader;
}


const MAX_TIMELINE = 500;
const MAX_NOTIFICATIONS = 200;
const runbookKinds = new Set(['runbook_started', 'runbook_step', 'runbook_finished']);

const byTime = <T extends { at: number; id?: number }>(a: T, b: T) => a.at - b.at || (a.id ?? 0) - (b.id ?? 0);

export function renderReview(input: ReviewInput): string {
  const { incident } = input;
  const r = input.reader ?? reader();
  const t = r.t;
  const events = input.events.filter((e) => e.incidentId === incident.id).sort(byTime);
  return [
    `# ${t('review.title', { id: incident.id, title: mdInline(incident.title) })}`,
    '',
    t('review.intro'),
    '',
    ...section(t('review.summary'), summary(input, events, r)),
    ...section(t('review.impact'), impact(input, r)),
    ...section(t('review.response'), response(incident, events, r)),
    ...section(t('review.timeline'), timeline(events, r)),
    ...section(t('review.notifications'), notifications(input.notifications, incident.id, events, r)),
    ...section(t('review.runbooks'), runbooks(events, r)),
    ...section(t('review.notes'), notes(events, r)),
    ...section(t('review.rootCause'), [t('review.rootCause.hint'), '', t('review.toBeWritten')]),
    ...section(t('review.followUp'), [t('review.followUp.hint'), '', t('review.followUp.item')]),
  ].join('\n');
}

function section(title: string, body: string[]): string[] {
  return [`## ${title}`, '', ...body, ''];
}

function summary(input: ReviewInput, events: readonly ReportEvent[], r: Reader): string[] {
  const { t } = r;
  const i = input.incident;
  const h = historyOf(i, events, Number.POSITIVE_INFINITY);
  const atBy = (at: number, who: string | null) => (who ? t('review.atBy', { time: utcIso(at), who }) : utcIso(at));
  const rows: [string, string][] = [
    [t('review.row.incident'), `#${i.id}`],
    [t('review.row.severity'), `${t(`term.severity.${i.severity}`)} (${i.priority})`],
    [t('review.row.team'), i.team ?? '—'],
    [t('review.row.service'), i.service ?? '—'],
    [t('review.row.status'), t(`term.status.${i.status}`)],
    [t('review.row.opened'), utcIso(i.createdAt)],
    [t('review.row.acknowledged'), h.firstAckAt === null ? t('review.never') : atBy(h.firstAckAt, h.firstAckBy)],
    [t('review.row.resolved'), i.resolvedAt === null ? t('review.notYet') : atBy(i.resolvedAt, i.resolvedBy)],
    [t('review.row.alerts'), String(input.alerts.length || i.alertCount)],
  ];
  if (h.reopens > 0) rows.push([t('review.row.reopened'), t('review.reopened', { count: h.reopens })]);
  const tiers = Math.max(i.escalationTier, ...events.filter((e) => e.kind === 'escalated').map((e) => tierOf(e) ?? 0));
  if (tiers > 1) {
    const exhausted = events.some((e) => e.kind === 'escalation_exhausted') ? 'yes' : 'no';
    rows.push([t('review.row.escalatedTo'), t('review.escalatedTo', { tier: tiers, exhausted })]);
  }
  if (events.some((e) => e.kind === 'self_healed')) rows.push([t('review.row.selfHealed'), t('review.closedByRunbook')]);
  if (input.baseUrl) rows.push([t('review.row.record'), `${input.baseUrl.replace(/\/+$/, '')}/incidents/${i.id}`]);
  return [mdTable(['', ''], rows)];
}

function impact(input: ReviewInput, r: Reader): string[] {
  const { t } = r;
  const i = input.incident;
  const starts = input.alerts.map((a) => a.startsAt);
  const start = starts.length > 0 ? Math.min(...starts) : i.createdAt;
  const from = t(starts.length > 0 ? 'review.from.alert' : 'review.from.incident');
  const end = i.resolvedAt;
  const lines = [
    end === null
      ? t('review.impact.open', { start: utcIso(start), from })
      : t('review.impact.closed', { start: utcIso(start), from, end: utcIso(end), duration: r.duration(end - start) }),
  ];
  if (input.alerts.length > 0) {
    const sorted = [...input.alerts].sort((a, b) => a.startsAt - b.startsAt);
    lines.push(
      '',
      mdTable(
        [t('review.col.alert'), t('review.col.labels'), t('review.col.summary'), t('review.col.started'), t('review.col.ended'), t('review.col.deliveries')],
        sorted.map((a) => [
          a.labels.alertname ?? t('review.noAlertname'),
          Object.entries(a.labels)
            .filter(([k]) => k !== 'alertname')
            .map(([k, v]) => `${k}=${v}`)
            .join(', '),
          a.annotations.summary ?? a.annotations.description ?? '',
          utcIso(a.startsAt),
          ended(a, r),
          String(a.receiveCount),
        ]),
      ),
    );
  }
  return lines;
}

function ended(a: ReviewAlert, r: Reader): string {
  const at = a.resolvedAt ?? (a.status === 'firing' ? null : a.endsAt);
  return at === null ? r.t('review.stillFiring') : utcIso(at);
}

function response(i: ReportIncident, events: readonly ReportEvent[], r: Reader): string[] {
  const { t } = r;
  const h = historyOf(i, events, Number.POSITIVE_INFINITY);
  const sla = (kind: 'ack' | 'resolve', outcome: SlaOutcome) => {
    const ms = kind === 'ack' ? i.policy?.ackSla : i.policy?.resolveSla;
    if (outcome === 'none' || ms === null || ms === undefined) return t('review.noSla');
    return t('review.sla', { duration: r.duration(ms), outcome });
  };
  const lines = [
    t('review.tta', { duration: r.duration(timeToAcknowledge(i, h)), sla: sla('ack', slaOutcome(i, h, 'ack', Number.POSITIVE_INFINITY)) }),
    t('review.ttr', { duration: r.duration(timeToResolve(i, h)), sla: sla('resolve', slaOutcome(i, h, 'resolve', Number.POSITIVE_INFINITY)) }),
  ];
  if (h.reopens > 0) lines.push(t('review.firstCycle'));
  return lines;
}

function timeline(events: readonly ReportEvent[], r: Reader): string[] {
  const { t } = r;
  if (events.length === 0) return [t('review.noEvents')];
  const shown = events.slice(0, MAX_TIMELINE);
  const out = [
    mdTable(
      [t('review.col.time'), t('review.col.event'), t('review.col.by'), t('review.col.what')],
      shown.map((e) => [utcIso(e.at), e.kind, e.actor ?? e.source ?? '', e.message]),
    ),
  ];
  if (events.length > shown.length) out.push('', t('review.laterEvents', { count: events.length - shown.length }));
  return out;
}

function notifications(all: readonly ReportNotification[], incidentId: number, events: readonly ReportEvent[], r: Reader): string[] {
  const { t } = r;
  const mine = all.filter((n) => n.incidentId === incidentId).sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
  const out: string[] = [];
  const escalations = events.filter((e) => e.kind === 'escalated' || e.kind === 'escalation_exhausted');
  if (escalations.length > 0) {
    out.push(...escalations.map((e) => `- ${utcIso(e.at)}: ${mdInline(e.message)}`), '');
  }
  if (mine.length === 0) {
    out.push(t('review.nobodyNotified'));
    return out;
  }
  const shown = mine.slice(0, MAX_NOTIFICATIONS);
  out.push(
    mdTable(
      [t('review.col.time'), t('review.col.kind'), t('review.col.to'), t('review.col.channel'), t('review.col.result')],
      shown.map((n) => [
        utcIso(n.createdAt),
        n.kind,
        n.person ? `${n.recipientName} (${n.person})` : n.recipientName,
        n.channel + (n.fallbackOf !== null ? t('review.fallback') : ''),
        result(n, r),
      ]),
    ),
  );
  if (mine.length > shown.length) out.push('', t('review.moreMessages', { count: mine.length - shown.length }));
  return out;
}

function result(n: ReportNotification, { t }: Reader): string {
  if (n.status === 'delivered') return n.deliveredAt === null ? t('review.delivered') : t('review.deliveredAt', { time: utcIso(n.deliveredAt) });
  if (n.status === 'failed') return n.errorKind ? t('review.failedKind', { kind: n.errorKind }) : t('review.failed');
  if (n.status === 'cancelled') return t('review.cancelled');
  return t('review.pending');
}

function runbooks(events: readonly ReportEvent[], { t }: Reader): string[] {
  const runs = new Map<string, ReportEvent[]>();
  for (const e of events) {
    if (!runbookKinds.has(e.kind)) continue;
    const id = e.data?.runId;
    const key = typeof id === 'string' || typeof id === 'number' ? String(id) : `${String(e.data?.runbook ?? '?')}@${e.at}`;
    const list = runs.get(key);
    if (list) list.push(e);
    else runs.set(key, [e]);
  }
  if (runs.size === 0) return [t('review.noRunbook')];
  const out: string[] = [];
  for (const run of runs.values()) {
    const name = run.map((e) => e.data?.runbook).find((v): v is string => typeof v === 'string') ?? t('review.unnamedRunbook');
    const finished = run.find((e) => e.kind === 'runbook_finished');
    const outcome = typeof finished?.data?.outcome === 'string' ? finished.data.outcome : t('review.didNotFinish');
    const dry = run.some((e) => e.data?.dryRun === true) ? t('review.dryRun') : '';
    out.push(t('review.run', { name: mdInline(name), time: utcIso(run[0]!.at), outcome: mdInline(outcome), dry }));
    for (const e of run) out.push(`  - ${utcIso(e.at)} ${mdInline(e.message)}`);
  }
  return out;
}

function notes(events: readonly ReportEvent[], { t }: Reader): string[] {
  const written = events.filter((e) => e.kind === 'note' || (typeof e.data?.note === 'string' && e.data.note !== ''));
  if (written.length === 0) return [t('review.noNotes')];
  const out: string[] = [];
  for (const e of written) {
    const text = e.kind === 'note' ? (typeof e.data?.text === 'string' ? e.data.text : e.message) : String(e.data?.note);
    const kind = e.kind === 'note' ? '' : ` (${e.kind})`;
    out.push(t('review.noteBy', { time: utcIso(e.at), who: mdInline(e.actor ?? t('review.someone')), kind }), '', mdQuote(text).replace(/^/gm, '  '), '');
  }
  return out.slice(0, -1);
}

function tierOf(e: ReportEvent): number | null {
  const t = e.data?.tier;
  return typeof t === 'number' ? t : null;
}
