import { escalationFor, type EscalationPlan } from '../../rules/escalation.js';
import type { Policy } from '../../rules/schema.js';
import type { IncidentRow } from '../../store/types.js';
import type { EngineOptions } from '../engine-options.js';

/** The escalation tiers the incident climbs, from the rules in force now (a reload applies at the next step). */
export function escalationPlan(ctx: EngineOptions, incident: IncidentRow, policy: Policy): EscalationPlan | null {
  return escalationFor(ctx.rules(), incident.team, policy);
}
