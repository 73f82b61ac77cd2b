import { DateTime, IANAZone } from 'luxon';
import { parseTimeOfDay } from './time-of-day.js';

/** Local wall-clock times, HH:MM; start inclusive, end exclusive, may wrap past midnight. */
export interface NightHours {
  start: string;
  end: string;
}

/** Local days and night hours in the report's time zone (luxon does the zones and their DST changes). */

export function assertTimeZone(timeZone: string): void {
  if (!IANAZone.isValidZone(timeZone)) throw new RangeError(`unknown time zone "${timeZone}"`);
}

export interface LocalDay {
  /** yyyy-MM-dd in the zone. */
  date: string;
  /** The day's first instant, or `since` if the period starts later that day. */
  start: number;
  /** The next day's first instant, or `until` if the period ends earlier. A DST day is 23 or 25 hours. */
  end: number;
}

/** The local calendar days [since, until) touches, in order. */
export function localDays(since: number, until: number, timeZone: string): LocalDay[] {
  const days: LocalDay[] = [];
  let day = DateTime.fromMillis(since, { zone: timeZone }).startOf('day');
  while (day.toMillis() < until) {
    const next = day.plus({ days: 1 });
    days.push({ date: day.toISODate()!, start: Math.max(day.toMillis(), since), end: Math.min(next.toMillis(), until) });
    day = next;
  }
  return days;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const MINUTES_PER_DAY = 24 * 60;

/**
 * Whether an instant falls in the night in this zone: local time within [start, end), wrapping past
 * midnight when start > end (22:00–07:00). start = end means no night at all.
 *
 * A report asks this for every page of the period, so the zone's offset is looked up once per UTC hour
 * (luxon's zone lookups are slow) and reused while it holds for the whole hour; an hour with a DST change
 * in it is looked up per instant.
 */
export function nightTest(timeZone: string, night: NightHours): (ms: number) => boolean {
  const start = parseTimeOfDay(night.start);
  const end = parseTimeOfDay(night.end);
  const zone = IANAZone.create(timeZone);
  const offsets = new Map<number, number | null>();
  return (ms) => {
    const hour = Math.floor(ms / HOUR);
    let offset = offsets.get(hour);
    if (offset === undefined) {
      const first = zone.offset(hour * HOUR);
      offset = first === zone.offset(hour * HOUR + HOUR - 1) ? first : null;
      offsets.set(hour, offset);
    }
    const local = Math.floor(ms / MINUTE + (offset ?? zone.offset(ms)));
    const minute = ((local % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
    return start <= end ? minute >= start && minute < end : minute >= start || minute < end;
  };
}

/** The index of the day holding ms in days (from localDays), or -1 when none does. */
export function dayIndex(days: readonly LocalDay[], ms: number): number {
  let lo = 0;
  let hi = days.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const day = days[mid]!;
    if (ms < day.start) hi = mid - 1;
    else if (ms >= day.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}
