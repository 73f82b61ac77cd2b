import type { Alert } from '../alerts/alert.js';

export type GroupBy = (string | string[])[];

/**
 * The group key that decides which incident an alert belongs to: for each entry, the label's value
 * (or, for a list, the first label of the list that the alert has).
 */
export function groupKeyOf(labels: Record<string, string>, groupBy: GroupBy): string {
  // Built as one string, without an array per entry: every new alert of a storm is grouped.
  let key = '';
  for (const entry of groupBy) {
    const name = typeof entry === 'string' ? (labels[entry] ? entry : undefined) : entry.find((n) => labels[n]);
    if (name) key += `${key ? ',' : ''}${name}=${JSON.stringify(labels[name])}`;
  }
  return `{${key}}`;
}

/** What a person reads first: the sender's summary, else the alert name and where it fires. */
export function titleOf(alert: Pick<Alert, 'labels' | 'annotations'>): string {
  const a = alert.annotations;
  const text = a.summary ?? a.title ?? a.message ?? a.description;
  if (text && text.trim()) return text.trim().slice(0, 500);
  const name = alert.labels.alertname ?? 'Alert';
  const where = alert.labels.service ?? alert.labels.job ?? alert.labels.instance;
  return where ? `${name} on ${where}` : name;
}

/** A short, readable name for one alert on the timeline: alertname{instance=...}. */
export function alertLabel(labels: Record<string, string>): string {
  const name = labels.alertname ?? 'alert';
  const where = labels.instance ?? labels.pod ?? labels.host ?? labels.dedup_key;
  return where ? `${name}{${where}}` : name;
}
