import { z } from 'zod';

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Times parsed lately: the alerts of one sender's batch mostly share their startsAt and endsAt, so a storm parses
 * a handful of distinct texts thousands of times a second. Bounded; emptied when full.
 */
const parsed = new Map<string, number | null | undefined>();
const PARSED_KEPT = 256;

/** Parses an RFC 3339 time to epoch ms; Go's zero time (year 1) means "not set" and gives null. */
export function parseTime(text: string): number | null | undefined {
  if (parsed.has(text)) return parsed.get(text);
  const ms = parseUncached(text);
  // A sender's times are 20–35 characters; a longer text (a long fraction, or not a time) is not kept.
  if (text.length > 40) return ms;
  if (parsed.size >= PARSED_KEPT) parsed.clear();
  parsed.set(text, ms);
  return ms;
}

function parseUncached(text: string): number | null | undefined {
  const m = rfc3339.exec(text);
  if (!m) return undefined;
  const y = +m[1]!;
  const mo = +m[2]!;
  const d = +m[3]!;
  const h = +m[4]!;
  const mi = +m[5]!;
  const s = +m[6]!;
  if (y === 1) return null;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const daysInMonth = mo === 2 ? (leap ? 29 : 28) : mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59) return undefined;
  const fraction = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const offsetMinutes = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (+m[10]! * 60 + +m[11]!);
  return Date.UTC(y, mo - 1, d, h, mi, s, fraction) - offsetMinutes * 60_000;
}

/** An RFC 3339 time that must be a real instant (Go's zero time is refused); epoch ms. */
export const instant = z.string().transform((text, ctx) => {
  const ms = parseTime(text);
  if (ms == null) {
    ctx.addIssue({ code: 'custom', message: `"${text.slice(0, 64)}" is not an RFC 3339 time` });
    return z.NEVER;
  }
  return ms;
});

/** An RFC 3339 time, or null for Go's zero time. */
export const time = z.string().transform((text, ctx) => {
  const ms = parseTime(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text.slice(0, 64)}" is not an RFC 3339 time` });
    return z.NEVER;
  }
  return ms;
});
