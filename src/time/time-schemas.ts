import { IANAZone } from 'luxon';
import { z } from 'zod';
import { cronProblem } from './cron.js';

/** The zod schemas of time in config and rule files: zones, times of day, cron expressions (one wording everywhere). */

export const timeZone = z.string().refine((zone) => IANAZone.isValidZone(zone), {
  error: (issue) => `unknown time zone ${JSON.stringify(issue.input)} (expected an IANA name such as Europe/Berlin)`,
});

export const startTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM, 00:00 to 23:59');
export const endTime = z.string().regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be a time of day as HH:MM, 00:00 to 24:00');

export const cronExpression = z.string().superRefine((expr, ctx) => {
  const problem = cronProblem(expr);
  if (problem) ctx.addIssue({ code: 'custom', message: `invalid cron expression "${expr}": ${problem}` });
});
