/** Vigil's four severities, most urgent first, and the default priority each maps to. */
export const severities = ['critical', 'warning', 'reminder', 'info'] as const;
export type Severity = (typeof severities)[number];
export type Priority = 'P1' | 'P2' | 'P3' | 'P4';

export const priorityOf: Record<Severity, Priority> = {
  critical: 'P1',
  warning: 'P2',
  reminder: 'P3',
  info: 'P4',
};

/** Common spellings used by Prometheus rule authors, Grafana, PagerDuty and Opsgenie-style senders. */
const aliases: Record<string, Severity> = {
  critical: 'critical',
  crit: 'critical',
  page: 'critical',
  high: 'critical',
  error: 'critical',
  err: 'critical',
  fatal: 'critical',
  emergency: 'critical',
  emerg: 'critical',
  alert: 'critical',
  disaster: 'critical',
  p1: 'critical',
  sev1: 'critical',
  warning: 'warning',
  warn: 'warning',
  medium: 'warning',
  major: 'warning',
  average: 'warning',
  p2: 'warning',
  sev2: 'warning',
  reminder: 'reminder',
  low: 'reminder',
  minor: 'reminder',
  notice: 'reminder',
  ticket: 'reminder',
  p3: 'reminder',
  sev3: 'reminder',
  info: 'info',
  informational: 'info',
  information: 'info',
  debug: 'info',
  none: 'info',
  p4: 'info',
  p5: 'info',
  sev4: 'info',
};

export interface SeverityResult {
  severity: Severity;
  /** False when the sender's value was missing or unknown and the default was used. */
  known: boolean;
}

/** Maps a sender's severity text; unknown or missing values fall back to warning, which the caller notes on the timeline. */
export function mapSeverity(raw: string | null | undefined): SeverityResult {
  if (raw == null || raw.trim() === '') return { severity: 'warning', known: false };
  const key = raw.trim().toLowerCase();
  // Own keys only: a sender's "constructor" or "__proto__" must not find Object.prototype's members.
  return Object.hasOwn(aliases, key) ? { severity: aliases[key]!, known: true } : { severity: 'warning', known: false };
}

export function severityRank(s: Severity): number {
  return severities.indexOf(s);
}

/** The more urgent of two severities. */
export function moreUrgent(a: Severity, b: Severity): Severity {
  return severityRank(a) <= severityRank(b) ? a : b;
}
