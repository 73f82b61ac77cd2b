import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/time/duration.js';
import { parseInstant } from '../../src/reports/period.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '5', 'm5', '5 minutes', '-5m', '1.5h', '5M'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('formats back', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('parseInstant (reports, on-call)', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  it('an unsigned offset counts back for reports and forward for on-call; a sign says which way', () => {
    expect(iso(parseInstant('7d', now))).toBe('2026-03-03T12:00:00.000Z');
    expect(iso(parseInstant('7d', now, 'forward'))).toBe('2026-03-17T12:00:00.000Z');
    expect(iso(parseInstant('-2h', now, 'forward'))).toBe('2026-03-10T10:00:00.000Z');
    expect(iso(parseInstant('+1h30m', now))).toBe('2026-03-10T13:30:00.000Z');
    expect(iso(parseInstant('now', now, 'forward'))).toBe('2026-03-10T12:00:00.000Z');
    expect(iso(parseInstant('2026-03-29T12:00:00+02:00', now))).toBe('2026-03-29T10:00:00.000Z');
  });

  it.each(['tomorrow', '-', '+-2h', '--2h', '7 days', ''])('rejects %j', (text) => {
    expect(parseInstant(text, now)).toBeUndefined();
  });
});
