import { formatDuration } from '../../time/duration.js';
import { wakeAfterCommit } from '../engine-options.js';
import { plural } from '../timeline.js';
import { escalateTier } from './escalate-tier.js';
import { timerEvent, type IncidentTimer } from './timer.js';

/** Every progressReminder while open: responders and stakeholders are asked for an update. */
export const progressTimer: IncidentTimer = {
  kind: 'progress',
  async run(ctx, tx, incident, policy, dueAt, now) {
    if (policy.progressReminder === null) return;
    const planned = ctx.planner ? await ctx.planner.progress(tx, incident, dueAt, now) : 0;
    await timerEvent(tx, incident, now, 'progress_reminder', `progress reminder: asked ${plural(planned, 'recipient')} for an update`, { planned });
    await tx.setTimer(incident.id, 'progress', now + policy.progressReminder);
    wakeAfterCommit(ctx, tx, planned > 0);
    // Acknowledged, then two intervals without a note: the next tier hears about it. (Unacknowledged
    // incidents already climb the tiers on the escalation timer.)
    if (incident.status !== 'acknowledged') return;
    const [latest] = await tx.latestNotes(incident.id, 1);
    const lastUpdate = Math.max(latest?.at ?? 0, incident.pagedAt ?? incident.createdAt);
    if (now - lastUpdate >= 2 * policy.progressReminder) {
      await escalateTier(ctx, tx, incident, policy, `no update for ${formatDuration(now - lastUpdate)}`, now);
    }
  },
};
