import type { Severity } from '../../alerts/severity.js';
import type { Policy } from '../../rules/schema.js';
import type { IncidentRow, TimelineEvent } from './incidents.js';
import type { NotificationRow } from './outbox.js';

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

export interface ReportReads {
  /**
   * The rows a report over [since, until) reads (which incidents count where: src/reports/figures.ts), in
   * chunks of at most `options.size` incidents. Each incident comes in one chunk only, with all of its rows.
   * No read takes more than a chunk's rows, and `options.pause` is awaited between any two, so a long report
   * never holds up ingest.
   */
  reportChunks(since: number, until: number, options: ReportChunkOptions): AsyncIterable<ReportRows>;
}
