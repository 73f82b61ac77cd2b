import { incidentResolved } from './refusals.js';
import type { IncidentRow, StoreTx } from '../store/types.js';
import { incidentToActOn, recordByHand, type Actor } from './actor.js';
import type { EngineOptions } from './engine-options.js';
import { notifyOutcome } from './notify-outcome.js';

/** A person acknowledges: escalation and re-notification stop, everyone paged hears it. Again is a no-op. */
export async function acknowledge(ctx: EngineOptions, tx: StoreTx, id: number, actor: Actor, now: number): Promise<IncidentRow> {
  const incident = await incidentToActOn(tx, id);
  if (incident.status === 'resolved') throw incidentResolved(id, 'acknowledge');
  if (incident.status === 'acknowledged') return incident;
  return markAcknowledged(ctx, tx, incident, actor, now);
}

/** PagerDuty-style acknowledge by alert: acknowledges the open incident holding the alert, if any. */
export async function acknowledgeAlert(ctx: EngineOptions, tx: StoreTx, fingerprint: string, actor: Actor, now: number): Promise<IncidentRow | null> {
  const alert = await tx.currentAlert(fingerprint);
  if (!alert || alert.status !== 'firing') return null;
  const incident = await tx.getIncident(alert.incidentId);
  if (!incident || incident.status !== 'triggered') return incident ?? null;
  return markAcknowledged(ctx, tx, incident, actor, now);
}

async function markAcknowledged(ctx: EngineOptions, tx: StoreTx, incident: IncidentRow, actor: Actor, now: number): Promise<IncidentRow> {
  const patch = { status: 'acknowledged' as const, acknowledgedAt: now, acknowledgedBy: actor.by, updatedAt: now };
  await tx.updateIncident(incident.id, patch);
  await recordByHand(tx, incident.id, now, actor, 'acknowledged');
  const updated = { ...incident, ...patch };
  await tx.clearTimers(incident.id, ['escalate', 'ack_sla', 'renotify']);
  // Acknowledged but left unresolved for reackAfter: it pages again (see timers/reack.ts).
  if (incident.policy?.reackAfter != null) await tx.setTimer(incident.id, 'reack', now + incident.policy.reackAfter);
  await notifyOutcome(ctx, tx, updated, 'acknowledged', now);
  return updated;
}
