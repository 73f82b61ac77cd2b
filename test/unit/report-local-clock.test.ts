import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { dayIndex, localDays, nightTest } from '../../src/time/local-days.js';

/** The definition: the local wall-clock minute, read by luxon for each instant. */
function nightByLuxon(ms: number, zone: string, start: string, end: string): boolean {
  const local = DateTime.fromMillis(ms, { zone });
  const minute = local.hour * 60 + local.minute;
  const [s, e] = [start, end].map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3)));
  return s! <= e! ? minute >= s! && minute < e! : minute >= s! || minute < e!;
}

describe('night hours in a zone', () => {
  const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
  const nights = [
    { start: '22:00', end: '07:00' },
    { start: '02:00', end: '03:00' },
    { start: '01:30', end: '02:45' },
    { start: '09:00', end: '09:00' },
  ];
  // Around the 2026 clock changes of these zones (Lord Howe moves by 30 minutes), every 7 minutes.
  const windows = ['2026-03-07T00:00:00Z', '2026-03-28T00:00:00Z', '2026-04-04T00:00:00Z', '2026-10-03T00:00:00Z', '2026-10-24T00:00:00Z', '2026-10-31T00:00:00Z'];

  it('agrees with the local wall clock across daylight saving changes', () => {
    for (const zone of zones) {
      for (const night of nights) {
        const isNight = nightTest(zone, night);
        for (const w of windows) {
          for (let ms = Date.parse(w); ms < Date.parse(w) + 3 * 86_400_000; ms += 7 * 60_000 + 13) {
            if (isNight(ms) !== nightByLuxon(ms, zone, night.start, night.end)) {
              throw new Error(`${zone} ${night.start}–${night.end} at ${new Date(ms).toISOString()}: ${isNight(ms)}`);
            }
          }
        }
      }
    }
  });

  it('finds the local day of an instant', () => {
    const days = localDays(Date.parse('2026-03-28T23:00:00Z'), Date.parse('2026-03-30T22:00:00Z'), 'Europe/Berlin');
    expect(dayIndex(days, Date.parse('2026-03-29T21:59:00Z'))).toBe(0);
    expect(dayIndex(days, Date.parse('2026-03-29T22:00:00Z'))).toBe(1);
    expect(dayIndex(days, Date.parse('2026-03-28T22:59:59Z'))).toBe(-1);
    expect(dayIndex(days, Date.parse('2026-03-30T22:00:00Z'))).toBe(-1);
  });
});
