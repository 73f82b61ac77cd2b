import { describe, expect, it } from 'vitest';
import {
  cronWindowSchema,
  isWindowOpen,
  maintenanceWindowSchema,
  nextWindowChange,
  weeklyWindowSchema,
  type MaintenanceWindow,
} from '../../src/rules/maintenance.js';

const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test time ${iso}`);
  return ms;
};
const iso = (ms: number): string => new Date(ms).toISOString();
const MINUTE = 60_000;
const HOUR = 3_600_000;

function weekly(timeZone: string, days: string[], start: string, end: string): MaintenanceWindow {
  return maintenanceWindowSchema.parse({ name: 'w', timeZone, weekly: { days, start, end } });
}

function cron(timeZone: string, expr: string, duration: string): MaintenanceWindow {
  return maintenanceWindowSchema.parse({ name: 'c', timeZone, cron: expr, duration });
}

// Each answer from a copy of the window, so one answer cannot come from the state remembered for another.
const openAt = (w: MaintenanceWindow, t: number): boolean => isWindowOpen({ ...w }, t);
const changeAfter = (w: MaintenanceWindow, t: number): number => nextWindowChange({ ...w }, t);

/** Asserts the open/closed state at each instant, given as UTC ISO strings. */
function expectStates(w: MaintenanceWindow, states: Record<string, boolean>): void {
  const got = Object.fromEntries(Object.keys(states).map((t) => [t, openAt(w, at(t))]));
  expect(got).toEqual(states);
}

/** nextWindowChange really is the next change: the state holds until just before it and flips at it. */
function expectConsistentChanges(w: MaintenanceWindow, from: string, to: string, step = 5 * MINUTE): void {
  for (let t = at(from); t < at(to); t += step) {
    const open = openAt(w, t);
    const change = changeAfter(w, t);
    expect(change, `change after ${iso(t)}`).toBeGreaterThan(t);
    expect(openAt(w, change - 1), `state just before ${iso(change)} (from ${iso(t)})`).toBe(open);
    expect(openAt(w, change), `state at ${iso(change)} (from ${iso(t)})`).toBe(!open);
  }
}

describe('weekly windows', () => {
  // 15 March 2026 is a Sunday; Berlin is on CET (UTC+1).
  const sunday = weekly('Europe/Berlin', ['sun'], '02:00', '04:00');

  it('opens at start (inclusive) and closes at end (exclusive)', () => {
    expectStates(sunday, {
      '2026-03-15T00:59:59.999Z': false,
      '2026-03-15T01:00:00.000Z': true,
      '2026-03-15T02:59:59.999Z': true,
      '2026-03-15T03:00:00.000Z': false,
    });
    expect(iso(changeAfter(sunday, at('2026-03-14T12:00:00Z')))).toBe('2026-03-15T01:00:00.000Z');
    expect(iso(changeAfter(sunday, at('2026-03-15T01:00:00Z')))).toBe('2026-03-15T03:00:00.000Z');
    expect(iso(changeAfter(sunday, at('2026-03-15T03:00:00Z')))).toBe('2026-03-22T01:00:00.000Z');
  });

  it('only opens on its days', () => {
    const w = weekly('UTC', ['mon', 'wed'], '09:00', '17:00');
    // 5 January 2026 is a Monday.
    expectStates(w, {
      '2026-01-05T12:00:00Z': true,
      '2026-01-06T12:00:00Z': false,
      '2026-01-07T12:00:00Z': true,
      '2026-01-08T12:00:00Z': false,
      '2026-01-11T12:00:00Z': false,
    });
    expect(iso(changeAfter(w, at('2026-01-05T17:00:00Z')))).toBe('2026-01-07T09:00:00.000Z');
    expect(iso(changeAfter(w, at('2026-01-07T17:00:00Z')))).toBe('2026-01-12T09:00:00.000Z');
  });

  it('crosses midnight when end is not after start', () => {
    // Friday 22:00 to Saturday 02:00 Berlin time; 9 January 2026 is a Friday (CET, UTC+1).
    const w = weekly('Europe/Berlin', ['fri'], '22:00', '02:00');
    expectStates(w, {
      '2026-01-09T20:59:59.999Z': false, // Fri 21:59:59.999
      '2026-01-09T21:00:00Z': true, // Fri 22:00
      '2026-01-10T00:00:00Z': true, // Sat 01:00
      '2026-01-10T00:59:59.999Z': true, // Sat 01:59:59.999
      '2026-01-10T01:00:00Z': false, // Sat 02:00
      '2026-01-10T21:30:00Z': false, // Sat 22:30: Saturday is not a window day
      '2026-01-11T00:00:00Z': false, // Sun 01:00: the day before was not Friday
      '2026-01-08T23:30:00Z': false, // Fri 00:30: Thursday is not a window day
    });
    expect(iso(changeAfter(w, at('2026-01-09T12:00:00Z')))).toBe('2026-01-09T21:00:00.000Z');
    expect(iso(changeAfter(w, at('2026-01-10T00:00:00Z')))).toBe('2026-01-10T01:00:00.000Z');
  });

  it('accepts 24:00 as the end of the day', () => {
    // 10 January 2026 is a Saturday.
    const w = weekly('UTC', ['sat'], '20:00', '24:00');
    expectStates(w, {
      '2026-01-10T19:59:59.999Z': false,
      '2026-01-10T23:59:59.999Z': true,
      '2026-01-11T00:00:00Z': false,
    });
    expect(iso(changeAfter(w, at('2026-01-10T21:00:00Z')))).toBe('2026-01-11T00:00:00.000Z');
  });

  it('treats equal start and end as a whole day from start', () => {
    const w = weekly('UTC', ['mon'], '06:00', '06:00');
    expectStates(w, {
      '2026-01-05T05:59:59.999Z': false,
      '2026-01-05T06:00:00Z': true,
      '2026-01-06T05:59:59.999Z': true,
      '2026-01-06T06:00:00Z': false,
    });
  });

  it('keeps the same wall-clock window across DST changes (Europe/Berlin)', () => {
    const w = weekly('Europe/Berlin', ['sun'], '01:00', '04:00');

    // 29 March 2026: 02:00 CET jumps to 03:00 CEST at 01:00Z, so 01:00-04:00 lasts 2 real hours.
    const springOpen = changeAfter(w, at('2026-03-28T12:00:00Z'));
    const springClose = changeAfter(w, springOpen);
    expect(iso(springOpen)).toBe('2026-03-29T00:00:00.000Z');
    expect(iso(springClose)).toBe('2026-03-29T02:00:00.000Z');
    expect(springClose - springOpen).toBe(2 * HOUR);

    // 25 October 2026: 03:00 CEST falls back to 02:00 CET at 01:00Z, so 01:00-04:00 lasts 4 real hours.
    const fallOpen = changeAfter(w, at('2026-10-24T12:00:00Z'));
    const fallClose = changeAfter(w, fallOpen);
    expect(iso(fallOpen)).toBe('2026-10-24T23:00:00.000Z');
    expect(iso(fallClose)).toBe('2026-10-25T03:00:00.000Z');
    expect(fallClose - fallOpen).toBe(4 * HOUR);

    expectStates(w, {
      '2026-03-28T23:59:59.999Z': false,
      '2026-03-29T00:00:00Z': true,
      '2026-03-29T01:59:59.999Z': true,
      '2026-03-29T02:00:00Z': false,
      '2026-10-24T22:59:59.999Z': false,
      '2026-10-24T23:00:00Z': true,
      '2026-10-25T02:59:59.999Z': true,
      '2026-10-25T03:00:00Z': false,
    });
  });

  it('opens a start time skipped by spring-forward at the first instant after the jump', () => {
    // 02:30 does not exist on 29 March 2026 in Berlin; the clocks reach 03:00 CEST at 01:00Z.
    const w = weekly('Europe/Berlin', ['sun'], '02:30', '05:00');
    expectStates(w, {
      '2026-03-29T00:59:59.999Z': false,
      '2026-03-29T01:00:00Z': true,
      '2026-03-29T02:59:59.999Z': true,
      '2026-03-29T03:00:00Z': false,
    });
    expect(iso(changeAfter(w, at('2026-03-29T00:30:00Z')))).toBe('2026-03-29T01:00:00.000Z');
  });

  it('covers both passes of an hour repeated by fall-back', () => {
    // 25 October 2026 in Berlin: 02:00-03:00 happens at 00:00Z-01:00Z (CEST) and again at 01:00Z-02:00Z (CET).
    const whole = weekly('Europe/Berlin', ['sun'], '02:00', '03:00');
    expectStates(whole, {
      '2026-10-24T23:59:59.999Z': false,
      '2026-10-25T00:00:00Z': true,
      '2026-10-25T01:00:00Z': true,
      '2026-10-25T01:59:59.999Z': true,
      '2026-10-25T02:00:00Z': false,
    });
    expect(iso(changeAfter(whole, at('2026-10-25T00:30:00Z')))).toBe('2026-10-25T02:00:00.000Z');

    // 02:30-03:00 is open twice: it closes when the clocks go back and opens again at the second 02:30.
    const half = weekly('Europe/Berlin', ['sun'], '02:30', '03:00');
    expect(iso(changeAfter(half, at('2026-10-25T00:00:00Z')))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(changeAfter(half, at('2026-10-25T00:45:00Z')))).toBe('2026-10-25T01:00:00.000Z');
    expect(iso(changeAfter(half, at('2026-10-25T01:10:00Z')))).toBe('2026-10-25T01:30:00.000Z');
    expect(iso(changeAfter(half, at('2026-10-25T01:30:00Z')))).toBe('2026-10-25T02:00:00.000Z');
  });

  it('places the same local window at different instants per time zone', () => {
    const utc = weekly('UTC', ['mon'], '09:00', '17:00');
    const newYork = weekly('America/New_York', ['mon'], '09:00', '17:00');
    // Monday 5 January 2026: New York is on EST (UTC-5).
    expect(iso(changeAfter(utc, at('2026-01-05T00:00:00Z')))).toBe('2026-01-05T09:00:00.000Z');
    expect(iso(changeAfter(newYork, at('2026-01-05T00:00:00Z')))).toBe('2026-01-05T14:00:00.000Z');
    expect(openAt(utc, at('2026-01-05T10:00:00Z'))).toBe(true);
    expect(openAt(newYork, at('2026-01-05T10:00:00Z'))).toBe(false);
    expect(openAt(utc, at('2026-01-05T20:00:00Z'))).toBe(false);
    expect(openAt(newYork, at('2026-01-05T20:00:00Z'))).toBe(true);
    // Monday 6 July 2026: EDT (UTC-4).
    expect(iso(changeAfter(newYork, at('2026-07-06T00:00:00Z')))).toBe('2026-07-06T13:00:00.000Z');
  });

  it('never misses a change around DST transitions', () => {
    expectConsistentChanges(weekly('Europe/Berlin', ['sat', 'sun'], '23:00', '02:30'), '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z', 10 * MINUTE);
    expectConsistentChanges(weekly('Europe/Berlin', ['sun'], '02:15', '02:45'), '2026-10-24T20:00:00Z', '2026-10-25T04:00:00Z');
    expectConsistentChanges(weekly('America/New_York', ['sun'], '01:30', '03:00'), '2026-11-01T00:00:00Z', '2026-11-01T12:00:00Z');
  });

  it('reports a re-check time when a window never closes', () => {
    const always = weekly('UTC', ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], '00:00', '24:00');
    const now = at('2026-01-05T12:00:00Z');
    expect(openAt(always, now)).toBe(true);
    expect(changeAfter(always, now)).toBeGreaterThan(now);
  });
});

describe('cron windows', () => {
  // Sundays at 02:00 Berlin time, open for 2 hours.
  const w = cron('Europe/Berlin', '0 2 * * 0', '2h');

  it('is open from an occurrence for its duration', () => {
    // 22 March 2026 (CET): 02:00 is 01:00Z.
    expectStates(w, {
      '2026-03-22T00:59:59.999Z': false,
      '2026-03-22T01:00:00Z': true,
      '2026-03-22T02:59:59.999Z': true,
      '2026-03-22T03:00:00Z': false,
      '2026-03-25T01:30:00Z': false,
    });
    expect(iso(changeAfter(w, at('2026-03-21T12:00:00Z')))).toBe('2026-03-22T01:00:00.000Z');
    expect(iso(changeAfter(w, at('2026-03-22T01:30:00Z')))).toBe('2026-03-22T03:00:00.000Z');
  });

  it('opens at the first instant after a 02:00 skipped by spring-forward', () => {
    // 29 March 2026: 02:00 does not exist; the clocks reach 03:00 CEST at 01:00Z.
    expectStates(w, {
      '2026-03-29T00:59:59.999Z': false,
      '2026-03-29T01:00:00Z': true,
      '2026-03-29T02:59:59.999Z': true,
      '2026-03-29T03:00:00Z': false,
    });
    expect(iso(changeAfter(w, at('2026-03-28T12:00:00Z')))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(changeAfter(w, at('2026-03-29T01:30:00Z')))).toBe('2026-03-29T03:00:00.000Z');
    // The next Sunday is on CEST: 02:00 is 00:00Z.
    expect(iso(changeAfter(w, at('2026-03-29T03:00:00Z')))).toBe('2026-04-05T00:00:00.000Z');
  });

  it('opens once, at the first pass, on a 02:00 repeated by fall-back', () => {
    // 25 October 2026: 02:00 CEST is 00:00Z; the second 02:00 (CET, 01:00Z) does not reopen or extend it.
    expectStates(w, {
      '2026-10-24T23:59:59.999Z': false,
      '2026-10-25T00:00:00Z': true,
      '2026-10-25T01:30:00Z': true,
      '2026-10-25T01:59:59.999Z': true,
      '2026-10-25T02:00:00Z': false,
    });
    expect(iso(changeAfter(w, at('2026-10-24T12:00:00Z')))).toBe('2026-10-25T00:00:00.000Z');
    expect(iso(changeAfter(w, at('2026-10-25T00:00:00Z')))).toBe('2026-10-25T02:00:00.000Z');
    expect(iso(changeAfter(w, at('2026-10-25T01:30:00Z')))).toBe('2026-10-25T02:00:00.000Z');
    // The next Sunday is on CET: 02:00 is 01:00Z.
    expect(iso(changeAfter(w, at('2026-10-25T02:00:00Z')))).toBe('2026-11-01T01:00:00.000Z');
  });

  it('stays open while occurrences overlap', () => {
    const overlapping = cron('UTC', '0 1,2 * * *', '90m');
    expectStates(overlapping, {
      '2026-01-05T00:59:59.999Z': false,
      '2026-01-05T01:00:00Z': true,
      '2026-01-05T02:45:00Z': true,
      '2026-01-05T03:29:59.999Z': true,
      '2026-01-05T03:30:00Z': false,
    });
    expect(iso(changeAfter(overlapping, at('2026-01-05T01:10:00Z')))).toBe('2026-01-05T03:30:00.000Z');
  });

  it('reads the cron expression in its time zone', () => {
    const newYork = cron('America/New_York', '0 9 * * 1', '8h');
    expect(iso(changeAfter(newYork, at('2026-01-05T00:00:00Z')))).toBe('2026-01-05T14:00:00.000Z');
    expect(iso(changeAfter(newYork, at('2026-07-06T00:00:00Z')))).toBe('2026-07-06T13:00:00.000Z');
  });

  it('never misses a change around DST transitions', () => {
    expectConsistentChanges(w, '2026-03-28T20:00:00Z', '2026-03-29T06:00:00Z');
    expectConsistentChanges(w, '2026-10-24T20:00:00Z', '2026-10-25T06:00:00Z');
    expectConsistentChanges(cron('Europe/Berlin', '30 2 * * *', '45m'), '2026-03-28T20:00:00Z', '2026-03-29T06:00:00Z');
    expectConsistentChanges(cron('Europe/Berlin', '30 2 * * *', '45m'), '2026-10-24T20:00:00Z', '2026-10-25T06:00:00Z');
    expectConsistentChanges(cron('Europe/Berlin', '*/20 2 * * *', '10m'), '2026-10-24T22:00:00Z', '2026-10-25T04:00:00Z');
  });
});

describe('window schemas', () => {
  const messages = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }): string =>
    (result.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');

  const weeklyInput = { name: 'db patching', timeZone: 'Europe/Berlin', weekly: { days: ['sun'], start: '02:00', end: '04:00' } };
  const cronInput = { name: 'backups', timeZone: 'Europe/Berlin', cron: '0 2 * * 0', duration: '2h' };

  it('parses both kinds, with the duration in ms and matchers kept as text', () => {
    expect(maintenanceWindowSchema.parse({ ...weeklyInput, matchers: ['team="db"'] })).toEqual({
      ...weeklyInput,
      matchers: ['team="db"'],
    });
    expect(maintenanceWindowSchema.parse({ ...cronInput, duration: '1h30m' })).toEqual({ ...cronInput, duration: 5_400_000 });
  });

  it('rejects an unknown time zone', () => {
    const result = weeklyWindowSchema.safeParse({ ...weeklyInput, timeZone: 'Europe/Atlantis' });
    expect(result.success).toBe(false);
    expect(messages(result)).toMatch(/^timeZone: unknown time zone "Europe\/Atlantis"/);
    expect(maintenanceWindowSchema.safeParse({ ...cronInput, timeZone: 'CEST' }).error?.message).toContain('unknown time zone');
  });

  it('rejects an invalid cron expression with the parser message', () => {
    const result = cronWindowSchema.safeParse({ ...cronInput, cron: '0 25 * * *' });
    expect(result.success).toBe(false);
    expect(messages(result)).toMatch(/^cron: invalid cron expression "0 25 \* \* \*": .*expected range 0-23/);
    expect(messages(cronWindowSchema.safeParse({ ...cronInput, cron: '0 0 31 2 *' }))).toContain('invalid cron expression');
  });

  it.each(['0 0 2 * * 0', '@weekly', '', '0 2 * *'])('rejects cron %j, which is not 5 fields', (expr) => {
    expect(messages(cronWindowSchema.safeParse({ ...cronInput, cron: expr }))).toContain('expected 5 fields');
  });

  it.each(['2 hours', '1.5h', '-1h', ''])('rejects duration %j', (duration) => {
    expect(messages(cronWindowSchema.safeParse({ ...cronInput, duration }))).toMatch(/^duration: invalid duration/);
  });

  it('rejects a zero duration', () => {
    expect(messages(cronWindowSchema.safeParse({ ...cronInput, duration: '0m' }))).toContain('must be longer than zero');
  });

  it.each([
    ['start', '25:00'],
    ['start', '2:00'],
    ['start', '24:00'],
    ['end', '24:01'],
    ['end', '04:60'],
  ])('rejects %s %j', (field, value) => {
    const result = weeklyWindowSchema.safeParse({ ...weeklyInput, weekly: { ...weeklyInput.weekly, [field]: value } });
    expect(messages(result)).toMatch(new RegExp(`^weekly\\.${field}: must be a time of day as HH:MM`));
  });

  it('rejects an empty or unknown day', () => {
    expect(messages(weeklyWindowSchema.safeParse({ ...weeklyInput, weekly: { ...weeklyInput.weekly, days: [] } }))).toContain(
      'needs at least one day',
    );
    expect(messages(weeklyWindowSchema.safeParse({ ...weeklyInput, weekly: { ...weeklyInput.weekly, days: ['sunday'] } }))).toMatch(
      /^weekly\.days\.0:/,
    );
  });

  it('rejects unknown fields', () => {
    expect(messages(weeklyWindowSchema.safeParse({ ...weeklyInput, timezone: 'UTC' }))).toContain('Unrecognized key: "timezone"');
    expect(messages(weeklyWindowSchema.safeParse({ ...weeklyInput, weekly: { ...weeklyInput.weekly, stop: '05:00' } }))).toContain(
      'Unrecognized key: "stop"',
    );
    expect(messages(cronWindowSchema.safeParse({ ...cronInput, durations: '2h' }))).toContain('Unrecognized key: "durations"');
  });

  it('explains failures of the combined schema for the kind of window meant', () => {
    const typo = maintenanceWindowSchema.safeParse({ ...weeklyInput, timezone: 'UTC' });
    expect(typo.success).toBe(false);
    expect(messages(typo)).toContain('Unrecognized key: "timezone"');

    const badDay = maintenanceWindowSchema.safeParse({ ...weeklyInput, weekly: { ...weeklyInput.weekly, days: 'sun' } });
    expect(badDay.success).toBe(false);
    expect(messages(badDay)).toContain('weekly.days:');

    const badCron = maintenanceWindowSchema.safeParse({ ...cronInput, cron: 'every sunday' });
    expect(messages(badCron)).toContain('invalid cron expression');

    const badDuration = maintenanceWindowSchema.safeParse({ ...cronInput, duration: 'two hours' });
    expect(messages(badDuration)).toContain('invalid duration "two hours"');

    const neither = maintenanceWindowSchema.safeParse({ name: 'x', timeZone: 'UTC' });
    expect(messages(neither)).toContain('needs either "weekly"');

    const both = maintenanceWindowSchema.safeParse({ ...weeklyInput, cron: '0 2 * * 0', duration: '2h' });
    expect(both.success).toBe(false);
  });
});

describe('repeated checks', () => {
  it('give the same answers as checks on a fresh window, in any order of time', () => {
    const windows = [
      weekly('Europe/Berlin', ['sun'], '02:30', '03:00'),
      cron('Europe/Berlin', '0 2 * * 0', '2h'),
    ];
    const times: number[] = [];
    for (let t = at('2026-10-24T22:00:00Z'); t < at('2026-10-25T04:00:00Z'); t += 7 * MINUTE) times.push(t);
    const shuffled = [...times.slice(20), ...times.slice(0, 20).reverse(), ...times];
    for (const w of windows) {
      for (const t of shuffled) {
        expect(isWindowOpen(w, t), iso(t)).toBe(openAt(w, t));
        expect(nextWindowChange(w, t), iso(t)).toBe(changeAfter(w, t));
      }
    }
  });
});
