import { briefOf } from '../api/incident-view.js';
import type { AlertRow, IncidentRow, Store } from '../store/types.js';
import { incidentLinks } from './incident-links.js';
import type { IncidentSummary } from './types.js';

/** Most lines of alert descriptions one message shows. */
const MAX_DETAILS = 5;

/** An incident as messages show it: the shared brief, its alerts' links and the first lines of their descriptions. */
export function summarize(i: IncidentRow, alerts: Pick<AlertRow, 'annotations' | 'links'>[]): IncidentSummary {
  const details: string[] = [];
  for (const a of alerts) {
    const d = a.annotations.description ?? a.annotations.summary;
    if (d && !details.includes(d)) details.push(d);
  }
  return { ...briefOf(i, incidentLinks(alerts)), details: details.slice(0, MAX_DETAILS) };
}

/** The summary of one incident as stored now, or null when there is no such incident. */
export async function summaryOf(store: Pick<Store, 'getIncident' | 'alertsOf'>, id: number): Promise<IncidentSummary | null> {
  const incident = await store.getIncident(id);
  if (!incident) return null;
  return summarize(incident, await store.alertsOf(id));
}
