import type { IncidentRow, StoreTx } from '../store/types.js';
import { wakeAfterCommit, type EngineOptions } from './engine-options.js';

/** Everyone paged hears that the incident was acknowledged or resolved. */
export async function notifyOutcome(ctx: EngineOptions, tx: StoreTx, incident: IncidentRow, kind: 'acknowledged' | 'resolved', now: number): Promise<void> {
  const planner = ctx.planner;
  if (!planner) return;
  wakeAfterCommit(ctx, tx, (await planner.outcome(tx, incident, kind, now)) > 0);
}
