import { formatDuration } from '../../time/duration.js';
import { escalateTier } from './escalate-tier.js';
import { escalationPlan } from './escalation-plan.js';
import type { IncidentTimer } from './timer.js';

/** Nobody acknowledged within the tier's delay: the next tier is paged. */
export const escalateTimer: IncidentTimer = {
  kind: 'escalate',
  async run(ctx, tx, incident, policy, dueAt, now) {
    if (incident.status !== 'triggered') return;
    const waited = escalationPlan(ctx, incident, policy)?.tiers[incident.escalationTier - 1]?.delay ?? now - dueAt;
    await escalateTier(ctx, tx, incident, policy, `nobody acknowledged within ${formatDuration(waited)}`, now);
  },
};
