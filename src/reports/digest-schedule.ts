import { DateTime } from 'luxon';
import { assertTimeZone } from '../time/local-days.js';
import { nextRun, previousRun } from '../time/cron.js';
import { z } from 'zod';
import { parseDuration } from '../time/duration.js';
// The same zone, cron and time-of-day rules (and messages) as maintenance windows.
import { cronExpression, startTime as timeOfDay, timeZone } from '../time/time-schemas.js';
import type { Reader } from './format.js';

/**
 * When digests go out. Each schedule is a cron expression read on the wall clock of a time zone; its
 * next due time is computed here and stored by the scheduler (timers live in the database, so a restart
 * loses nothing: the scheduler tick compares the stored due time with the clock, and a due time that
 * passed while Vigil was down is caught up by planRun).
 *
 * DST follows the maintenance windows' rule: a time skipped by the spring change (02:30 on the night
 * clocks jump from 02:00 to 03:00) fires at the first instant after the jump; a time repeated in the
 * autumn fires once, on its first pass.
 */

const DAY = 86_400_000;
/** Cap on occurrences walked in one call (a per-minute cron after a month down). */
const MAX_STEPS = 1000;

// ---- config


const period = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null || ms < 60_000) {
    ctx.addIssue({ code: 'custom', message: `invalid period "${text}" (expected a duration of at least 1m, e.g. 1d, 7d, 12h)` });
    return z.NEVER;
  }
  return ms;
});

const share = z.number().min(0).max(1);

const recipients = z
  .object({
    /** Roles from the teams in the rules files (management, owner, ...); everyone holding one gets the email. */
    roles: z.array(z.string().min(1)).default([]),
    emails: z.array(z.email()).default([]),
    /** Slack channel ids or names for the chat summary. */
    slack: z.array(z.string().min(1)).default([]),
  })
  .strict();

const scheduleSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/, 'letters, digits, _ and - (at most 64)'),
    /** Five fields: minute hour day-of-month month day-of-week, on the zone's wall clock. */
    cron: cronExpression,
    /** How far back each digest looks from its due time; whole days are local calendar days. */
    period,
    /** Overrides the section's time zone for this schedule. */
    timeZone: timeZone.optional(),
    /** Email subject and heading; "<Name> digest" when not given. */
    title: z.string().min(1).max(200).optional(),
    /** A digest of one team's incidents only. */
    team: z.string().min(1).optional(),
    to: recipients.prefault({ roles: ['management'] }),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.to.roles.length + s.to.emails.length + s.to.slack.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'names nobody: give at least one role, email or Slack channel' });
    }
  });

/** The defaults: the handbook's morning digest and a weekly one on Monday mornings, to management. */
export const defaultDigestSchedules = [
  { name: 'daily', cron: '0 8 * * *', period: '1d', to: { roles: ['management'] } },
  { name: 'weekly', cron: '0 8 * * 1', period: '7d', to: { roles: ['management'] } },
];

/** The `digests:` section of vigil.yaml. */
export const digestConfigSchema = z
  .object({
    /** The default zone for schedules, local days and night hours. */
    timeZone: timeZone.default('UTC'),
    targets: z
      .object({ ackCompliance: share.default(0.95), resolveCompliance: share.default(0.95) })
      .strict()
      .prefault({}),
    /** Pages in these local hours count as night pages (start inclusive, end exclusive). */
    nightHours: z
      .object({ start: timeOfDay.default('22:00'), end: timeOfDay.default('07:00') })
      .strict()
      .prefault({}),
    schedules: z
      .array(scheduleSchema)
      .prefault(defaultDigestSchedules)
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((s, i) => {
          if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate schedule name "${s.name}"` });
          seen.add(s.name);
        });
      }),
  })
  .strict()
  .transform((c) => ({
    ...c,
    schedules: c.schedules.map((s) => ({
      ...s,
      timeZone: s.timeZone ?? c.timeZone,
      title: s.title ?? `${nameLabel(s.name)} digest`,
      /** A title of its own is used as written; the default one is said in each reader's language. */
      customTitle: s.title !== undefined,
    })),
  }));

export type DigestConfig = z.output<typeof digestConfigSchema>;
export type DigestSchedule = DigestConfig['schedules'][number];

/** "weekly" → "Weekly": a schedule's name as its default title says it. */
function nameLabel(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

/** A schedule's title in a reader's words: its own as written, else the default one in their language (Weekly digest, 每周报告). */
export function scheduleTitle(s: DigestSchedule, r: Reader): string {
  return s.customTitle ? s.title : r.t('digest.title', { name: s.name, label: nameLabel(s.name) });
}

// ---- due times

export { nextRun, previousRun };

/**
 * Where a digest due at `due` starts: `period` before it. Whole days count as local calendar days, so the
 * daily digest after a DST change covers 23 or 25 hours, from 08:00 to 08:00 on the wall clock.
 */
export function periodStart(due: number, periodMs: number, timeZone: string): number {
  assertTimeZone(timeZone);
  if (periodMs % DAY !== 0) return due - periodMs;
  return DateTime.fromMillis(due, { zone: timeZone }).minus({ days: periodMs / DAY }).toMillis();
}

export interface RunPlan {
  /** The due time this run stands for: the latest one at or before now. */
  due: number;
  /** The period the digest covers, [since, until). */
  since: number;
  until: number;
  /** Earlier due times folded into this run because Vigil was down (0 normally). */
  missed: number;
  /** The due time to store for the next run. */
  next: number;
}

/**
 * What to do at `now` with a schedule whose stored due time is `storedDue`: nothing while it lies in the
 * future (null); otherwise one digest. Normally it covers [due − period, due). When Vigil was down over
 * several due times they are folded into one digest from the first missed period's start to the latest
 * due time, so nobody gets a burst of stale emails and no stretch of time goes unreported.
 */
export function planRun(schedule: Pick<DigestSchedule, 'cron' | 'timeZone' | 'period'>, storedDue: number, now: number): RunPlan | null {
  if (storedDue > now) return null;
  const latest = Math.max(storedDue, previousRun(schedule.cron, schedule.timeZone, now) ?? storedDue);
  let missed = 0;
  for (let at = storedDue; missed < MAX_STEPS; missed++) {
    at = nextRun(schedule.cron, schedule.timeZone, at);
    if (at > latest) break;
  }
  return {
    due: latest,
    since: periodStart(storedDue, schedule.period, schedule.timeZone),
    until: latest,
    missed,
    next: nextRun(schedule.cron, schedule.timeZone, now),
  };
}


