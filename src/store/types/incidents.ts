import type { AlertSource } from '../../alerts/alert.js';
import type { Priority, Severity } from '../../alerts/severity.js';
import type { Policy } from '../../rules/schema.js';

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface IncidentRow {
  id: number;
  groupKey: string;
  title: string;
  status: IncidentStatus;
  severity: Severity;
  priority: Priority;
  team: string | null;
  service: string | null;
  source: AlertSource;
  alertCount: number;
  firingCount: number;
  /** Firing alerts that are suppressed; while all firing alerts are, the incident pages nobody. */
  suppressedCount: number;
  /** When this cycle of the incident was paged; null until it is (or again after a reopen). */
  pagedAt: number | null;
  /** The policy it was paged under (escalation, SLAs and reminders follow it). */
  policy: Policy | null;
  /** The tier paged last (1 = first line). */
  escalationTier: number;
  /** How many times escalation started again from tier 1. */
  escalationRound: number;
  ackSlaBreached: boolean;
  resolveSlaBreached: boolean;
  /** While a runbook tries a fix, the page waits until then (policy holdPageFor); null when not held. */
  holdUntil: number | null;
  /** Resolved during a hold, after a runbook ran, without paging anyone. */
  selfHealed: boolean;
  flapping: boolean;
  reopenCount: number;
  createdAt: number;
  updatedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
}

export type NewIncident = Omit<IncidentRow, 'id'>;

export interface TimelineEvent {
  id: number;
  incidentId: number;
  at: number;
  kind: string;
  /** Who did it: a person, or the sender/system that caused it. */
  actor: string | null;
  /** Which door it came through: alertmanager, grafana, api, scheduler, ... */
  source: string | null;
  message: string;
  data: Record<string, unknown> | null;
}

export type NewTimelineEvent = Omit<TimelineEvent, 'id'>;

/** One incident a commit changed, and the timeline event kinds it added (triggered, reopened, escalated, ...). */
export interface IncidentChange {
  incidentId: number;
  kinds: string[];
}

export interface IncidentQuery {
  /** `open`: triggered or acknowledged. */
  status?: IncidentStatus | 'open';
  severity?: Severity;
  team?: string;
  service?: string;
  /** Text in the title or in any alert's labels (case-insensitive). */
  text?: string;
  /** Only incidents this person was paged for (pages, escalations, fallbacks). */
  pagedPerson?: string;
  limit: number;
  /** newest: by id, newest first (the default). urgency: most severe first, then the oldest (the console's board). */
  order?: 'newest' | 'urgency';
  /** Return incidents after this one in the order (newest: an id below it). */
  after?: IncidentCursor;
}

/** Where a page of incidents ends, in the order it was read. */
export interface IncidentCursor {
  id: number;
  severityRank?: number;
  createdAt?: number;
}

/** An incident's alert counters as a write stores them. */
export type IncidentCounts = Pick<IncidentRow, 'id' | 'firingCount' | 'suppressedCount' | 'alertCount' | 'updatedAt'>;

/** The escalation step an incident has climbed to, as a write stores it. */
export type EscalationStepRow = Pick<IncidentRow, 'id' | 'escalationTier' | 'escalationRound' | 'updatedAt'>;

/** Incidents' and their timelines' writes, and the reads the engine makes inside a write. */
export interface IncidentTx {
  getIncident(id: number): Promise<IncidentRow | undefined>;
  /** getIncident for many, in id order (PostgreSQL: one round trip, locked in id order); missing ones are left out. */
  getIncidents(ids: readonly number[]): Promise<IncidentRow[]>;
  openIncidentByGroupKey(groupKey: string): Promise<IncidentRow | undefined>;
  /**
   * The open incident of each of these group keys, in one go (PostgreSQL: one round trip, locked in id order);
   * a key without one is not in the map.
   */
  openIncidentsByGroupKeys(groupKeys: string[]): Promise<Map<string, IncidentRow>>;
  lastResolvedIncidentByGroupKey(groupKey: string): Promise<IncidentRow | undefined>;
  insertIncident(incident: NewIncident): Promise<IncidentRow>;
  updateIncident(id: number, patch: Partial<Omit<IncidentRow, 'id'>>): Promise<void>;
  /** Stores the alert counters of several incidents (what a storm's write changed), in one go on PostgreSQL. */
  updateIncidentCounts(counts: IncidentCounts[]): Promise<void>;
  /** Stores the escalation step several incidents climbed to (timers due together), in one go on PostgreSQL; each incident at most once. */
  updateEscalationSteps(steps: EscalationStepRow[]): Promise<void>;
  /** Adds an event; answers its id. */
  addEvent(event: NewTimelineEvent): Promise<number>;
  /**
   * Adds an event whose id the caller does not need. PostgreSQL sends a write's run of them as one statement,
   * before the write's next statement of any kind (every read sees them, in the order written) or at its end.
   */
  recordEvent(event: NewTimelineEvent): Promise<void>;
  /**
   * Rewrites an event's message and data in place (a running count, such as alerts joining in a storm). The caller
   * names the event's incident and kind (the change feed's), so the store need not read them.
   */
  reviseEvent(event: Pick<TimelineEvent, 'id' | 'incidentId' | 'kind'>, message: string, data: Record<string, unknown> | null): Promise<void>;
  /** The latest notes (and acknowledgements) of an incident, newest first. */
  latestNotes(incidentId: number, limit: number): Promise<TimelineEvent[]>;
}

export interface IncidentReads {
  listIncidents(query: IncidentQuery): Promise<IncidentRow[]>;
  /** How many incidents match the query's filters (its status, limit, order and cursor aside), per status. */
  countIncidents(query: Omit<IncidentQuery, 'limit'>): Promise<Record<IncidentStatus, number>>;
  getIncident(id: number): Promise<IncidentRow | undefined>;
  /** Several incidents by id, in id order (missing ones are left out). */
  incidentsByIds(ids: readonly number[]): Promise<IncidentRow[]>;
  timelineOf(incidentId: number): Promise<TimelineEvent[]>;
  /** An incident's latest events of these kinds, newest first (messages read only what they show). */
  latestEvents(incidentId: number, kinds: readonly string[], limit: number): Promise<TimelineEvent[]>;
  /** The latest event of this kind of each of these incidents, by incident (one read for many: the change feed). */
  latestEventOfEach(incidentIds: readonly number[], kind: string): Promise<Map<number, TimelineEvent>>;
  openIncidentCounts(): Promise<Record<Severity, number>>;
}
