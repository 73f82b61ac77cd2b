import type { AlertLink } from '../alerts/alert.js';
import type { IncidentRow } from '../store/types.js';

/**
 * The one mapping of an incident that the API, messages and webhook receivers share. Each view starts with the
 * same fields in the same order; the API's JSON (api/present.ts) and the webhook body (notify/channels/webhook.ts)
 * are documented contracts, so a field is added to a view, never moved.
 */
export type IncidentIdentity = Pick<IncidentRow, 'id' | 'title' | 'status' | 'severity' | 'priority' | 'team' | 'service'>;

/** What every view of an incident starts with: which one it is, how bad, whose. */
export function identityOf(i: IncidentIdentity): IncidentIdentity {
  return { id: i.id, title: i.title, status: i.status, severity: i.severity, priority: i.priority, team: i.team, service: i.service };
}

/** The incident as messages and webhook receivers see it (times as epoch ms; the webhook body writes ISO 8601). */
export interface IncidentBrief extends IncidentIdentity {
  createdAt: number;
  acknowledgedBy: string | null;
  resolvedBy: string | null;
  alertCount: number;
  /** Links read from its alerts (runbooks, dashboards), http(s) only. */
  links: AlertLink[];
}

export function briefOf(i: Omit<IncidentBrief, 'links'>, links: AlertLink[]): IncidentBrief {
  return {
    ...identityOf(i),
    createdAt: i.createdAt,
    acknowledgedBy: i.acknowledgedBy,
    resolvedBy: i.resolvedBy,
    alertCount: i.alertCount,
    links,
  };
}
