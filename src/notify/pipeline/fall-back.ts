import type { NotificationRow, StoreTx } from '../../store/types.js';
import { formatDuration } from '../../time/duration.js';
import { fallbackTarget } from '../directory.js';
import { writeToOutbox } from '../outbox.js';
import type { ChannelError, ChannelName, MessageKind } from '../types.js';
import type { PipelineContext } from './context.js';

/**
 * One fallback message per person and incident cycle, on a channel the person is not already reached on,
 * another provider's first; the timeline says what failed, what is tried instead and whether the failed
 * channel keeps being retried.
 */
export async function fallBack(ctx: PipelineContext, tx: StoreTx, members: NotificationRow[], e: ChannelError, at: number, slow: boolean): Promise<void> {
  const n = members[0]!;
  const rules = ctx.options.rules();
  for (const m of members) {
    if (m.incidentId === null) continue;
    const incident = await tx.getIncident(m.incidentId);
    const pages = await tx.pagesOf(m.incidentId);
    const others = pages.filter((p) => p.person !== null && p.person === m.person && p.id !== m.id);
    const reached = new Set(others.filter((p) => p.status === 'pending' || p.status === 'delivered').map((p) => p.channel as ChannelName));
    const delivered = [...new Set(others.filter((p) => p.status === 'delivered').map((p) => p.channel))];
    const next = fallbackTarget(rules, m.person, m.channel as ChannelName, incident?.team ?? null, {
      providerOf: (c) => ctx.channels.get(c)?.provider,
      reached,
    });
    const inserted =
      next &&
      (await writeToOutbox(
        tx,
        {
          kind: m.kind as MessageKind,
          incidentId: m.incidentId,
          to: next,
          idempotencyKey: `incident:${m.incidentId}:fallback:${incident?.reopenCount ?? 0}:${m.person}`,
          dueAt: at,
          fallbackOf: m.id,
        },
        at,
      )) !== null;
    const meanwhile = inserted
      ? `; trying ${next!.channel}`
      : next
        ? '; a fallback was already sent'
        : delivered.length > 0
          ? `; reached by ${delivered.join(', ')}`
          : '; no other channel left';
    const then = slow ? `; retrying ${n.channel} every ${formatDuration(ctx.options.slowIntervalMs)} while the incident is unacknowledged` : '';
    await tx.addEvent({
      incidentId: m.incidentId,
      at,
      kind: 'delivery_degraded',
      actor: 'vigil',
      source: n.channel,
      message: `delivery degraded: ${n.channel} to ${m.recipientName} failed${m.attempts > 0 ? ` ${m.attempts + 1} times` : ''} (${e.kind}: ${e.message.slice(0, 200)})${meanwhile}${then}`,
      data: { notificationId: m.id, channel: n.channel, errorKind: e.kind, fallback: inserted ? next!.channel : null, retrying: slow },
    });
  }
}
