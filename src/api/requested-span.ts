import { badRequest } from '../errors/errors.js';
import { parseDuration } from '../time/duration.js';

/** The last instant RFC 3339 can write (a four-digit year). */
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The time span a request asks for (a silence, an on-call override): `startsAt` (default now) until `endsAt`, or
 * for a `duration` from `startsAt`. It must end after it starts, in the future and by year 9999; each problem names its field.
 */
export function requestedSpan(body: { startsAt?: number; endsAt?: number; duration?: string }, now: number): { startsAt: number; endsAt: number } {
  const startsAt = body.startsAt ?? now;
  let endsAt = body.endsAt;
  if (body.duration !== undefined) {
    const ms = parseDuration(body.duration);
    if (ms === null || ms === 0) throw badRequest('duration: expected e.g. 30m, 2h', [{ field: 'duration', problem: 'invalid duration' }]);
    if (endsAt !== undefined) throw badRequest('give endsAt or duration, not both', [{ field: 'duration', problem: 'conflicts with endsAt' }]);
    endsAt = startsAt + ms;
  }
  if (endsAt === undefined) throw badRequest('endsAt: required (or duration)', [{ field: 'endsAt', problem: 'required' }]);
  if (endsAt <= startsAt) throw badRequest('endsAt: must be after startsAt', [{ field: 'endsAt', problem: 'not after startsAt' }]);
  if (endsAt <= now) throw badRequest('endsAt: must be in the future', [{ field: 'endsAt', problem: 'in the past' }]);
  // Every answer writes the span as RFC 3339: past year 9999 it cannot be written (a "200000000d" silence would be
  // stored, then fail every list that shows it).
  if (!(endsAt <= LAST_INSTANT)) {
    throw badRequest('endsAt: must be no later than 9999-12-31T23:59:59.999Z', [{ field: body.duration !== undefined ? 'duration' : 'endsAt', problem: 'too late' }]);
  }
  return { startsAt, endsAt };
}
