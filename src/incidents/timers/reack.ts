import { formatDuration } from '../../time/duration.js';
import { decide } from '../decide.js';
import { pageIfDue } from '../page.js';
import { timerEvent, type IncidentTimer } from './timer.js';

/** Acknowledged but not resolved within reackAfter: triggered again and paged from the first tier. */
export const reackTimer: IncidentTimer = {
  kind: 'reack',
  async run(ctx, tx, incident, policy, _dueAt, now) {
    if (incident.status !== 'acknowledged') return;
    const patch = { status: 'triggered' as const, acknowledgedAt: null, acknowledgedBy: null, pagedAt: null, escalationTier: 1, escalationRound: 0, updatedAt: now };
    await tx.updateIncident(incident.id, patch);
    Object.assign(incident, patch);
    await timerEvent(tx, incident, now, 'retriggered', `acknowledged ${formatDuration(policy.reackAfter ?? 0)} ago but not resolved: paging again`);
    const alerts = await tx.firingAlertsOf(incident.id);
    if (alerts[0]) await pageIfDue(ctx, tx, incident, decide(ctx, alerts[0]), now);
  },
};
