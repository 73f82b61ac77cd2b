import { IANAZone } from 'luxon';
import { parseDuration } from '../time/duration.js';
import { parseTime } from '../time/rfc3339.js';

/**
 * The period a report asks for, as the API and the CLI take it: `since` and `until` are RFC 3339 times, `now`, or
 * durations back from now (`7d`, `24h`, `1h30m`, also `-7d`); until defaults to now, since to seven days before until.
 */

export const DEFAULT_PERIOD_MS = 7 * 86_400_000;
/** A report reads every incident of its period at once; a year is plenty. */
export const MAX_PERIOD_MS = 366 * 86_400_000;

export interface PeriodInput {
  since?: string;
  until?: string;
  tz?: string;
}

export interface Period {
  since: number;
  until: number;
  timeZone: string;
}

export interface PeriodProblem {
  field: 'since' | 'until' | 'tz';
  problem: string;
}

/**
 * An instant as the CLI and the API take it: an RFC 3339 time, `now`, or an offset from now: signed (`-2h` back,
 * `+7d` forward) or unsigned (`7d`), which counts in the caller's direction: back for reports (they look at the
 * past), forward for on-call (it looks at shifts to come). Undefined when the text is none of these.
 */
export function parseInstant(text: string, now: number, unsigned: 'back' | 'forward' = 'back'): number | undefined {
  const t = text.trim();
  if (t === 'now') return now;
  const sign = t[0] === '-' ? -1 : t[0] === '+' ? 1 : unsigned === 'back' ? -1 : 1;
  const duration = parseDuration(t[0] === '-' || t[0] === '+' ? t.slice(1) : t);
  if (duration !== null) return now + sign * duration;
  const ms = parseTime(t);
  return ms ?? undefined;
}

export function resolvePeriod(input: PeriodInput, now: number, defaultZone: string): Period | PeriodProblem {
  const timeZone = input.tz ?? defaultZone;
  if (!IANAZone.isValidZone(timeZone)) {
    return { field: 'tz', problem: `unknown time zone "${timeZone.slice(0, 64)}" (expected an IANA name such as Europe/Berlin)` };
  }
  const instant = (field: 'since' | 'until', text: string): number | PeriodProblem => {
    const ms = parseInstant(text, now);
    if (ms === undefined) {
      return { field, problem: `"${text.slice(0, 64)}" is neither an RFC 3339 time nor a duration back from now (e.g. 7d, 24h)` };
    }
    return ms;
  };
  const until = input.until === undefined ? now : instant('until', input.until);
  if (typeof until !== 'number') return until;
  const since = input.since === undefined ? until - DEFAULT_PERIOD_MS : instant('since', input.since);
  if (typeof since !== 'number') return since;
  if (since >= until) return { field: 'since', problem: `must be before until (${new Date(until).toISOString()})` };
  if (until - since > MAX_PERIOD_MS) return { field: 'since', problem: 'the period may be at most 366 days' };
  return { since, until, timeZone };
}

export function isPeriodProblem(p: Period | PeriodProblem): p is PeriodProblem {
  return 'problem' in p;
}
