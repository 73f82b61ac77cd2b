import type { ReportEvent, ReportIncident } from './types.js';

/**
 * What had happened to one incident by a given instant, from its timeline and its row.
 *
 * The row only holds the latest cycle: a reopened (flapping) incident gets its acknowledgement and
 * resolution cleared and set again, so `acknowledgedAt − createdAt` would count the quiet hours between
 * two cycles as response time. The timeline keeps every cycle, so response and resolution are measured on
 * the first one (the earliest of timeline and row, which also covers an incident given without events).
 * Reports are snapshots: nothing at or after `asOf` has happened yet, so last week's report reads the
 * same today as it did on Monday morning.
 */
export interface IncidentHistory {
  /** First acknowledgement before asOf. */
  firstAckAt: number | null;
  firstAckBy: string | null;
  /** First resolution before asOf: by a person, by its alerts resolving, or by a runbook (self-healed). */
  firstResolvedAt: number | null;
  /** Open (triggered or acknowledged) at asOf. */
  open: boolean;
  /** Acknowledged in its current cycle at asOf. */
  acknowledged: boolean;
  /** Times it fired again after resolving, before asOf. */
  reopens: number;
}

const closing = new Set(['resolved', 'self_healed']);
const reopening = new Set(['reopened']);
/** After these the incident wants an acknowledgement again. */
const retriggering = new Set(['reopened', 'retriggered']);

export function historyOf(incident: ReportIncident, events: readonly ReportEvent[], asOf: number): IncidentHistory {
  const before = (at: number | null): at is number => at !== null && at < asOf;
  let firstAckAt: number | null = null;
  let firstAckBy: string | null = null;
  let firstResolvedAt: number | null = null;
  let lastAck: number | null = null;
  let lastClose: number | null = null;
  let lastOpen = incident.createdAt;
  let lastTrigger = incident.createdAt;
  let reopens = 0;
  let hasTimeline = false;

  const ack = (at: number, by: string | null) => {
    if (firstAckAt === null || at < firstAckAt) [firstAckAt, firstAckBy] = [at, by];
    if (lastAck === null || at > lastAck) lastAck = at;
  };
  const close = (at: number) => {
    if (firstResolvedAt === null || at < firstResolvedAt) firstResolvedAt = at;
    if (lastClose === null || at > lastClose) lastClose = at;
  };

  for (const e of events) {
    if (e.incidentId !== incident.id) continue;
    hasTimeline = true;
    if (!before(e.at)) continue;
    if (e.kind === 'acknowledged') ack(e.at, e.actor);
    else if (closing.has(e.kind)) close(e.at);
    if (reopening.has(e.kind)) {
      reopens++;
      lastOpen = Math.max(lastOpen, e.at);
    }
    if (retriggering.has(e.kind)) lastTrigger = Math.max(lastTrigger, e.at);
  }
  if (before(incident.acknowledgedAt)) ack(incident.acknowledgedAt, incident.acknowledgedBy);
  if (before(incident.resolvedAt)) close(incident.resolvedAt);
  // An incident given without its timeline: the row's count is all there is.
  if (!hasTimeline) reopens = incident.reopenCount;

  const open = incident.createdAt < asOf && (lastClose === null || lastClose < lastOpen);
  return {
    firstAckAt,
    firstAckBy,
    firstResolvedAt,
    open,
    acknowledged: open && lastAck !== null && lastAck >= lastTrigger,
    reopens,
  };
}

/** Time to acknowledge (first acknowledgement − creation), or null if nobody acknowledged. */
export function timeToAcknowledge(incident: ReportIncident, h: IncidentHistory): number | null {
  return h.firstAckAt === null ? null : h.firstAckAt - incident.createdAt;
}

/** Time to resolve (first resolution − creation), or null if not resolved. */
export function timeToResolve(incident: ReportIncident, h: IncidentHistory): number | null {
  return h.firstResolvedAt === null ? null : h.firstResolvedAt - incident.createdAt;
}

export type SlaOutcome = 'met' | 'missed' | 'pending' | 'none';

/**
 * One SLA of one incident, as of asOf. The clock runs from the incident's creation, as the engine's
 * SLA timers do. 'none': the incident had no such SLA (info severity, or it never paged, so no policy
 * applied). 'pending': not done yet and the clock has not run out, so it counts neither way.
 *
 * The acknowledge SLA asks for a response: an acknowledgement, or the incident resolving before anyone
 * had to (the engine stops the SLA timer on resolve too, so this agrees with its breach flag).
 */
export function slaOutcome(incident: ReportIncident, h: IncidentHistory, kind: 'ack' | 'resolve', asOf: number): SlaOutcome {
  const sla = kind === 'ack' ? incident.policy?.ackSla : incident.policy?.resolveSla;
  if (sla === null || sla === undefined) return 'none';
  const deadline = incident.createdAt + sla;
  const done = kind === 'ack' ? minOf(h.firstAckAt, h.firstResolvedAt) : h.firstResolvedAt;
  if (done !== null) return done <= deadline ? 'met' : 'missed';
  return deadline < asOf ? 'missed' : 'pending';
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
