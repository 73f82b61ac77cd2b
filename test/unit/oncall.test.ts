import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/files/yaml-file.js';
import { loadRuleSet } from '../../src/rules/ruleset.js';
import type { Person } from '../../src/rules/schema.js';
import { shiftsBetween, teamOnCall, whoIsOnCall } from '../../src/oncall/who-is-on-call.js';
import { scheduleSchema, type Schedule } from '../../src/oncall/schema.js';

const HOUR = 3_600_000;
const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test time ${iso}`);
  return ms;
};
const iso = (ms: number): string => new Date(ms).toISOString();

const people = new Map<string, Person>(['alice', 'bob', 'carol', 'dave'].map((id) => [id, { id, name: id }]));

type LayerInput = Record<string, unknown>;
function schedule(layers: LayerInput[], overrides: object[] = [], timeZone = 'Europe/Berlin'): Schedule {
  return scheduleSchema.parse({ name: 'test', timeZone, layers, overrides });
}
function layer(name: string, participants: string[], rotation: object, restrict?: object): LayerInput {
  return { name, participants, rotation, ...(restrict ? { restrict } : {}) };
}

/** Who is on call at an instant, with the shift's bounds as ISO strings. */
function who(s: Schedule, t: string) {
  const r = whoIsOnCall(s, people, at(t));
  return { person: r.person, layer: r.layer, override: r.override, from: iso(r.shiftStart), until: iso(r.shiftEnd) };
}

/** The timeline as "start end person layer" lines. */
function timeline(s: Schedule, from: string, to: string): string[] {
  return shiftsBetween(s, at(from), at(to), people).map(
    (x) => `${iso(x.start)} ${iso(x.end)} ${x.person ?? '-'} ${x.override ? '(override)' : (x.layer ?? '-')}`,
  );
}

/** The problems the schema finds in a schedule, as "path: message". */
function schemaProblems(input: object): string[] {
  const r = scheduleSchema.safeParse({ name: 'test', timeZone: 'Europe/Berlin', ...input });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

// March 2026: Monday the 2nd. Berlin is on CET (UTC+1) until 29 March, 02:00 → 03:00 CEST (UTC+2);
// back to CET on 25 October, 03:00 → 02:00.

describe('rotations', () => {
  it('daily: hands off at the local handoff time, participants in turn, nobody before the start', () => {
    const s = schedule([layer('daily', ['alice', 'bob', 'carol'], { every: 'daily', handoff: '09:00', start: '2026-03-02' })]);
    expect(who(s, '2026-03-02T07:59:59.999Z')).toMatchObject({ person: null, layer: null, until: '2026-03-02T08:00:00.000Z' });
    expect(who(s, '2026-03-02T08:00:00.000Z')).toEqual({
      person: 'alice',
      layer: 'daily',
      override: false,
      from: '2026-03-02T08:00:00.000Z',
      until: '2026-03-03T08:00:00.000Z',
    });
    expect(who(s, '2026-03-03T07:59:59.999Z').person).toBe('alice');
    expect(who(s, '2026-03-03T08:00:00.000Z').person).toBe('bob');
    expect(who(s, '2026-03-04T20:00:00.000Z').person).toBe('carol');
    expect(who(s, '2026-03-05T08:00:00.000Z').person).toBe('alice');
    // 91 days later, in summer time: turn 91 is bob's, from 09:00 CEST.
    expect(who(s, '2026-06-01T07:00:00.000Z')).toMatchObject({ person: 'bob', from: '2026-06-01T07:00:00.000Z', until: '2026-06-02T07:00:00.000Z' });
  });

  it('weekly: hands off on handoffDay at the handoff time', () => {
    const s = schedule([layer('weekly', ['alice', 'bob'], { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-03-02' })]);
    expect(who(s, '2026-03-08T12:00:00Z')).toMatchObject({ person: 'alice', from: '2026-03-02T08:00:00.000Z', until: '2026-03-09T08:00:00.000Z' });
    expect(who(s, '2026-03-09T07:59:59.999Z').person).toBe('alice');
    expect(who(s, '2026-03-09T08:00:00.000Z')).toMatchObject({ person: 'bob', until: '2026-03-16T08:00:00.000Z' });
    expect(who(s, '2026-03-16T08:00:00.000Z').person).toBe('alice');
  });

  it('12h: advances in real time from the first handoff', () => {
    const s = schedule([layer('halves', ['alice', 'bob'], { every: '12h', handoff: '08:00', start: '2026-03-02' })]);
    expect(who(s, '2026-03-02T06:59:59.999Z').person).toBeNull();
    expect(who(s, '2026-03-02T07:00:00Z')).toMatchObject({ person: 'alice', until: '2026-03-02T19:00:00.000Z' });
    expect(who(s, '2026-03-02T19:00:00Z')).toMatchObject({ person: 'bob', until: '2026-03-03T07:00:00.000Z' });
    expect(who(s, '2026-03-05T18:59:59.999Z')).toMatchObject({ person: 'alice', from: '2026-03-05T07:00:00.000Z', until: '2026-03-05T19:00:00.000Z' });
  });

  it('whole days (3d) hand off at the local handoff time, like daily', () => {
    const s = schedule([layer('three', ['alice', 'bob'], { every: '3d', handoff: '09:00', start: '2026-03-26' })]);
    expect(timeline(s, '2026-03-26T08:00:00Z', '2026-04-04T00:00:00Z')).toEqual([
      '2026-03-26T08:00:00.000Z 2026-03-29T07:00:00.000Z alice three',
      '2026-03-29T07:00:00.000Z 2026-04-01T07:00:00.000Z bob three',
      '2026-04-01T07:00:00.000Z 2026-04-04T07:00:00.000Z alice three',
    ]);
  });

  it('a participant listed twice in a row keeps two turns', () => {
    const s = schedule([layer('daily', ['alice', 'alice', 'bob'], { every: 'daily', handoff: '09:00', start: '2026-03-02' })]);
    expect(who(s, '2026-03-02T12:00:00Z')).toMatchObject({ person: 'alice', until: '2026-03-03T08:00:00.000Z' });
    expect(who(s, '2026-03-03T12:00:00Z')).toMatchObject({ person: 'alice', from: '2026-03-03T08:00:00.000Z' });
    expect(who(s, '2026-03-04T12:00:00Z').person).toBe('bob');
  });

  it('the schema rejects rotations it cannot place', () => {
    const rotation = (r: object) => ({ layers: [layer('l', ['alice'], r)] });
    expect(schemaProblems(rotation({ every: 'fortnightly', handoff: '09:00', start: '2026-03-02' }))).toEqual([
      expect.stringMatching(/^layers\.0\.rotation\.every: invalid rotation "fortnightly"/),
    ]);
    expect(schemaProblems(rotation({ every: '30m', handoff: '09:00', start: '2026-03-02' }))[0]).toMatch(/at least 1h/);
    expect(schemaProblems(rotation({ every: 'weekly', handoff: '09:00', start: '2026-03-02' }))).toEqual([
      'layers.0.rotation.handoffDay: a weekly rotation needs handoffDay (mon..sun)',
    ]);
    expect(schemaProblems(rotation({ every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-03-03' }))).toEqual([
      'layers.0.rotation.start: 2026-03-03 is a tue; a weekly rotation handing off on mon starts on a mon',
    ]);
    expect(schemaProblems(rotation({ every: 'daily', handoffDay: 'mon', handoff: '09:00', start: '2026-03-02' }))).toEqual([
      'layers.0.rotation.handoffDay: handoffDay is only for weekly rotations',
    ]);
    expect(schemaProblems(rotation({ every: 'daily', handoff: '9:00', start: '2026-02-30' }))).toHaveLength(2);
    expect(schemaProblems({ timeZone: 'Europe/Berlyn', layers: [layer('l', ['alice'], { every: 'daily', handoff: '09:00', start: '2026-03-02' })] })[0]).toMatch(
      /^timeZone: unknown time zone "Europe\/Berlyn"/,
    );
    expect(schemaProblems({ layers: [] })).toEqual(['layers: needs at least one layer']);
    expect(schemaProblems({ layers: [layer('l', [], { every: 'daily', handoff: '09:00', start: '2026-03-02' })] })).toEqual([
      'layers.0.participants: needs at least one participant',
    ]);
    const daily = { every: 'daily', handoff: '09:00', start: '2026-03-02' };
    expect(schemaProblems({ layers: [layer('l', ['alice'], daily), layer('l', ['bob'], daily)] })).toEqual([
      'layers.1.name: layer name "l" is used twice in this schedule',
    ]);
  });
});

describe('handoffs across the DST changes in Europe/Berlin', () => {
  it('daily: the shift over spring-forward (29 March 2026) lasts 23 hours, over fall-back (25 October) 25', () => {
    const spring = schedule([layer('daily', ['alice', 'bob'], { every: 'daily', handoff: '09:00', start: '2026-03-27' })]);
    expect(timeline(spring, '2026-03-27T08:00:00Z', '2026-03-30T07:00:00Z')).toEqual([
      '2026-03-27T08:00:00.000Z 2026-03-28T08:00:00.000Z alice daily',
      '2026-03-28T08:00:00.000Z 2026-03-29T07:00:00.000Z bob daily',
      '2026-03-29T07:00:00.000Z 2026-03-30T07:00:00.000Z alice daily',
    ]);
    const bob = whoIsOnCall(spring, people, at('2026-03-29T00:30:00Z'));
    expect(bob.shiftEnd - bob.shiftStart).toBe(23 * HOUR);

    const autumn = schedule([layer('daily', ['alice', 'bob'], { every: 'daily', handoff: '09:00', start: '2026-10-23' })]);
    expect(timeline(autumn, '2026-10-23T07:00:00Z', '2026-10-26T08:00:00Z')).toEqual([
      '2026-10-23T07:00:00.000Z 2026-10-24T07:00:00.000Z alice daily',
      '2026-10-24T07:00:00.000Z 2026-10-25T08:00:00.000Z bob daily',
      '2026-10-25T08:00:00.000Z 2026-10-26T08:00:00.000Z alice daily',
    ]);
    const long = whoIsOnCall(autumn, people, at('2026-10-25T01:30:00Z'));
    expect(long.shiftEnd - long.shiftStart).toBe(25 * HOUR);
  });

  it('weekly: Monday 09:00 stays 09:00 local (167 and 169 hour weeks)', () => {
    const s = schedule([layer('weekly', ['alice', 'bob'], { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-03-23' })]);
    expect(who(s, '2026-03-29T12:00:00Z')).toMatchObject({ person: 'alice', from: '2026-03-23T08:00:00.000Z', until: '2026-03-30T07:00:00.000Z' });
    expect(who(s, '2026-03-30T07:00:00Z')).toMatchObject({ person: 'bob', until: '2026-04-06T07:00:00.000Z' });
    // 30 weeks on: 19 October is turn 30 (alice); her week ends on 26 October at 09:00 CET.
    expect(who(s, '2026-10-25T12:00:00Z')).toMatchObject({ person: 'alice', from: '2026-10-19T07:00:00.000Z', until: '2026-10-26T08:00:00.000Z' });
  });

  it('12h: real time, so the local handoff moves by the hour across the change', () => {
    const s = schedule([layer('halves', ['alice', 'bob'], { every: '12h', handoff: '21:00', start: '2026-03-28' })]);
    expect(timeline(s, '2026-03-28T20:00:00Z', '2026-03-29T20:00:00Z')).toEqual([
      '2026-03-28T20:00:00.000Z 2026-03-29T08:00:00.000Z alice halves', // 21:00 CET to 10:00 CEST
      '2026-03-29T08:00:00.000Z 2026-03-29T20:00:00.000Z bob halves',
    ]);
  });

  it('a handoff at a time the clocks skip happens at the jump; one they repeat, on its first pass', () => {
    const spring = schedule([layer('night', ['alice', 'bob'], { every: 'daily', handoff: '02:30', start: '2026-03-28' })]);
    expect(timeline(spring, '2026-03-28T01:30:00Z', '2026-03-30T00:30:00Z')).toEqual([
      '2026-03-28T01:30:00.000Z 2026-03-29T01:00:00.000Z alice night', // 02:30 CET to 03:00 CEST
      '2026-03-29T01:00:00.000Z 2026-03-30T00:30:00.000Z bob night',
    ]);
    const autumn = schedule([layer('night', ['alice', 'bob'], { every: 'daily', handoff: '02:30', start: '2026-10-24' })]);
    expect(timeline(autumn, '2026-10-24T00:30:00Z', '2026-10-26T01:30:00Z')).toEqual([
      '2026-10-24T00:30:00.000Z 2026-10-25T00:30:00.000Z alice night', // to 02:30 CEST, the first pass
      '2026-10-25T00:30:00.000Z 2026-10-26T01:30:00.000Z bob night', // to 02:30 CET
    ]);
  });

  it('restrictions follow local time: working hours are 08:00-17:00 UTC in winter, 07:00-16:00 in summer', () => {
    const s = schedule([
      layer('office', ['alice'], { every: 'weekly', handoffDay: 'mon', handoff: '00:00', start: '2026-03-02' }, { days: ['mon'], start: '09:00', end: '18:00' }),
    ]);
    expect(timeline(s, '2026-03-23T00:00:00Z', '2026-03-31T00:00:00Z')).toEqual([
      '2026-03-16T17:00:00.000Z 2026-03-23T08:00:00.000Z - -',
      '2026-03-23T08:00:00.000Z 2026-03-23T17:00:00.000Z alice office',
      '2026-03-23T17:00:00.000Z 2026-03-30T07:00:00.000Z - -',
      '2026-03-30T07:00:00.000Z 2026-03-30T16:00:00.000Z alice office',
      '2026-03-30T16:00:00.000Z 2026-04-06T07:00:00.000Z - -',
    ]);
  });
});

describe('layers and restrictions', () => {
  // Phone duty around the clock, weekly; a working-hours layer on top, weekdays 09:00-18:00, daily.
  const handbook = schedule([
    layer('phone-duty', ['alice', 'bob'], { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-03-02' }),
    layer(
      'working-hours',
      ['carol', 'dave'],
      { every: 'daily', handoff: '09:00', start: '2026-03-02' },
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' },
    ),
  ]);

  it('the later layer overrides the earlier one inside its window; phone duty covers the rest', () => {
    expect(who(handbook, '2026-03-03T09:00:00Z')).toEqual({
      person: 'dave',
      layer: 'working-hours',
      override: false,
      from: '2026-03-03T08:00:00.000Z',
      until: '2026-03-03T17:00:00.000Z',
    });
    expect(who(handbook, '2026-03-03T17:00:00Z')).toMatchObject({
      person: 'alice',
      layer: 'phone-duty',
      from: '2026-03-03T17:00:00.000Z',
      until: '2026-03-04T08:00:00.000Z',
    });
    // The weekend belongs to phone duty, until Monday's handoff.
    expect(who(handbook, '2026-03-07T12:00:00Z')).toMatchObject({
      person: 'alice',
      layer: 'phone-duty',
      from: '2026-03-06T17:00:00.000Z',
      until: '2026-03-09T08:00:00.000Z',
    });
  });

  it('resolves to one timeline', () => {
    expect(timeline(handbook, '2026-03-06T12:00:00Z', '2026-03-10T12:00:00Z')).toEqual([
      '2026-03-06T08:00:00.000Z 2026-03-06T17:00:00.000Z carol working-hours',
      '2026-03-06T17:00:00.000Z 2026-03-09T08:00:00.000Z alice phone-duty',
      '2026-03-09T08:00:00.000Z 2026-03-09T17:00:00.000Z dave working-hours',
      '2026-03-09T17:00:00.000Z 2026-03-10T08:00:00.000Z bob phone-duty',
      '2026-03-10T08:00:00.000Z 2026-03-10T17:00:00.000Z carol working-hours',
    ]);
  });

  it('a restricted layer alone leaves nobody on call outside its window', () => {
    const office = schedule([
      layer('office', ['carol'], { every: 'daily', handoff: '09:00', start: '2026-03-02' }, { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' }),
    ]);
    expect(who(office, '2026-03-03T20:00:00Z')).toEqual({
      person: null,
      layer: null,
      override: false,
      from: '2026-03-03T17:00:00.000Z',
      until: '2026-03-04T08:00:00.000Z',
    });
    expect(who(office, '2026-03-07T12:00:00Z')).toMatchObject({ person: null, from: '2026-03-06T17:00:00.000Z', until: '2026-03-09T08:00:00.000Z' });
  });

  it('a window whose end is before its start crosses midnight; 24:00 ends at the next midnight', () => {
    const s = schedule([
      layer('base', ['alice'], { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-03-02' }),
      layer('friday-night', ['bob'], { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-03-02' }, { days: ['fri'], start: '22:00', end: '06:00' }),
      layer('sunday', ['carol'], { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-03-02' }, { days: ['sun'], start: '00:00', end: '24:00' }),
    ]);
    expect(timeline(s, '2026-03-06T12:00:00Z', '2026-03-09T00:00:00Z')).toEqual([
      '2026-03-02T08:00:00.000Z 2026-03-06T21:00:00.000Z alice base',
      '2026-03-06T21:00:00.000Z 2026-03-07T05:00:00.000Z bob friday-night',
      '2026-03-07T05:00:00.000Z 2026-03-07T23:00:00.000Z alice base',
      '2026-03-07T23:00:00.000Z 2026-03-08T23:00:00.000Z carol sunday',
      '2026-03-08T23:00:00.000Z 2026-03-09T08:00:00.000Z alice base',
    ]);
  });

  it('a participant who is not in people gives no coverage: the layer underneath shows through', () => {
    const s = schedule([
      layer('phone-duty', ['alice'], { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-03-02' }),
      layer('daily', ['erin', 'bob'], { every: 'daily', handoff: '09:00', start: '2026-03-02' }),
    ]);
    expect(who(s, '2026-03-02T12:00:00Z')).toMatchObject({ person: 'alice', layer: 'phone-duty', until: '2026-03-03T08:00:00.000Z' });
    expect(who(s, '2026-03-03T12:00:00Z')).toMatchObject({ person: 'bob', layer: 'daily' });
  });
});

describe('overrides', () => {
  const base = [layer('weekly', ['alice', 'bob'], { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-03-02' })];

  it('take part of a shift; the shift goes on after it', () => {
    const s = schedule(base, [{ person: 'carol', start: '2026-03-04T12:00:00+01:00', end: '2026-03-04T14:00:00+01:00', reason: 'dentist' }]);
    expect(who(s, '2026-03-04T10:59:59.999Z')).toMatchObject({ person: 'alice', from: '2026-03-02T08:00:00.000Z', until: '2026-03-04T11:00:00.000Z' });
    expect(who(s, '2026-03-04T11:00:00Z')).toEqual({
      person: 'carol',
      layer: null,
      override: true,
      from: '2026-03-04T11:00:00.000Z',
      until: '2026-03-04T13:00:00.000Z',
    });
    expect(who(s, '2026-03-04T13:00:00Z')).toMatchObject({ person: 'alice', override: false, from: '2026-03-04T13:00:00.000Z', until: '2026-03-09T08:00:00.000Z' });
  });

  it('beat every layer, across handoffs, and a later override beats an earlier one', () => {
    const s = schedule(
      [
        ...base,
        layer('office', ['dave'], { every: 'daily', handoff: '09:00', start: '2026-03-02' }, { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' }),
      ],
      [
        { person: 'carol', start: '2026-03-09T06:00:00Z', end: '2026-03-09T12:00:00Z' },
        { person: 'alice', start: '2026-03-09T10:00:00Z', end: '2026-03-09T11:00:00Z' },
      ],
    );
    expect(timeline(s, '2026-03-09T00:00:00Z', '2026-03-09T18:00:00Z')).toEqual([
      '2026-03-06T17:00:00.000Z 2026-03-09T06:00:00.000Z alice weekly',
      '2026-03-09T06:00:00.000Z 2026-03-09T10:00:00.000Z carol (override)',
      '2026-03-09T10:00:00.000Z 2026-03-09T11:00:00.000Z alice (override)',
      '2026-03-09T11:00:00.000Z 2026-03-09T12:00:00.000Z carol (override)',
      '2026-03-09T12:00:00.000Z 2026-03-09T17:00:00.000Z dave office',
      '2026-03-09T17:00:00.000Z 2026-03-10T08:00:00.000Z bob weekly',
    ]);
  });

  it('cover time nobody else covers', () => {
    const s = schedule(base, [{ person: 'dave', start: '2026-03-01T00:00:00Z', end: '2026-03-02T10:00:00Z' }]);
    expect(timeline(s, '2026-03-01T12:00:00Z', '2026-03-02T12:00:00Z')).toEqual([
      '2026-03-01T00:00:00.000Z 2026-03-02T10:00:00.000Z dave (override)',
      '2026-03-02T10:00:00.000Z 2026-03-09T08:00:00.000Z alice weekly',
    ]);
  });

  it('need RFC 3339 times, the end after the start', () => {
    const layers = base;
    expect(schemaProblems({ layers, overrides: [{ person: 'carol', start: '2026-03-04 12:00', end: '2026-03-04T14:00:00Z' }] })[0]).toMatch(
      /^overrides\.0\.start: "2026-03-04 12:00" is not an RFC 3339 time/,
    );
    expect(schemaProblems({ layers, overrides: [{ person: 'carol', start: '2026-03-04T14:00:00Z', end: '2026-03-04T14:00:00Z' }] })).toEqual([
      'overrides.0.end: must be after start',
    ]);
  });
});

describe('shiftsBetween', () => {
  const s = schedule([layer('weekly', ['alice', 'bob'], { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-03-02' })]);

  it('lists the shifts overlapping the range with their real bounds, nobody before the start', () => {
    expect(timeline(s, '2026-02-28T00:00:00Z', '2026-03-10T00:00:00Z')).toEqual([
      expect.stringMatching(/ 2026-03-02T08:00:00\.000Z - -$/),
      '2026-03-02T08:00:00.000Z 2026-03-09T08:00:00.000Z alice weekly',
      '2026-03-09T08:00:00.000Z 2026-03-16T08:00:00.000Z bob weekly',
    ]);
  });

  it('is empty for an empty range', () => {
    expect(shiftsBetween(s, at('2026-03-05T00:00:00Z'), at('2026-03-05T00:00:00Z'))).toEqual([]);
  });
});

describe('teams', () => {
  it('teamOnCall answers per tier that names a schedule', () => {
    const primary = schedule([layer('weekly', ['alice', 'bob'], { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-03-02' })]);
    const manager = schedule([layer('manager', ['carol'], { every: 'weekly', handoffDay: 'mon', handoff: '09:00', start: '2026-03-02' })]);
    const rules = { people, schedules: new Map([['primary', primary], ['manager', manager]]) };
    const tiers = teamOnCall(rules, { schedules: { tier1: 'primary', tier3: 'manager' } }, at('2026-03-10T12:00:00Z'));
    expect(tiers.map((t) => [t.tier, t.schedule, t.person, iso(t.shiftEnd)])).toEqual([
      [1, 'primary', 'bob', '2026-03-16T08:00:00.000Z'],
      [3, 'manager', 'carol', '2026-03-16T08:00:00.000Z'],
    ]);
    expect(teamOnCall(rules, { schedules: undefined }, at('2026-03-10T12:00:00Z'))).toEqual([]);
  });
});

describe('schedules in rules/', () => {
  const shippedDir = path.join(import.meta.dirname, '..', '..', 'rules');
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function problemsOf(files: Record<string, string>): string[] {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-schedules-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, '00-policies.yaml'), readFileSync(path.join(shippedDir, '00-policies.yaml')));
    // The shipped policies page management and owner: some team must define those roles.
    writeFileSync(path.join(dir, '01-roles.yaml'), 'teams:\n  - { name: managers, roles: { owner: [], management: [] } }\n');
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    try {
      loadRuleSet(dir, {});
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as ConfigError).problems.map((p) => p.replaceAll(path.relative(process.cwd(), dir) + path.sep, ''));
    }
    return [];
  }

  const people = 'people:\n  - { id: alice, name: Alice }\n  - { id: bob, name: Bob }\n';
  const weekly = (name: string, who: string) =>
    `  - name: ${name}\n    timeZone: Europe/Berlin\n    layers:\n      - name: l\n        participants: [${who}]\n        rotation: { every: weekly, handoffDay: mon, handoff: "09:00", start: "2026-03-02" }\n`;

  it('the shipped schedules load and the platform team names one per tier', () => {
    const set = loadRuleSet(shippedDir, {});
    expect([...set.schedules.keys()]).toEqual(['platform-primary', 'platform-secondary', 'support-manager']);
    expect(set.teams.get('platform')?.escalation).toBe('platform');
    expect(set.escalationPolicies.get('platform')?.tiers.map((t) => t.targets[0])).toEqual([
      { schedule: 'platform-primary' },
      { schedule: 'platform-secondary' },
      { schedule: 'support-manager', channels: ['voice', 'sms', 'email'] },
    ]);
    // Tuesday 10 March 2026, 10:00 in Berlin: working hours; 20:00: phone duty.
    const day = teamOnCall(set, set.teams.get('platform')!, at('2026-03-10T09:00:00Z'));
    expect(day.map((t) => [t.tier, t.person, t.layer])).toEqual([
      [1, 'bob', 'working-hours'],
      [2, 'alice', 'weekly'],
      [3, 'carol', 'manager'],
    ]);
    const night = teamOnCall(set, set.teams.get('platform')!, at('2026-03-10T19:00:00Z'));
    expect(night[0]).toMatchObject({ person: 'bob', layer: 'phone-duty', shiftEnd: at('2026-03-11T08:00:00Z') });
  });

  it('every participant and override person must be in people', () => {
    const text =
      'schedules:\n' +
      weekly('primary', 'alice, dave') +
      '    overrides:\n      - { person: erin, start: "2026-03-04T12:00:00Z", end: "2026-03-04T14:00:00Z" }\n';
    expect(problemsOf({ '20-people.yaml': people, '30-schedules.yaml': text })).toEqual([
      '30-schedules.yaml:6:31: schedules.0.layers.0.participants.1: unknown person "dave" (known: alice, bob)',
      '30-schedules.yaml:9:19: schedules.0.overrides.0.person: unknown person "erin" (known: alice, bob)',
    ]);
  });

  it('schedule names are unique across files', () => {
    expect(
      problemsOf({ '20-people.yaml': people, '30-a.yaml': `schedules:\n${weekly('primary', 'alice')}`, '31-b.yaml': `schedules:\n${weekly('primary', 'bob')}` }),
    ).toEqual(['31-b.yaml:2:11: schedules.0.name: schedule "primary" is already defined at 30-a.yaml:2:11']);
  });

  it("a team's tiers must name schedules", () => {
    const teams = 'teams:\n  - name: platform\n    members: [alice]\n    schedules: { tier1: primary, tier2: secondary }\n';
    expect(problemsOf({ '20-people.yaml': people + teams, '30-schedules.yaml': `schedules:\n${weekly('primary', 'alice')}` })).toEqual([
      '20-people.yaml:7:41: teams.0.schedules.tier2: unknown schedule "secondary" (known: primary)',
    ]);
  });

  it('schema problems name the file, line and field', () => {
    const text = 'schedules:\n  - name: primary\n    timeZone: Mars/Olympus\n    layers:\n      - name: l\n        participants: [alice]\n        rotation: { every: daily, handoff: "25:00", start: "2026-03-02" }\n';
    expect(problemsOf({ '20-people.yaml': people, '30-schedules.yaml': text })).toEqual([
      expect.stringMatching(/^30-schedules\.yaml:3:15: schedules\.0\.timeZone: unknown time zone "Mars\/Olympus"/),
      expect.stringMatching(/^30-schedules\.yaml:7:44: schedules\.0\.layers\.0\.rotation\.handoff: /),
    ]);
  });
});
