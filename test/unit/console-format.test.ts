import { describe, expect, it } from 'vitest';
import { age, formatDay, formatDuration, formatTime, slaClock } from '../../src/console/web/format.js';
import type { Incident } from '../../src/console/web/types.js';

const MIN = 60_000;
const at = Date.parse('2026-11-22T16:30:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('durations and ages', () => {
  it('show the two largest units, rounded down, in the viewer’s language', () => {
    expect(formatDuration(0, 'en')).toBe('0s');
    expect(formatDuration(999, 'en')).toBe('0s');
    expect(formatDuration(45_000, 'en')).toBe('45s');
    expect(formatDuration(12 * MIN + 30_000, 'en')).toBe('12m 30s');
    expect(formatDuration(125 * MIN, 'en')).toBe('2h 5m');
    expect(formatDuration(3 * 1440 * MIN + 4 * 60 * MIN + 59 * MIN, 'en')).toBe('3d 4h');
    expect(formatDuration(1440 * MIN, 'en')).toBe('1d');
    expect(formatDuration(-5000, 'en')).toBe('0s');
    expect(formatDuration(125 * MIN, 'zh-CN')).toBe('2小时5分钟');
  });

  it('age counts from the start to now', () => {
    expect(age(iso(at - 90 * MIN), at, 'en')).toBe('1h 30m');
  });

  it('times in the viewer’s zone and language', () => {
    expect(formatTime('2026-11-22T16:30:00Z', 'en', 'Europe/Berlin')).toBe('Nov 22, 2026, 5:30 PM');
    expect(formatTime('2026-11-22T16:30:00Z', 'zh-CN', 'Asia/Shanghai')).toBe('2026年11月23日 00:30');
    expect(formatDay('2026-11-22', 'en')).toBe('Nov 22');
  });
});

function incident(over: Partial<Incident>): Pick<Incident, 'status' | 'sla'> {
  return {
    status: 'triggered',
    sla: { acknowledge: null, resolve: null, acknowledgeBy: iso(at + 15 * MIN), resolveBy: iso(at + 240 * MIN) },
    ...over,
  };
}

describe('the SLA clock', () => {
  it('runs to the acknowledge deadline while triggered, then to the resolve deadline', () => {
    expect(slaClock(incident({}), at + 3 * MIN)).toEqual({ phase: 'acknowledge', state: 'running', leftMs: 12 * MIN, dueAt: at + 15 * MIN });
    expect(slaClock(incident({ status: 'acknowledged', sla: { acknowledge: 'met', resolve: null, acknowledgeBy: iso(at + 15 * MIN), resolveBy: iso(at + 240 * MIN) } }), at + 60 * MIN)).toMatchObject({
      phase: 'resolve',
      state: 'running',
      leftMs: 180 * MIN,
    });
  });

  it('is marked missed past its deadline (or when the server says so), with how long ago', () => {
    expect(slaClock(incident({}), at + 20 * MIN)).toEqual({ phase: 'acknowledge', state: 'missed', overMs: 5 * MIN });
    expect(slaClock(incident({ sla: { acknowledge: 'missed', resolve: null, acknowledgeBy: iso(at + 15 * MIN), resolveBy: null } }), at)).toMatchObject({ state: 'missed' });
    // A late acknowledgement stays visible while the resolve clock runs.
    expect(slaClock(incident({ status: 'acknowledged', sla: { acknowledge: 'missed', resolve: null, acknowledgeBy: iso(at + 15 * MIN), resolveBy: iso(at + 240 * MIN) } }), at + 30 * MIN)).toEqual({
      phase: 'acknowledge',
      state: 'missed',
      overMs: null,
    });
  });

  it('ends met or missed when resolved; info incidents have none', () => {
    expect(slaClock(incident({ status: 'resolved', sla: { acknowledge: 'met', resolve: 'met', acknowledgeBy: iso(at), resolveBy: iso(at) } }), at)).toEqual({ phase: null, state: 'met' });
    expect(slaClock(incident({ status: 'resolved', sla: { acknowledge: 'met', resolve: 'missed', acknowledgeBy: iso(at), resolveBy: iso(at) } }), at)).toMatchObject({ phase: 'resolve', state: 'missed' });
    expect(slaClock(incident({ sla: { acknowledge: null, resolve: null, acknowledgeBy: null, resolveBy: null } }), at)).toEqual({ phase: null, state: 'none' });
  });
});
