import type { RuleSet } from '../rules/ruleset.js';
import type { Locale } from '../text/messages/catalog.js';

/** The reader's language: the person's locale, else their team's (a team chat), else notify.locale. */
export function readerLocale(rules: RuleSet, person: string | null, team: string | null, fallback: Locale = 'en'): Locale {
  return (person !== null ? rules.people.get(person)?.locale : undefined) ?? (team !== null ? rules.teams.get(team)?.locale : undefined) ?? fallback;
}

/** The reader's time zone, found the same way (notify.timeZone last). */
export function readerZone(rules: RuleSet, person: string | null, team: string | null, fallback = 'UTC'): string {
  return (person !== null ? rules.people.get(person)?.timeZone : undefined) ?? (team !== null ? rules.teams.get(team)?.timeZone : undefined) ?? fallback;
}
