import { DateTime } from 'luxon';

/** Local wall-clock arithmetic shared by maintenance windows and on-call schedules (luxon does the zones). */
const DAY = 86_400_000;

export const dayNames = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type DayName = (typeof dayNames)[number];

/** The wall-clock time in `zone` at instant `ms`, as epoch ms of the same clock reading in UTC. */
export function wallClock(zone: string, ms: number): number {
  const local = DateTime.fromMillis(ms, { zone });
  if (!local.isValid) throw new Error(`unknown time zone "${zone}"`);
  return local.setZone('UTC', { keepLocalTime: true }).toMillis();
}

/** The instant a wall-clock reading (as from wallClock) happens in `zone`: its first pass if repeated, the first instant after if skipped. */
export function instantOf(zone: string, wall: number): number {
  const reading = DateTime.fromMillis(wall, { zone: 'UTC' });
  const local = reading.setZone(zone, { keepLocalTime: true });
  if (local.setZone('UTC', { keepLocalTime: true }).toMillis() === wall) {
    return Math.min(...local.getPossibleOffsets().map((dt) => dt.toMillis()));
  }
  // Skipped: luxon moved the reading past the jump; find the first instant whose wall clock reaches it.
  const moved = local.toMillis();
  return firstInstant(moved - 2 * DAY, moved, (ms) => wallClock(zone, ms) >= wall);
}

/** The smallest ms in (lo, hi] where `holds` is true, for a predicate false at lo, true at hi and monotone between. */
export function firstInstant(lo: number, hi: number, holds: (ms: number) => boolean): number {
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (holds(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** luxon weekday (1 = Monday … 7 = Sunday; 0 wraps to Sunday) to a day name. */
export function dayName(weekday: number): DayName {
  return dayNames[(weekday + 6) % 7]!;
}
