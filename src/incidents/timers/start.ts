import type { Policy } from '../../rules/schema.js';
import type { IncidentRow, StoreTx } from '../../store/types.js';
import type { EngineOptions } from '../engine-options.js';
import { escalationPlan } from './escalation-plan.js';

/** When an incident is paged: SLA clocks run from the incident's start; escalation and reminders from the page. */
export async function startTimers(ctx: EngineOptions, tx: StoreTx, incident: IncidentRow, policy: Policy, now: number): Promise<void> {
  const unacknowledged = incident.acknowledgedAt === null;
  if (policy.ackSla !== null && unacknowledged) await tx.setTimer(incident.id, 'ack_sla', incident.createdAt + policy.ackSla);
  const firstDelay = escalationPlan(ctx, incident, policy)?.tiers[0]?.delay ?? null;
  if (firstDelay !== null && unacknowledged) await tx.setTimer(incident.id, 'escalate', now + firstDelay);
  if (policy.resolveSla !== null) await tx.setTimer(incident.id, 'resolve_sla', incident.createdAt + policy.resolveSla);
  if (policy.progressReminder !== null) await tx.setTimer(incident.id, 'progress', now + policy.progressReminder);
  if (policy.renotify !== null && unacknowledged) await tx.setTimer(incident.id, 'renotify', now + policy.renotify);
}
