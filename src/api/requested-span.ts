import { badRequest } from '../errors/errors.js';
import { parseDuration } from '../time/duration.js';

/**
 * The time span a request asks for (a silence, an on-call override): `startsAt` (default now) until `endsAt`, or
 * for a `duration` from `startsAt`. It must end after it starts, and in the future; each problem names its field.
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
  return { startsAt, endsAt };
}
