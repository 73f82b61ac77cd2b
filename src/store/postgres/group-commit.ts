import type pg from 'pg';
import { tooManyWrites, unavailable } from '../../errors/errors.js';
import type { StoreTx } from '../types.js';
import { classifyFault, isConflictRetry, isTransientStoreError } from './faults.js';
import { queryOn, type Query } from './pool.js';

/** Times a write is run again, in its savepoint, after it collided with another instance's transaction. */
const CONFLICT_RETRIES = 5;
/** Writes one transaction carries at the most; the rest wait for the next. */
const MAX_BATCH = 1000;

export interface GroupCommitDeps {
  connect(): Promise<pg.PoolClient>;
  /**
   * The transaction object of one write, collecting its effects and changed incidents; settle() sends what
   * it deferred (before the savepoint is released).
   */
  txOn(q: Query, effects: (() => void)[], changed: Map<number, Set<string>>): { tx: StoreTx; settle(): Promise<void> };
  /** Waits for the store's start-up (or rejects with 503). */
  whenReady(): Promise<void>;
  maxPendingWrites: number;
  onCommit?: (seconds: number, writes: number) => void;
  /** After a commit: the incidents it changed. */
  publish(changed: Map<number, Set<string>>): void;
  /** Runs an afterCommit effect; a failing one is reported, not thrown. */
  guarded(effect: () => void): void;
}

/** Adds the incidents changed in `from` (and the kinds of each) to `into`. */
export function addChanges(into: Map<number, Set<string>>, from: Map<number, Set<string>>): void {
  for (const [id, kinds] of from) {
    const known = into.get(id);
    if (known) for (const k of kinds) known.add(k);
    else into.set(id, new Set(kinds));
  }
}

interface PendingWrite {
  fn: (tx: StoreTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  /** Times it collided with another instance's transaction. */
  conflicts: number;
}

type Outcome =
  | { ok: true; value: unknown; effects: (() => void)[]; changed: Map<number, Set<string>> }
  | { ok: false; err: unknown }
  /** Collided with another instance: run again in the next transaction, once this one's locks are gone. */
  | { ok: false; again: true; err: unknown };

/**
 * The writes of one instance, group-committed as on SQLite: every write that arrives while a transaction is
 * under way joins the next one, each in its own savepoint (one failing write does not undo the others), and
 * all are answered after its single COMMIT (and WAL flush). A write that collides with another instance's
 * (deadlock, serialization failure, a unique key raced for) is rolled back to its savepoint and run again.
 */
export class PostgresGroupCommit {
  private readonly queue: PendingWrite[] = [];
  private running = 0;
  private flushing: Promise<void> | null = null;
  private scheduled = false;
  private closed = false;
  /** Writes waiting out their backoff after a collision. */
  private retrying = 0;

  constructor(private readonly deps: GroupCommitDeps) {}

  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(unavailable('store is shutting down', 5));
    if (this.pending() >= this.deps.maxPendingWrites) return Promise.reject(tooManyWrites());
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, conflicts: 0 });
      this.schedule();
    });
  }

  pending(): number {
    return this.queue.length + this.running + this.retrying;
  }

  /** Refuses new writes; resolves once the queued ones are committed (or failed). */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing || this.scheduled || this.retrying > 0) await (this.flushing ?? new Promise((r) => setTimeout(r, 5)));
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    // setImmediate lets every request already read from the sockets join this transaction.
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.running = batch.length;
      try {
        await this.commit(batch);
      } finally {
        this.running = 0;
      }
    }
  }

  private async commit(batch: PendingWrite[]): Promise<void> {
    const started = process.hrtime.bigint();
    let client: pg.PoolClient;
    try {
      await this.deps.whenReady();
      client = await this.deps.connect();
    } catch (err) {
      for (const w of batch) w.reject(classifyFault(err));
      return;
    }
    let broken: Error | undefined;
    try {
      const q = queryOn(client);
      // Transaction control as simple queries: a ROLLBACK must go through even in an aborted transaction.
      await client.query('BEGIN');
      const outcomes: Outcome[] = [];
      for (const w of batch) outcomes.push(await this.inSavepoint(client, q, w));
      await client.query('COMMIT');
      this.deps.onCommit?.(Number(process.hrtime.bigint() - started) / 1e9, batch.length);
      const changed = new Map<number, Set<string>>();
      for (const o of outcomes) if (o.ok) addChanges(changed, o.changed);
      this.deps.publish(changed);
      for (const o of outcomes) if (o.ok) for (const e of o.effects) this.deps.guarded(e);
      const again: PendingWrite[] = [];
      batch.forEach((w, i) => {
        const o = outcomes[i]!;
        if (o.ok) w.resolve(o.value);
        else if ('again' in o && ++w.conflicts < CONFLICT_RETRIES) again.push(w);
        else w.reject(classifyFault(o.err));
      });
      if (again.length > 0) this.runAgain(again);
    } catch (err) {
      // BEGIN, a savepoint command or COMMIT failed: nothing of the batch is committed.
      broken = err as Error;
      await client.query('ROLLBACK').catch(() => {});
      for (const w of batch) w.reject(classifyFault(err));
    } finally {
      // A connection that failed mid-transaction is thrown away, not handed to the next write.
      client.release(broken && isTransientStoreError(broken) ? broken : undefined);
    }
  }

  /**
   * Writes that collided go first in a later transaction, after a jittered pause: the other instance's
   * transaction finishes meanwhile, and this one's locks (of the batch's other writes) are gone.
   */
  private runAgain(writes: PendingWrite[]): void {
    this.retrying += writes.length;
    const pause = Math.max(...writes.map((w) => w.conflicts)) * (5 + Math.random() * 20);
    setTimeout(() => {
      this.retrying -= writes.length;
      this.queue.unshift(...writes);
      this.schedule();
    }, pause);
  }

  /** One write in its savepoint: its outcome; throws only when the transaction itself cannot go on. */
  private async inSavepoint(client: pg.PoolClient, q: Query, w: PendingWrite): Promise<Outcome> {
    await client.query('SAVEPOINT w');
    const effects: (() => void)[] = [];
    const changed = new Map<number, Set<string>>();
    try {
      const { tx, settle } = this.deps.txOn(q, effects, changed);
      const value = await w.fn(tx);
      await settle();
      await client.query('RELEASE w');
      return { ok: true, value, effects, changed };
    } catch (err) {
      if (isTransientStoreError(err)) throw err;
      await client.query('ROLLBACK TO w');
      await client.query('RELEASE w');
      return isConflictRetry(err) ? { ok: false, again: true, err } : { ok: false, err };
    }
  }
}
