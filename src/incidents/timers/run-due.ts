import type { Clock } from '../../time/clock.js';
import type { Store } from '../../store/types.js';
import type { EngineOptions } from '../engine-options.js';
import { timerFor } from './registry.js';

/**
 * The incident timers that are due (a scheduler job), each handled by its kind's module. Timers are due rows
 * in the store, so a restart resumes them. Each timer is handled in its own write, so one failing incident
 * does not hold up the others.
 */
export async function runDueTimers(store: Store, clock: Clock, ctx: EngineOptions, chunk = 500, budgetMs = 3000): Promise<number> {
  const now = clock.now();
  const started = Date.now();
  let total = 0;
  // Chunks until nothing is due or the tick's budget is spent. The writes of one chunk share a group
  // commit, each in its own savepoint, so one failing timer is rolled back alone.
  for (;;) {
    const due = await store.write((tx) => tx.dueTimers(now, chunk));
    const results = await Promise.allSettled(
      due.map((t) =>
        store.write(async (tx) => {
          // The incident first (locked on PostgreSQL, as every write that sets timers locks it), then the
          // timer: if it moved, or another instance ran it meanwhile, there is nothing to do.
          const incident = await tx.getIncident(t.incidentId);
          if (!(await tx.takeTimer(t.incidentId, t.kind, t.dueAt))) return;
          if (!incident || incident.status === 'resolved' || !incident.policy) return;
          await timerFor(t.kind)?.run(ctx, tx, incident, incident.policy, t.dueAt, now);
        }),
      ),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0) throw (failed[0] as PromiseRejectedResult).reason;
    total += due.length;
    if (due.length < chunk || Date.now() - started > budgetMs) return total;
  }
}
