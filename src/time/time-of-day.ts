/**
 * A wall-clock time of day, HH:MM (00:00 to 23:59, and 24:00 where it may end a day), as minutes after
 * midnight. Schedules, maintenance windows and night hours all read times of day through this.
 */
export function parseTimeOfDay(hhmm: string, options: { endOfDay?: boolean } = {}): number {
  if (options.endOfDay && hhmm === '24:00') return 24 * 60;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`invalid time of day "${hhmm}" (expected HH:MM)`);
  return Number(m[1]) * 60 + Number(m[2]);
}
