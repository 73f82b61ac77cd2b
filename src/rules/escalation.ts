import type { RuleSet } from './ruleset.js';
import type { EscalationTarget, Policy } from './schema.js';
import { onCallAt } from './on-call-now.js';
import { teamOf } from './teams.js';

export interface EscalationTier {
  /** How long this tier has to acknowledge before the next one is paged, ms; null: it is not escalated further by time. */
  delay: number | null;
  targets: EscalationTarget[];
}

/** The tiers an incident climbs, resolved from the rules in force when it escalates. */
export interface EscalationPlan {
  /** The escalation policy's name; null for the team's tier schedules. */
  name: string | null;
  tiers: EscalationTier[];
  /** After the last tier, start again from tier 1 this many times. */
  repeat: number;
}

/**
 * Which escalation applies: the policy's named escalation policy (a rule or the severity sets it), else the
 * team's, else the team's tier1..tier3 schedules with the policy's ack SLA as each tier's delay. Null when
 * the incident does not escalate (its policy pages nobody, or has no ack SLA and names no escalation).
 */
export function escalationFor(rules: RuleSet, team: string | null, policy: Policy): EscalationPlan | null {
  if (policy.notify.length === 0) return null;
  const teamDef = teamOf(rules, team);
  const name = policy.escalation ?? teamDef?.escalation ?? null;
  const named = name === null ? undefined : rules.escalationPolicies.get(name);
  if (named) {
    const tiers = named.tiers.map((t) => ({ delay: t.delay ?? policy.ackSla, targets: t.targets }));
    return { name: named.name, tiers, repeat: named.repeat };
  }
  if (policy.ackSla === null) return null;
  const delay = policy.ackSla;
  const tiers = (['tier1', 'tier2', 'tier3'] as const).map((key) => {
    const schedule = teamDef?.schedules?.[key];
    return { delay, targets: schedule ? [{ schedule }] : [] };
  });
  return { name: null, tiers, repeat: policy.escalationRepeat };
}

/** A target resolved at an instant: a person to reach on some channels, or a chat channel. */
export type ResolvedTarget =
  | { kind: 'person'; person: string; channels: Policy['notify'][number]['channels'] | null; via: string }
  | { kind: 'chat'; address: string; via: string };

/** Who a tier's targets are at `at`: schedules resolve to whoever is on call (nobody on call gives nothing). */
export function resolveTier(rules: RuleSet, tier: EscalationTier, at: number): ResolvedTarget[] {
  const out: ResolvedTarget[] = [];
  for (const t of tier.targets) {
    if ('schedule' in t) {
      const person = onCallAt(rules, t.schedule, at);
      if (person) out.push({ kind: 'person', person, channels: t.channels ?? null, via: `schedule ${t.schedule}` });
    } else if ('person' in t) {
      out.push({ kind: 'person', person: t.person, channels: t.channels ?? null, via: 'person' });
    } else if ('team' in t) {
      const chat = rules.teams.get(t.team)?.chat;
      if (chat) out.push({ kind: 'chat', address: chat, via: `team ${t.team}` });
    } else {
      out.push({ kind: 'chat', address: t.chat, via: 'chat' });
    }
  }
  return out;
}

/** The people tier 1 has on call at `at`: the "oncall" and "on-duty" roles of the first page. Null without tiers. */
export function firstTierPeople(rules: RuleSet, team: string | null, policy: Policy, at: number): string[] | null {
  const plan = escalationFor(rules, team, policy);
  const tier = plan?.tiers[0];
  if (!plan || !tier || tier.targets.length === 0) return null;
  return resolveTier(rules, tier, at).flatMap((t) => (t.kind === 'person' ? [t.person] : []));
}
