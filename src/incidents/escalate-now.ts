import { incidentResolved } from './refusals.js';
import type { IncidentRow, StoreTx } from '../store/types.js';
import { incidentToActOn, who, type Actor } from './actor.js';
import type { EngineOptions } from './engine-options.js';
import { escalateTier } from './timers/escalate-tier.js';

/** "Press 5" (or a runbook asking for a human): page the next tier now. */
export async function escalateNow(ctx: EngineOptions, tx: StoreTx, id: number, actor: Actor, now: number): Promise<IncidentRow> {
  const incident = await incidentToActOn(tx, id);
  if (incident.status === 'resolved') throw incidentResolved(id, 'escalate');
  const policy = incident.policy ?? ctx.rules().policies[incident.severity];
  // The note given with the request (the console's, the API's) is part of why: it goes on the timeline with it.
  await escalateTier(ctx, tx, incident, policy, `escalation requested by ${who(actor)}${actor.note ? `: ${actor.note}` : ''}`, now);
  return incident;
}
