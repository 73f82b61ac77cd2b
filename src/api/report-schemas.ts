import { z } from 'zod';
import { severities } from '../alerts/severity.js';
import { named } from '../http/api-schemas.js';
import { runbookOutcomes, type Summary } from '../reports/types.js';

/**
 * The summary of GET /api/v1/reports/summary, as zod: the reports' Summary type (src/reports/types.ts) is the
 * source of truth, and the check at the end keeps the two the same. Times are epoch ms, durations ms.
 */

const ms = z.number().describe('Epoch ms');
const count = z.number().int().min(0);
const severity = z.enum(severities);
const priority = z.enum(['P1', 'P2', 'P3', 'P4']);
const team = z.string().nullable().describe('null: incidents without a team.');

const counts = <const K extends string>(keys: readonly K[]) =>
  z.strictObject(Object.fromEntries(keys.map((k) => [k, count])) as { [P in K]: typeof count });

const durationStats = named(
  'DurationStats',
  z.strictObject({
    count: count.describe('Incidents measured.'),
    median: z.number().nullable().describe('ms; nearest rank; null when none was measured.'),
    p90: z.number().nullable().describe('ms; nearest rank; null when none was measured.'),
  }),
  'How long something took over a set of incidents (ms).',
);

const compliance = named(
  'Compliance',
  z.strictObject({
    measured: count.describe('met + missed.'),
    met: count,
    missed: count,
    pending: count.describe('Still inside their SLA at the period\'s end: counted neither way.'),
    rate: z.number().nullable().describe('met / measured; null when nothing was measured.'),
    target: z.number(),
    status: z.enum(['met', 'missed', 'no_data']).describe("no_data when nothing was measured: a quiet week neither keeps nor breaks a promise."),
  }),
  'An SLA over the incidents that had one.',
);

const runbookOutcomeCounts = counts([...runbookOutcomes, 'other'] as const);
const successRate = z.number().nullable().describe('succeeded / (succeeded + failed + escalate); dry runs and refusals do not count.');

export const summarySchema = named(
  'Summary',
  z.strictObject({
    period: z.strictObject({ since: ms, until: ms, timeZone: z.string(), team: z.string().nullable() }).describe('[since, until), epoch ms; local days in timeZone.'),
    empty: z.boolean().describe('Nothing happened: no incidents created, none open, no pages, escalations, runbook runs or self-heals.'),
    incidents: z.strictObject({
      total: count,
      bySeverity: counts(severities),
      byPriority: counts(['P1', 'P2', 'P3', 'P4'] as const),
      resolved: count.describe("Of the period's incidents, how many were resolved by its end."),
      heartbeats: count.describe("Of the period's incidents, how many a heartbeat monitor opened."),
    }),
    mtta: durationStats,
    mttr: durationStats,
    teams: z.array(
      z.strictObject({ team, incidents: count, mtta: durationStats, mttr: durationStats, ack: compliance, resolve: compliance }),
    ),
    sla: z.strictObject({
      ack: compliance,
      resolve: compliance,
      byPriority: z.array(z.strictObject({ priority, ack: compliance, resolve: compliance })),
    }),
    open: z
      .array(
        z.strictObject({
          id: z.number().int(),
          title: z.string(),
          severity,
          priority,
          team: z.string().nullable(),
          service: z.string().nullable(),
          status: z.enum(['triggered', 'acknowledged']).describe("Its state at the period's end."),
          createdAt: ms,
          ageMs: z.number().describe('until − createdAt.'),
          acknowledgedBy: z.string().nullable(),
          escalationTier: z.number().int(),
        }),
      )
      .describe("Open at the period's end, most urgent and oldest first: the first limit of openTotal."),
    openTotal: count,
    noisiestAlerts: z.array(z.strictObject({ alertname: z.string(), incidents: count, alerts: count, receives: count })),
    flapping: z
      .array(z.strictObject({ id: z.number().int(), title: z.string(), team: z.string().nullable(), reopens: count, alertnames: z.array(z.string()) }))
      .describe('Most reopened first: the first limit of flappingTotal.'),
    flappingTotal: count,
    selfHealed: z
      .array(z.strictObject({ id: z.number().int(), title: z.string(), team: z.string().nullable(), at: ms, runbook: z.string().nullable() }))
      .describe('Latest first: the first limit of selfHealedTotal.'),
    selfHealedTotal: count,
    runbooks: z.strictObject({
      runs: count,
      outcomes: runbookOutcomeCounts,
      successRate,
      byRunbook: z.array(z.strictObject({ runbook: z.string(), runs: count, outcomes: runbookOutcomeCounts, successRate })),
    }),
    escalations: z.strictObject({
      escalations: count.describe('Escalations in the period.'),
      exhausted: count.describe('Escalations that ran out of tiers in the period.'),
      incidents: z
        .array(
          z.strictObject({
            id: z.number().int(),
            title: z.string(),
            team: z.string().nullable(),
            escalations: count,
            maxTier: z.number().int(),
            exhausted: z.boolean().describe('Every tier was paged and nobody acknowledged.'),
            answeredAt: ms.nullable().describe("First acknowledgement after the first escalation, by the period's end; null: nobody answered."),
            answeredBy: z.string().nullable(),
          }),
        )
        .describe('The first limit, unanswered first, then the furthest escalated.'),
      incidentsTotal: count,
      unanswered: count,
    }),
    pages: z.strictObject({
      total: count,
      night: count,
      nightHours: z.strictObject({ start: z.string(), end: z.string() }).describe('Local HH:MM; start inclusive, end exclusive.'),
      channels: z.array(z.string()).describe('The channels that count as pages.'),
      byPerson: z.array(
        z.strictObject({
          person: z.string(),
          name: z.string(),
          pages: count,
          nightPages: count,
          failed: count.describe('Pages every message of which failed.'),
          messages: count,
          share: z.number().describe("This person's share of all attributed pages."),
        }),
      ),
      unattributed: count.describe('Pages to no person (team chat channels, webhooks).'),
    }),
    info: z
      .array(
        z.strictObject({
          id: z.number().int(),
          title: z.string(),
          team: z.string().nullable(),
          service: z.string().nullable(),
          createdAt: ms,
          alertCount: count,
          status: z.enum(['triggered', 'acknowledged', 'resolved']),
        }),
      )
      .describe("The period's info incidents, newest first: the first limit of infoTotal."),
    infoTotal: count,
    daily: z.array(
      z.strictObject({
        date: z.string().describe('Local date, yyyy-MM-dd.'),
        start: ms,
        end: ms,
        total: count,
        bySeverity: counts(severities),
        mtta: z.number().nullable().describe("Median ms to acknowledge of that day's incidents; null if none was."),
        mttr: z.number().nullable(),
      }),
    ),
  }),
  "A period's figures: the same the digests and `vigil report` are made of.",
);

// The schema and the reports' type are the same, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same: Same<Summary, z.infer<typeof summarySchema>> = true;
void same;
