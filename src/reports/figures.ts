import { severities, type Priority, type Severity } from '../alerts/severity.js';
import { escalationFigures, runbookFigures, selfHealed } from './event-figures.js';
import { historyOf, slaOutcome, timeToAcknowledge, timeToResolve, type IncidentHistory, type SlaOutcome } from './incident-history.js';
import { assertTimeZone, localDays, parseTimeOfDay } from './local-clock.js';
import { pageLoad } from './page-load.js';
import { durationStats, percentile } from './percentile.js';
import type {
  ComplianceTargets,
  Compliance,
  Counts,
  DayFigures,
  FlappingIncident,
  NightHours,
  NoisyAlert,
  OpenIncident,
  ReportAlert,
  ReportEvent,
  ReportIncident,
  Summary,
  SummaryInput,
  TeamFigures,
} from './types.js';

/**
 * Every reported figure, computed in one place for the digest, the API and the CLI alike. Pure: the
 * caller reads the rows, this only counts.
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
 */

export const defaultTargets: ComplianceTargets = { ackCompliance: 0.95, resolveCompliance: 0.95 };
export const defaultNightHours: NightHours = { start: '22:00', end: '07:00' };
export const defaultPageChannels: readonly string[] = ['voice', 'sms', 'chat'];
const NOISIEST_LIMIT = 10;
const priorities: readonly Priority[] = ['P1', 'P2', 'P3', 'P4'];
const NO_ALERTNAME = '(no alertname)';

/** Float noise must not turn 19/20 against 0.95 into a miss. */
const EPSILON = 1e-9;

interface Measured {
  incident: ReportIncident;
  history: IncidentHistory;
  tta: number | null;
  ttr: number | null;
  ack: SlaOutcome;
  resolve: SlaOutcome;
}

export function computeSummary(input: SummaryInput): Summary {
  const { since, until, timeZone } = input;
  if (!Number.isFinite(since) || !Number.isFinite(until) || since >= until) {
    throw new RangeError(`the period must have since < until (got ${since} and ${until})`);
  }
  assertTimeZone(timeZone);
  const targets = input.targets ?? defaultTargets;
  const nightHours = input.nightHours ?? defaultNightHours;
  parseTimeOfDay(nightHours.start);
  parseTimeOfDay(nightHours.end);
  const team = input.team ?? null;

  const incidents = new Map<number, ReportIncident>();
  // An incident counts when it is the team's (or any, without a team) and its policy lists it in digests;
  // its pages still count as on-call load (they happened).
  for (const i of input.incidents) if ((team === null || i.team === team) && i.policy?.digest !== false) incidents.set(i.id, i);
  const eventsOf = new Map<number, ReportEvent[]>();
  for (const e of input.events) {
    if (!incidents.has(e.incidentId)) continue;
    const list = eventsOf.get(e.incidentId);
    if (list) list.push(e);
    else eventsOf.set(e.incidentId, [e]);
  }

  const measured = new Map<number, Measured>();
  for (const i of incidents.values()) {
    const history = historyOf(i, eventsOf.get(i.id) ?? [], until);
    measured.set(i.id, {
      incident: i,
      history,
      tta: timeToAcknowledge(i, history),
      ttr: timeToResolve(i, history),
      ack: slaOutcome(i, history, 'ack', until),
      resolve: slaOutcome(i, history, 'resolve', until),
    });
  }
  const inPeriod = [...measured.values()]
    .filter((m) => m.incident.createdAt >= since && m.incident.createdAt < until)
    .sort((a, b) => a.incident.createdAt - b.incident.createdAt || a.incident.id - b.incident.id);
  const periodEvents = [...eventsOf.values()].flat().filter((e) => e.at >= since && e.at < until);
  const alertsOf = groupAlerts(input.alerts, new Set(inPeriod.map((m) => m.incident.id)));

  const open = openIncidents([...measured.values()], until);
  const pages = pageLoad(input.notifications, {
    since,
    until,
    timeZone,
    nightHours,
    channels: input.pageChannels ?? defaultPageChannels,
    incidentIds: team === null ? null : new Set(incidents.keys()),
  });
  const runbooks = runbookFigures(periodEvents);
  const escalations = escalationFigures(periodEvents, eventsOf, incidents, until);
  const healed = selfHealed(periodEvents, incidents);

  return {
    period: { since, until, timeZone, team },
    empty:
      inPeriod.length === 0 &&
      open.length === 0 &&
      pages.total + pages.unattributed === 0 &&
      escalations.incidents.length === 0 &&
      runbooks.runs === 0 &&
      healed.length === 0,
    incidents: {
      total: inPeriod.length,
      bySeverity: countBy(severities, inPeriod, (m) => m.incident.severity),
      byPriority: countBy(priorities, inPeriod, (m) => m.incident.priority),
      resolved: inPeriod.filter((m) => !m.history.open).length,
    },
    mtta: durationStats(present(inPeriod.map((m) => m.tta))),
    mttr: durationStats(present(inPeriod.map((m) => m.ttr))),
    teams: teamFigures(inPeriod, targets),
    sla: {
      ack: compliance(inPeriod.map((m) => m.ack), targets.ackCompliance),
      resolve: compliance(inPeriod.map((m) => m.resolve), targets.resolveCompliance),
      byPriority: priorities.map((priority) => {
        const of = inPeriod.filter((m) => m.incident.priority === priority);
        return {
          priority,
          ack: compliance(of.map((m) => m.ack), targets.ackCompliance),
          resolve: compliance(of.map((m) => m.resolve), targets.resolveCompliance),
        };
      }),
    },
    open,
    noisiestAlerts: noisiest(inPeriod, alertsOf, input.noisiestLimit ?? NOISIEST_LIMIT),
    flapping: flapping(inPeriod, alertsOf),
    selfHealed: healed,
    runbooks,
    escalations,
    pages,
    info: inPeriod
      .filter((m) => m.incident.severity === 'info')
      .map(({ incident: i, history: h }) => ({
        id: i.id,
        title: i.title,
        team: i.team,
        service: i.service,
        createdAt: i.createdAt,
        alertCount: i.alertCount,
        status: h.open ? (h.acknowledged ? 'acknowledged' : 'triggered') : 'resolved',
      })),
    daily: daily(inPeriod, since, until, timeZone),
  };
}

/** met / measured against the target; pending and 'none' do not count. */
export function compliance(outcomes: readonly SlaOutcome[], target: number): Compliance {
  const met = outcomes.filter((o) => o === 'met').length;
  const missed = outcomes.filter((o) => o === 'missed').length;
  const pending = outcomes.filter((o) => o === 'pending').length;
  const measured = met + missed;
  const rate = measured === 0 ? null : met / measured;
  return {
    measured,
    met,
    missed,
    pending,
    rate,
    target,
    status: rate === null ? 'no_data' : rate + EPSILON >= target ? 'met' : 'missed',
  };
}

function present(values: readonly (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null);
}

function countBy<K extends string>(keys: readonly K[], items: readonly Measured[], key: (m: Measured) => K): Counts<K> {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Counts<K>;
  for (const m of items) out[key(m)]++;
  return out;
}

function teamFigures(inPeriod: readonly Measured[], targets: ComplianceTargets): TeamFigures[] {
  const groups = new Map<string | null, Measured[]>();
  for (const m of inPeriod) {
    const list = groups.get(m.incident.team);
    if (list) list.push(m);
    else groups.set(m.incident.team, [m]);
  }
  return [...groups.entries()]
    .map(([team, of]) => ({
      team,
      incidents: of.length,
      mtta: durationStats(present(of.map((m) => m.tta))),
      mttr: durationStats(present(of.map((m) => m.ttr))),
      ack: compliance(of.map((m) => m.ack), targets.ackCompliance),
      resolve: compliance(of.map((m) => m.resolve), targets.resolveCompliance),
    }))
    .sort((a, b) => b.incidents - a.incidents || compareTeams(a.team, b.team));
}

/** Named teams by name, incidents without a team last. */
function compareTeams(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a.localeCompare(b);
}

/** Most urgent first, then the oldest. */
function openIncidents(all: readonly Measured[], until: number): OpenIncident[] {
  const rank = (s: Severity) => severities.indexOf(s);
  return all
    .filter((m) => m.history.open)
    .map(({ incident: i, history: h }) => ({
      id: i.id,
      title: i.title,
      severity: i.severity,
      priority: i.priority,
      team: i.team,
      service: i.service,
      status: h.acknowledged ? ('acknowledged' as const) : ('triggered' as const),
      createdAt: i.createdAt,
      ageMs: until - i.createdAt,
      acknowledgedBy: h.acknowledged ? (i.acknowledgedBy ?? h.firstAckBy) : null,
      escalationTier: i.escalationTier,
    }))
    .sort((a, b) => rank(a.severity) - rank(b.severity) || b.ageMs - a.ageMs || a.id - b.id);
}

function groupAlerts(alerts: readonly ReportAlert[], ids: ReadonlySet<number>): Map<number, ReportAlert[]> {
  const out = new Map<number, ReportAlert[]>();
  for (const a of alerts) {
    if (!ids.has(a.incidentId)) continue;
    const list = out.get(a.incidentId);
    if (list) list.push(a);
    else out.set(a.incidentId, [a]);
  }
  return out;
}

const alertnameOf = (a: ReportAlert) => a.labels.alertname || NO_ALERTNAME;

/** By alertname: the alerts that opened the most incidents, then the most deliveries. */
function noisiest(inPeriod: readonly Measured[], alertsOf: ReadonlyMap<number, ReportAlert[]>, limit: number): NoisyAlert[] {
  const by = new Map<string, { incidents: Set<number>; alerts: number; receives: number }>();
  for (const m of inPeriod) {
    for (const a of alertsOf.get(m.incident.id) ?? []) {
      const name = alertnameOf(a);
      let x = by.get(name);
      if (!x) by.set(name, (x = { incidents: new Set(), alerts: 0, receives: 0 }));
      x.incidents.add(m.incident.id);
      x.alerts++;
      x.receives += a.receiveCount;
    }
  }
  return [...by.entries()]
    .map(([alertname, x]) => ({ alertname, incidents: x.incidents.size, alerts: x.alerts, receives: x.receives }))
    .sort((a, b) => b.incidents - a.incidents || b.receives - a.receives || a.alertname.localeCompare(b.alertname))
    .slice(0, Math.max(0, limit));
}

/** The period's incidents that fired again after resolving, most reopened first. */
function flapping(inPeriod: readonly Measured[], alertsOf: ReadonlyMap<number, ReportAlert[]>): FlappingIncident[] {
  return inPeriod
    .filter((m) => m.history.reopens > 0)
    .map(({ incident: i, history: h }) => ({
      id: i.id,
      title: i.title,
      team: i.team,
      reopens: h.reopens,
      alertnames: [...new Set((alertsOf.get(i.id) ?? []).map(alertnameOf))].sort(),
    }))
    .sort((a, b) => b.reopens - a.reopens || a.id - b.id);
}

/** Per local day: incidents created by severity, and the median MTTA/MTTR of that day's incidents. */
function daily(inPeriod: readonly Measured[], since: number, until: number, timeZone: string): DayFigures[] {
  return localDays(since, until, timeZone).map((day) => {
    const of = inPeriod.filter((m) => m.incident.createdAt >= day.start && m.incident.createdAt < day.end);
    return {
      date: day.date,
      start: day.start,
      end: day.end,
      total: of.length,
      bySeverity: countBy(severities, of, (m) => m.incident.severity),
      mtta: percentile(present(of.map((m) => m.tta)), 50),
      mttr: percentile(present(of.map((m) => m.ttr)), 50),
    };
  });
}
