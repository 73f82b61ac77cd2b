import type { Store } from '../store/types.js';
import { createSummaryBuilder, reportEventKinds } from './figures.js';
import { defaultPace, reportPacer } from './pace.js';
import type { ReportQueue } from './report-queue.js';
import type { Reader } from './format.js';
import { renderReview } from './review.js';
import type { ComplianceTargets, NightHours, Summary } from './types.js';

/**
 * The reports' one reading path from the store, shared by the API, the CLI and the scheduler's digest and
 * review jobs, so all of them hand the same rows to the same computation.
 */

/**
 * Incidents read per chunk: reading a chunk and counting it takes a few milliseconds at the most; the event
 * loop turns between chunks (pace.ts).
 */
export const REPORT_CHUNK_SIZE = 50;

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
    const started = performance.now();
    // Made first: a bad zone or period fails before anything is read.
    const builder = createSummaryBuilder(request);
    const observer = options.queue?.observer;
    const pause = reportPacer(defaultPace, undefined, observer && ((ms) => observer.step(ms / 1000)));
    const chunks = store.reportChunks(request.since, request.until, { size: options.chunkSize ?? REPORT_CHUNK_SIZE, eventKinds: reportEventKinds, pause });
    for await (const chunk of chunks) builder.add(chunk);
    for (const _ of builder.settle()) await pause();
    const summary = builder.finish();
    observer?.finished((performance.now() - started) / 1000);
    return summary;
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
  const input = { incident, alerts, events, notifications, baseUrl };
  // The draft in English, and in any other reader's language on request.
  return { incident, alerts, events, notifications, markdown: renderReview(input), renderIn: (r: Reader) => renderReview({ ...input, reader: r }) };
}
