import type { AlertLink, AlertSource, AlertStatus } from '../alerts/alert.js';
import type { Priority, Severity } from '../alerts/severity.js';
import type { Policy } from '../rules/schema.js';
import type { SilenceRow, Suppression } from '../rules/suppression-types.js';
import type { RunbookReads, RunbookTx } from './runbook-types.js';
import type { AccessReads, AccessTx } from './access-types.js';

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

export interface AlertRow {
  id: number;
  fingerprint: string;
  incidentId: number;
  source: AlertSource;
  status: AlertStatus;
  severity: Severity;
  rawSeverity: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  endsAt: number | null;
  expiresAt: number | null;
  generatorURL: string | null;
  links: AlertLink[];
  values: Record<string, number | string | null> | null;
  firstReceivedAt: number;
  lastReceivedAt: number;
  receiveCount: number;
  resolvedAt: number | null;
  /** Who resolved it by hand; null when the sender (or expiry) resolved it. */
  resolvedBy: string | null;
  suppressedBy: Suppression | null;
}

export type NewAlert = Omit<AlertRow, 'id'>;

/** The few columns the ingest hot path needs to decide what a delivery changes; JSON columns stay as text. */
export interface AlertState {
  id: number;
  incidentId: number;
  status: AlertRow['status'];
  severity: AlertRow['severity'];
  rawSeverity: string | null;
  startsAt: number;
  endsAt: number | null;
  expiresAt: number | null;
  resolvedBy: string | null;
  annotationsJson: string;
  valuesJson: string | null;
}

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

export interface AlertQuery {
  status?: AlertStatus;
  incidentId?: number;
  limit: number;
  /** Alerts with an id below this one (newest first): the next page. */
  before?: number;
}

/** Writes inside one group-committed transaction. Functions given to Store.write must not do I/O of their own. */
export interface StoreTx extends OutboxTx, RunbookTx, AccessTx {
  currentAlert(fingerprint: string): Promise<AlertRow | undefined>;
  currentAlertState(fingerprint: string): Promise<AlertState | undefined>;
  /**
   * A repeat that changed the alert's lifetime or details; counts the delivery. JSON fields come as text
   * (the engine already made it to compare) and are only given when they changed.
   */
  refreshAlert(
    id: number,
    changes: {
      endsAt: number | null;
      expiresAt: number | null;
      lastReceivedAt: number;
      annotationsJson?: string;
      valuesJson?: string;
      severity?: AlertRow['severity'];
      rawSeverity?: string | null;
    },
  ): Promise<void>;
  getAlert(id: number): Promise<AlertRow | undefined>;
  /** Records deliveries that changed nothing: newer lastReceivedAt, receiveCount + n. */
  addReceipts(receipts: { id: number; at: number; count: number }[]): Promise<void>;
  insertAlert(alert: NewAlert): Promise<number>;
  updateAlert(id: number, patch: Partial<Omit<AlertRow, 'id'>>): Promise<void>;
  firingAlertsOf(incidentId: number): Promise<AlertRow[]>;
  dueExpiredAlerts(now: number, limit: number): Promise<AlertRow[]>;
  /** Firing alerts after the given id, suppressed or not, in id order. */
  firingAlerts(suppressed: boolean, afterId: number, limit: number): Promise<AlertRow[]>;

  insertSilence(silence: SilenceRow): Promise<void>;
  updateSilence(id: string, patch: Partial<Omit<SilenceRow, 'id'>>): Promise<void>;
  getSilence(id: string): Promise<SilenceRow | undefined>;

  getIncident(id: number): Promise<IncidentRow | undefined>;
  openIncidentByGroupKey(groupKey: string): Promise<IncidentRow | undefined>;
  lastResolvedIncidentByGroupKey(groupKey: string): Promise<IncidentRow | undefined>;
  insertIncident(incident: NewIncident): Promise<IncidentRow>;
  updateIncident(id: number, patch: Partial<Omit<IncidentRow, 'id'>>): Promise<void>;

  addEvent(event: NewTimelineEvent): Promise<void>;

  /** Sets (or moves) the incident's timer of this kind. */
  setTimer(incidentId: number, kind: TimerKind, dueAt: number): Promise<void>;
  clearTimers(incidentId: number, kinds?: TimerKind[]): Promise<void>;
  dueTimers(now: number, limit: number): Promise<{ incidentId: number; kind: TimerKind; dueAt: number }[]>;
  /** The latest notes (and acknowledgements) of an incident, newest first. */
  latestNotes(incidentId: number, limit: number): Promise<TimelineEvent[]>;

  /**
   * Records an inbound event's key (a Slack event id) unless it is already there, and forgets keys seen before
   * `forgetBefore`; true the first time. In the same write as what the event does, so a retry does it once.
   */
  firstSighting(key: string, at: number, forgetBefore: number): Promise<boolean>;

  /** Runs fn after this write has committed (never if it rolls back): for in-memory state that mirrors the store. */
  afterCommit(fn: () => void): void;

  // ---- reports
  /** A digest schedule's stored due time (src/jobs/digest-jobs.ts). */
  digestSchedule(name: string): Promise<DigestScheduleRow | undefined>;
  saveDigestSchedule(row: DigestScheduleRow): Promise<void>;
  /** The rendered message (JSON) of an outbox row that has no incident to render from: digests, reviews. */
  setNotificationBody(id: number, body: string): Promise<void>;
  /** Records that an incident's review was handled; false when it already was. */
  markReviewed(incidentId: number, resolvedAt: number, sentAt: number, recipients: number): Promise<boolean>;
}

/**
 * The storage port. SQLite (embedded default) implements it today; a PostgreSQL implementation can
 * satisfy the same interface. Every write resolves only after its transaction is durably committed.
 */
export interface Store extends RunbookReads, AccessReads {
  /** Runs fn in a transaction shared with other concurrent writers (group commit); resolves after COMMIT. */
  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;

  listIncidents(query: IncidentQuery): Promise<IncidentRow[]>;
  /** How many incidents match the query's filters (its status, limit, order and cursor aside), per status. */
  countIncidents(query: Omit<IncidentQuery, 'limit'>): Promise<Record<IncidentStatus, number>>;
  getIncident(id: number): Promise<IncidentRow | undefined>;
  /** Several incidents by id, in id order (missing ones are left out). */
  incidentsByIds(ids: readonly number[]): Promise<IncidentRow[]>;
  alertsOf(incidentId: number): Promise<AlertRow[]>;
  timelineOf(incidentId: number): Promise<TimelineEvent[]>;
  /** An incident's latest events of these kinds, newest first (messages read only what they show). */
  latestEvents(incidentId: number, kinds: readonly string[], limit: number): Promise<TimelineEvent[]>;
  listAlerts(query: AlertQuery): Promise<AlertRow[]>;
  openIncidentCounts(): Promise<Record<Severity, number>>;
  /** Silences that have not ended by `now` (or all, newest first, when now is omitted). */
  listSilences(now?: number): Promise<SilenceRow[]>;
  getSilence(id: string): Promise<SilenceRow | undefined>;
  listNotifications(incidentId?: number, limit?: number): Promise<NotificationRow[]>;
  attemptsOf(notificationId: number): Promise<NotificationAttempt[]>;
  pendingNotificationCount(): Promise<number>;
  /** The incident most recently messaged at this address (phone number), for replies without an id. */
  lastIncidentForAddress(address: string): Promise<number | null>;
  /** The first chat message about an incident delivered to this address (its thread and the message to update). */
  firstChatMessage(incidentId: number, address: string): Promise<NotificationRow | null>;
  /** The incident whose chat thread starts with this message (Slack ts), for replies in the thread. */
  incidentForThread(threadRef: string): Promise<number | null>;
  /** Every firing alert, for rebuilding in-memory indexes at start-up and after a reload. */
  allFiringAlerts(): Promise<AlertRow[]>;
  /** Writes waiting for the next group commit. */
  pendingWrites(): number;
  /** Throws when the store cannot serve requests. */
  ping(): Promise<void>;
  /** Finishes queued writes, then closes. */
  close(): Promise<void>;
  /** Calls the listener after every commit that changed incidents (the console's live updates); returns an unsubscribe. */
  onIncidentChanges(listener: (changes: IncidentChange[]) => void): () => void;

  // ---- reports
  /**
   * The rows a report over [since, until) reads (which incidents count where: src/reports/figures.ts), in
   * chunks of at most `options.size` incidents. Each incident comes in one chunk only, with all of its rows.
   * No read takes more than a chunk's rows, and `options.pause` is awaited between any two, so a long report
   * never holds up ingest.
   */
  reportChunks(since: number, until: number, options: ReportChunkOptions): AsyncIterable<ReportRows>;
  /** The body stored with an outbox message (setNotificationBody), or null. */
  notificationBody(id: number): Promise<string | null>;
  /** Resolved P1/P2 incidents whose review has not been handled yet, earliest resolution first. */
  pendingReviews(limit: number): Promise<IncidentRow[]>;
}

// ---- reports
export interface ReportChunkOptions {
  /** Incidents per chunk. */
  size: number;
  /** The timeline kinds the report reads (the others are left in the database). */
  eventKinds: readonly string[];
  /** Awaited between any two reads (the caller paces the reading); without it, the event loop turns once. */
  pause?: () => Promise<unknown>;
}

/** The incident fields a report reads; of its policy, only the SLAs and whether it goes into digests. */
export type ReportIncidentRow = Pick<
  IncidentRow,
  | 'id'
  | 'title'
  | 'status'
  | 'severity'
  | 'priority'
  | 'team'
  | 'service'
  | 'createdAt'
  | 'acknowledgedAt'
  | 'acknowledgedBy'
  | 'resolvedAt'
  | 'resolvedBy'
  | 'reopenCount'
  | 'escalationTier'
  | 'alertCount'
> & { policy: Pick<Policy, 'ackSla' | 'resolveSla' | 'digest'> | null };

export type ReportNotificationRow = Pick<
  NotificationRow,
  'id' | 'incidentId' | 'kind' | 'channel' | 'person' | 'recipientName' | 'status' | 'createdAt' | 'dueAt' | 'deliveredAt' | 'fallbackOf' | 'errorKind'
>;

/** One chunk of a report's rows. */
export interface ReportRows {
  /**
   * Created before until and: created in the period, open or resolved at until, or with escalations,
   * runbook results or pages (from a day before since) in it.
   */
  incidents: ReportIncidentRow[];
  /** Their timeline events of the kinds asked for, before until. */
  events: Omit<TimelineEvent, 'source'>[];
  /** Their pages and escalations created from a day before since (a page due earlier may reach someone in the period). */
  notifications: ReportNotificationRow[];
  /** The alerts of those created in the period (only theirs are counted), with the one label reports read (alertname). */
  alerts: { incidentId: number; labels: Record<string, string>; receiveCount: number; severity: Severity }[];
}

export interface DigestScheduleRow {
  name: string;
  cron: string;
  timeZone: string;
  /** The next time the digest is due (epoch ms). */
  dueAt: number;
  lastRunAt: number | null;
  lastSince: number | null;
  lastUntil: number | null;
}

/** The reads the HTTP API needs. */
export type StoreReader = Pick<
  Store,
  | 'listIncidents'
  | 'countIncidents'
  | 'incidentsByIds'
  | 'getIncident'
  | 'alertsOf'
  | 'timelineOf'
  | 'listAlerts'
  | 'ping'
  | 'listSilences'
  | 'getSilence'
  | 'listNotifications'
  | 'attemptsOf'
  | 'listRunbookRuns'
  | 'getRunbookRun'
  | 'approvalsOf'
  | 'approvalsOfRuns'
  // ---- reports
  | 'reportChunks'
>;

/** cancelled: a retry found the incident acknowledged or resolved, so the page was not sent. */
export type NotificationStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

/** One message in the outbox. */
export interface NotificationRow {
  id: number;
  incidentId: number | null;
  kind: string;
  channel: string;
  person: string | null;
  recipientName: string;
  address: string;
  idempotencyKey: string;
  status: NotificationStatus;
  attempts: number;
  dueAt: number;
  bundleKey: string | null;
  fallbackOf: number | null;
  providerId: string | null;
  mode: 'live' | 'log' | null;
  threadRef: string | null;
  errorKind: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
}

export type NewNotification = Pick<
  NotificationRow,
  'incidentId' | 'kind' | 'channel' | 'person' | 'recipientName' | 'address' | 'idempotencyKey' | 'dueAt' | 'bundleKey' | 'fallbackOf'
>;

export interface NotificationAttempt {
  notificationId: number;
  at: number;
  outcome: 'delivered' | 'retry' | 'failed' | 'cancelled';
  errorKind: string | null;
  error: string | null;
  durationMs: number;
}

/** The outbox port: decisions are written by the engine, deliveries recorded by the dispatcher. */
export interface OutboxTx {
  /** Inserts unless the idempotency key exists (one event never pages twice); returns the id or null. */
  insertNotification(n: NewNotification, now: number): Promise<number | null>;
  updateNotification(id: number, patch: Partial<Omit<NotificationRow, 'id'>>): Promise<void>;
  addAttempt(a: NotificationAttempt): Promise<void>;
  /** Pending messages due by `now`, oldest first. */
  dueNotifications(now: number, limit: number): Promise<NotificationRow[]>;
  /** Pending messages of a bundle that are due by `now`. */
  bundleMembers(bundleKey: string, now: number): Promise<NotificationRow[]>;
  /** The first pending bundle message's due time, to join its window. */
  bundleDueAt(bundleKey: string): Promise<number | null>;
  /** The incident's pages and escalations (who was paged, on what), oldest first. */
  pagesOf(incidentId: number): Promise<NotificationRow[]>;
}

export type TimerKind = 'escalate' | 'ack_sla' | 'resolve_sla' | 'progress' | 'reack' | 'renotify' | 'hold';
