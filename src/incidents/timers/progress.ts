import { formatDuration } from '../../time/duration.js';
import { wakeAfterCommit } from '../engine-options.js';
import { plural } from '../timeline.js';
import { escalateTier } from './escalate-tier.js';
import { timerEvent, type IncidentTimer } from './timer.js';

/**
 * Every progressReminder while open: responders and stakeholders are asked for an update. Reminders fall due
 * together (every incident opened in a storm), so they are written many at a time; one is the case of one.
 */
export const progressTimer: IncidentTimer = {
  kind: 'progress',
  run(ctx, tx, incident, policy, dueAt, now) {
    return progressTimer.runMany!(ctx, tx, [{ incident, policy, dueAt }], now);
  },
  async runMany(ctx, tx, due, now) {
    const live = due.filter((d) => d.policy.progressReminder !== null);
    const planned = ctx.planner ? await ctx.planner.progress(tx, live.map((d) => ({ incident: d.incident, seq: d.dueAt })), now) : live.map(() => 0);
    for (const [i, { incident }] of live.entries()) {
      await timerEvent(tx, incident, now, 'progress_reminder', `progress reminder: asked ${plural(planned[i]!, 'recipient')} for an update`, { planned: planned[i] });
    }
    await tx.setTimers(live.map((d) => ({ incidentId: d.incident.id, kind: 'progress', dueAt: now + d.policy.progressReminder! })));
    wakeAfterCommit(ctx, tx, planned.some((n) => n > 0));
    // Acknowledged, then two intervals without a note: the next tier hears about it. (Unacknowledged
    // incidents already climb the tiers on the escalation timer.)
    for (const { incident, policy } of live) {
      if (incident.status !== 'acknowledged') continue;
      const [latest] = await tx.latestNotes(incident.id, 1);
      const lastUpdate = Math.max(latest?.at ?? 0, incident.pagedAt ?? incident.createdAt);
      if (now - lastUpdate >= 2 * policy.progressReminder!) {
        await escalateTier(ctx, tx, incident, policy, `no update for ${formatDuration(now - lastUpdate)}`, now);
      }
    }
  },
};
