import type pg from 'pg';
import { tooManyWrites, unavailable } from '../../errors/errors.js';
import { Readiness } from '../../errors/ready-within.js';
import { ReadsOf, type StoreReads } from '../reads-of.js';
import type { IncidentChange, Store, StoreTx } from '../types.js';
import { accessReads, accessTx } from './access.js';
import { alertReads, alertTx } from './alerts.js';
import { digestTx, reviewReads } from './digests.js';
import { classifyFault, isConflictRetry, isTransientStoreError } from './faults.js';
import { inboundTx } from './inbound.js';
import { incidentReads, incidentTx } from './incidents.js';
import { outboxReads, outboxTx } from './outbox.js';
import { createPool, queryOn, type Query } from './pool.js';
import { reportReads } from './report-reads.js';
import { runbookReads, runbookTx } from './runbook-runs.js';
import { checkSchema, migrate } from './schema.js';
import { silenceReads, silenceTx } from './silences.js';
import { timelineReads, timelineTx } from './timeline.js';
import { timerReads, timerTx } from './timers.js';

export interface PostgresStoreOptions {
  url: string;
  poolSize: number;
  /** Writes in flight at the most before ingest answers 503. */
  maxPendingWrites: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** false: check that the schema is this code's instead of migrating (readers, reports). */
  migrate?: boolean;
  /** The serving instance: holds the database's serve lock (one serving Vigil per database). */
  exclusive?: boolean;
  onCommit?: (seconds: number, writes: number) => void;
  onEffectError?: (err: unknown) => void;
  /** The store can no longer serve (another instance took the serve lock while the database was away). */
  onFatal?: (err: Error) => void;
}

/** Times a write is run again after it collided with another transaction (serialization failure, deadlock). */
const CONFLICT_RETRIES = 5;
/** How long an operation waits for the start-up before it answers 503. */
const READY_WAIT_MS = 2000;
/** While the server cannot be reached at start-up, it is tried again this often. */
const START_RETRY_MS = 2000;
/** The advisory lock a serving instance holds ("vigs"). */
const SERVE_LOCK = 0x76696773;

const guarded = new WeakSet<pg.PoolClient>();

/**
 * A connection lost while checked out is reported by its client as an 'error' event, which would end the
 * process without a listener; the statement in progress fails on its own and the client is discarded.
 */
export function guardClient(client: pg.PoolClient): void {
  if (guarded.has(client)) return;
  guarded.add(client);
  client.on('error', () => {});
}


/**
 * The Store port on PostgreSQL: each write is one transaction on a pooled connection, committed before it
 * resolves; reads use the pool. Several Vigil instances may share the database. The schema is migrated at
 * start-up (schema.ts); every operation waits for that.
 */
export class PostgresStore extends ReadsOf implements Store {
  private readonly pool: pg.Pool;
  private readonly ready: Readiness;
  protected readonly reads: StoreReads;
  private readonly changeListeners = new Set<(changes: IncidentChange[]) => void>();
  private inFlight = 0;
  private closed = false;
  private lockClient: pg.PoolClient | null = null;
  /** Settles when the write before the next one is done. */
  private writeTurn: Promise<void> = Promise.resolve();

  constructor(private readonly options: PostgresStoreOptions) {
    super();
    this.pool = createPool({ url: options.url, size: options.poolSize, connectTimeoutMs: options.connectTimeoutMs, statementTimeoutMs: options.statementTimeoutMs });
    // A failed start-up is reported by opened() and by every operation (Readiness keeps it from going unhandled).
    this.ready = new Readiness(this.start());
    const q = queryOn(this.pool);
    const read: Query = async (sql, params) => {
      if (this.closed) throw unavailable('store is closed', 5);
      await this.whenReady();
      try {
        return await q(sql, params);
      } catch (err) {
        throw classifyFault(err);
      }
    };
    this.reads = {
      ...alertReads(read),
      ...incidentReads(read),
      ...timelineReads(read),
      ...outboxReads(read),
      ...silenceReads(read),
      ...runbookReads(read),
      ...accessReads(read),
      ...reportReads(read),
      ...reviewReads(read),
      ...timerReads(read),
    };
  }

  /**
   * Migrates (or checks) the schema, and for a serving instance takes the database's serve lock. While the
   * server cannot be reached this keeps trying (operations wait, or answer 503 after their timeout); a
   * schema newer than the code, or another instance serving, is final.
   */
  private async start(): Promise<void> {
    for (;;) {
      try {
        if (this.options.migrate === false) await checkSchema(this.pool);
        else await migrate(this.pool);
        if (this.options.exclusive) await this.takeServeLock();
        return;
      } catch (err) {
        // Only a serving instance waits for the server; a command (a report) says it is not there.
        if (!isTransientStoreError(err) || this.closed || !this.options.exclusive) throw isTransientStoreError(err) ? classifyFault(err) : err;
        await new Promise((r) => setTimeout(r, START_RETRY_MS));
      }
    }
  }

  /**
   * One serving instance per database in this version: outbox messages, timers and expiry are not yet
   * claimed row by row, so a second instance would send every page twice. The lock is a session advisory
   * lock, released by the server when this process's connection ends (a crash included).
   */
  private async takeServeLock(): Promise<void> {
    const client = await this.pool.connect();
    guardClient(client);
    let locked = false;
    try {
      const [row] = (await client.query('SELECT pg_try_advisory_lock($1) AS locked', [SERVE_LOCK])).rows as { locked: boolean }[];
      locked = row?.locked === true;
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    if (!locked) {
      client.release();
      throw new Error('another Vigil already serves this PostgreSQL database; this version runs one serving instance per database');
    }
    this.lockClient = client;
    // The connection holding the lock went away (a database restart): the lock went with it. Take it again
    // once the server is back; if another instance took it meanwhile, this one must stop serving.
    client.once('error', () => {
      if (this.lockClient !== client || this.closed) return;
      this.lockClient = null;
      client.release(new Error('serve lock connection lost'));
      void this.retakeServeLock();
    });
  }

  private async retakeServeLock(): Promise<void> {
    while (!this.closed) {
      try {
        await this.takeServeLock();
        return;
      } catch (err) {
        if (this.closed) return;
        if (!isTransientStoreError(err)) {
          this.options.onFatal?.(err as Error);
          return;
        }
        await new Promise((r) => setTimeout(r, START_RETRY_MS));
      }
    }
  }

  /** Operations wait a little for the start-up; while the database cannot be reached they answer 503. */
  private whenReady(): Promise<void> {
    return this.ready.within(READY_WAIT_MS, 'the database is not reachable yet; retry shortly');
  }

  /** Resolves once the schema is migrated (or checked); rejects with why the store cannot serve. */
  opened(): Promise<void> {
    return this.ready.settled;
  }

  /**
   * Writes run one at a time, in order, as on SQLite: the engine computes counters and decisions from what it
   * read inside its write, so two writes of this process must not interleave (a lost update otherwise).
   * Several instances will need row locks and atomic updates instead.
   */
  async write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) throw unavailable('store is shutting down', 5);
    if (this.inFlight >= this.options.maxPendingWrites) throw tooManyWrites();
    this.inFlight++;
    const turn = this.writeTurn;
    let done!: () => void;
    this.writeTurn = new Promise<void>((resolve) => (done = resolve));
    try {
      await turn;
      await this.whenReady();
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.runOnce(fn);
        } catch (err) {
          if (isConflictRetry(err) && attempt < CONFLICT_RETRIES) continue;
          throw classifyFault(err);
        }
      }
    } finally {
      this.inFlight--;
      done();
    }
  }

  private async runOnce<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    const client = await this.pool.connect();
    guardClient(client);
    let broken: Error | undefined;
    const effects: (() => void)[] = [];
    const changed = new Map<number, Set<string>>();
    try {
      const q = queryOn(client);
      // Transaction control as simple queries: a ROLLBACK must go through even in an aborted transaction.
      await client.query('BEGIN');
      let value: T;
      try {
        value = await fn(this.txOn(q, effects, changed));
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      }
      this.options.onCommit?.(Number(process.hrtime.bigint() - started) / 1e9, 1);
      this.publish(changed);
      for (const e of effects) this.guarded(e);
      return value;
    } catch (err) {
      if (isTransientStoreError(err)) broken = err as Error;
      throw err;
    } finally {
      // A connection that failed mid-transaction is thrown away, not handed to the next write.
      client.release(broken);
    }
  }

  private txOn(q: Query, effects: (() => void)[], changes: Map<number, Set<string>>): StoreTx {
    const changed = (incidentId: number, kind?: string) => {
      let kinds = changes.get(incidentId);
      if (!kinds) changes.set(incidentId, (kinds = new Set()));
      if (kind) kinds.add(kind);
    };
    return {
      ...alertTx(q),
      ...incidentTx(q, changed),
      ...timelineTx(q, changed),
      ...outboxTx(q),
      ...timerTx(q),
      ...silenceTx(q),
      ...runbookTx(q),
      ...accessTx(q),
      ...digestTx(q),
      ...inboundTx(q),
      afterCommit: (fn) => effects.push(fn),
    };
  }

  onIncidentChanges(listener: (changes: IncidentChange[]) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  pendingWrites(): number {
    return this.inFlight;
  }

  async ping(): Promise<void> {
    if (this.closed) throw unavailable('store is closed', 5);
    await this.whenReady();
    try {
      await this.pool.query('SELECT 1');
    } catch (err) {
      throw classifyFault(err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 10));
    await this.ready.settled.catch(() => {});
    const lock = this.lockClient;
    this.lockClient = null;
    lock?.release();
    await this.pool.end();
  }

  private publish(changes: Map<number, Set<string>>): void {
    if (changes.size === 0) return;
    const list = [...changes].map(([incidentId, kinds]) => ({ incidentId, kinds: [...kinds] }));
    for (const listener of this.changeListeners) this.guarded(() => listener(list));
  }

  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.options.onEffectError?.(err);
    }
  }
}
