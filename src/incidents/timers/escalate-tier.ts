import type { Policy } from '../../rules/schema.js';
import type { IncidentRow, StoreTx } from '../../store/types.js';
import { wakeAfterCommit, type EngineOptions } from '../engine-options.js';
import type { EscalationStep } from '../paging-port.js';
import { escalationPlan } from './escalation-plan.js';
import { timerEvent } from './timer.js';

/** An incident to climb its escalation; `why` says what made it climb. */
export interface Climb {
  incident: IncidentRow;
  policy: Policy;
  why: string;
}

/**
 * Pages the next tier (after the last, starting again while the plan repeats) and sets the next escalation
 * timer; `why` says what made it climb.
 */
export function escalateTier(ctx: EngineOptions, tx: StoreTx, incident: IncidentRow, policy: Policy, why: string, now: number): Promise<void> {
  return escalateTiers(ctx, tx, [{ incident, policy, why }], now);
}

/** escalateTier for many incidents (escalations due together), in a handful of statements however many. */
export async function escalateTiers(ctx: EngineOptions, tx: StoreTx, climbs: readonly Climb[], now: number): Promise<void> {
  const steps: (EscalationStep & { why: string; plan: string | null })[] = [];
  for (const { incident, policy, why } of climbs) {
    const plan = escalationPlan(ctx, incident, policy);
    if (!plan) {
      await timerEvent(tx, incident, now, 'escalation_exhausted', `${why}; this incident has no escalation tiers`);
      continue;
    }
    let tier = incident.escalationTier + 1;
    let round = incident.escalationRound;
    if (tier > plan.tiers.length) {
      if (round >= plan.repeat) {
        await timerEvent(tx, incident, now, 'escalation_exhausted', `${why}; every tier has been paged`, { policy: plan.name, rounds: round + 1 });
        continue;
      }
      tier = 1;
      round++;
    }
    steps.push({ incident, policy, tier: plan.tiers[tier - 1]!, tierNumber: tier, round, why, plan: plan.name });
  }
  if (steps.length === 0) return;
  const paged = ctx.planner ? await ctx.planner.escalate(tx, steps, now) : steps.map(() => null);
  await tx.updateEscalationSteps(steps.map((s) => ({ id: s.incident.id, escalationTier: s.tierNumber, escalationRound: s.round, updatedAt: now })));
  for (const [i, { incident, tierNumber: tier, round, why, plan }] of steps.entries()) {
    incident.escalationTier = tier;
    incident.escalationRound = round;
    const p = paged[i];
    const again = round > 0 ? ` (round ${round + 1})` : '';
    await timerEvent(
      tx,
      incident,
      now,
      'escalated',
      p ? `escalated to tier ${tier}${again} (${p.names}): ${why}` : `escalated to tier ${tier}${again}: ${why}; nobody is on call there`,
      { tier, round, paged: p?.names ?? null, people: p?.people ?? [], policy: plan },
    );
  }
  wakeAfterCommit(ctx, tx, paged.some((p) => p !== null));
  const next = steps.filter((s) => s.incident.status === 'triggered' && s.tier.delay !== null);
  await tx.setTimers(next.map((s) => ({ incidentId: s.incident.id, kind: 'escalate', dueAt: now + s.tier.delay! })));
}
