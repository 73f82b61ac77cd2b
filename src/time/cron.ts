import { CronExpressionParser } from 'cron-parser';
import { assertTimeZone } from './local-days.js';
import { instantOf, wallClock } from './wall-clock.js';

/** Cap on occurrences walked in one call (a per-minute cron after a month down). */
const MAX_STEPS = 1000;
/** Wall-clock readings near a DST change can be this far from the instant's; more than any zone's shift. */
const DST_MARGIN = 3 * 3_600_000;

/** Why a five-field cron expression is unusable, or null (maintenance windows and digest schedules). */
export function cronProblem(expr: string): string | null {
  if (expr.trim() === '' || expr.trim().split(/\s+/).length !== 5) {
    return 'expected 5 fields (minute hour day-of-month month day-of-week)';
  }
  try {
    CronExpressionParser.parse(expr, { tz: 'UTC' }).next();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/*
 * Zone-aware occurrences (digests, heartbeats). DST follows the maintenance windows' rule: a time skipped by the
 * spring change fires at the first instant after the jump; a time repeated in the autumn fires once, on its first pass.
 */

/**
 * The first time the schedule fires strictly after `after` (epoch ms). The expression is evaluated on the
 * zone's wall clock (cron-parser in UTC, a clock without DST) and luxon places each reading in the zone,
 * which makes the DST rule above hold wherever the search starts.
 */
export function nextRun(cron: string, timeZone: string, after: number): number {
  assertTimeZone(timeZone);
  const walls = CronExpressionParser.parse(cron, { currentDate: wallClock(timeZone, after - DST_MARGIN), tz: 'UTC' });
  for (let i = 0; i < MAX_STEPS; i++) {
    const at = instantOf(timeZone, walls.next().getTime());
    if (at > after) return at;
  }
  throw new Error(`cron "${cron}" has no occurrence after ${new Date(after).toISOString()} within ${MAX_STEPS} steps`);
}

/** The last time the schedule fired at or before `atOrBefore`, or null if it never did. */
export function previousRun(cron: string, timeZone: string, atOrBefore: number): number | null {
  assertTimeZone(timeZone);
  // Wall-clock order is instant order, but in a repeated autumn hour the wall clock reads behind the first
  // pass already gone; start a little ahead and walk back to the first that is not in the future.
  const walls = CronExpressionParser.parse(cron, { currentDate: wallClock(timeZone, atOrBefore + DST_MARGIN) + 1, tz: 'UTC' });
  for (let i = 0; i < MAX_STEPS; i++) {
    let wall: number;
    try {
      wall = walls.prev().getTime();
    } catch {
      return null;
    }
    const at = instantOf(timeZone, wall);
    if (at <= atOrBefore) return at;
  }
  return null;
}

