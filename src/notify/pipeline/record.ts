import type { NotificationRow } from '../../store/types.js';
import { providerFor, type Channel, type MessageKind, type SendResult } from '../types.js';
import type { PipelineContext } from './context.js';
import type { Prepared } from './render.js';

/** Kinds that wake someone: their delivery is on the incident's timeline. */
const NOTIFIED_KINDS = new Set<MessageKind>(['page', 'bundle', 'escalation']);

/** The timeline line of a delivered page, escalation or bundle. */
export function notifiedMessage(kind: MessageKind, n: Pick<NotificationRow, 'recipientName' | 'channel'>, mode: SendResult['mode'], attemptsBefore: number): string {
  const what = kind === 'bundle' ? 'bundled page' : kind;
  const how = mode === 'log' ? ' (log mode: no credentials)' : '';
  const after = attemptsBefore > 0 ? ` after ${attemptsBefore + 1} attempts` : '';
  return `${what} sent to ${n.recipientName} by ${n.channel}${how}${after}`;
}

/** Records a delivery: each member delivered with its attempt, the timeline, the metrics and the provider's health. */
export async function recordDelivered(ctx: PipelineContext, channel: Channel, { members, delivery }: Prepared, result: SendResult, started: bigint): Promise<void> {
  const n = members[0]!;
  const kind = delivery.kind;
  const at = ctx.clock.now();
  const ms = msSince(started);
  await ctx.store.write(async (tx) => {
    for (const m of members) {
      await tx.updateNotification(m.id, {
        status: 'delivered',
        attempts: m.attempts + 1,
        providerId: result.providerId,
        mode: result.mode,
        threadRef: result.threadRef ?? null,
        deliveredAt: at,
        updatedAt: at,
      });
      await tx.addAttempt({ notificationId: m.id, at, outcome: 'delivered', errorKind: null, error: null, durationMs: ms });
    }
    if (n.incidentId === null || !NOTIFIED_KINDS.has(kind)) return;
    for (const m of members) {
      if (m.incidentId === null) continue;
      await tx.addEvent({
        incidentId: m.incidentId,
        at,
        kind: 'notified',
        actor: 'vigil',
        source: n.channel,
        message: `${notifiedMessage(kind, n, result.mode, m.attempts)}${result.note ? `, ${result.note}` : ''}`,
        data: { notificationId: m.id, channel: n.channel, person: n.person, mode: result.mode },
      });
    }
  });
  ctx.metrics.notificationsTotal.inc({ channel: n.channel, outcome: 'delivered', reason: result.mode });
  if (result.mode === 'live') ctx.health.delivered(result.provider ?? providerFor(channel, delivery.recipient.address));
  // A provider another one stood in for is still failing: /readyz and the gauge say so.
  for (const f of result.failedOver ?? []) ctx.health.failed(f.provider, f.error.kind, f.error.message, at);
  if (delivery.incident && n.kind === 'page') ctx.metrics.notificationLatency.observe({ channel: n.channel }, Math.max(0, at - delivery.incident.createdAt) / 1000);
}

/** Milliseconds since a `process.hrtime.bigint()` reading: how long an attempt took. */
export function msSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}
