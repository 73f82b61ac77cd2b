import { describe, expect, it } from 'vitest';
import { parseTime } from '../../src/time/rfc3339.js';

describe('parseTime', () => {
  it('reads RFC 3339 times with a fraction and an offset to epoch ms, and Go\'s zero time as null', () => {
    expect(parseTime('2026-12-03T10:00:00Z')).toBe(Date.UTC(2026, 11, 3, 10));
    expect(parseTime('2026-12-03T12:30:00.250+02:30')).toBe(Date.UTC(2026, 11, 3, 10, 0, 0, 250));
    expect(parseTime('0001-01-01T00:00:00Z')).toBeNull();
  });

  it('refuses what is not a real instant', () => {
    for (const text of ['2026-02-30T00:00:00Z', '2026-12-03 25:00:00Z', 'yesterday', '2026-12-03T10:00:00', `2026-12-03T10:00:00Z${' '.repeat(100)}`]) {
      expect(parseTime(text)).toBeUndefined();
    }
  });

  it('answers the same for a text seen before, however many other texts came between', () => {
    const first = ['2026-12-03T10:00:00Z', 'not a time', '0001-01-01T00:00:00Z'].map(parseTime);
    for (let s = 0; s < 1000; s++) parseTime(`2026-12-03T10:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}Z`);
    expect(['2026-12-03T10:00:00Z', 'not a time', '0001-01-01T00:00:00Z'].map(parseTime)).toEqual(first);
    expect(first).toEqual([Date.UTC(2026, 11, 3, 10), undefined, null]);
    expect(parseTime('2026-12-03T10:16:39Z')).toBe(Date.UTC(2026, 11, 3, 10, 16, 39));
  });
});
