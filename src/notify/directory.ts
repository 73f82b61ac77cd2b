import type { RuleSet } from '../rules/ruleset.js';
import type { Policy, Team } from '../rules/schema.js';
import type { ChannelName, Recipient } from './types.js';
import { teamOf } from '../rules/teams.js';
import { firstTierPeople } from '../rules/escalation.js';

/** Where one message goes: a channel and the recipient's address on it. */
export interface Target {
  channel: ChannelName;
  recipient: Recipient;
}

/**
 * Targets in the order first named, each channel and address once, with notes of whom a message cannot reach.
 * With `emailIgnoringCase` (digests and reviews), addresses that differ only in case are one mailbox.
 */
export class TargetList {
  readonly targets: Target[] = [];
  readonly missing: string[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly options: { emailIgnoringCase?: boolean } = {}) {}

  add(t: Target): void {
    const address = this.options.emailIgnoringCase && t.channel === 'email' ? t.recipient.address.toLowerCase() : t.recipient.address;
    const key = `${t.channel}\u0000${address}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.targets.push(t);
  }
}

/** Who holds a role in a team; the role "team" is every member. */
export function roleHolders(team: Team, role: string): string[] {
  return role === 'team' ? team.members : (team.roles[role] ?? []);
}

/**
 * Who gets what: the policy's roles resolved through the incident's team (or the default team) to people
 * and their addresses. A person without an address for a channel is reported, not silently dropped.
 */
export function resolveTargets(
  rules: RuleSet,
  team: string | null,
  policy: Policy,
  webhookUrl: string | undefined,
  at: number,
): { targets: Target[]; missing: string[] } {
  const teamDef = teamOf(rules, team);
  // With escalation tiers, whoever tier 1 has on call right now is "oncall" and "on-duty".
  const tier1 = firstTierPeople(rules, team, policy, at);
  const out = new TargetList();
  for (const { role, channels } of policy.notify) {
    const scheduled = tier1 && (role === 'oncall' || role === 'on-duty') ? tier1 : null;
    const ids = teamDef ? (scheduled ?? roleHolders(teamDef, role)) : [];
    if (ids.length === 0 && !channels.includes('webhook')) {
      out.missing.push(`nobody holds role "${role}"${teamDef ? ` in team ${teamDef.name}` : ' (no team and no defaultTeam)'}`);
    }
    for (const channel of channels) {
      if (channel === 'webhook') {
        if (webhookUrl) out.add({ channel: 'webhook', recipient: { person: null, name: 'webhook', address: webhookUrl } });
        else out.missing.push('no webhook URL configured (notify.webhook.url)');
        continue;
      }
      for (const id of ids) {
        const t = addressOf(rules, id, channel, team);
        if (t) out.add(t);
        else if (rules.people.has(id)) out.missing.push(`${id} has no address for ${channel}`);
      }
    }
  }
  return { targets: out.targets, missing: out.missing };
}

/** A person's address on a channel (chat falls back to the team's channel). */
export function addressOf(rules: RuleSet, personId: string, channel: ChannelName, team: string | null): Target | null {
  const p = rules.people.get(personId);
  if (!p) return null;
  const address = channel === 'voice' || channel === 'sms' ? p.phone : channel === 'email' ? p.email : channel === 'chat' ? (p.chat ?? p.slack ?? teamOf(rules, team)?.chat) : undefined;
  return address ? { channel, recipient: { person: p.id, name: p.name, address } } : null;
}

/** The channels a page may fall back to, in order of preference. */
export const fallbackChain: ChannelName[] = ['voice', 'sms', 'chat', 'email'];

/**
 * Where to reach a person whose page on `failed` could not be delivered: the channels after it in the fallback
 * chain, those on another provider first (voice and SMS share Twilio: when one is down, so is the other), skipping
 * channels the person is already being reached on for this incident.
 */
export function fallbackTarget(
  rules: RuleSet,
  person: string | null,
  failed: ChannelName,
  team: string | null,
  options: { providerOf: (channel: ChannelName) => string | undefined; reached: ReadonlySet<ChannelName> },
): Target | null {
  if (!person) return null;
  const provider = options.providerOf(failed);
  const later = fallbackChain.slice(fallbackChain.indexOf(failed) + 1).filter((c) => !options.reached.has(c));
  const ordered = [...later.filter((c) => options.providerOf(c) !== provider), ...later.filter((c) => options.providerOf(c) === provider)];
  for (const channel of ordered) {
    const t = addressOf(rules, person, channel, team);
    if (t) return t;
  }
  return null;
}
