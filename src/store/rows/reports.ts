import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Severity } from '../../alerts/severity.js';
import type { Raw } from '../row-mapping.js';
import type { ReportChunkOptions, ReportIncidentRow, ReportNotificationRow, ReportRows, TimelineEvent } from '../types.js';

/**
 * A report's rows, a chunk of incidents at a time, whichever store reads them.
 *
 * Which incidents (see src/reports/figures.ts): those created in [since, until), read in creation order;
 * then those created before that the period still touches (open or resolved at until, or with
 * escalations, runbook results or pages in the period), whose ids are collected first by walking each
 * index a page at a time. One number per such incident is kept, never their rows.
 */

export const DAY = 86_400_000;
/** Index entries read per query while collecting the older incidents' ids. */
export const SCAN_PAGE = 1000;

export type Pause = () => Promise<unknown>;
export type Period = { since: number; until: number; pause: Pause };
/** Where a walk along an index stopped: the last row's key (the indexed column) and id. */
export type Key = { key: number | null; id: number };

// Rows come as arrays of column values, in the order each store's queries name them (the order below).

/**
 * An incident as a report reads it, from: id, title, status, severity, priority, team, service, created_at,
 * acknowledged_at, acknowledged_by, resolved_at, resolved_by, reopen_count, escalation_tier, alert_count,
 * whether it has a policy (1 or 0), and the policy's ackSla, resolveSla and digest (1, 0, or null when absent).
 */
export function incidentFromReportRow(r: unknown[]): ReportIncidentRow {
  const [id, title, status, severity, priority, team, service, createdAt, acknowledgedAt, acknowledgedBy, resolvedAt, resolvedBy] = r;
  const [reopenCount, escalationTier, alertCount, hasPolicy, ackSla, resolveSla, digest] = r.slice(12);
  return {
    id: id as number,
    title: title as string,
    status: status as ReportIncidentRow['status'],
    severity: severity as ReportIncidentRow['severity'],
    priority: priority as ReportIncidentRow['priority'],
    team: team as string | null,
    service: service as string | null,
    createdAt: createdAt as number,
    acknowledgedAt: acknowledgedAt as number | null,
    acknowledgedBy: acknowledgedBy as string | null,
    resolvedAt: resolvedAt as number | null,
    resolvedBy: resolvedBy as string | null,
    reopenCount: reopenCount as number,
    escalationTier: escalationTier as number,
    alertCount: alertCount as number,
    // A policy without the flag (an older Vigil's) goes into digests.
    policy: hasPolicy === 1 ? { ackSla: ackSla as number | null, resolveSla: resolveSla as number | null, digest: digest !== 0 } : null,
  };
}

/** From: id, incident_id, at, kind, actor, message, data. */
export function eventFromReportRow([id, incidentId, at, kind, actor, message, data]: unknown[]): Omit<TimelineEvent, 'source'> {
  return {
    id: id as number,
    incidentId: incidentId as number,
    at: at as number,
    kind: kind as string,
    actor: actor as string | null,
    message: message as string,
    data: data === null ? null : (JSON.parse(data as string) as Record<string, unknown>),
  };
}

/** From: id, incident_id, kind, channel, person, recipient_name, status, created_at, due_at, delivered_at, fallback_of, error_kind. */
export function notificationFromReportRow(r: unknown[]): ReportNotificationRow {
  const [id, incidentId, kind, channel, person, recipientName, status, createdAt, dueAt, deliveredAt, fallbackOf, errorKind] = r;
  return {
    id: id as number,
    incidentId: incidentId as number | null,
    kind: kind as string,
    channel: channel as string,
    person: person as string | null,
    recipientName: recipientName as string,
    status: status as ReportNotificationRow['status'],
    createdAt: createdAt as number,
    dueAt: dueAt as number,
    deliveredAt: deliveredAt as number | null,
    fallbackOf: fallbackOf as number | null,
    errorKind: errorKind as string | null,
  };
}

/** From: incident_id, the alertname label (null without one), receive_count, severity. */
export function alertFromReportRow([incidentId, alertname, receiveCount, severity]: unknown[]): ReportRows['alerts'][number] {
  return {
    incidentId: incidentId as number,
    labels: (alertname === null ? {} : { alertname: String(alertname) }) as Record<string, string>,
    receiveCount: receiveCount as number,
    severity: severity as Severity,
  };
}

/**
 * Adds to ids the incidents created before since among the rows (incident_id, created_at) of an index walked in
 * key order, a page of at most SCAN_PAGE rows after the last page's key at a time, with a pause before each.
 */
export async function collectOlderIds(ids: Set<number>, period: Period, start: Key, keyOf: (r: Raw) => Key, page: (after: Key) => Promise<Raw[]>): Promise<void> {
  const { since, pause } = period;
  let after = start;
  for (;;) {
    await pause();
    const rows = await page(after);
    for (const r of rows) if ((r.created_at as number) < since) ids.add(r.incident_id as number);
    if (rows.length < SCAN_PAGE) return;
    after = keyOf(rows[rows.length - 1]!);
  }
}

/** A store's reads of one report's chunks. */
export interface ReportChunkReader {
  /** Up to `size` incidents created in the period after `after` (in created_at, id order), with their rows and alerts. */
  created(after: Key, size: number): Promise<ReportRows>;
  /** Incidents created before since that the period touches. */
  olderIncidentIds(): Promise<Set<number>>;
  /** These incidents (created before since), by id, with their rows but not their alerts. */
  older(ids: number[]): Promise<ReportRows>;
}

/** The chunks of a report (Store.reportChunks), read through the store's reader, with the caller's pause between any two reads. */
export async function* reportChunksOf(
  since: number,
  until: number,
  { size, eventKinds, pause = nextTurn }: ReportChunkOptions,
  open: (period: Period, eventKinds: readonly string[]) => ReportChunkReader,
): AsyncGenerator<ReportRows> {
  if (!(size >= 1)) throw new RangeError(`chunk size must be at least 1, got ${size}`);
  const period = { since, until, pause };
  const reader = open(period, eventKinds);
  let after: Key = { key: since, id: 0 };
  for (;;) {
    await pause();
    const chunk = await reader.created(after, size);
    const last = chunk.incidents.at(-1);
    if (last) yield chunk;
    if (chunk.incidents.length < size || !last) break;
    after = { key: last.createdAt, id: last.id };
  }
  const older = [...(await reader.olderIncidentIds())];
  for (let i = 0; i < older.length; i += size) {
    await pause();
    const chunk = await reader.older(older.slice(i, i + size));
    if (chunk.incidents.length > 0) yield chunk;
  }
}
