import type { RuleSet } from '../rules/ruleset.js';
import type { Policy } from '../rules/schema.js';
import type { ChannelName, Recipient } from './types.js';
import { teamOf } from '../rules/teams.js';
import { firstTierPeople } from '../rules/escalation.js';

export interface Target {
  channel: ChannelName;
  recipient: Recipient;
  role: string;
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
  const targets: Target[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  const add = (channel: ChannelName, recipient: Recipient, role: string) => {
    const key = `${channel}\u0000${recipient.address}`;
    if (seen.has(key)) return;
    seen.add(key);
    targets.push({ channel, recipient, role });
  };
  for (const { role, channels } of policy.notify) {
    const scheduled = tier1 && (role === 'oncall' || role === 'on-duty') ? tier1 : null;
    const ids = teamDef ? (scheduled ?? (role === 'team' ? teamDef.members : (teamDef.roles[role] ?? []))) : [];
    if (ids.length === 0 && !channels.includes('webhook')) {
      missing.push(`nobody holds role "${role}"${teamDef ? ` in team ${teamDef.name}` : ' (no team and no defaultTeam)'}`);
    }
    for (const channel of channels) {
      if (channel === 'webhook') {
        if (webhookUrl) add('webhook', { person: null, name: 'webhook', address: webhookUrl }, role);
        else missing.push('no webhook URL configured (notify.webhook.url)');
        continue;
      }
      for (const id of ids) {
        const t = addressOf(rules, id, channel, team);
        if (t) add(channel, t.recipient, role);
        else if (rules.people.has(id)) missing.push(`${id} has no address for ${channel}`);
      }
    }
  }
  return { targets, missing };
}

/** A person's address on a channel (chat falls back to the team's channel). */
export function addressOf(rules: RuleSet, personId: string, channel: ChannelName, team: string | null): Target | null {
  const p = rules.people.get(personId);
  if (!p) return null;
  const address = channel === 'voice' || channel === 'sms' ? p.phone : channel === 'email' ? p.email : channel === 'chat' ? (p.slack ?? teamOf(rules, team)?.chat) : undefined;
  return address ? { channel, recipient: { person: p.id, name: p.name, address }, role: 'person' } : null;
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
    if (t) return { ...t, role: 'fallback' };
  }
  return null;
}
