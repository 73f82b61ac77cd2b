import { formatDuration } from '../../time/duration.js';
import { endHold } from '../holds.js';
import type { IncidentTimer } from './timer.js';

/** The runbooks' hold ran out with the incident still open: it pages now. */
export const holdTimer: IncidentTimer = {
  kind: 'hold',
  async run(ctx, tx, incident, policy, _dueAt, now) {
    if (incident.holdUntil === null) return;
    await endHold(ctx, tx, incident, `not resolved within the ${formatDuration(policy.holdPageFor ?? now - incident.createdAt)} hold`, now);
  },
};
