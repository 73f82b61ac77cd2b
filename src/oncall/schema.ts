import { DateTime } from 'luxon';
import { z } from 'zod';
import { parseDuration } from '../time/duration.js';
import { parseTime } from '../time/rfc3339.js';
import { dayNames } from '../time/wall-clock.js';
import { endTime, startTime, timeZone } from '../time/time-schemas.js';

/**
 * On-call schedules in rule files: layers of rotations (a later layer overrides earlier ones where it has
 * coverage) and overrides on top of every layer. Who is on call when is computed in ./oncall.ts.
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Shorter rotations are not rotations people can work; the limit also bounds the work of a lookup. */
const MIN_ROTATION = HOUR;

const name = z.string().min(1, 'must not be empty').max(100);
/** A person id from people (checked when the rules directory is loaded). */
const person = z.string().min(1, 'must not be empty').max(64);

const localDate = z.string().superRefine((text, ctx) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || !DateTime.fromISO(text, { zone: 'UTC' }).isValid) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a date as YYYY-MM-DD` });
  }
});

const instant = z.string().transform((text, ctx) => {
  const ms = parseTime(text);
  if (ms == null) {
    ctx.addIssue({ code: 'custom', message: `"${text.slice(0, 64)}" is not an RFC 3339 time (e.g. 2026-03-10T09:00:00+01:00)` });
    return z.NEVER;
  }
  return ms;
});

/** How a rotation advances: calendar days in the schedule's time zone, or a fixed length of real time. */
export type RotationStep = { days: number } | { ms: number };

/** `daily`, `weekly`, or a duration: whole days (3d, 2w) hand off at the local handoff time, others (12h) run in real time. */
export function rotationStep(every: string): RotationStep | null {
  if (every === 'daily') return { days: 1 };
  if (every === 'weekly') return { days: 7 };
  const ms = parseDuration(every);
  if (ms === null || ms < MIN_ROTATION) return null;
  return ms % DAY === 0 ? { days: ms / DAY } : { ms };
}

export const rotationSchema = z
  .object({
    /** daily, weekly, or a duration such as 12h or 3d. */
    every: z.string(),
    /** Local time of day the shift changes, HH:MM. */
    handoff: startTime,
    /** Weekly rotations: the day of the handoff. */
    handoffDay: z.enum(dayNames).optional(),
    /** The local date the first participant's first shift starts (YYYY-MM-DD). */
    start: localDate,
  })
  .strict()
  .superRefine((r, ctx) => {
    if (rotationStep(r.every) === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['every'],
        message: `invalid rotation "${r.every}" (expected daily, weekly, or a duration of at least 1h such as 12h or 3d)`,
      });
    }
    if (r.every === 'weekly') {
      if (r.handoffDay === undefined) {
        ctx.addIssue({ code: 'custom', path: ['handoffDay'], message: 'a weekly rotation needs handoffDay (mon..sun)' });
      } else {
        const start = DateTime.fromISO(r.start, { zone: 'UTC' });
        const day = dayNames[start.weekday - 1];
        if (start.isValid && day !== r.handoffDay) {
          ctx.addIssue({ code: 'custom', path: ['start'], message: `${r.start} is a ${day}; a weekly rotation handing off on ${r.handoffDay} starts on a ${r.handoffDay}` });
        }
      }
    } else if (r.handoffDay !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['handoffDay'], message: 'handoffDay is only for weekly rotations' });
    }
  });

/** When a layer has coverage: on these days from start to end, local time; end not after start crosses midnight. */
export const restrictionSchema = z
  .object({
    days: z.array(z.enum(dayNames)).min(1, 'needs at least one day'),
    start: startTime,
    end: endTime,
  })
  .strict();

export const layerSchema = z
  .object({
    name,
    /** Person ids, on call in turn. */
    participants: z.array(person).min(1, 'needs at least one participant'),
    rotation: rotationSchema,
    /** Without it, the layer has coverage around the clock. */
    restrict: restrictionSchema.optional(),
  })
  .strict();

/** Someone takes (part of) a shift: beats every layer from start to end. */
export const overrideSchema = z
  .object({
    person,
    start: instant,
    end: instant,
    reason: z.string().max(500).optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.end <= o.start) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
  });

export const scheduleSchema = z
  .object({
    name,
    description: z.string().optional(),
    /** IANA time zone of handoffs and restrictions, e.g. Europe/Berlin. */
    timeZone,
    /** In order: a later layer overrides earlier ones wherever it has coverage. */
    layers: z.array(layerSchema).min(1, 'needs at least one layer'),
    overrides: z.array(overrideSchema).default([]),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.layers.forEach((layer, i) => {
      if (seen.has(layer.name)) ctx.addIssue({ code: 'custom', path: ['layers', i, 'name'], message: `layer name "${layer.name}" is used twice in this schedule` });
      seen.add(layer.name);
    });
  });

export type Schedule = z.output<typeof scheduleSchema>;
export type ScheduleLayer = z.output<typeof layerSchema>;
export type ScheduleOverride = z.output<typeof overrideSchema>;
