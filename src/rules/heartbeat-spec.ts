import { z } from 'zod';
import { severities, type Severity } from '../alerts/severity.js';
import { formatMatcher, type CompiledMatcher } from './matchers.js';
import { labelName, matcherList } from './matcher-schema.js';
import { formatDuration } from '../time/duration.js';
import { durationSchema } from '../time/duration-schema.js';
import { cronExpression, timeZone } from '../time/time-schemas.js';

const MIN_EVERY = 30_000;
const MAX_PERIOD = 365 * 86_400_000;

const heartbeatName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit');


/**
 * One heartbeat monitor as written in a rules file (`heartbeats:`) or posted to the API: when a ping is due
 * (`every` or a 5-field `cron` in `timeZone`), how long past due it may be (`grace`), and what its incident
 * looks like. `matchers`: a delivered alert matching them (the Watchdog) counts as a ping.
 */
export const specObject = z
  .object({
    name: heartbeatName,
    description: z.string().max(2000).optional(),
    every: durationSchema({ examples: '30s, 5m, 1h, 1d', min: { ms: MIN_EVERY, problem: 'must be at least 30s' } })
      .refine((ms) => ms <= MAX_PERIOD, 'must be at most 52w')
      .optional(),
    cron: cronExpression.optional(),
    timeZone: timeZone.optional(),
    grace: durationSchema({ examples: '30s, 5m, 1h' })
      .refine((ms) => ms <= MAX_PERIOD, 'must be at most 52w')
      .optional(),
    severity: z.enum(severities).optional(),
    team: z.string().min(1).max(200).optional(),
    service: z.string().min(1).max(200).optional(),
    title: z.string().min(1).max(500).optional().describe('The incident\'s title; absent, "Heartbeat NAME missed (last ping 26 h ago)" and the like.'),
    runbooks: z.array(z.string().min(1).max(200)).max(20).optional(),
    labels: z.record(labelName, z.string().max(1000)).optional().describe('More labels on its alert (silences, maintenance windows and rules match them).'),
    matchers: matcherList.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.every === undefined) === (s.cron === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['every'], message: 'give exactly one schedule: every (a duration) or cron (5 fields)' });
    }
    if (s.timeZone !== undefined && s.cron === undefined) ctx.addIssue({ code: 'custom', path: ['timeZone'], message: 'only a cron schedule has a time zone' });
    if (s.matchers && s.matchers.length === 0) ctx.addIssue({ code: 'custom', path: ['matchers'], message: 'at least one matcher' });
  });

export interface HeartbeatSpec {
  name: string;
  description: string | null;
  schedule: { every: number } | { cron: string; timeZone: string };
  grace: number;
  severity: Severity;
  team: string | null;
  service: string | null;
  title: string | null;
  runbooks: string[];
  labels: Record<string, string>;
  matchers: CompiledMatcher[];
}

const DEFAULT_GRACE = 5 * 60_000;

export type SpecIssue = { path: PropertyKey[]; message: string };

function toSpec(s: z.output<typeof specObject>): HeartbeatSpec {
  return {
    name: s.name,
    description: s.description ?? null,
    schedule: s.every !== undefined ? { every: s.every } : { cron: s.cron!, timeZone: s.timeZone ?? 'UTC' },
    grace: s.grace ?? DEFAULT_GRACE,
    // A silent monitoring system or backup is an outage nobody sees: it pages as critical unless told otherwise.
    severity: s.severity ?? 'critical',
    team: s.team ?? null,
    service: s.service ?? null,
    title: s.title ?? null,
    runbooks: s.runbooks ?? [],
    labels: s.labels ?? {},
    matchers: s.matchers ?? [],
  };
}

/** Parses a definition; the issues are zod's, with paths into it. */
export function parseHeartbeatSpec(input: unknown): { ok: true; spec: HeartbeatSpec } | { ok: false; issues: SpecIssue[] } {
  const r = specObject.safeParse(input);
  if (!r.success) return { ok: false, issues: r.error.issues.map((i) => ({ path: i.path as PropertyKey[], message: i.message })) };
  return { ok: true, spec: toSpec(r.data) };
}

/** The definition written out in full (what the store keeps and the API shows): parsing it gives the same monitor. */
export function writtenForm(spec: HeartbeatSpec): Record<string, unknown> {
  const s = spec.schedule;
  return {
    name: spec.name,
    ...(spec.description !== null ? { description: spec.description } : {}),
    ...('every' in s ? { every: formatDuration(s.every) } : { cron: s.cron, timeZone: s.timeZone }),
    grace: formatDuration(spec.grace) || '0s',
    severity: spec.severity,
    ...(spec.team !== null ? { team: spec.team } : {}),
    ...(spec.service !== null ? { service: spec.service } : {}),
    ...(spec.title !== null ? { title: spec.title } : {}),
    ...(spec.runbooks.length > 0 ? { runbooks: spec.runbooks } : {}),
    ...(Object.keys(spec.labels).length > 0 ? { labels: spec.labels } : {}),
    ...(spec.matchers.length > 0 ? { matchers: spec.matchers.map(formatMatcher) } : {}),
  };
}

/** A definition that was stored valid (the store keeps it written out); throws if it no longer parses. */
export function storedSpec(input: Record<string, unknown>): HeartbeatSpec {
  const r = parseHeartbeatSpec(input);
  if (!r.ok) throw new Error(`heartbeat definition ${JSON.stringify(input.name)} no longer valid: ${r.issues[0]?.message}`);
  return r.spec;
}

/** The rules-file form: the parsed monitor and its definition written out for the store. */
export const heartbeatDefinition = specObject.transform((parsed) => {
  const spec = toSpec(parsed);
  return { spec, written: writtenForm(spec) };
});

/** A monitor a rules file defines: its definition as written and as parsed. */
export interface FileHeartbeat {
  spec: HeartbeatSpec;
  written: Record<string, unknown>;
  file: string;
}
