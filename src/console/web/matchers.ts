/**
 * Silence matchers in Alertmanager's syntax (`name="value"`), prefilled from an incident's alerts. Pure.
 */

/** A label value quoted as Alertmanager reads it: backslash, double quote and newline escaped. */
export function quoteValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export function equalityMatcher(name: string, value: string): string {
  return `${name}=${quoteValue(value)}`;
}

/**
 * The labels every alert shares, as one equality matcher each (alertname first, then by name): a silence that
 * mutes exactly this incident's alerts and their repeats. Empty when the alerts share nothing.
 */
export function prefillMatchers(alerts: readonly { labels: Record<string, string> }[]): string[] {
  const [first, ...rest] = alerts;
  if (!first) return [];
  const shared = Object.entries(first.labels).filter(([name, value]) => value !== '' && rest.every((a) => a.labels[name] === value));
  shared.sort(([a], [b]) => (a === 'alertname' ? -1 : b === 'alertname' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return shared.map(([name, value]) => equalityMatcher(name, value));
}

/** The matchers typed in a text box: one per line, blank lines dropped (the server checks the syntax). */
export function matcherLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
