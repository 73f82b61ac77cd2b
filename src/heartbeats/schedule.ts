import { nextRun } from '../time/cron.js';
import { formatDuration } from '../time/duration.js';
import type { HeartbeatSpec } from '../rules/heartbeat-spec.js';

/**
 * When the next successful ping is due after one at `after`: `every` later, or the cron schedule's next
 * occurrence on the zone's wall clock (so a job at 02:30 every night is due at 02:30 the next night across a
 * DST change, and a skipped 02:30 is due at 03:00).
 */
export function nextDue(spec: Pick<HeartbeatSpec, 'schedule'>, after: number): number {
  const s = spec.schedule;
  return 'every' in s ? after + s.every : nextRun(s.cron, s.timeZone, after);
}

/** The schedule as a person reads it: "every 1h", "cron 30 2 * * * (Europe/Berlin)". */
export function describeSchedule(spec: Pick<HeartbeatSpec, 'schedule'>): string {
  const s = spec.schedule;
  return 'every' in s ? `every ${formatDuration(s.every)}` : `cron ${s.cron} (${s.timeZone})`;
}
