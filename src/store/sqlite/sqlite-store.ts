import type Database from 'better-sqlite3';
import { unavailable } from '../../errors/errors.js';
import type { IncidentChange, Store, StoreTx } from '../types.js';
import { accessReads, accessTx } from './access.js';
import { AlertStateCache } from './alert-state-cache.js';
import { alertReads, alertTx } from './alerts.js';
import { digestTx, reviewReads } from './digests.js';
import { classifyFault } from './faults.js';
import { GroupCommit } from './group-commit.js';
import { inboundTx } from './inbound.js';
import { incidentReads, incidentTx } from './incidents.js';
import { openDatabase } from './open-database.js';
import { outboxReads, outboxTx } from './outbox.js';
import type { ProcessLock } from './process-lock.js';
import { reportReads } from './report-reads.js';
import { runbookReads, runbookTx } from './runbook-runs.js';
import { silenceReads, silenceTx } from './silences.js';
import { statementCache, type Read, type Stmt } from './statements.js';
import { timelineReads, timelineTx } from './timeline.js';
import { timerReads, timerTx } from './timers.js';

export interface SqliteStoreOptions {
  path: string;
  synchronous: 'full' | 'normal';
  maxPendingWrites: number;
  busyTimeoutMs: number;
  /** Called after each group commit with its duration and how many writes it carried. */
  onCommit?: (seconds: number, writes: number) => void;
  /** An afterCommit callback failed (the write itself is committed). */
  onEffectError?: (err: unknown) => void;
  /**
   * Open for reading only (`vigil report`, `vigil rules test`): no lock, no migrations, no writes; the file must
   * exist and have this Vigil's schema. Without it the store serves: it takes the process lock and migrates.
   */
  readonly?: boolean;
  /**
   * A short write next to a Vigil that may be serving the file (`vigil token`): no process lock is kept. The
   * schema is brought up to date only while nobody serves the file; otherwise it must already be current.
   */
  alongside?: boolean;
}

type Reads = Omit<Store, 'write' | 'onIncidentChanges' | 'pendingWrites' | 'ping' | 'close'>;

/**
 * The embedded store, composed of one repository per aggregate (alerts.ts, incidents.ts, outbox.ts, ...).
 * Writes are group-committed (group-commit.ts); the alert-state cache is a layer over the transaction.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  /** Held by the serving store for as long as it is open: one process per database file. */
  private readonly lock: ProcessLock | null;
  private readonly stmt: Stmt;
  private readonly commits: GroupCommit;
  private readonly tx: StoreTx;
  private readonly reads: Reads;
  private closed = false;

  constructor(private readonly options: SqliteStoreOptions) {
    ({ db: this.db, lock: this.lock } = openDatabase(options));
    const stmt = (this.stmt = statementCache(this.db));
    const alertStates = new AlertStateCache();
    const commits = (this.commits = new GroupCommit(this.db, stmt, {
      maxPendingWrites: options.maxPendingWrites,
      onCommit: options.onCommit,
      onEffectError: options.onEffectError,
      onRollback: () => alertStates.clear(),
    }));
    const changed = (incidentId: number, kind?: string) => commits.noteChange(incidentId, kind);
    this.tx = alertStates.over({
      ...alertTx(stmt),
      ...incidentTx(stmt, changed),
      ...timelineTx(stmt, changed),
      ...outboxTx(stmt),
      ...timerTx(stmt),
      ...silenceTx(stmt),
      ...runbookTx(stmt),
      ...accessTx(stmt),
      ...digestTx(stmt),
      ...inboundTx(stmt),
      afterCommit: (fn) => commits.afterCommit(fn),
    });
    const read = this.read;
    this.reads = {
      ...alertReads(stmt, read),
      ...incidentReads(stmt, read),
      ...timelineReads(stmt, read),
      ...outboxReads(stmt, read),
      ...silenceReads(stmt, read),
      ...runbookReads(stmt, read),
      ...accessReads(stmt, read),
      ...reportReads(stmt, read),
      ...reviewReads(stmt, read),
      ...timerReads(stmt, read),
    };
  }

  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.options.readonly) return Promise.reject(new Error(`database ${this.options.path} is open for reading only`));
    return this.commits.write(() => fn(this.tx));
  }

  onIncidentChanges(listener: (changes: IncidentChange[]) => void): () => void {
    return this.commits.onIncidentChanges(listener);
  }

  pendingWrites(): number {
    return this.commits.pending();
  }

  ping(): Promise<void> {
    return this.read(() => {
      this.stmt('SELECT 1').get();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.commits.close();
    this.db.close();
    this.lock?.release();
  }

  /** Every read: refused once closed, SQLite's transient faults answered as 503. */
  private readonly read: Read = (fn) => {
    if (!this.db.open) return Promise.reject(unavailable('store is closed', 5));
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(classifyFault(err));
    }
  };

  // The reads, each from its aggregate's repository.
  listIncidents: Store['listIncidents'] = (q) => this.reads.listIncidents(q);
  countIncidents: Store['countIncidents'] = (q) => this.reads.countIncidents(q);
  getIncident: Store['getIncident'] = (id) => this.reads.getIncident(id);
  incidentsByIds: Store['incidentsByIds'] = (ids) => this.reads.incidentsByIds(ids);
  openIncidentCounts: Store['openIncidentCounts'] = () => this.reads.openIncidentCounts();
  timelineOf: Store['timelineOf'] = (incidentId) => this.reads.timelineOf(incidentId);
  nextTimerDueAt: Store['nextTimerDueAt'] = () => this.reads.nextTimerDueAt();
  latestEvents: Store['latestEvents'] = (incidentId, kinds, limit) => this.reads.latestEvents(incidentId, kinds, limit);
  latestEventOfEach: Store['latestEventOfEach'] = (incidentIds, kind) => this.reads.latestEventOfEach(incidentIds, kind);
  alertsOf: Store['alertsOf'] = (incidentId) => this.reads.alertsOf(incidentId);
  listAlerts: Store['listAlerts'] = (q) => this.reads.listAlerts(q);
  allFiringAlerts: Store['allFiringAlerts'] = () => this.reads.allFiringAlerts();
  listSilences: Store['listSilences'] = (now) => this.reads.listSilences(now);
  getSilence: Store['getSilence'] = (id) => this.reads.getSilence(id);
  listNotifications: Store['listNotifications'] = (incidentId, limit) => this.reads.listNotifications(incidentId, limit);
  attemptsOf: Store['attemptsOf'] = (notificationId) => this.reads.attemptsOf(notificationId);
  pendingNotificationCount: Store['pendingNotificationCount'] = () => this.reads.pendingNotificationCount();
  lastIncidentForAddress: Store['lastIncidentForAddress'] = (address) => this.reads.lastIncidentForAddress(address);
  firstChatMessage: Store['firstChatMessage'] = (incidentId, address) => this.reads.firstChatMessage(incidentId, address);
  incidentForThread: Store['incidentForThread'] = (threadRef) => this.reads.incidentForThread(threadRef);
  notificationBody: Store['notificationBody'] = (id) => this.reads.notificationBody(id);
  reportChunks: Store['reportChunks'] = (since, until, options) => this.reads.reportChunks(since, until, options);
  pendingReviews: Store['pendingReviews'] = (limit) => this.reads.pendingReviews(limit);
  queuedRunbookRuns: Store['queuedRunbookRuns'] = (limit) => this.reads.queuedRunbookRuns(limit);
  runningRunbookRuns: Store['runningRunbookRuns'] = () => this.reads.runningRunbookRuns();
  recentRunbookRuns: Store['recentRunbookRuns'] = (runbook, key, since) => this.reads.recentRunbookRuns(runbook, key, since);
  listRunbookRuns: Store['listRunbookRuns'] = (query) => this.reads.listRunbookRuns(query);
  getRunbookRun: Store['getRunbookRun'] = (id) => this.reads.getRunbookRun(id);
  approvalsOf: Store['approvalsOf'] = (runId) => this.reads.approvalsOf(runId);
  approvalsOfRuns: Store['approvalsOfRuns'] = (runIds) => this.reads.approvalsOfRuns(runIds);
  accessTokenByHash: Store['accessTokenByHash'] = (hash) => this.reads.accessTokenByHash(hash);
  listAccessTokens: Store['listAccessTokens'] = () => this.reads.listAccessTokens();
  sessionByHash: Store['sessionByHash'] = (hash) => this.reads.sessionByHash(hash);
}
