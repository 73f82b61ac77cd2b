import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { durationSchema } from '../time/duration-schema.js';
import { dayName, dayNames, firstInstant, instantOf, wallClock, type DayName } from '../time/wall-clock.js';
import { parseTimeOfDay } from '../time/time-of-day.js';

export { dayNames, type DayName };
import { cronExpression, endTime, startTime, timeZone } from '../time/time-schemas.js';

/**
 * Recurring maintenance windows: while one is open, alerts it matches are stored but page nobody.
 *
 * Times are wall-clock times in the window's time zone; luxon places them on the timeline, DST included.
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** How far ahead nextWindowChange looks for a weekly window: a week plus room for a window crossing midnight. */
const HORIZON_DAYS = 8;
/** Cap on cron occurrences examined in one call (back-to-back occurrences can keep a window open indefinitely). */
const MAX_CRON_STEPS = 1000;


const name = z.string().min(1, 'must not be empty');
const matchers = z.array(z.string()).optional();

const duration = durationSchema({ examples: '30m, 2h, 1h30m', min: { ms: 1, problem: 'must be longer than zero' } });

/** A window given as weekdays and a local time range in a time zone, e.g. Sundays 02:00–04:00 Europe/Berlin. */
export const weeklyWindowSchema = z
  .object({
    name,
    matchers,
    timeZone,
    weekly: z
      .object({
        days: z.array(z.enum(dayNames)).min(1, 'needs at least one day'),
        start: startTime,
        /** Not after start means the window crosses midnight and closes on the following day. */
        end: endTime,
      })
      .strict(),
  })
  .strict();

/** A window that opens at each time of a cron expression (5 fields, in the time zone) and lasts `duration`. */
export const cronWindowSchema = z
  .object({
    name,
    matchers,
    timeZone,
    cron: cronExpression,
    /** How long the window stays open after each cron time, in ms once parsed. */
    duration,
  })
  .strict();

type Issue = { path: PropertyKey[]; message: string };

function describeIssues(issues: readonly Issue[]): string {
  return issues.map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ');
}

export const maintenanceWindowSchema = z.union([weeklyWindowSchema, cronWindowSchema], {
  // Report the problems of the kind of window the input is meant to be, not "Invalid input".
  error: (issue) => {
    if (issue.code !== 'invalid_union') return undefined;
    const input: unknown = issue.input;
    const keys = typeof input === 'object' && input !== null ? Object.keys(input) : [];
    const [weekly, cron] = issue.errors;
    if (keys.includes('weekly') && !keys.includes('cron') && weekly) return describeIssues(weekly);
    if (keys.includes('cron') && !keys.includes('weekly') && cron) return describeIssues(cron);
    return 'a maintenance window needs either "weekly" (days, start, end) or "cron" and "duration"';
  },
});

export type MaintenanceWindow = z.output<typeof maintenanceWindowSchema>;
type WeeklyWindow = z.output<typeof weeklyWindowSchema>;
type CronWindow = z.output<typeof cronWindowSchema>;

/** Whether the window is open at `now` (epoch ms). Pure. */
export function isWindowOpen(w: MaintenanceWindow, now: number): boolean {
  return stateAt(w, now).open;
}

/**
 * The next time (epoch ms, > now) the window opens or closes, so a scheduler knows when suppression changes.
 * When nothing changes within reach (a weekly window covering the whole week, a cron that never fires again,
 * or cron times so close together that the window never closes), a later time to check again.
 */
export function nextWindowChange(w: MaintenanceWindow, now: number): number {
  return stateAt(w, now).until;
}

interface KnownState {
  from: number;
  until: number;
  open: boolean;
}

/**
 * Per window (treated as immutable once parsed): the state found at `from` holds until `until`, so the many
 * checks between two changes (one per alert) cost a lookup. Results are the same as without it.
 */
const knownStates = new WeakMap<MaintenanceWindow, KnownState>();

function stateAt(w: MaintenanceWindow, now: number): KnownState {
  const known = knownStates.get(w);
  if (known && known.from <= now && now < known.until) return known;
  const state =
    'weekly' in w
      ? { from: now, open: weeklyOpen(w, now), until: weeklyNextChange(w, now) }
      : { from: now, open: cronOpen(w, now), until: cronNextChange(w, now) };
  knownStates.set(w, state);
  return state;
}

// ---- weekly windows

// DST: weekly windows compare the local wall clock, so a start skipped by spring-forward opens when the clocks jump past it, and on fall-back the repeated hour is inside the window on both passes.
function weeklyOpen(w: WeeklyWindow, now: number): boolean {
  const local = localTime(w.timeZone, now);
  const t = local.hour * HOUR + local.minute * MINUTE + local.second * 1000 + local.millisecond;
  const start = parseTimeOfDay(w.weekly.start, { endOfDay: true }) * MINUTE;
  const end = parseTimeOfDay(w.weekly.end, { endOfDay: true }) * MINUTE;
  const days = w.weekly.days;
  const today = dayName(local.weekday);
  if (start < end) return days.includes(today) && t >= start && t < end;
  // Crosses midnight: the part after start today, or the tail of the window that opened yesterday.
  return (days.includes(today) && t >= start) || (days.includes(dayName(local.weekday - 1)) && t < end);
}

function weeklyNextChange(w: WeeklyWindow, now: number): number {
  const zone = w.timeZone;
  const openNow = weeklyOpen(w, now);
  const boundaries = [...new Set([parseTimeOfDay(w.weekly.start, { endOfDay: true }), parseTimeOfDay(w.weekly.end, { endOfDay: true }) % (24 * 60)])];
  let date = localTime(zone, now).startOf('day');
  for (let i = 0; i <= HORIZON_DAYS; i++) {
    const next = date.plus({ days: 1 });
    // The window can only be open on one of its days or the day after (crossing midnight, or ending at 24:00).
    if (w.weekly.days.includes(dayName(date.weekday)) || w.weekly.days.includes(dayName(date.weekday - 1))) {
      const candidates: number[] = [];
      for (const minutes of boundaries) {
        const at = DateTime.fromObject(
          { year: date.year, month: date.month, day: date.day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
          { zone },
        );
        // Both instants of a wall-clock time that fall-back repeats.
        for (const dt of at.getPossibleOffsets()) candidates.push(dt.toMillis());
      }
      // The wall clock also jumps across boundaries when the offset changes.
      if (next.offset !== date.offset) {
        candidates.push(firstInstant(date.toMillis(), next.toMillis(), (ms) => localTime(zone, ms).offset === next.offset));
      }
      // The state cannot change between consecutive boundaries, so the first boundary with another state is the change.
      for (const c of candidates.filter((t) => t > now).sort((a, b) => a - b)) {
        if (weeklyOpen(w, c) !== openNow) return c;
      }
    }
    date = next;
  }
  return now + HORIZON_DAYS * DAY;
}

// ---- cron windows

// DST: cron times are wall-clock times; one skipped by spring-forward fires at the first instant after the jump, one repeated by fall-back fires once, on its first pass.
function cronOpen(w: CronWindow, now: number): boolean {
  // Open when some occurrence falls in (now - duration, now].
  const after = now - w.duration;
  for (const at of occurrences(w, after)) if (at > after) return at <= now;
  return false;
}

function cronNextChange(w: CronWindow, now: number): number {
  const upcoming = occurrences(w, now);
  let last: number | null = null;
  let next: number | null = null;
  for (let step = upcoming.next(); !step.done; step = upcoming.next()) {
    if (step.value <= now) {
      last = step.value; // a first pass of a repeated hour can lie before now
    } else {
      next = step.value;
      break;
    }
  }
  last ??= previousOccurrence(w, now);
  if (last === null || last + w.duration <= now) return next ?? now + HORIZON_DAYS * DAY;
  // Open: it closes once the last occurrence so far has run its duration, unless another one opens first.
  let closes = last + w.duration;
  while (next !== null && next <= closes) {
    closes = Math.max(closes, next + w.duration);
    const step = upcoming.next();
    next = step.done ? null : step.value;
  }
  return closes;
}

/**
 * Cron occurrences as instants, in order: those whose wall-clock time comes after the wall-clock time of `from`.
 * The expression is evaluated on the zone's wall clock (cron-parser in UTC as a clock without DST) and each
 * time is then placed in the zone by luxon, so occurrences do not depend on where the iteration started.
 */
function* occurrences(w: CronWindow, from: number): Generator<number, void, undefined> {
  const times = CronExpressionParser.parse(w.cron, { currentDate: wallClock(w.timeZone, from), tz: 'UTC' });
  for (let i = 0; i < MAX_CRON_STEPS; i++) {
    let wall: number;
    try {
      wall = times.next().getTime();
    } catch {
      return; // no further occurrence
    }
    yield instantOf(w.timeZone, wall);
  }
}

/** The latest occurrence whose wall-clock time is at or before the wall-clock time of `now`. */
function previousOccurrence(w: CronWindow, now: number): number | null {
  const times = CronExpressionParser.parse(w.cron, { currentDate: wallClock(w.timeZone, now) + 1, tz: 'UTC' });
  try {
    return instantOf(w.timeZone, times.prev().getTime());
  } catch {
    return null;
  }
}


// ---- time helpers

function localTime(zone: string, ms: number): DateTime {
  const local = DateTime.fromMillis(ms, { zone });
  if (!local.isValid) throw new Error(`unknown time zone "${zone}"`);
  return local;
}

