import { severities, type Priority, type Severity } from '../alerts/severity.js';
import { SlaTally, Samples, TopList } from './accumulators.js';
import { escalationFigures, RunbookTally, selfHealed, unansweredFirst } from './event-figures.js';
import { historyOf, slaOutcome, timeToAcknowledge, timeToResolve, type IncidentHistory } from './incident-history.js';
import { assertTimeZone, dayIndex, localDays } from '../time/local-days.js';
import { parseTimeOfDay } from '../time/time-of-day.js';
import { PageTally } from './page-load.js';
import { HEARTBEAT_ALERTNAME } from '../heartbeats/alert.js';
import type {
  ComplianceTargets,
  Counts,
  EscalatedIncident,
  FlappingIncident,
  InfoIncident,
  NightHours,
  NoisyAlert,
  OpenIncident,
  ReportAlert,
  ReportEvent,
  ReportIncident,
  SelfHealedIncident,
  Summary,
  SummaryChunk,
  SummaryInput,
  SummaryOptions,
} from './types.js'; 

/**
 * Every reported figure, computed in one place for the digest, the API and the CLI alike. Pure: the
 * caller reads the rows, this only counts.
 *
 * The rows come a chunk at a time (createSummaryBuilder: add each chunk, then finish), so a report over
 * hundreds of thousands of incidents never holds them all: each incident is measured when its chunk
 * arrives and only running totals are kept (counts, SLA outcomes, the first listLimit items of each list,
 * and the response times the percentiles need, one number per measured incident). computeSummary is the
 * same over rows given all at once.
 *
 * Which incidents count where:
 * - "The period's incidents" are those created in [since, until). Counts, MTTA/MTTR, SLA compliance,
 *   noisiest and flapping alerts, the info list and the daily trend are over them.
 * - Open incidents are those created before `until` and not resolved at `until`, whenever they started.
 * - Pages, escalations, runbook runs and self-heals count when they happened in [since, until).
 * - Everything is as of `until`: an acknowledgement or resolution at or after it has not happened yet.
 *   Incidents outside all of this may be passed too (the store's query can be generous); they are ignored.
 *
 * MTTA is first acknowledgement − creation over the incidents acknowledged by `until`; MTTR is first
 * resolution − creation over those resolved by then (a flapping incident is measured on its first cycle,
 * see incident-history.ts). Median and p90 are nearest-rank percentiles (percentile.ts).
 *
 * SLA compliance (per kind) = met / (met + missed) over the period's incidents whose policy had that
 * SLA. Met: done within the SLA from creation (for the acknowledge SLA, an acknowledgement or the incident
 * resolving first). Missed: done later, or not done and the SLA ran out before `until`. Still inside the
 * SLA and not done: pending, counted neither way. Incidents never paged (no policy) and info incidents
 * (no SLA) are not measured.
 *
 * Lists that grow with the store (open, info, flapping, self-healed, escalated incidents) keep their first
 * listLimit items (default 50) in their order; their totals count every one.
 */

export const defaultTargets: ComplianceTargets = { ackCompliance: 0.95, resolveCompliance: 0.95 };
export const defaultNightHours: NightHours = { start: '22:00', end: '07:00' };
export const defaultPageChannels: readonly string[] = ['voice', 'sms', 'chat'];
export const defaultListLimit = 50;
/**
 * The timeline kinds the figures read (incident-history.ts, event-figures.ts), so a store can leave the
 * others (notified, classified, notes, ...) where they are. Every incident's timeline starts with
 * 'triggered', which tells an incident read with its timeline from one given without (see historyOf).
 */
export const reportEventKinds: readonly string[] = [
  'triggered',
  'acknowledged',
  'resolved',
  'self_healed',
  'reopened',
  'retriggered',
  'escalated',
  'escalation_exhausted',
  'runbook_finished',
];
const NOISIEST_LIMIT = 10;
const priorities: readonly Priority[] = ['P1', 'P2', 'P3', 'P4'];
const NO_ALERTNAME = '(no alertname)';

export interface SummaryBuilder {
  /** One chunk of rows (SummaryChunk: each incident in one chunk only, with all of its rows). */
  add(chunk: SummaryChunk): void;
  /**
   * The percentile work, one group of values per step, for a caller that yields to the event loop between
   * steps (selecting among 200,000 values takes a few milliseconds); finish does whatever is left.
   */
  settle(): Iterable<void>;
  finish(): Summary;
}

/** The figures of rows given all at once. */
export function computeSummary(input: SummaryInput): Summary {
  const builder = createSummaryBuilder(input);
  builder.add(input);
  return builder.finish();
}

/** The figures of the incidents created in the period, in total, per team, per priority or per day. */
interface Group {
  incidents: number;
  resolved: number;
  bySeverity: Counts<Severity>;
  byPriority: Counts<Priority>;
  tta: Samples;
  ttr: Samples;
  ack: SlaTally;
  resolve: SlaTally;
}

function newGroup(): Group {
  return {
    incidents: 0,
    resolved: 0,
    bySeverity: zeros(severities),
    byPriority: zeros(priorities),
    tta: new Samples(),
    ttr: new Samples(),
    ack: new SlaTally(),
    resolve: new SlaTally(),
  };
}

export function createSummaryBuilder(options: SummaryOptions): SummaryBuilder {
  const { since, until, timeZone } = options;
  if (!Number.isFinite(since) || !Number.isFinite(until) || since >= until) {
    throw new RangeError(`the period must have since < until (got ${since} and ${until})`);
  }
  assertTimeZone(timeZone);
  const targets = options.targets ?? defaultTargets;
  const nightHours = options.nightHours ?? defaultNightHours;
  parseTimeOfDay(nightHours.start);
  parseTimeOfDay(nightHours.end);
  const team = options.team ?? null;
  const limit = Math.max(0, options.listLimit ?? defaultListLimit);

  const overall = newGroup();
  const byPriority = new Map(priorities.map((p) => [p, { ack: new SlaTally(), resolve: new SlaTally() }]));
  const byTeam = new Map<string | null, Group>();
  const days = localDays(since, until, timeZone);
  const byDay = days.map(() => newGroup());
  const open = new TopList<OpenIncident>(limit, mostUrgentFirst);
  const info = new TopList<InfoIncident>(limit, (a, b) => b.createdAt - a.createdAt || b.id - a.id);
  const flapping = new TopList<FlappingIncident>(limit, (a, b) => b.reopens - a.reopens || a.id - b.id);
  const healed = new TopList<SelfHealedIncident>(limit, (a, b) => b.at - a.at || b.id - a.id);
  const escalated = new TopList<EscalatedIncident>(limit, unansweredFirst);
  const escalationCounts = { escalations: 0, exhausted: 0, unanswered: 0 };
  const runbooks = new RunbookTally();
  const noisy = new Map<string, NoisyAlert>();
  const pages = new PageTally({ since, until, timeZone, nightHours, channels: options.pageChannels ?? defaultPageChannels });
  let finished = false;

  let heartbeatIncidents = 0;
  function measure(i: ReportIncident, history: IncidentHistory, alerts: readonly ReportAlert[]): void {
    if (alerts.some((a) => a.labels.alertname === HEARTBEAT_ALERTNAME)) heartbeatIncidents++;
    const tta = timeToAcknowledge(i, history);
    const ttr = timeToResolve(i, history);
    const ack = slaOutcome(i, history, 'ack', until);
    const resolve = slaOutcome(i, history, 'resolve', until);
    let teamGroup = byTeam.get(i.team);
    if (!teamGroup) byTeam.set(i.team, (teamGroup = newGroup()));
    for (const g of [overall, teamGroup, byDay[dayIndex(days, i.createdAt)]]) {
      if (!g) continue;
      g.incidents++;
      if (!history.open) g.resolved++;
      g.bySeverity[i.severity]++;
      g.byPriority[i.priority]++;
      g.tta.add(tta);
      g.ttr.add(ttr);
      g.ack.add(ack);
      g.resolve.add(resolve);
    }
    const p = byPriority.get(i.priority);
    p?.ack.add(ack);
    p?.resolve.add(resolve);
    if (i.severity === 'info') info.add(infoIncident(i, history));
    if (history.reopens > 0) {
      const alertnames = [...new Set(alerts.map(alertnameOf))].sort();
      flapping.add({ id: i.id, title: i.title, team: i.team, reopens: history.reopens, alertnames });
    }
    countNoise(alerts);
  }

  /** By alertname: the alerts that opened the most incidents, then the most deliveries (alerts: one incident's). */
  function countNoise(alerts: readonly ReportAlert[]): void {
    const named = new Set<string>();
    for (const a of alerts) {
      const name = alertnameOf(a);
      let x = noisy.get(name);
      if (!x) noisy.set(name, (x = { alertname: name, incidents: 0, alerts: 0, receives: 0 }));
      if (!named.has(name)) {
        named.add(name);
        x.incidents++;
      }
      x.alerts++;
      x.receives += a.receiveCount;
    }
  }

  const groups = function* (): Iterable<Group> {
    yield overall;
    yield* byTeam.values();
    yield* byDay;
  };

  return {
    add(chunk) {
      if (finished) throw new Error('the summary is already finished');
      const incidents = new Map<number, ReportIncident>();
      // An incident counts when it is the team's (or any, without a team) and its policy lists it in digests;
      // its pages still count as on-call load (they happened).
      for (const i of chunk.incidents) if ((team === null || i.team === team) && i.policy?.digest !== false) incidents.set(i.id, i);
      const eventsOf = groupBy(chunk.events, incidents);
      const alertsOf = groupBy(chunk.alerts, incidents);
      for (const i of incidents.values()) {
        const history = historyOf(i, eventsOf.get(i.id) ?? [], until);
        if (history.open) open.add(openIncident(i, history, until));
        if (i.createdAt >= since && i.createdAt < until) measure(i, history, alertsOf.get(i.id) ?? []);
      }
      const periodEvents: ReportEvent[] = [];
      for (const list of eventsOf.values()) for (const e of list) if (e.at >= since && e.at < until) periodEvents.push(e);
      runbooks.add(periodEvents);
      const e = escalationFigures(periodEvents, eventsOf, incidents, until);
      escalationCounts.escalations += e.escalations;
      escalationCounts.exhausted += e.exhausted;
      for (const x of e.incidents) {
        escalated.add(x);
        if (x.answeredAt === null) escalationCounts.unanswered++;
      }
      for (const h of selfHealed(periodEvents, incidents)) healed.add(h);
      pages.add(chunk.notifications, team === null ? null : new Set(incidents.keys()));
    },

    *settle() {
      for (const g of groups()) {
        g.tta.result();
        yield;
        g.ttr.result();
        yield;
      }
    },

    finish() {
      for (const _ of this.settle());
      finished = true;
      const pageFigures = pages.result();
      const runbookFigures = runbooks.result();
      return {
        period: { since, until, timeZone, team },
        empty:
          overall.incidents === 0 &&
          open.total === 0 &&
          pageFigures.total + pageFigures.unattributed === 0 &&
          escalated.total === 0 &&
          runbookFigures.runs === 0 &&
          healed.total === 0,
        incidents: { total: overall.incidents, bySeverity: overall.bySeverity, byPriority: overall.byPriority, resolved: overall.resolved, heartbeats: heartbeatIncidents },
        mtta: overall.tta.result(),
        mttr: overall.ttr.result(),
        teams: [...byTeam.entries()]
          .map(([name, g]) => ({
            team: name,
            incidents: g.incidents,
            mtta: g.tta.result(),
            mttr: g.ttr.result(),
            ack: g.ack.result(targets.ackCompliance),
            resolve: g.resolve.result(targets.resolveCompliance),
          }))
          .sort((a, b) => b.incidents - a.incidents || compareTeams(a.team, b.team)),
        sla: {
          ack: overall.ack.result(targets.ackCompliance),
          resolve: overall.resolve.result(targets.resolveCompliance),
          byPriority: [...byPriority.entries()].map(([priority, p]) => ({
            priority,
            ack: p.ack.result(targets.ackCompliance),
            resolve: p.resolve.result(targets.resolveCompliance),
          })),
        },
        open: open.result(),
        openTotal: open.total,
        noisiestAlerts: [...noisy.values()]
          .sort((a, b) => b.incidents - a.incidents || b.receives - a.receives || a.alertname.localeCompare(b.alertname))
          .slice(0, Math.max(0, options.noisiestLimit ?? NOISIEST_LIMIT)),
        flapping: flapping.result(),
        flappingTotal: flapping.total,
        selfHealed: healed.result(),
        selfHealedTotal: healed.total,
        runbooks: runbookFigures,
        escalations: {
          escalations: escalationCounts.escalations,
          exhausted: escalationCounts.exhausted,
          incidents: escalated.result(),
          incidentsTotal: escalated.total,
          unanswered: escalationCounts.unanswered,
        },
        pages: pageFigures,
        info: info.result(),
        infoTotal: info.total,
        daily: days.map((day, k) => {
          const g = byDay[k]!;
          return { date: day.date, start: day.start, end: day.end, total: g.incidents, bySeverity: g.bySeverity, mtta: g.tta.result().median, mttr: g.ttr.result().median };
        }),
      };
    },
  };
}

function zeros<K extends string>(keys: readonly K[]): Counts<K> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Counts<K>;
}

function groupBy<T extends { incidentId: number | null }>(rows: readonly T[], incidents: ReadonlyMap<number, unknown>): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    if (r.incidentId === null || !incidents.has(r.incidentId)) continue;
    const list = out.get(r.incidentId);
    if (list) list.push(r);
    else out.set(r.incidentId, [r]);
  }
  return out;
}

/** Named teams by name, incidents without a team last. */
function compareTeams(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a.localeCompare(b);
}

/** Most urgent first, then the oldest. */
function mostUrgentFirst(a: OpenIncident, b: OpenIncident): number {
  return severities.indexOf(a.severity) - severities.indexOf(b.severity) || b.ageMs - a.ageMs || a.id - b.id;
}

function openIncident(i: ReportIncident, h: IncidentHistory, until: number): OpenIncident {
  return {
    id: i.id,
    title: i.title,
    severity: i.severity,
    priority: i.priority,
    team: i.team,
    service: i.service,
    status: h.acknowledged ? 'acknowledged' : 'triggered',
    createdAt: i.createdAt,
    ageMs: until - i.createdAt,
    acknowledgedBy: h.acknowledged ? (i.acknowledgedBy ?? h.firstAckBy) : null,
    escalationTier: i.escalationTier,
  };
}

function infoIncident(i: ReportIncident, h: IncidentHistory): InfoIncident {
  return {
    id: i.id,
    title: i.title,
    team: i.team,
    service: i.service,
    createdAt: i.createdAt,
    alertCount: i.alertCount,
    status: h.open ? (h.acknowledged ? 'acknowledged' : 'triggered') : 'resolved',
  };
}

const alertnameOf = (a: ReportAlert) => a.labels.alertname || NO_ALERTNAME;
