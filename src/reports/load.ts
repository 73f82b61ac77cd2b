import type { Store } from '../store/types.js';
import { computeSummary } from './figures.js';
import { renderReview } from './review.js';
import type { ComplianceTargets, NightHours, Summary } from './types.js';

/**
 * The reports' one reading path from the store, shared by the API, the CLI and the scheduler's digest and
 * review jobs, so all of them hand the same rows to the same computation.
 */

export interface SummaryRequest {
  since: number;
  until: number;
  team?: string | null;
  timeZone: string;
  targets?: ComplianceTargets;
  nightHours?: NightHours;
}

export async function loadSummary(store: Pick<Store, 'reportRows'>, request: SummaryRequest): Promise<Summary> {
  const rows = await store.reportRows(request.since, request.until);
  return computeSummary({ ...request, ...rows });
}

/** Everything about one incident a review is written from; null when there is no such incident. */
export async function loadReview(
  store: Pick<Store, 'getIncident' | 'alertsOf' | 'timelineOf' | 'listNotifications'>,
  incidentId: number,
  baseUrl?: string,
) {
  const incident = await store.getIncident(incidentId);
  if (!incident) return null;
  const [alerts, events, notifications] = await Promise.all([
    store.alertsOf(incidentId),
    store.timelineOf(incidentId),
    store.listNotifications(incidentId, 1000),
  ]);
  const markdown = renderReview({ incident, alerts, events, notifications, baseUrl });
  return { incident, alerts, events, notifications, markdown };
}
