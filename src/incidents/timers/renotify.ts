import { wakeAfterCommit } from '../engine-options.js';
import { plural } from '../timeline.js';
import { timerEvent, type IncidentTimer } from './timer.js';

/** Still unacknowledged: the same roles hear again, under the same policy (bundled if it bundles). */
export const renotifyTimer: IncidentTimer = {
  kind: 'renotify',
  async run(ctx, tx, incident, policy, dueAt, now) {
    if (incident.status !== 'triggered' || policy.renotify === null || !ctx.planner) return;
    const { planned } = await ctx.planner.page(tx, incident, policy, `${incident.reopenCount}-renotify-${dueAt}`, now);
    await timerEvent(tx, incident, now, 'renotified', `not acknowledged yet: notifying again (${plural(planned, 'message')})`, { planned });
    await tx.setTimer(incident.id, 'renotify', now + policy.renotify);
    wakeAfterCommit(ctx, tx, planned > 0);
  },
};
