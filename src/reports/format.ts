import { DateTime } from 'luxon';
import type { Summary } from './types.js';

/**
 * How figures read to people, shared by the terminal table, the digest and the review so a duration
 * looks the same everywhere. Units are cut (never rounded up), so 59m 59.9s reads "59m 59s", not "60m 00s".
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const pad = (n: number) => String(n).padStart(2, '0');

/** 45s · 12m 30s · 1h 05m · 3d 04h; null (nothing measured) reads as an em dash. */
export function humanDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 0) return `-${humanDuration(-ms)}`;
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)}s`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)}m ${pad(Math.floor((ms % MINUTE) / SECOND))}s`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)}h ${pad(Math.floor((ms % HOUR) / MINUTE))}m`;
  return `${Math.floor(ms / DAY)}d ${pad(Math.floor((ms % DAY) / HOUR))}h`;
}

/** 0.9512 → "95.1%"; null (nothing to measure) → "—". One decimal so 94.96 % does not read as 95 %. */
export function percent(share: number | null): string {
  if (share === null) return '—';
  const tenths = Math.floor(share * 1000 + 1e-9) / 10;
  return `${Number.isInteger(tenths) ? tenths.toFixed(0) : tenths.toFixed(1)}%`;
}

/** A local wall-clock time for people reading a report in their zone: "Mon 9 Mar 2026 08:00". */
export function localTime(ms: number, timeZone: string): string {
  return DateTime.fromMillis(ms, { zone: timeZone }).setLocale('en-GB').toFormat('ccc d LLL yyyy HH:mm');
}

/** "Mon 9 Mar 2026 00:00 – Mon 16 Mar 2026 00:00 (Europe/Berlin)" */
export function localRange(since: number, until: number, timeZone: string): string {
  return `${localTime(since, timeZone)} – ${localTime(until, timeZone)} (${timeZone})`;
}

/** UTC ISO time without the noise of zero milliseconds: 2026-03-10T10:15:00Z. */
export function utcIso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The per-team table (header and rows), as the text report and the digest show it. */
export function teamTable(s: { teams: Summary['teams'] }): { header: string[]; rows: string[][] } {
  return {
    header: ['team', 'incidents', 'MTTA median', 'MTTA p90', 'MTTR median', 'MTTR p90', 'ack SLA', 'resolve SLA'],
    rows: s.teams.map((t) => [
      t.team ?? '(no team)',
      String(t.incidents),
      humanDuration(t.mtta.median),
      humanDuration(t.mtta.p90),
      humanDuration(t.mttr.median),
      humanDuration(t.mttr.p90),
      percent(t.ack.rate),
      percent(t.resolve.rate),
    ]),
  };
}
