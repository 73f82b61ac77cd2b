import { z } from 'zod';
import type { AlertRow } from '../../store/types.js';
import type { SilenceRow } from '../../rules/suppression-types.js';
import { parseMatchers, type Matcher, type MatchOp } from '../../rules/matchers.js';
import { silenceState, type Silence } from '../../rules/silences.js';
import { isoTime, labelSet, named } from '../../http/api-schemas.js';

/**
 * Vigil's alerts and silences in Alertmanager's API v2 JSON shapes (api/v2/openapi.yaml of Alertmanager 0.25), so
 * amtool and Grafana's Alertmanager data source read them as they read Alertmanager's.
 */

const iso = (ms: number) => new Date(ms).toISOString();

/** A firing alert without an end of its own is held until it expires; Alertmanager shows that time as endsAt. */
const HELD_MS = 5 * 60_000;

/** Alertmanager's `matcher`: `isEqual` false negates (`!=`, `!~`). */
export const amMatcherSchema = named(
  'AlertmanagerMatcher',
  z.object({ name: z.string(), value: z.string(), isRegex: z.boolean(), isEqual: z.boolean() }),
  "Alertmanager's matcher: isRegex for =~ and !~, isEqual false for != and !~.",
);

export type AmMatcher = z.infer<typeof amMatcherSchema>;

/** Alertmanager's `receiver`: Vigil's receivers are its teams (and `vigil` for incidents without one). */
export const amReceiverSchema = named('AlertmanagerReceiver', z.object({ name: z.string() }), "A receiver: one of Vigil's teams, or vigil for incidents without a team.");

/** Alertmanager's `gettableSilence`. */
export const gettableSilenceSchema = named(
  'GettableSilence',
  z.object({
    id: z.string(),
    status: z.object({ state: z.enum(['active', 'pending', 'expired']) }),
    updatedAt: isoTime,
    comment: z.string(),
    createdBy: z.string(),
    startsAt: isoTime,
    endsAt: isoTime,
    matchers: z.array(amMatcherSchema),
  }),
  "A silence in Alertmanager's gettableSilence shape (the same silences as /api/v1/silences).",
);

/** Alertmanager's `alertStatus` as Vigil writes it: suppressed by a silence, an inhibiting rule or a maintenance window. */
const amAlertStatusSchema = z.object({
  state: z.enum(['active', 'suppressed']).describe("suppressed when a silence, an inhibiting rule or a maintenance window mutes it (Vigil never answers Alertmanager's unprocessed)"),
  silencedBy: z.array(z.string()).describe('The ids of the active silences matching its labels'),
  inhibitedBy: z.array(z.string()).describe('The inhibiting rule, when one mutes it'),
});

/** Alertmanager's `gettableAlert`. */
export const gettableAlertSchema = named(
  'GettableAlert',
  z.object({
    labels: labelSet,
    annotations: labelSet,
    startsAt: isoTime,
    endsAt: isoTime.describe('Its end, or for a firing alert without one the time it expires unless sent again'),
    updatedAt: isoTime.describe('When it was last received'),
    generatorURL: z.string().optional(),
    fingerprint: z.string(),
    receivers: z.array(amReceiverSchema).describe("Its incident's team"),
    status: amAlertStatusSchema,
  }),
  "A firing alert in Alertmanager's gettableAlert shape.",
);

/** Alertmanager's `alertGroup`: an incident's alerts. */
export const alertGroupSchema = named(
  'AlertGroup',
  z.object({
    labels: labelSet.describe('The labels the incident groups by'),
    receiver: amReceiverSchema,
    alerts: z.array(gettableAlertSchema),
  }),
  "An incident's firing alerts as Alertmanager's alertGroup.",
);

/** Alertmanager's `alertmanagerStatus`, as Vigil fills it in. */
export const alertmanagerStatusSchema = named(
  'AlertmanagerStatus',
  z.object({
    cluster: z.object({
      status: z.literal('disabled').describe('Vigil runs no Alertmanager cluster'),
      peers: z.array(z.object({ name: z.string(), address: z.string() })).describe('Always empty'),
    }),
    versionInfo: z.object({
      version: z.string().describe("Vigil's version"),
      revision: z.string(),
      branch: z.string(),
      buildUser: z.string(),
      buildDate: z.string(),
      goVersion: z.string().describe('vigil (node VERSION)'),
    }),
    config: z.object({ original: z.string().describe("A summary of Vigil's routing in Alertmanager's YAML (its receivers are the teams)") }),
    uptime: isoTime.describe('When this Vigil started'),
  }),
  "Alertmanager's status shape: Grafana's health check reads it.",
);

export function amMatcher(m: Matcher): AmMatcher {
  return { name: m.name, value: m.value, isRegex: m.op === '=~' || m.op === '!~', isEqual: m.op === '=' || m.op === '=~' };
}

export function matcherOf(m: AmMatcher): Matcher {
  const op: MatchOp = m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
  return { name: m.name, op, value: m.value };
}

export type AmSilence = z.infer<typeof gettableSilenceSchema>;

export function amSilence(s: SilenceRow, now: number): AmSilence {
  return {
    id: s.id,
    status: { state: silenceState(s, now) },
    updatedAt: iso(s.updatedAt),
    comment: s.comment,
    createdBy: s.createdBy,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    matchers: s.matchers.flatMap((text) => parseMatchers(text)).map(amMatcher),
  };
}

/**
 * How Alertmanager says why an alert is muted, worked out when asked as Alertmanager does: every active silence
 * matching its labels now (so a silence shows at once, before the engine's next pass) and the inhibiting rule; a
 * maintenance window makes it suppressed too.
 */
export function amStatus(a: AlertRow, silences: readonly Silence[]): z.infer<typeof amAlertStatusSchema> {
  const by = a.suppressedBy;
  const silencedBy = silences.filter((s) => s.compiled.every((m) => m.matches(a.labels[m.name]))).map((s) => s.id);
  const inhibitedBy = by?.kind === 'inhibited' ? [by.id] : [];
  // A maintenance window mutes without being a silence (clients look silence ids up): suppressed, with no id.
  const muted = silencedBy.length + inhibitedBy.length > 0 || by?.kind === 'maintenance';
  return { state: muted ? 'suppressed' : 'active', silencedBy, inhibitedBy };
}

export type AmAlert = z.infer<typeof gettableAlertSchema>;

export function amAlert(a: AlertRow, receiver: string, silences: readonly Silence[]): AmAlert {
  return {
    labels: a.labels,
    annotations: a.annotations,
    startsAt: iso(a.startsAt),
    endsAt: iso(a.endsAt ?? a.expiresAt ?? a.lastReceivedAt + HELD_MS),
    updatedAt: iso(a.lastReceivedAt),
    ...(a.generatorURL ? { generatorURL: a.generatorURL } : {}),
    fingerprint: a.fingerprint,
    receivers: [{ name: receiver }],
    status: amStatus(a, silences),
  };
}
