/**
 * The storage port, its one entry point: every row type and the Store and StoreTx interfaces, composed from
 * one file per aggregate under types/. SQLite (embedded default) implements it today; a PostgreSQL store can
 * satisfy the same interfaces (test/store/contract.ts is the suite both run).
 */
import type { AccessReads, AccessTx } from './types/access.js';
import type { AlertReads, AlertTx } from './types/alerts.js';
import type { DigestTx, ReviewReads } from './types/digests.js';
import type { HeartbeatReads, HeartbeatTx } from './types/heartbeats.js';
import type { InboundTx } from './types/inbound.js';
import type { IncidentChange, IncidentReads, IncidentTx } from './types/incidents.js';
import type { OncallOverrideReads, OncallOverrideTx } from './types/oncall-overrides.js';
import type { OutboxReads, OutboxTx } from './types/outbox.js';
import type { ReportReads } from './types/reports.js';
import type { RunbookReads, RunbookTx } from './types/runbooks.js';
import type { SilenceReads, SilenceTx } from './types/silences.js';
import type { TimerReads, TimerTx } from './types/timers.js';

export type { AccessReads, AccessTokenRow, AccessTx, SessionRow } from './types/access.js';
export type { AlertQuery, AlertReads, AlertRefresh, AlertRow, AlertState, AlertTx, NewAlert } from './types/alerts.js';
export type { DigestScheduleRow, DigestTx, ReviewReads } from './types/digests.js';
export type { HeartbeatOrigin, HeartbeatReads, HeartbeatRow, HeartbeatState, HeartbeatTx, NewHeartbeat } from './types/heartbeats.js';
export type { InboundTx } from './types/inbound.js';
export type {
  IncidentChange,
  IncidentCounts,
  IncidentCursor,
  IncidentQuery,
  IncidentReads,
  IncidentRow,
  IncidentStatus,
  IncidentTx,
  NewIncident,
  NewTimelineEvent,
  TimelineEvent,
} from './types/incidents.js';
export type { NewNotification, NotificationAttempt, NotificationRow, NotificationStatus, OutboxReads, OutboxTx, PagedRecipient } from './types/outbox.js';
export type { ReportChunkOptions, ReportIncidentRow, ReportNotificationRow, ReportReads, ReportRows } from './types/reports.js';
export type { ApprovalRow, NewRunbookRun, RunbookReads, RunbookRunRow, RunbookTx } from './types/runbooks.js';
export type { OncallOverrideReads, OncallOverrideRow, OncallOverrideTx } from './types/oncall-overrides.js';
export type { SilenceReads, SilenceTx } from './types/silences.js';
export type { DueTimer, TimerKind, TimerReads, TimerTx } from './types/timers.js';

/** Writes inside one group-committed transaction. Functions given to Store.write must not do I/O of their own. */
export interface StoreTx extends AlertTx, IncidentTx, OutboxTx, TimerTx, SilenceTx, RunbookTx, AccessTx, DigestTx, InboundTx, HeartbeatTx, OncallOverrideTx {
  /** Runs fn after this write has committed (never if it rolls back): for in-memory state that mirrors the store. */
  afterCommit(fn: () => void): void;
}

/**
 * What one instance tells the others sharing its database (PostgreSQL): `suppression` a silence or an
 * inhibiting alert changed (reload the mirrors), `approvals` a runbook step was approved or rejected, `heartbeats` a
 * monitor was made, changed or deleted through the API.
 */
export type PeerTopic = 'suppression' | 'approvals' | 'heartbeats' | 'oncall';

/** The storage port. Every write resolves only after its transaction is durably committed. */
export interface Store extends AlertReads, IncidentReads, OutboxReads, SilenceReads, RunbookReads, AccessReads, ReportReads, ReviewReads, TimerReads, HeartbeatReads, OncallOverrideReads {
  /** Runs fn in a transaction shared with other concurrent writers (group commit); resolves after COMMIT. */
  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Calls the listener after every commit that changed incidents (the console's live updates), this
   * instance's and, on PostgreSQL, every other instance's; returns an unsubscribe.
   */
  onIncidentChanges(listener: (changes: IncidentChange[]) => void): () => void;
  /** Tells the other instances on this database that `topic` changed (PostgreSQL NOTIFY; nothing on SQLite). */
  tellPeers(topic: PeerTopic): Promise<void>;
  /** Calls the listener when another instance told of a change, and after a lost connection (it may have missed some). */
  onPeerChange(listener: (topic: PeerTopic) => void): () => void;
  /**
   * Runs fn unless another instance runs the job of this name right now (PostgreSQL: an advisory lock), and
   * resolves undefined when it did not run: once-per-cluster jobs (digests, reviews, suppression passes).
   */
  runAlone<T>(job: string, fn: () => Promise<T>): Promise<T | undefined>;
  /** Writes waiting for the next group commit. */
  pendingWrites(): number;
  /** Throws when the store cannot serve requests. */
  ping(): Promise<void>;
  /**
   * Resolves once the store is ready to serve (PostgreSQL: schema migrated, which may wait for the server);
   * rejects when it never will (a schema newer than this code, another instance serving).
   */
  opened(): Promise<void>;
  /** Finishes queued writes, then closes. */
  close(): Promise<void>;
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
  | 'reportChunks'
  | 'listHeartbeats'
  | 'getHeartbeat'
>;
