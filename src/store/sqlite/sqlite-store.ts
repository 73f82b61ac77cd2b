import type Database from 'better-sqlite3';
import { unavailable } from '../../errors/errors.js';
import { ReadsOf, type StoreReads } from '../reads-of.js';
import type { IncidentChange, PeerTopic, Store, StoreTx } from '../types.js';
import { accessReads, accessTx } from './access.js';
import { AlertStateCache } from './alert-state-cache.js';
import { FingerprintFilter } from './fingerprint-filter.js';
import { alertReads, alertTx } from './alerts.js';
import { digestTx, reviewReads } from './digests.js';
import { heartbeatReads, heartbeatTx } from './heartbeats.js';
import { oncallOverrideReads, oncallOverrideTx } from './oncall-overrides.js';
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
import { storeRevisions, timelineReads, timelineTx } from './timeline.js';
import { DeferredRevisions } from './deferred-revisions.js';
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


/**
 * The embedded store, composed of one repository per aggregate (alerts.ts, incidents.ts, outbox.ts, ...).
 * Writes are group-committed (group-commit.ts); the alert-state cache is a layer over the transaction.
 */
export class SqliteStore extends ReadsOf implements Store {
  private readonly db: Database.Database;
  /** Held by the serving store for as long as it is open: one process per database file. */
  private readonly lock: ProcessLock | null;
  private readonly stmt: Stmt;
  private readonly commits: GroupCommit;
  private readonly tx: StoreTx;
  private readonly revisions: DeferredRevisions;
  protected readonly reads: StoreReads;
  private closed = false;

  constructor(private readonly options: SqliteStoreOptions) {
    super();
    ({ db: this.db, lock: this.lock } = openDatabase(options));
    const stmt = (this.stmt = statementCache(this.db));
    // A read-only store (vigil report) asks the table every time: it does not see the writer's inserts.
    const stored = options.readonly ? null : new FingerprintFilter();
    if (stored) for (const fingerprint of this.db.prepare('SELECT fingerprint FROM alerts').pluck().iterate()) stored.add(fingerprint as string);
    const alertStates = new AlertStateCache(stored);
    const commits = (this.commits = new GroupCommit(this.db, stmt, {
      maxPendingWrites: options.maxPendingWrites,
      onCommit: options.onCommit,
      onEffectError: options.onEffectError,
      onRollback: () => alertStates.clear(),
    }));
    const changed = (incidentId: number, kind?: string) => commits.noteChange(incidentId, kind);
    const revisions = (this.revisions = new DeferredRevisions((taken) => commits.write(async () => storeRevisions(stmt, taken))));
    const claimedRuns = new Set<string>();
    this.tx = alertStates.over({
      ...alertTx(stmt),
      ...incidentTx(stmt, changed),
      ...timelineTx(stmt, changed, { later: revisions, afterCommit: (fn) => commits.afterCommit(fn) }),
      ...outboxTx(stmt),
      ...timerTx(stmt),
      ...silenceTx(stmt),
      ...runbookTx(stmt, claimedRuns, (fn) => commits.afterCommit(fn)),
      ...accessTx(stmt),
      ...digestTx(stmt),
      ...inboundTx(stmt),
      ...heartbeatTx(stmt),
      ...oncallOverrideTx(stmt),
      afterCommit: (fn) => commits.afterCommit(fn),
    });
    const read = this.read;
    this.reads = {
      ...alertReads(stmt, read),
      ...incidentReads(stmt, read),
      ...timelineReads(stmt, read, revisions),
      ...outboxReads(stmt, read),
      ...silenceReads(stmt, read),
      ...runbookReads(stmt, read, claimedRuns),
      ...accessReads(stmt, read),
      ...reportReads(stmt, read),
      ...reviewReads(stmt, read),
      ...timerReads(stmt, read),
      ...heartbeatReads(stmt, read),
      ...oncallOverrideReads(stmt, read),
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

  /** One process serves an SQLite file: there are no peers to tell, and every job runs here. */
  tellPeers(_topic: PeerTopic): Promise<void> {
    return Promise.resolve();
  }

  onPeerChange(_listener: (topic: PeerTopic) => void): () => void {
    return () => {};
  }

  runAlone<T>(_job: string, fn: () => Promise<T>): Promise<T | undefined> {
    return fn();
  }

  /** Opened in the constructor: a file that cannot be served throws there. */
  opened(): Promise<void> {
    return Promise.resolve();
  }

  ping(): Promise<void> {
    return this.read(() => {
      this.stmt('SELECT 1').get();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Revisions written behind go with the last writes.
    await this.revisions.flush();
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
}
