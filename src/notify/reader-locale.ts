import type { RuleSet } from '../rules/ruleset.js';
import type { Locale } from '../text/messages/catalog.js';

export interface ReaderPreferences {
  locale: Locale;
  timeZone: string;
}

/**
 * How a reader wants messages: each setting the person's, else their team's (a team chat), else notify's
 * (notify.locale, notify.timeZone), else English in UTC.
 */
export function readerPreferences(rules: RuleSet, person: string | null, team: string | null, fallback: Partial<ReaderPreferences> = {}): ReaderPreferences {
  const p = person !== null ? rules.people.get(person) : undefined;
  const t = team !== null ? rules.teams.get(team) : undefined;
  return { locale: p?.locale ?? t?.locale ?? fallback.locale ?? 'en', timeZone: p?.timeZone ?? t?.timeZone ?? fallback.timeZone ?? 'UTC' };
}
