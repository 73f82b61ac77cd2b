import type { DigestSchedule } from '../reports/digest-schedule.js';
import type { RuleSet } from '../rules/ruleset.js';
import type { Team } from '../rules/schema.js';
import { teamOf } from '../rules/teams.js';
import type { IncidentRow, NotificationRow } from '../store/types.js';
import { addressOf, roleHolders, TargetList, type Target } from './directory.js';

/** A person's email address, or a note of why there is none. */
function addPerson(out: TargetList, rules: RuleSet, id: string): void {
  const t = addressOf(rules, id, 'email', null);
  if (t) out.add(t);
  else out.missing.push(rules.people.has(id) ? `${id} has no email address` : `${id} is not in people`);
}

/**
 * Who gets a digest: every holder of the named roles by email (a team's digest: that team's; otherwise the
 * default team's, or every team's when there is no default team), the named addresses, and the Slack channels.
 */
export function digestTargets(rules: RuleSet, schedule: DigestSchedule): { targets: Target[]; missing: string[] } {
  const out = new TargetList({ emailIgnoringCase: true });
  // A team's digest goes to that team only: a name that is not a team reaches nobody, and says so.
  const named = schedule.team ? rules.teams.get(schedule.team) : undefined;
  if (schedule.team && !named) out.missing.push(`team "${schedule.team}" is not a team in the rules`);
  const teams: Team[] = schedule.team
    ? (named ? [named] : [])
    : rules.defaultTeam
      ? [teamOf(rules, null)].filter((t): t is Team => t !== undefined)
      : [...rules.teams.values()];
  for (const role of schedule.to.roles) {
    const ids = [...new Set(teams.flatMap((t) => roleHolders(t, role)))];
    if (ids.length === 0) out.missing.push(`nobody holds role "${role}"${teams.length ? ` in ${teams.map((t) => t.name).join(', ')}` : ' (no teams)'}`);
    for (const id of ids) addPerson(out, rules, id);
  }
  const byEmail = new Map([...rules.people.values()].filter((p) => p.email).map((p) => [p.email!.toLowerCase(), p]));
  for (const address of schedule.to.emails) {
    const p = byEmail.get(address.toLowerCase());
    out.add({ channel: 'email', recipient: { person: p?.id ?? null, name: p?.name ?? address, address } });
  }
  for (const channel of schedule.to.slack) out.add({ channel: 'chat', recipient: { person: null, name: channel, address: channel } });
  return { targets: out.targets, missing: out.missing };
}

/** Who gets an incident's review: its team's management and everyone it paged (pages and escalations), by email. */
export function reviewTargets(
  rules: RuleSet,
  incident: Pick<IncidentRow, 'team'>,
  notifications: readonly Pick<NotificationRow, 'kind' | 'person'>[],
): { targets: Target[]; missing: string[] } {
  const out = new TargetList({ emailIgnoringCase: true });
  const team = teamOf(rules, incident.team);
  for (const id of team ? roleHolders(team, 'management') : []) addPerson(out, rules, id);
  for (const n of notifications) if ((n.kind === 'page' || n.kind === 'escalation') && n.person) addPerson(out, rules, n.person);
  return { targets: out.targets, missing: [...new Set(out.missing)] };
}
