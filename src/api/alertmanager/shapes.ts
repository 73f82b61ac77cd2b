import type { AlertRow } from '../../store/types.js';
import type { SilenceRow } from '../../rules/suppression-types.js';
import { parseMatchers, type Matcher, type MatchOp } from '../../rules/matchers.js';
import { silenceState, type Silence } from '../../rules/silences.js';

/**
 * Vigil's alerts and silences in Alertmanager's API v2 JSON shapes (api/v2/openapi.yaml of Alertmanager 0.25), so
 * amtool and Grafana's Alertmanager data source read them as they read Alertmanager's.
 */

const iso = (ms: number) => new Date(ms).toISOString();

/** A firing alert without an end of its own is held until it expires; Alertmanager shows that time as endsAt. */
const HELD_MS = 5 * 60_000;

export interface AmMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export function amMatcher(m: Matcher): AmMatcher {
  return { name: m.name, value: m.value, isRegex: m.op === '=~' || m.op === '!~', isEqual: m.op === '=' || m.op === '=~' };
}

export function matcherOf(m: AmMatcher): Matcher {
  const op: MatchOp = m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
  return { name: m.name, op, value: m.value };
}

export function amSilence(s: SilenceRow, now: number) {
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
export function amStatus(a: AlertRow, silences: readonly Silence[]) {
  const by = a.suppressedBy;
  const silencedBy = silences.filter((s) => s.compiled.every((m) => m.matches(a.labels[m.name]))).map((s) => s.id);
  const inhibitedBy = by?.kind === 'inhibited' ? [by.id] : [];
  // A maintenance window mutes without being a silence (clients look silence ids up): suppressed, with no id.
  const muted = silencedBy.length + inhibitedBy.length > 0 || by?.kind === 'maintenance';
  return { state: muted ? ('suppressed' as const) : ('active' as const), silencedBy, inhibitedBy };
}

export function amAlert(a: AlertRow, receiver: string, silences: readonly Silence[]) {
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

export type AmAlert = ReturnType<typeof amAlert>;
