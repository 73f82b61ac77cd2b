import type { GroupBy } from './grouping.js';
import { titleOf } from './grouping.js';
import { mapSeverity, type Priority, type Severity } from '../alerts/severity.js';
import { formatDuration } from '../time/duration.js';
import { matchesAll, type CompiledMatcher } from './matchers.js';
import type { RuleSet } from './ruleset.js';
import type { Policy } from './schema.js';

export interface AlertFacts {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The sender's severity (label or PagerDuty field), used when no rule sets one. */
  rawSeverity: string | null;
  /** Grouping and runbooks where no rule sets them (heartbeats: one incident per monitor, its own runbooks). */
  defaults?: { groupBy?: GroupBy; runbooks?: string[] };
}

/** What the rules decided for one alert, and why. */
export interface Decision {
  severity: Severity;
  /** Where the severity came from: a rule, the sender's label, or the fallback. */
  severityFrom: string;
  /** False when the sender's severity was missing or unknown and no rule set one. */
  severityKnown: boolean;
  priority: Priority;
  /** The team that is paged: the one a rule or the team label names when it is a team, else the defaultTeam. */
  team: string | null;
  /** Set when the team is the defaultTeam: why ("default team", or the name that is not a team). */
  teamNote: string | null;
  service: string | null;
  title: string;
  groupBy: GroupBy;
  runbooks: string[];
  policy: Policy;
  matchedRules: string[];
}

/** Reads a label, or an annotation as annotations.<name>. */
export function lookup(alert: Pick<AlertFacts, 'labels' | 'annotations'>): (name: string) => string | undefined {
  return (name) => (name.startsWith('annotations.') ? alert.annotations[name.slice(12)] : alert.labels[name]);
}

export function matches(matchers: readonly CompiledMatcher[], alert: Pick<AlertFacts, 'labels' | 'annotations'>): boolean {
  return matchesAll(matchers, lookup(alert));
}

/**
 * Evaluates the rules in order. The first matching rule decides each field it sets; a rule with
 * `continue: true` lets later matching rules fill in fields still unset. What no rule sets comes from the
 * alert itself (severity label, team and service labels) and the severity's policy. Pure.
 */
export function evaluate(set: RuleSet, alert: AlertFacts, defaultGroupBy: GroupBy): Decision {
  const matchedRules: string[] = [];
  let severity: { value: Severity; from: string } | undefined;
  let priority: Priority | undefined;
  let team: string | undefined;
  let service: string | undefined;
  let title: string | undefined;
  let groupBy: GroupBy | undefined;
  let runbooks: string[] | undefined;
  let override: Partial<Policy> = {};
  const get = lookup(alert);

  for (const rule of set.rules) {
    if (!matchesAll(rule.match, get)) continue;
    matchedRules.push(rule.name);
    const s = rule.set;
    if (s.severity && !severity) severity = { value: s.severity, from: `rule ${rule.name}` };
    priority ??= s.priority;
    team ??= s.team;
    service ??= s.service;
    title ??= s.title?.render(alert);
    groupBy ??= s.groupBy;
    runbooks ??= s.runbooks;
    if (s.policy) override = { ...s.policy, ...override };
    if (!rule.continue) break;
  }

  let severityKnown = true;
  if (!severity) {
    const mapped = mapSeverity(alert.rawSeverity);
    severityKnown = mapped.known;
    severity = {
      value: mapped.severity,
      from: mapped.known
        ? `sender severity "${alert.rawSeverity}"`
        : alert.rawSeverity == null
          ? 'no severity given: warning'
          : `unknown severity "${alert.rawSeverity}": warning`,
    };
  }
  const policy = { ...set.policies[severity.value], ...override };
  const paged = pagedTeam(set, team ?? alert.labels.team ?? null);
  return {
    severity: severity.value,
    severityFrom: severity.from,
    severityKnown,
    priority: priority ?? policy.priority,
    team: paged.team,
    teamNote: paged.note,
    service: service ?? alert.labels.service ?? alert.labels.job ?? null,
    title: title || titleOf(alert),
    groupBy: groupBy ?? alert.defaults?.groupBy ?? defaultGroupBy,
    runbooks: runbooks ?? alert.defaults?.runbooks ?? [],
    policy,
    matchedRules,
  };
}

/**
 * The team roles are resolved in (as the paging does): the named team when it is one, else the defaultTeam.
 * Without teams in the rules, or with no defaultTeam to fall back on, the name stays as the alert gave it.
 */
export function pagedTeam(set: RuleSet, named: string | null): { team: string | null; note: string | null } {
  if (named !== null && set.teams.has(named)) return { team: named, note: null };
  if (set.defaultTeam !== null && set.teams.has(set.defaultTeam)) {
    return { team: set.defaultTeam, note: named === null ? 'default team' : `default team; "${named}" is not a team` };
  }
  return { team: named, note: null };
}

const time = (ms: number | null) => (ms === null ? 'none' : formatDuration(ms));

/** "Why was I paged": the decision in one paragraph, for the timeline and `vigil rules test`. */
export function explain(d: Decision): string {
  const notify = d.policy.notify.length
    ? d.policy.notify.map((n) => `${n.role} by ${n.channels.join(', ')}`).join('; ')
    : 'nobody (digest only)';
  return [
    `severity ${d.severity} (${d.severityFrom}), priority ${d.priority}`,
    `team ${d.team ?? '(none)'}${d.teamNote ? ` (${d.teamNote})` : ''}, service ${d.service ?? '(none)'}`,
    `rules: ${d.matchedRules.length ? d.matchedRules.join(' → ') : '(none matched)'}`,
    `runbooks: ${d.runbooks.length ? d.runbooks.join(', ') : '(none)'}`,
    `notify: ${notify}`,
    `ack within ${time(d.policy.ackSla)}, resolve within ${time(d.policy.resolveSla)}, progress every ${time(d.policy.progressReminder)}, bundle ${time(d.policy.bundleWindow)}`,
  ].join('; ');
}
