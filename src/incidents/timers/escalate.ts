import { formatDuration } from '../../time/duration.js';
import { escalateTiers } from './escalate-tier.js';
import { escalationPlan } from './escalation-plan.js';
import type { IncidentTimer } from './timer.js';

/** Nobody acknowledged within the tier's delay: the next tier is paged. Escalations due together climb in one go. */
export const escalateTimer: IncidentTimer = {
  kind: 'escalate',
  run(ctx, tx, incident, policy, dueAt, now) {
    return escalateTimer.runMany!(ctx, tx, [{ incident, policy, dueAt }], now);
  },
  runMany(ctx, tx, due, now) {
    const climbs = due
      .filter((d) => d.incident.status === 'triggered')
      .map(({ incident, policy, dueAt }) => {
        const waited = escalationPlan(ctx, incident, policy)?.tiers[incident.escalationTier - 1]?.delay ?? now - dueAt;
        return { incident, policy, why: `nobody acknowledged within ${formatDuration(waited)}` };
      });
    return escalateTiers(ctx, tx, climbs, now);
  },
};
