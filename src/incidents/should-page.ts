import type { IncidentRow } from '../store/types.js';

export type PageFacts = Pick<IncidentRow, 'status' | 'pagedAt' | 'firingCount' | 'suppressedCount' | 'holdUntil'>;

/**
 * Whether the incident's cycle pages now: it is triggered, not paged yet, at least one firing alert is not
 * suppressed, and no runbook hold is running.
 */
export function shouldPage(incident: PageFacts, now: number): boolean {
  if (incident.status !== 'triggered' || incident.pagedAt !== null) return false;
  if (incident.firingCount <= incident.suppressedCount) return false;
  return incident.holdUntil === null || incident.holdUntil <= now;
}
