import type { RuleSet } from './ruleset.js';

/** The team an incident's people come from: its own when the rules have it, else the default team. */
export function teamOf(rules: RuleSet, team: string | null) {
  return (team && rules.teams.get(team)) || (rules.defaultTeam ? rules.teams.get(rules.defaultTeam) : undefined);
}
