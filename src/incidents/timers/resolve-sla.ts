import { formatDuration } from '../../time/duration.js';
import { escalateTier } from './escalate-tier.js';
import { timerEvent, type IncidentTimer } from './timer.js';

/** The resolve SLA ran out: marked, counted, on the timeline, and the next tier hears about it. */
export const resolveSlaTimer: IncidentTimer = {
  kind: 'resolve_sla',
  async run(ctx, tx, incident, policy, _dueAt, now) {
    await tx.updateIncident(incident.id, { resolveSlaBreached: true });
    tx.afterCommit(() => ctx.onSlaBreach?.(incident.priority, 'resolve'));
    const within = formatDuration(policy.resolveSla ?? 0);
    await timerEvent(tx, incident, now, 'sla_breached', `resolve SLA missed: not resolved within ${within} (${incident.priority})`, { kind: 'resolve' });
    await escalateTier(ctx, tx, incident, policy, `not resolved within ${within}`, now);
  },
};
