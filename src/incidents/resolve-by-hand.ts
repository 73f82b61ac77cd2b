import { alertLabel } from '../rules/grouping.js';
import type { IncidentRow, StoreTx } from '../store/types.js';
import { incidentToActOn, recordByHand, type Actor } from './actor.js';
import type { EngineOptions } from './engine-options.js';
import { notifyOutcome } from './notify-outcome.js';
import { resolveAlert } from './resolve-alert.js';
import type { SuppressionPass } from './suppression-pass.js';

/** Resolves by hand: the incident and every alert still firing in it. Again is a no-op. */
export async function resolveByHand(ctx: EngineOptions, suppressions: SuppressionPass, tx: StoreTx, id: number, actor: Actor, now: number): Promise<IncidentRow> {
  const incident = await incidentToActOn(tx, id);
  if (incident.status === 'resolved') return incident;
  for (const alert of await tx.firingAlertsOf(id)) {
    await tx.updateAlert(alert.id, { status: 'resolved', resolvedAt: now, resolvedBy: actor.by, expiresAt: null });
    tx.afterCommit(() => suppressions.alertResolved(alert.fingerprint));
  }
  const patch = {
    status: 'resolved' as const,
    resolvedAt: now,
    resolvedBy: actor.by,
    firingCount: 0,
    suppressedCount: 0,
    holdUntil: null,
    updatedAt: now,
  };
  await tx.updateIncident(id, patch);
  await recordByHand(tx, id, now, actor, 'resolved');
  const updated = { ...incident, ...patch };
  await tx.clearTimers(id);
  await notifyOutcome(ctx, tx, updated, 'resolved', now);
  return updated;
}

/** Resolves one alert by fingerprint (PagerDuty resolve); the incident resolves when none fire. */
export async function resolveAlertByFingerprint(
  ctx: EngineOptions,
  suppressions: SuppressionPass,
  tx: StoreTx,
  fingerprint: string,
  actor: Actor,
  now: number,
): Promise<boolean> {
  const alert = await tx.currentAlert(fingerprint);
  if (!alert || alert.status !== 'firing') return false;
  await resolveAlert(ctx, suppressions, tx, alert, {
    actor: actor.by,
    source: actor.source,
    at: now,
    endsAt: now,
    kind: 'alert_resolved',
    message: `${alertLabel(alert.labels)} resolved`,
  });
  return true;
}
