import type { Policy } from '../../rules/schema.js';
import type { IncidentRow, StoreTx } from '../../store/types.js';
import { wakeAfterCommit, type EngineOptions } from '../engine-options.js';
import { escalationPlan } from './escalation-plan.js';
import { timerEvent } from './timer.js';

/**
 * Pages the next tier (after the last, starting again while the plan repeats) and sets the next escalation
 * timer; `why` says what made it climb.
 */
export async function escalateTier(ctx: EngineOptions, tx: StoreTx, incident: IncidentRow, policy: Policy, why: string, now: number): Promise<void> {
  const plan = escalationPlan(ctx, incident, policy);
  if (!plan) {
    await timerEvent(tx, incident, now, 'escalation_exhausted', `${why}; this incident has no escalation tiers`);
    return;
  }
  let tier = incident.escalationTier + 1;
  let round = incident.escalationRound;
  if (tier > plan.tiers.length) {
    if (round >= plan.repeat) {
      await timerEvent(tx, incident, now, 'escalation_exhausted', `${why}; every tier has been paged`, { policy: plan.name, rounds: round + 1 });
      return;
    }
    tier = 1;
    round++;
  }
  const step = plan.tiers[tier - 1]!;
  const paged = ctx.planner ? await ctx.planner.escalate(tx, incident, policy, step, tier, round, now) : null;
  await tx.updateIncident(incident.id, { escalationTier: tier, escalationRound: round, updatedAt: now });
  incident.escalationTier = tier;
  incident.escalationRound = round;
  const again = round > 0 ? ` (round ${round + 1})` : '';
  await timerEvent(
    tx,
    incident,
    now,
    'escalated',
    paged ? `escalated to tier ${tier}${again} (${paged.names}): ${why}` : `escalated to tier ${tier}${again}: ${why}; nobody is on call there`,
    { tier, round, paged: paged?.names ?? null, people: paged?.people ?? [], policy: plan.name },
  );
  wakeAfterCommit(ctx, tx, paged !== null);
  if (incident.status === 'triggered' && step.delay !== null) await tx.setTimer(incident.id, 'escalate', now + step.delay);
}
