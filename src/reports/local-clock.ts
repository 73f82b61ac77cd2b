import { DateTime, IANAZone } from 'luxon';
import type { NightHours } from './types.js';

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

export function parseTimeOfDay(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`invalid time of day "${hhmm}" (expected HH:MM)`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * Whether an instant falls in the night in this zone: local time within [start, end), wrapping past
 * midnight when start > end (22:00–07:00). start = end means no night at all.
 */
export function isNight(ms: number, timeZone: string, night: NightHours): boolean {
  const start = parseTimeOfDay(night.start);
  const end = parseTimeOfDay(night.end);
  const local = DateTime.fromMillis(ms, { zone: timeZone });
  const minute = local.hour * 60 + local.minute;
  return start <= end ? minute >= start && minute < end : minute >= start || minute < end;
}
