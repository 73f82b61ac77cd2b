import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Store } from '../store/types.js';
import { createSummaryBuilder } from './figures.js';
import type { ReportQueue } from './report-queue.js';
import { renderReview } from './review.js';
import type { ComplianceTargets, NightHours, Summary } from './types.js';

/**
 * The reports' one reading path from the store, shared by the API, the CLI and the scheduler's digest and
 * review jobs, so all of them hand the same rows to the same computation.
 */

/**
 * Incidents read per chunk: each chunk's read and count take a few milliseconds at the most, and the event
 * loop turns between chunks.
 */
export const REPORT_CHUNK_SIZE = 250;

export interface SummaryRequest {
  since: number;
  until: number;
  team?: string | null;
  timeZone: string;
  targets?: ComplianceTargets;
  nightHours?: NightHours;
  /** Items per list (open, info, flapping, self-healed, escalated incidents); the totals count them all. */
  listLimit?: number;
}

export interface LoadOptions {
  /** The process's queue of report computations; without one, this report starts at once. */
  queue?: ReportQueue;
  /** Incidents per chunk (REPORT_CHUNK_SIZE). */
  chunkSize?: number;
}

/** The summary of a period, read from the store a chunk of incidents at a time. */
export async function loadSummary(store: Pick<Store, 'reportChunks'>, request: SummaryRequest, options: LoadOptions = {}): Promise<Summary> {
  const compute = async () => {
    // Made first: a bad zone or period fails before anything is read.
    const builder = createSummaryBuilder(request);
    for await (const chunk of store.reportChunks(request.since, request.until, options.chunkSize ?? REPORT_CHUNK_SIZE)) builder.add(chunk);
    for (const _ of builder.settle()) await nextTurn();
    return builder.finish();
  };
  return options.queue ? options.queue.run(compute) : compute();
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
