import { formatDuration } from '../../time/duration.js';
import { timerEvent, type IncidentTimer } from './timer.js';

/** The acknowledge SLA ran out with nobody acknowledging: marked, counted and on the timeline. */
export const ackSlaTimer: IncidentTimer = {
  kind: 'ack_sla',
  async run(ctx, tx, incident, policy, _dueAt, now) {
    if (incident.acknowledgedAt !== null) return;
    await tx.updateIncident(incident.id, { ackSlaBreached: true });
    // Counted once it is committed: a write rolled back and run again (a shared write that failed) counts once.
    tx.afterCommit(() => ctx.onSlaBreach?.(incident.priority, 'ack'));
    const message = `acknowledge SLA missed: not acknowledged within ${formatDuration(policy.ackSla ?? 0)} (${incident.priority})`;
    await timerEvent(tx, incident, now, 'sla_breached', message, { kind: 'ack' });
  },
};
