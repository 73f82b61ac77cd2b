import type { IncidentSummary } from '../types.js';
import type { Member } from './bundle.js';
import type { PipelineContext } from './context.js';
import { isPage } from './retry.js';

/** A page being retried is no longer needed once somebody acknowledged or resolved its incident. */
export function isStale(m: Member): boolean {
  return isPage(m.row.kind) && m.row.attempts > 0 && m.incident !== null && m.incident.status !== 'triggered';
}

/** Why a stale page was not sent, as its attempt, its row and the timeline say. */
export function cancelReason(incident: IncidentSummary | null, channel: string): string {
  const why =
    incident?.status === 'resolved'
      ? `resolved${incident.resolvedBy ? ` by ${incident.resolvedBy}` : ''}`
      : `acknowledged${incident?.acknowledgedBy ? ` by ${incident.acknowledgedBy}` : ''}`;
  return `not sent: the incident was ${why} before ${channel} delivered`;
}

/** Pages left unsent because their incident was acknowledged or resolved while they waited for a retry. */
export async function cancelStale(ctx: PipelineContext, stale: Member[]): Promise<void> {
  const at = ctx.clock.now();
  await ctx.store.write(async (tx) => {
    for (const { row: m, incident } of stale) {
      const message = cancelReason(incident, m.channel);
      await tx.updateNotification(m.id, { status: 'cancelled', errorKind: 'cancelled', lastError: message, updatedAt: at });
      await tx.addAttempt({ notificationId: m.id, at, outcome: 'cancelled', errorKind: null, error: message, durationMs: 0 });
      await tx.addEvent({
        incidentId: m.incidentId!,
        at,
        kind: 'notification_cancelled',
        actor: 'vigil',
        source: m.channel,
        message: `${m.kind} to ${m.recipientName} by ${m.channel} ${message}`,
        data: { notificationId: m.id, channel: m.channel, person: m.person, attempts: m.attempts },
      });
    }
  });
  for (const { row, incident } of stale) {
    ctx.metrics.notificationsTotal.inc({ channel: row.channel, outcome: 'cancelled', reason: 'incident_' + (incident?.status ?? 'gone') });
  }
}
