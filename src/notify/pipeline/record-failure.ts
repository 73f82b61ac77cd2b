import type { NotificationRow, StoreTx } from '../../store/types.js';
import type { ChannelError } from '../types.js';
import type { PipelineContext } from './context.js';
import { fallBack } from './fall-back.js';
import { decideRetry, isPage, mayRetrySlowly, type Failure } from './retry.js';

/**
 * Records a failed attempt for every member (pending again or failed), falls back once when the quick attempts
 * are over, and returns when to try again (null: given up).
 */
export async function recordFailure(ctx: PipelineContext, members: NotificationRow[], e: ChannelError, ms: number): Promise<number | null> {
  const n = members[0]!;
  const at = ctx.clock.now();
  const failure: Failure = { attemptsBefore: n.attempts, transient: e.transient, retryAfterMs: e.retryAfterMs, page: isPage(n.kind) };
  const decision = await ctx.store.write(async (tx) => {
    // Past the quick attempts, a page keeps trying while somebody still has to be woken.
    const unacknowledged = mayRetrySlowly(failure, ctx.options) ? await anyUnacknowledged(tx, members) : false;
    const d = decideRetry(failure, unacknowledged, ctx.options, ctx.options.random ?? Math.random);
    const retry = d.retry !== 'none';
    for (const m of members) {
      await tx.updateNotification(m.id, {
        status: retry ? 'pending' : 'failed',
        attempts: m.attempts + 1,
        dueAt: d.retry !== 'none' ? at + d.delayMs : m.dueAt,
        errorKind: e.kind,
        lastError: e.message.slice(0, 500),
        updatedAt: at,
      });
      await tx.addAttempt({ notificationId: m.id, at, outcome: retry ? 'retry' : 'failed', errorKind: e.kind, error: e.message.slice(0, 500), durationMs: ms });
    }
    if (d.fallBack) await fallBack(ctx, tx, members, e, at, d.retry === 'slow');
    return d;
  });
  const retry = decision.retry !== 'none';
  ctx.metrics.notificationsTotal.inc({ channel: n.channel, outcome: retry ? 'retry' : 'failed', reason: e.kind });
  ctx.logger.warn({ notification: n.id, channel: n.channel, kind: e.kind, retry, slow: decision.retry === 'slow', attempts: n.attempts + 1 }, `delivery failed: ${e.message}`);
  return decision.retry !== 'none' ? at + decision.delayMs : null;
}

async function anyUnacknowledged(tx: StoreTx, members: NotificationRow[]): Promise<boolean> {
  for (const m of members) {
    if (m.incidentId !== null && (await tx.getIncident(m.incidentId))?.status === 'triggered') return true;
  }
  return false;
}
