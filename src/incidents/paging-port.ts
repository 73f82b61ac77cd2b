import type { EscalationTier } from '../rules/escalation.js';
import type { Policy } from '../rules/schema.js';
import type { IncidentRow, StoreTx } from '../store/types.js';

/** An incident climbing to a tier of its escalation: `tierNumber` counts from 1, `round` from 0. */
export interface EscalationStep {
  incident: IncidentRow;
  policy: Policy;
  tier: EscalationTier;
  tierNumber: number;
  round: number;
}

/**
 * What the engine and its timers ask of notification planning (notify/planner.ts implements it): who is told
 * what is written to the outbox in the transaction of the change that caused it. Each returns how many messages
 * it wrote.
 */
export interface PagingPort {
  /** Pages the policy's roles; `missing` names who could not be reached, in words. */
  page(tx: StoreTx, incident: IncidentRow, policy: Policy, cause: string, now: number): Promise<{ planned: number; missing: string[] }>;
  /** Pages each incident's escalation tier: who was paged (in words, and the people's ids), or null when it reaches nobody. */
  escalate(tx: StoreTx, steps: readonly EscalationStep[], now: number): Promise<({ names: string; people: string[] } | null)[]>;
  /** Each incident's progress reminder numbered `seq` to its responders and stakeholders: how many messages each wrote. */
  progress(tx: StoreTx, reminders: readonly { incident: IncidentRow; seq: number }[], now: number): Promise<number[]>;
  /** Everyone paged hears that the incident was acknowledged or resolved. */
  outcome(tx: StoreTx, incident: IncidentRow, kind: 'acknowledged' | 'resolved', now: number): Promise<number>;
}
