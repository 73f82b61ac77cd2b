import type { AlertRow, StoreTx } from '../store/types.js';
import { formatDuration } from '../time/duration.js';
import type { EngineOptions } from './engine-options.js';
import { notifyOutcome } from './notify-outcome.js';
import type { SuppressionPass } from './suppression-pass.js';
import { vigil, writeEvent, type Voice } from './timeline.js';

/** How an alert ended: resolved by its sender or by a person (alert_resolved), or expired without updates. */
export interface AlertEnd extends Voice {
  at: number;
  endsAt: number;
  kind: 'alert_resolved' | 'alert_expired';
  message: string;
}

/** Ends one firing alert; when it was the incident's last, the incident resolves (self-healed during a hold). */
export async function resolveAlert(ctx: EngineOptions, suppressions: SuppressionPass, tx: StoreTx, alert: AlertRow, how: AlertEnd): Promise<void> {
  await tx.updateAlert(alert.id, {
    status: 'resolved',
    endsAt: how.endsAt,
    expiresAt: null,
    resolvedAt: how.at,
    lastReceivedAt: how.kind === 'alert_expired' ? alert.lastReceivedAt : how.at,
  });
  tx.afterCommit(() => suppressions.alertResolved(alert.fingerprint));
  const incident = await tx.getIncident(alert.incidentId);
  if (!incident) return;
  const firing = Math.max(0, incident.firingCount - 1);
  const suppressed = Math.max(0, incident.suppressedCount - (alert.suppressedBy ? 1 : 0));
  await tx.updateIncident(incident.id, { firingCount: firing, suppressedCount: suppressed, updatedAt: how.at });
  await writeEvent(tx, incident.id, how.at, how, how.kind, how.message, { fingerprint: alert.fingerprint });
  if (firing > 0 || incident.status === 'resolved') return;
  // Resolved on its own while the page was held for a runbook: nobody was woken.
  const selfHealed = incident.holdUntil !== null && incident.pagedAt === null;
  await tx.updateIncident(incident.id, { status: 'resolved', resolvedAt: how.at, resolvedBy: how.actor, holdUntil: null, selfHealed });
  if (selfHealed) {
    const after = formatDuration(how.at - incident.createdAt);
    const message = `closed as self-healed: resolved ${after} after it opened, while the page was held for a runbook; nobody was paged`;
    await writeEvent(tx, incident.id, how.at, vigil('runbooks'), 'self_healed', message);
  }
  await writeEvent(tx, incident.id, how.at, how, 'resolved', 'resolved: all alerts have resolved');
  await tx.clearTimers(incident.id);
  await notifyOutcome(ctx, tx, { ...incident, status: 'resolved', resolvedAt: how.at, resolvedBy: how.actor }, 'resolved', how.at);
}
