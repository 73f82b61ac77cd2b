/** The one canonical alert every source is normalized into. Times are milliseconds since the epoch. */
/** Where an alert came from: a sender's door, or Vigil's own heartbeat monitors. */
export type AlertSource = 'alertmanager' | 'prometheus' | 'grafana' | 'pagerduty' | 'heartbeat';
export type AlertStatus = 'firing' | 'resolved';

export interface AlertLink {
  href: string;
  text: string;
}

export interface Alert {
  fingerprint: string;
  source: AlertSource;
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  /** The sender's end time: when it resolved, or (firing) when it will resolve unless refreshed. */
  endsAt: number | null;
  /** When a firing alert resolves by itself if no update arrives; null when only an explicit resolve ends it. */
  expiresAt: number | null;
  generatorURL: string | null;
  links: AlertLink[];
  values: Record<string, number | string | null> | null;
  /** Raw severity text as sent (label or PagerDuty field), before mapping. */
  rawSeverity: string | null;
  receivedAt: number;
  /** What Vigil's own sources (heartbeats) decide for it where no rule does: its grouping and runbooks. */
  defaults?: { groupBy?: (string | string[])[]; runbooks?: string[] };
}
