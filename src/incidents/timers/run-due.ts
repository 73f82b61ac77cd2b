import { isUnavailable } from '../../errors/errors.js';
import type { Clock } from '../../time/clock.js';
import type { DueTimer, Store, StoreTx, TimerKind } from '../../store/types.js';
import type { EngineOptions } from '../engine-options.js';
import { timerFor } from './registry.js';
import type { DueRun } from './timer.js';

/**
 * Due timers per chunk. Each chunk's writes share a commit with the ingest writes waiting meanwhile, so a small
 * chunk keeps alerts flowing while thousands of timers fire: in bench:scheduler, 100 kept ingest at about half
 * its rate during 10,000 reminders (500: a sixth) and the reminders still within a second of their time.
 */
export const TIMER_CHUNK = 100;

/** A timer whose own write failed (not for the store's being unavailable) is tried again this much later. */
export const TIMER_RETRY_MS = 30_000;

/**
 * The incident timers that are due (a scheduler job), each handled by its kind's module. Timers are due rows
 * in the store, so a restart resumes them. A chunk's timers of one kind are handled in one write (by runMany,
 * in a handful of statements, where the kind has it); if that write fails, each timer gets a write of its own,
 * so one failing incident does not hold up the others. A timer that fails alone is moved TIMER_RETRY_MS on (it
 * would otherwise head every chunk, failing each time) and the first such failure is thrown once every chunk
 * is done; while the store is unavailable nothing is moved and the tick stops, to be tried again.
 */
export async function runDueTimers(store: Store, clock: Clock, ctx: EngineOptions, chunk = TIMER_CHUNK, budgetMs = 3000): Promise<number> {
  const now = clock.now();
  const started = Date.now();
  let total = 0;
  const failures: unknown[] = [];
  // Chunks until nothing is due or the tick's budget is spent. The writes of one chunk share a group
  // commit, each in its own savepoint, so one failing write is rolled back alone.
  for (;;) {
    const due = await store.write((tx) => tx.dueTimers(now, chunk));
    const byKind = new Map<TimerKind, DueTimer[]>();
    for (const t of due) {
      if (byKind.has(t.kind)) byKind.get(t.kind)!.push(t);
      else byKind.set(t.kind, [t]);
    }
    const runOne = (t: DueTimer) => store.write((tx) => runKind(ctx, tx, [t], now)).catch((err: unknown) => postpone(store, t, err, now, failures));
    await settleAll([...byKind.values()].map((ts) => (ts.length === 1 ? runOne(ts[0]!) : store.write((tx) => runKind(ctx, tx, ts, now)).catch(() => settleAll(ts.map(runOne))))));
    total += due.length;
    if (due.length < chunk || Date.now() - started > budgetMs) break;
  }
  if (failures.length > 0) throw failures[0];
  return total;
}

/** A timer whose own write failed: moved on by TIMER_RETRY_MS, the failure kept; store trouble is thrown as it is. */
async function postpone(store: Store, t: DueTimer, err: unknown, now: number, failures: unknown[]): Promise<void> {
  if (isUnavailable(err)) throw err;
  failures.push(err);
  await store.write(async (tx) => {
    if ((await tx.takeTimers([t])).length > 0) await tx.setTimers([{ ...t, dueAt: now + TIMER_RETRY_MS }]);
  });
}

/** Due timers of one kind in one write. */
async function runKind(ctx: EngineOptions, tx: StoreTx, due: readonly DueTimer[], now: number): Promise<void> {
  // The incidents first (locked on PostgreSQL, in id order, as every write that sets timers locks them), then the
  // timers: one that moved, or that another instance ran meanwhile, has nothing left to do.
  const incidents = new Map((await tx.getIncidents(due.map((t) => t.incidentId))).map((i) => [i.id, i]));
  const runs: DueRun[] = [];
  for (const t of await tx.takeTimers(due)) {
    const incident = incidents.get(t.incidentId);
    if (!incident || incident.status === 'resolved' || !incident.policy) continue;
    runs.push({ incident, policy: incident.policy, dueAt: t.dueAt });
  }
  if (runs.length === 0) return;
  const timer = timerFor(due[0]!.kind);
  if (!timer) return;
  if (timer.runMany) await timer.runMany(ctx, tx, runs, now);
  else for (const r of runs) await timer.run(ctx, tx, r.incident, r.policy, r.dueAt, now);
}

/** Waits for every write, then fails with the first failure, if any. */
async function settleAll(writes: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(writes)).find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}
