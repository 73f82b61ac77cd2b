import type Database from 'better-sqlite3';
import { tooManyWrites, unavailable } from '../../errors/errors.js';
import type { IncidentChange } from '../types.js';
import { classifyFault } from './faults.js';
import type { Stmt } from './statements.js';

export interface GroupCommitOptions {
  maxPendingWrites: number;
  /** Called after each group commit with its duration and how many writes it carried. */
  onCommit?: (seconds: number, writes: number) => void;
  /** An afterCommit callback or a change listener failed (the write itself is committed). */
  onEffectError?: (err: unknown) => void;
  /** Some write was rolled back: whatever mirrors uncommitted rows (the alert-state cache) must be dropped. */
  onRollback?: () => void;
}

interface PendingWrite {
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

interface Outcome {
  ok: boolean;
  value: unknown;
  effects: (() => void)[];
}

/**
 * One queue for all writes: every write that arrives while a commit is being prepared joins the same
 * transaction (each in its own savepoint, so one failing write does not undo the others), and all of them
 * are answered after the single COMMIT (and its fsync) returns. Effects and the change feed run only then.
 */
export class GroupCommit {
  private readonly queue: PendingWrite[] = [];
  private flushScheduled = false;
  private flushing = false;
  private closed = false;
  private drainWaiters: (() => void)[] = [];
  /** afterCommit callbacks of the write being run. */
  private effects: (() => void)[] = [];
  /** Incidents the commit being prepared changes, and the timeline kinds it adds to each (the change feed). */
  private changed = new Map<number, Set<string>>();
  private readonly changeListeners = new Set<(changes: IncidentChange[]) => void>();

  constructor(
    private readonly db: Database.Database,
    private readonly stmt: Stmt,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Queues run (which must only use the store's transaction) for the next commit; resolves after it. */
  write<T>(run: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(unavailable('store is shutting down', 5));
    if (this.queue.length >= this.options.maxPendingWrites) {
      return Promise.reject(tooManyWrites());
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
      this.scheduleFlush();
    });
  }

  /** For the write being run: fn runs after its commit, never if it rolls back. */
  afterCommit(fn: () => void): void {
    this.effects.push(fn);
  }

  /** For the write being run: it changes this incident (and adds a timeline event of this kind). */
  noteChange(incidentId: number, kind?: string): void {
    if (this.changeListeners.size === 0) return;
    let kinds = this.changed.get(incidentId);
    if (!kinds) this.changed.set(incidentId, (kinds = new Set()));
    if (kind) kinds.add(kind);
  }

  onIncidentChanges(listener: (changes: IncidentChange[]) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  pending(): number {
    return this.queue.length;
  }

  /** Refuses new writes and resolves once the queued ones are committed. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.queue.length > 0 || this.flushing || this.flushScheduled) {
      await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    // setImmediate lets every request already read from the sockets join this commit.
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    if (this.queue.length === 0) return this.afterFlush();
    this.flushing = true;
    const batch = this.queue.splice(0, this.queue.length);
    const started = process.hrtime.bigint();
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      return this.failed(batch, err);
    }
    const outcomes = await this.runInSavepoints(batch);
    try {
      this.db.exec('COMMIT');
    } catch (err) {
      this.options.onRollback?.();
      this.changed = new Map();
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      return this.failed(batch, err);
    }
    this.flushing = false;
    this.options.onCommit?.(Number(process.hrtime.bigint() - started) / 1e9, batch.length);
    this.publishChanges();
    for (const o of outcomes) for (const fn of o.effects) this.guarded(fn);
    batch.forEach((w, i) => {
      const o = outcomes[i]!;
      if (o.ok) w.resolve(o.value);
      else w.reject(classifyFault(o.value));
    });
    this.afterFlush();
  }

  private async runInSavepoints(batch: PendingWrite[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const savepoint = this.stmt('SAVEPOINT w');
    const release = this.stmt('RELEASE w');
    for (const w of batch) {
      savepoint.run();
      this.effects = [];
      try {
        const value = await w.run();
        release.run();
        outcomes.push({ ok: true, value, effects: this.effects });
      } catch (err) {
        this.options.onRollback?.();
        this.stmt('ROLLBACK TO w').run();
        release.run();
        outcomes.push({ ok: false, value: err, effects: [] });
      }
    }
    this.effects = [];
    return outcomes;
  }

  /** The whole batch failed (BEGIN or COMMIT): every write in it is answered with the fault. */
  private failed(batch: PendingWrite[], err: unknown): void {
    this.flushing = false;
    for (const w of batch) w.reject(classifyFault(err));
    this.afterFlush();
  }

  /** After a commit: which incidents it changed (a rolled-back write may be named too; listeners re-read). */
  private publishChanges(): void {
    if (this.changed.size === 0) return;
    const changes = [...this.changed].map(([incidentId, kinds]) => ({ incidentId, kinds: [...kinds] }));
    this.changed = new Map();
    for (const listener of this.changeListeners) this.guarded(() => listener(changes));
  }

  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.options.onEffectError?.(err);
    }
  }

  private afterFlush(): void {
    if (this.queue.length > 0) this.scheduleFlush();
    else {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }
}
